import AttendData
import AttendKernels
import AttendModels
import AttendNN
import AttendTensor
import Foundation

/// What the translation trainer reports while running.
public enum TranslationTrainEvent {
    case step(step: Int, loss: Float, learningRate: Float, tokensPerSecond: Double, elapsedSeconds: Double)
    case evaluation(step: Int, validationLoss: Float)
    case checkpoint(step: Int)
    case resumed(step: Int)
    case timeLimit(step: Int, elapsedSeconds: Double)
}

/// The translation training loop (Vaswani et al., 2017, §5): token-bucketed batches, label-smoothed
/// cross-entropy, Adam(0.9, 0.98, 1e-9) under the Noam schedule, periodic validation, atomic
/// checkpoints, `metrics.jsonl`, exact resumption and an optional wall-clock budget.
///
/// Each batch is split by rows into one shard per core; shard s runs forward and backward on its
/// own thread (master model or a replica) with loss weight tokens_s / tokens, and the replicas'
/// gradients are summed into the master's in a fixed order (as `Trainer`).
public final class TranslationTrainer {
    /// The configuration this was built from.
    public let config: TranslationRunConfig
    /// The tokenizer / vocabulary the model was trained with.
    public let vocabulary: TranslationVocabulary
    /// The model shape.
    public let model: EncoderDecoder
    /// Adam (AdamW with weight decay 0) over every parameter.
    public let optimizer: AdamW
    /// Run folder (config.json, metrics.jsonl, checkpoints/, data/); nil trains in memory only.
    public let run: URL?
    /// Optimizer steps completed.
    public private(set) var step = 0
    /// Current epoch (0-based).
    public private(set) var epoch = 0
    /// Index of the next batch within the epoch.
    public private(set) var batchInEpoch = 0
    /// Validation cross-entropy of the latest evaluation.
    public private(set) var lastValidationLoss: Float?
    /// Seconds spent in `run` so far, across resumptions.
    public private(set) var elapsedSeconds = 0.0
    /// Source + target tokens (real, not padding) processed by this trainer instance, and its training seconds.
    public private(set) var tokensProcessed = 0
    /// Seconds spent in training steps by this instance (evaluation excluded).
    public private(set) var trainSeconds = 0.0
    /// Loss of every step taken by this instance.
    public private(set) var losses: [Float] = []
    let batcher: TokenBatcher
    let validation: [TranslationExample]
    private var epochBatches: [[Int]]
    private var dropoutRNG: RandomGenerator
    private var lastCheckpointStep: Int?

    /// Sets up a fresh run, or continues the newest checkpoint in `run` when `resume` is true
    /// (refusing a checkpoint with another task, model configuration or vocabulary).
    public init(config: TranslationRunConfig, vocabulary: TranslationVocabulary, train: [TranslationExample],
                validation: [TranslationExample], run: URL?, resume: Bool = false) throws {
        try config.model.validate()
        try config.training.validate()
        guard vocabulary.vocabSize == config.model.vocabSize else {
            throw ConfigError.invalid(field: "vocabSize", message: "the model has \(config.model.vocabSize) tokens but the vocabulary \(vocabulary.vocabSize)")
        }
        guard !train.isEmpty else { throw ConfigError.invalid(field: "data", message: "no training examples") }
        Tensor.linearPrecision = BFloat16Support.resolve(config.training.precision ?? .fp32).precision
        self.config = config
        self.vocabulary = vocabulary
        self.run = run
        self.validation = validation
        let t = config.training
        batcher = TokenBatcher(examples: train, batchTokens: t.batchTokens, seed: t.seed)
        if resume, let run, let checkpoint = try? Checkpoint.resolve(run.path) {
            let (model, state) = try TranslationCheckpoint.loadModel(checkpoint)
            guard state.config.task == config.task else {
                throw CheckpointError.incompatible("the run was trained on task '\(state.config.task)', not '\(config.task)'")
            }
            guard state.vocabulary == vocabulary else {
                throw CheckpointError.incompatible("the run was trained with a different vocabulary (\(state.vocabulary.summary)); use the same data and --vocab-size, or start a new --out")
            }
            guard state.config.model == config.model else {
                throw CheckpointError.incompatible("the run was trained with a different model configuration; drop the changed flags or start a new --out")
            }
            self.model = model
            optimizer = Self.makeOptimizer(model, t)
            try Checkpoint.loadOptimizer(checkpoint, into: optimizer, step: state.step)
            step = state.step
            epoch = state.epoch
            batchInEpoch = state.batchInEpoch
            dropoutRNG = state.dropoutRNG
            elapsedSeconds = state.elapsedSeconds
            lastCheckpointStep = state.step
            lastValidationLoss = state.validationLoss
        } else {
            if let run, (try? Checkpoint.resolve(run.path)) != nil { throw TrainError.runExists(run.path) }
            var initRNG = RandomGenerator(seed: t.seed)
            model = try EncoderDecoder(config.model, rng: &initRNG)
            optimizer = Self.makeOptimizer(model, t)
            dropoutRNG = RandomGenerator(seed: t.seed).derived(2)
        }
        epochBatches = batcher.batches(epoch: epoch)
        if let run {
            try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try AtomicFile.write(try encoder.encode(config), to: run.appendingPathComponent("config.json"))
            if lastCheckpointStep != nil { try metrics.truncate(after: step) }
        }
    }

    static func makeOptimizer(_ model: EncoderDecoder, _ t: TranslationTrainConfig) -> AdamW {
        AdamW(parameters: model.namedParameters(), decayed: [], learningRate: t.schedule(modelDim: 1)(1),
              beta1: t.beta1, beta2: t.beta2, epsilon: t.epsilon, weightDecay: 0)
    }

    /// Model copies for the other cores' shards.
    private lazy var replicas: [(model: EncoderDecoder, parameters: [Tensor])] = (1..<max(Threading.count, 1)).map { _ in
        var rng = RandomGenerator(seed: 0)
        let replica = try! EncoderDecoder(config.model, rng: &rng)
        return (replica, replica.namedParameters().map(\.tensor))
    }

    /// The next training batch (advancing epoch and position).
    func nextBatch() -> TranslationBatch {
        if batchInEpoch >= epochBatches.count {
            epoch += 1
            batchInEpoch = 0
            epochBatches = batcher.batches(epoch: epoch)
        }
        let indices = epochBatches[batchInEpoch]
        batchInEpoch += 1
        let m = config.model
        return TranslationBatch(indices.map { batcher.examples[$0] }, padID: m.padID, bosID: m.bosID, eosID: m.eosID)
    }

    /// One optimisation step; returns the batch's label-smoothed loss. Throws on NaN/inf before the weights change.
    @discardableResult
    public func trainStep() throws -> Float {
        let t = config.training
        optimizer.learningRate = t.schedule(modelDim: config.model.modelDim)(step + 1)
        let batch = nextBatch()
        let value = computeGradients(batch)
        guard value.isFinite else {
            model.zeroGradients()
            for r in replicas { r.model.zeroGradients() }
            throw TrainError.nonFiniteLoss(step: step + 1, lastCheckpoint: lastCheckpointStep)
        }
        if t.gradClip > 0 {
            let norm = clipGradientNorm(optimizer.parameters, maxNorm: t.gradClip)
            guard norm.isFinite else {
                model.zeroGradients()
                throw TrainError.nonFiniteLoss(step: step + 1, lastCheckpoint: lastCheckpointStep)
            }
        }
        optimizer.update()
        model.zeroGradients()
        step += 1
        tokensProcessed += batch.sourceTokens + batch.targetTokens
        losses.append(value)
        return value
    }

    /// Loss of `batch` with its gradient added into the master model, computed in row shards on all cores.
    public func computeGradients(_ batch: TranslationBatch) -> Float {
        let replicas = self.replicas
        let shards = min(replicas.count + 1, batch.batchSize)
        let parts = (0..<shards).map { s in batch.rows((batch.batchSize * s / shards)..<(batch.batchSize * (s + 1) / shards)) }
        let total = Float(max(batch.targetTokens, 1))
        let weights = parts.map { Float($0.targetTokens) / total }
        var shardLosses = [Float](repeating: 0, count: shards)
        let smoothing = config.training.labelSmoothing
        let baseRNG = dropoutRNG
        let step = self.step
        shardLosses.withUnsafeMutableBufferPointer { out in
            concurrentPerform(iterations: shards) { s in
                let net = s == 0 ? model : replicas[s - 1].model
                if s > 0 { for (p, (_, master)) in zip(replicas[s - 1].parameters, optimizer.parameters) { p.copyValues(from: master) } }
                let context = ForwardContext(training: true, rng: baseRNG.derived(UInt64(step) << 8 | UInt64(s)))
                guard weights[s] > 0 else { out[s] = 0; return }
                let loss = net.loss(parts[s], smoothing: smoothing, context: context)
                out[s] = loss.item
                if out[s].isFinite { loss.backward(seed: Tensor(repeating: weights[s], shape: [])) } else { Tape.current.reset() }
            }
        }
        var value: Float = 0
        for s in 0..<shards { value += shardLosses[s] * weights[s] }
        guard value.isFinite else { return value }
        for replica in replicas.prefix(shards - 1) {
            for (p, (_, master)) in zip(replica.parameters, optimizer.parameters) {
                if let g = p.grad { master.accumulateGrad(g.pointer) }
                p.grad = nil
            }
        }
        return value
    }

    /// Mean cross-entropy (no smoothing) per target token over the validation examples, in fixed batches.
    public func evaluate() -> Float {
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

    /// Trains until `maxSteps`, the time limit, or `stopAfter` more steps; evaluates and checkpoints on
    /// schedule and always writes a final checkpoint.
    public func run(stopAfter: Int? = nil, report: (TranslationTrainEvent) -> Void = { _ in }) throws {
        let t = config.training
        let end = min(t.maxSteps, stopAfter.map { step + $0 } ?? t.maxSteps)
        if lastCheckpointStep != nil { report(.resumed(step: step)) }
        let budget = t.timeLimitMinutes.map { $0 * 60 }
        let runStart = Date()
        let elapsedAtStart = elapsedSeconds
        while step < end {
            if let budget, elapsedSeconds >= budget { report(.timeLimit(step: step, elapsedSeconds: elapsedSeconds)); break }
            let stepStart = Date()
            let loss = try trainStep()
            trainSeconds += Date().timeIntervalSince(stepStart)
            elapsedSeconds = elapsedAtStart + Date().timeIntervalSince(runStart)
            let rate = Double(tokensProcessed) / max(trainSeconds, 1e-9)
            report(.step(step: step, loss: loss, learningRate: optimizer.learningRate, tokensPerSecond: rate, elapsedSeconds: elapsedSeconds))
            let isEval = step % t.evalInterval == 0
            var record = MetricsRecord(step: step, kind: "train", loss: loss, learningRate: optimizer.learningRate,
                                       tokensPerSecond: rate, elapsedSeconds: elapsedSeconds)
            if isEval {
                let va = evaluate()
                lastValidationLoss = va
                report(.evaluation(step: step, validationLoss: va))
                record.kind = "eval"
                record.validationLoss = va
            }
            if isEval || step % 50 == 0 { try metrics.append(record) }
            if let run, isEval || step % t.checkpointInterval == 0 {
                try saveCheckpoint(run: run, loss: loss)
                report(.checkpoint(step: step))
            }
            if let signal = Interruption.requested, step < end {
                if let run, lastCheckpointStep != step {
                    try saveCheckpoint(run: run, loss: loss)
                    report(.checkpoint(step: step))
                }
                throw TrainError.interrupted(signal: signal, step: step, run: run?.path)
            }
        }
        if let run, lastCheckpointStep != step {
            let va = evaluate()
            lastValidationLoss = va
            report(.evaluation(step: step, validationLoss: va))
            try metrics.append(MetricsRecord(step: step, kind: "eval", loss: losses.last, validationLoss: va,
                                            learningRate: optimizer.learningRate,
                                            tokensPerSecond: Double(tokensProcessed) / max(trainSeconds, 1e-9),
                                            elapsedSeconds: elapsedSeconds))
            try saveCheckpoint(run: run, loss: losses.last)
            report(.checkpoint(step: step))
        }
    }

    /// Writes a checkpoint of the current step into the run folder.
    public func saveCheckpoint(run: URL, loss: Float?) throws {
        let state = TranslationState(task: TranslationState.taskName, step: step, config: config, vocabulary: vocabulary,
                                     epoch: epoch, batchInEpoch: batchInEpoch, dropoutRNG: dropoutRNG,
                                     elapsedSeconds: elapsedSeconds, loss: loss, validationLoss: lastValidationLoss,
                                     averagedSteps: nil)
        try TranslationCheckpoint.save(run: run, model: model, optimizer: optimizer, state: state,
                                       keep: config.training.keepCheckpoints)
        lastCheckpointStep = step
    }

    private var metrics: MetricsLog { MetricsLog(run: run) }
}
