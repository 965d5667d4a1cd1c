import AttendData
import AttendKernels
import AttendModels
import AttendNN
import AttendTensor
import Foundation

/// Where a translation run's data stream stands: epoch e's batch order depends only on the seed and e,
/// so (epoch, batch index) is enough to resume.
public struct TranslationPosition: Codable, Equatable, Sendable {
    /// Current epoch (0-based).
    public var epoch: Int
    /// Index of the next batch within the epoch.
    public var batchInEpoch: Int

    /// The position of batch `batchInEpoch` of epoch `epoch`.
    public init(epoch: Int, batchInEpoch: Int) {
        self.epoch = epoch
        self.batchInEpoch = batchInEpoch
    }
}

/// Translation and the synthetic seq2seq tasks as a `TrainingTask` (what `TranslationTrainer` trains;
/// Vaswani et al., 2017, §5): an `EncoderDecoder` on `TokenBatcher` batches, label-smoothed
/// cross-entropy, Adam(0.9, 0.98, 1e-9) under the Noam schedule, shards of rows weighted by their
/// share of the batch's target tokens, validation cross-entropy, and an optional time limit.
/// Its checkpoints are `TranslationState`s (`"task": "translation"` with the vocabulary).
public final class TranslationTask: TrainingTask {
    /// Steps between plain training records in metrics.jsonl (1 records every step: studies rebuild loss curves from it).
    public var metricsInterval = 50
    /// The run's settings.
    public let config: TranslationRunConfig
    /// The tokenizer / vocabulary the model is trained with.
    public let vocabulary: TranslationVocabulary
    /// Token-bucketed batches of the training examples.
    public let batcher: TokenBatcher
    /// Held-out examples (may be empty: validation loss is then NaN).
    public let validation: [TranslationExample]
    /// The batches of the epoch last asked for (rebuilt when the epoch changes).
    private var epochBatches: (epoch: Int, batches: [[Int]])?

    /// The task of `config`; checks the settings, the vocabulary size and the data (and sets
    /// `Tensor.linearPrecision` from the config).
    public init(config: TranslationRunConfig, vocabulary: TranslationVocabulary, train: [TranslationExample],
                validation: [TranslationExample]) throws {
        try config.model.validate()
        try config.training.validate()
        guard vocabulary.vocabSize == config.model.vocabSize else {
            throw ConfigError.invalid(field: "vocabSize", message: "the model has \(config.model.vocabSize) tokens but the vocabulary \(vocabulary.vocabSize)")
        }
        guard !train.isEmpty else { throw ConfigError.invalid(field: "data", message: "no training examples") }
        let m = config.model
        try checkActivationMemory(tokens: Double(config.training.batchTokens),
                                  perToken: Double(m.modelDim) * Double(m.numEncoderLayers + m.numDecoderLayers) * 32
                                      + Double(m.hiddenDim) * Double(m.numEncoderLayers + m.numDecoderLayers) * 2 + Double(m.vocabSize) * 3,
                                  field: "batchTokens")
        Tensor.linearPrecision = BFloat16Support.resolve(config.training.precision ?? .fp32).precision
        self.config = config
        self.vocabulary = vocabulary
        self.validation = validation
        batcher = TokenBatcher(examples: train, batchTokens: config.training.batchTokens, seed: config.training.seed)
    }

    public var settings: LoopSettings {
        let t = config.training
        return LoopSettings(maxSteps: t.maxSteps, evalInterval: t.evalInterval, checkpointInterval: t.checkpointInterval,
                            keepCheckpoints: t.keepCheckpoints, gradClip: t.gradClip, seed: t.seed,
                            timeLimitSeconds: t.timeLimitMinutes.map { $0 * 60 }, metricsInterval: metricsInterval)
    }

    public func makeModel(rng: inout RandomGenerator) throws -> EncoderDecoder { try EncoderDecoder(config.model, rng: &rng) }

    public func makeOptimizer(for model: EncoderDecoder) -> AdamW {
        let t = config.training
        return AdamW(parameters: model.namedParameters(), decayed: [], learningRate: t.schedule(modelDim: 1)(1),
                     beta1: t.beta1, beta2: t.beta2, epsilon: t.epsilon, weightDecay: 0)
    }

    /// The Noam schedule at 1-based step `step + 1`.
    public func learningRate(step: Int) -> Float { config.training.schedule(modelDim: config.model.modelDim)(step + 1) }

    public var initialPosition: TranslationPosition { TranslationPosition(epoch: 0, batchInEpoch: 0) }

    /// Example indices of every batch of `epoch`.
    func batches(epoch: Int) -> [[Int]] {
        if let cached = epochBatches, cached.epoch == epoch { return cached.batches }
        let batches = batcher.batches(epoch: epoch)
        epochBatches = (epoch, batches)
        return batches
    }

    /// The next batch (moving on to the next epoch after its last batch).
    public func nextBatch(at position: inout TranslationPosition) -> TranslationBatch {
        if position.batchInEpoch >= batches(epoch: position.epoch).count {
            position.epoch += 1
            position.batchInEpoch = 0
        }
        let indices = batches(epoch: position.epoch)[position.batchInEpoch]
        position.batchInEpoch += 1
        let m = config.model
        return TranslationBatch(indices.map { batcher.examples[$0] }, padID: m.padID, bosID: m.bosID, eosID: m.eosID)
    }

    public func rows(in batch: TranslationBatch) -> Int { batch.batchSize }

    /// Row shards, each weighted by its share of the batch's target tokens (a shard may get none).
    public func split(_ batch: TranslationBatch, into shards: Int) -> [(part: TranslationBatch, weight: LossWeight)] {
        let parts = (0..<shards).map { s in batch.rows((batch.batchSize * s / shards)..<(batch.batchSize * (s + 1) / shards)) }
        let total = Float(max(batch.targetTokens, 1))
        return parts.map { ($0, LossWeight(Float($0.targetTokens) / total)) }
    }

    public func loss(of model: EncoderDecoder, on part: TranslationBatch, context: ForwardContext) -> Tensor {
        model.loss(part, smoothing: config.training.labelSmoothing, context: context)
    }

    /// Real source + target tokens.
    public func tokens(in batch: TranslationBatch) -> Int { batch.sourceTokens + batch.targetTokens }

    /// Validation cross-entropy and, with `evalBleu`, the validation BLEU (`metrics["bleu"]`, single reference;
    /// NaN when it cannot be computed, e.g. every translation empty of words).
    public func evaluate(_ model: EncoderDecoder) -> TaskEvaluation {
        var result = TaskEvaluation(validationLoss: validationLoss(model))
        if let beam = config.training.evalBleu, !validation.isEmpty {
            let options = DecodingOptions(beamSize: beam)
            result.metrics["bleu"] = (try? TranslationBLEU.measure(model, vocabulary: vocabulary, examples: validation, options: options))?.single ?? .nan
        }
        return result
    }

    /// Mean cross-entropy (no smoothing) per target token over the validation examples, in fixed batches.
    public func validationLoss(_ model: EncoderDecoder) -> Float {
        guard !validation.isEmpty else { return .nan }
        let m = config.model
        let batches = TokenBatcher(examples: validation, batchTokens: config.training.batchTokens, seed: 0).batches(epoch: 0)
        let context = ForwardContext(training: false)
        var total = 0.0, tokens = 0
        withoutGradients {
            for indices in batches {
                let b = TranslationBatch(indices.map { validation[$0] }, padID: m.padID, bosID: m.bosID, eosID: m.eosID)
                total += Double(model.loss(b, smoothing: 0, context: context).item) * Double(b.targetTokens)
                tokens += b.targetTokens
            }
        }
        return Float(total / Double(max(tokens, 1)))
    }

    public var configuration: (any Encodable)? { config }

    public var checkpointMetadata: [String: String] {
        let model = Checkpoint.metadataJSON(config.model)
        return TranslationState.weightsMetadata(modelConfig: model)
    }

    public func loadState(_ checkpoint: URL) throws -> TranslationState { try TranslationCheckpoint.loadState(checkpoint) }

    /// Refuses a checkpoint with another task, vocabulary or model configuration.
    public func resume(from state: TranslationState) throws -> TranslationPosition {
        guard state.config.task == config.task else {
            throw CheckpointError.incompatible("the run was trained on task '\(state.config.task)', not '\(config.task)'")
        }
        guard state.vocabulary == vocabulary else {
            throw CheckpointError.incompatible("the run was trained with a different vocabulary (\(state.vocabulary.summary)); use the same data and --vocab-size, or start a new --out")
        }
        guard state.config.model == config.model else {
            throw CheckpointError.incompatible("the run was trained with a different model configuration; drop the changed flags or start a new --out")
        }
        return TranslationPosition(epoch: state.epoch, batchInEpoch: state.batchInEpoch)
    }

    public func checkpointState(progress: LoopProgress, position: TranslationPosition) -> TranslationState {
        TranslationState(task: TranslationState.taskName, step: progress.step, config: config, vocabulary: vocabulary,
                         epoch: position.epoch, batchInEpoch: position.batchInEpoch, dropoutRNG: progress.dropoutRNG,
                         elapsedSeconds: progress.elapsedSeconds, loss: progress.loss, validationLoss: progress.validationLoss,
                         averagedSteps: nil)
    }
}
