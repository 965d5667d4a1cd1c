import AttendData
import AttendKernels
import AttendModels
import AttendNN
import AttendTensor
import Foundation

/// Character-level language modelling as a `TrainingTask` (what `Trainer` trains): a `DecoderOnly`
/// model on nanoGPT-style random windows of a `TextDataset`, warm-up + cosine AdamW (decay on rank ≥ 2
/// parameters), shards of rows weighted rows / batchSize, evaluation on fixed batches of both splits.
/// Its checkpoints are `TrainingState`s (no `task` key), its data position the batch generator.
public final class LanguageModelTask: TrainingTask {
    /// Steps between plain training records in metrics.jsonl (1 records every step: studies rebuild loss curves from it).
    public var metricsInterval = 50
    /// The run's settings.
    public let config: RunConfig
    /// The text trained on.
    public let dataset: TextDataset

    /// The task of `config` on `dataset`; checks both (and sets `Tensor.linearPrecision` from the config).
    public init(config: RunConfig, dataset: TextDataset) throws {
        try config.model.validate()
        try config.training.validate()
        try dataset.check(contextLength: config.model.contextLength)
        let m = config.model
        try checkActivationMemory(tokens: Double(config.training.batchSize) * Double(m.contextLength),
                                  perToken: Double(m.modelDim) * Double(m.numLayers) * 24 + Double(m.hiddenDim) * Double(m.numLayers) * 2
                                      + Double(m.vocabSize) * 3, field: "batchSize")
        Tensor.linearPrecision = BFloat16Support.resolve(config.training.precision).precision
        self.config = config
        self.dataset = dataset
    }

    public var settings: LoopSettings {
        let t = config.training
        return LoopSettings(maxSteps: t.maxSteps, evalInterval: t.evalInterval, checkpointInterval: t.checkpointInterval,
                            gradClip: t.gradClip, seed: t.seed, metricsInterval: metricsInterval)
    }

    public func makeModel(rng: inout RandomGenerator) throws -> DecoderOnly { try DecoderOnly(config.model, rng: &rng) }

    public func makeOptimizer(for model: DecoderOnly) -> AdamW {
        let t = config.training
        return AdamW(parameters: model.namedParameters(), decayed: model.decayedParameterNames(), learningRate: t.learningRate,
                     beta1: t.beta1, beta2: t.beta2, epsilon: t.epsilon, weightDecay: t.weightDecay)
    }

    public func learningRate(step: Int) -> Float { config.training.schedule(step) }

    public var initialPosition: RandomGenerator { RandomGenerator(seed: config.training.seed).derived(1) }

    public func nextBatch(at position: inout RandomGenerator) -> SequenceBatch {
        let t = config.training, length = config.model.contextLength
        let b = dataset.batch(.train, batchSize: t.batchSize, contextLength: length, rng: &position)
        return SequenceBatch(inputs: b.inputs, targets: b.targets, batch: t.batchSize, length: length)
    }

    public func rows(in batch: SequenceBatch) -> Int { batch.batch }

    /// Equal row shards, each weighted rows_s / batch (every target counts).
    public func split(_ batch: SequenceBatch, into shards: Int) -> [(part: SequenceBatch, weight: LossWeight)] {
        (0..<shards).map { s in
            let rows = (batch.batch * s / shards)..<(batch.batch * (s + 1) / shards)
            return (batch.rows(rows), LossWeight(Float(rows.count), of: Float(batch.batch)))
        }
    }

    public func loss(of model: DecoderOnly, on part: SequenceBatch, context: ForwardContext) -> Tensor {
        model.loss(inputs: part.inputs, targets: part.targets, batch: part.batch, length: part.length, context: context)
    }

    public func tokens(in batch: SequenceBatch) -> Int { batch.batch * batch.length }

    public func evaluate(_ model: DecoderOnly) -> TaskEvaluation {
        let (train, validation) = evaluate(model, batches: config.training.evalBatches)
        return TaskEvaluation(trainLoss: train, validationLoss: validation)
    }

    /// Mean loss over `batches` batches of each split, drawn from a fixed generator (the same batches every time).
    public func evaluate(_ model: DecoderOnly, batches: Int) -> (train: Float, validation: Float) {
        let t = config.training, length = config.model.contextLength
        let context = ForwardContext(training: false)
        return withoutGradients {
            var results: [Float] = []
            for split in [TextDataset.Split.train, .validation] {
                var rng = RandomGenerator(seed: t.seed).derived(3)
                var total: Double = 0
                for _ in 0..<batches {
                    let b = dataset.batch(split, batchSize: t.batchSize, contextLength: length, rng: &rng)
                    total += Double(model.loss(inputs: b.inputs, targets: b.targets, batch: t.batchSize, length: length, context: context).item)
                }
                results.append(Float(total / Double(batches)))
            }
            return (results[0], results[1])
        }
    }

    public var configuration: (any Encodable)? { config }

    public var checkpointMetadata: [String: String] {
        let model = Checkpoint.metadataJSON(config.model)
        return ["format": "attend", "modelConfig": model]
    }

    public func loadState(_ checkpoint: URL) throws -> TrainingState { try Checkpoint.loadState(checkpoint) }

    public func resume(from state: TrainingState) throws -> RandomGenerator {
        guard state.config.model == config.model else {
            throw CheckpointError.incompatible("the run was trained with a different model configuration; drop the changed flags or start a new --out")
        }
        return state.dataRNG
    }

    public func checkpointState(progress: LoopProgress, position: RandomGenerator) -> TrainingState {
        TrainingState(step: progress.step, config: config, tokenizer: dataset.tokenizer, dataRNG: position,
                      dropoutRNG: progress.dropoutRNG, loss: progress.loss, validationLoss: progress.validationLoss,
                      elapsedSeconds: progress.elapsedSeconds)
    }
}
