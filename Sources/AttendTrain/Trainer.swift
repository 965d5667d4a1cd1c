import AttendData
import AttendKernels
import AttendModels
import AttendNN
import AttendTensor
import Foundation

/// Why training stopped early.
public enum TrainError: Error, CustomStringConvertible, Equatable {
    case nonFiniteLoss(step: Int, lastCheckpoint: Int?)
    case runExists(String)
    /// SIGINT or SIGTERM stopped the loop after `step`; `run` holds a checkpoint of that step (nil
    /// when training in memory).
    case interrupted(signal: Int32, step: Int, run: String?)

    public var description: String {
        switch self {
        case let .nonFiniteLoss(step, last):
            let kept = last.map { "the last good checkpoint (step \($0)) is kept" } ?? "no checkpoint had been written yet"
            return "loss became NaN/inf at step \(step); training stopped and \(kept). Try a lower --learning-rate, a longer --warmup-steps, or --grad-clip 1.0"
        case let .runExists(p):
            return "run folder \(p) already has checkpoints; pass --resume to continue it, or choose another --out"
        case let .interrupted(signal, step, run):
            let name = Interruption.name(signal)
            guard let run else { return "\(name): stopped after step \(step) (no run folder, nothing saved)" }
            return "\(name): stopped after step \(step); its checkpoint is in \(run)"
        }
    }
}

/// One line of `metrics.jsonl`.
public struct MetricsRecord: Codable, Equatable, Sendable {
    public var step: Int
    public var kind: String          // "train" or "eval"
    public var loss: Float?
    public var trainLoss: Float?
    public var validationLoss: Float?
    public var learningRate: Float?
    public var tokensPerSecond: Double?
    public var elapsedSeconds: Double?
    /// What changed in the run's settings at this step (kind "config"), e.g. a longer maxSteps on resume.
    public var note: String?
}

/// What the trainer reports while running.
public enum TrainEvent {
    case step(step: Int, of: Int, loss: Float, learningRate: Float, tokensPerSecond: Double, etaSeconds: Double)
    case evaluation(step: Int, trainLoss: Float, validationLoss: Float)
    case checkpoint(step: Int, path: String)
    case resumed(step: Int)
}

/// The training loop: batches → forward → backward → clip → AdamW, with periodic evaluation,
/// checkpoints and metrics in a run folder, and exact resumption.
public final class Trainer {
    public let config: RunConfig
    public let dataset: TextDataset
    public let model: DecoderOnly
    public let optimizer: AdamW
    /// Run folder (config.json, metrics.jsonl, checkpoints/); nil trains in memory only.
    public let run: URL?
    public private(set) var step = 0
    private var dataRNG: RandomGenerator
    private let context: ForwardContext
    private var lastCheckpointStep: Int?
    /// Losses of every step taken by this trainer (for tests and summaries).
    public private(set) var losses: [Float] = []
    public private(set) var lastValidationLoss: Float?

    /// Sets up a fresh run, or continues the newest checkpoint in `run` when `resume` is true.
    public init(config: RunConfig, dataset: TextDataset, run: URL?, resume: Bool = false) throws {
        try config.model.validate()
        try config.training.validate()
        try dataset.check(contextLength: config.model.contextLength)
        Tensor.linearPrecision = BFloat16Support.resolve(config.training.precision).precision
        self.config = config
        self.dataset = dataset
        self.run = run
        let seed = config.training.seed
        if resume, let run, let checkpoint = try? Checkpoint.resolve(run.path) {
            let (model, state) = try Checkpoint.loadModel(checkpoint)
            guard state.config.model == config.model else {
                throw CheckpointError.incompatible("the run was trained with a different model configuration; drop the changed flags or start a new --out")
            }
            self.model = model
            optimizer = Trainer.makeOptimizer(model, config.training)
            try Checkpoint.loadOptimizer(checkpoint, into: optimizer, step: state.step)
            step = state.step
            dataRNG = state.dataRNG
            context = ForwardContext(training: true, rng: state.dropoutRNG)
            lastCheckpointStep = state.step
            lastValidationLoss = state.validationLoss
            try metrics.truncate(after: state.step)
            if state.config.training.maxSteps != config.training.maxSteps {
                try metrics.append(MetricsRecord(step: state.step, kind: "config",
                                                 note: "maxSteps \(state.config.training.maxSteps) → \(config.training.maxSteps) on resume"))
            }
        } else {
            if let run, !resume, (try? Checkpoint.resolve(run.path)) != nil { throw TrainError.runExists(run.path) }
            var initRNG = RandomGenerator(seed: seed)
            model = try DecoderOnly(config.model, rng: &initRNG)
            optimizer = Trainer.makeOptimizer(model, config.training)
            dataRNG = RandomGenerator(seed: seed).derived(1)
            context = ForwardContext(training: true, rng: RandomGenerator(seed: seed).derived(2))
        }
        if let run {
            try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try AtomicFile.write(try encoder.encode(config), to: run.appendingPathComponent("config.json"))
        }
    }

    static func makeOptimizer(_ model: DecoderOnly, _ t: TrainConfig) -> AdamW {
        AdamW(parameters: model.namedParameters(), decayed: model.decayedParameterNames(), learningRate: t.learningRate,
              beta1: t.beta1, beta2: t.beta2, epsilon: t.epsilon, weightDecay: t.weightDecay)
    }

    /// Model copies that run the other shards of each batch on the other cores (data parallelism):
    /// each takes the master's weights, computes its shard's gradients on its own thread and tape,
    /// and the gradients are summed into the master model's.
    private lazy var replicas: [(model: DecoderOnly, parameters: [Tensor])] = {
        let shards = min(Threading.count, config.training.batchSize)
        return (1..<max(shards, 1)).map { _ in
            var rng = RandomGenerator(seed: 0)
            let replica = try! DecoderOnly(config.model, rng: &rng)
            return (replica, replica.namedParameters().map(\.tensor))
        }
    }()

    /// One optimisation step on a fresh training batch; returns its loss. Throws on a NaN/inf loss
    /// before touching the weights.
    ///
    /// The batch is split into one shard of rows per core; shard s runs forward and backward on its
    /// own thread with loss weight rows_s / batchSize, so the summed gradient is the full batch's.
    /// The split and the summation order are fixed, so a run is bit-for-bit reproducible for a
    /// given thread count.
    @discardableResult
    public func trainStep() throws -> Float {
        let t = config.training, m = config.model
        optimizer.learningRate = t.schedule(step)
        let batch = dataset.batch(.train, batchSize: t.batchSize, contextLength: m.contextLength, rng: &dataRNG)
        let value = computeGradients(inputs: batch.inputs, targets: batch.targets, batchSize: t.batchSize)
        guard value.isFinite else {
            clearGradients()
            throw TrainError.nonFiniteLoss(step: step + 1, lastCheckpoint: lastCheckpointStep)
        }
        let norm = clipGradientNorm(optimizer.parameters, maxNorm: t.gradClip)
        guard norm.isFinite else {
            clearGradients()
            throw TrainError.nonFiniteLoss(step: step + 1, lastCheckpoint: lastCheckpointStep)
        }
        optimizer.update()
        clearGradients()
        step += 1
        losses.append(value)
        return value
    }

    /// Mean loss of a batch ([batchSize, contextLength] inputs and targets) with its gradient added
    /// into the master model's parameters, computed in shards on all cores (see `trainStep`).
    /// Returns a non-finite value (and leaves gradients unspecified) if any shard's loss is NaN/inf.
    public func computeGradients(inputs: [Int32], targets: [Int32], batchSize: Int) -> Float {
        let length = config.model.contextLength
        let replicas = Array(self.replicas.prefix(max(0, min(batchSize, self.replicas.count + 1) - 1)))
        let shards = replicas.count + 1
        func rows(_ s: Int) -> Range<Int> { (batchSize * s / shards)..<(batchSize * (s + 1) / shards) }
        var shardLosses = [Float](repeating: 0, count: shards)
        shardLosses.withUnsafeMutableBufferPointer { out in
            concurrentPerform(iterations: shards) { s in
                let r = rows(s)
                let net = s == 0 ? model : replicas[s - 1].model
                if s > 0 {  // bring the replica up to the master's current weights, on this shard's thread
                    for (p, (_, master)) in zip(replicas[s - 1].parameters, optimizer.parameters) { p.copyValues(from: master) }
                }
                // Dropout masks come from a generator derived from (step, shard): independent of scheduling.
                let context = ForwardContext(training: true, rng: self.context.rng.derived(UInt64(step) << 8 | UInt64(s)))
                let loss = net.loss(inputs: Array(inputs[(r.lowerBound * length)..<(r.upperBound * length)]),
                                    targets: Array(targets[(r.lowerBound * length)..<(r.upperBound * length)]),
                                    batch: r.count, length: length, context: context)
                out[s] = loss.item
                if out[s].isFinite {
                    loss.backward(seed: Tensor(repeating: Float(r.count) / Float(batchSize), shape: []))
                } else {
                    Tape.current.reset()
                }
            }
        }
        var value: Float = 0
        for s in 0..<shards { value += shardLosses[s] * Float(rows(s).count) / Float(batchSize) }
        guard value.isFinite else { return value }
        for replica in replicas {
            for (p, (_, master)) in zip(replica.parameters, optimizer.parameters) {
                if let g = p.grad { master.accumulateGrad(g.pointer) }
                p.grad = nil
            }
        }
        return value
    }

    private func clearGradients() {
        model.zeroGradients()
        for replica in replicas { replica.model.zeroGradients() }
    }

    /// Mean loss over `batches` batches of each split, drawn from a fixed generator (the same batches every time).
    public func evaluate(batches: Int) -> (train: Float, validation: Float) {
        let t = config.training, m = config.model
        context.training = false
        defer { context.training = true }
        return withoutGradients {
            var results: [Float] = []
            for split in [TextDataset.Split.train, .validation] {
                var rng = RandomGenerator(seed: t.seed).derived(3)
                var total: Double = 0
                for _ in 0..<batches {
                    let b = dataset.batch(split, batchSize: t.batchSize, contextLength: m.contextLength, rng: &rng)
                    total += Double(model.loss(inputs: b.inputs, targets: b.targets, batch: t.batchSize, length: m.contextLength, context: context).item)
                }
                results.append(Float(total / Double(batches)))
            }
            return (results[0], results[1])
        }
    }

    /// Trains until `maxSteps` (or `stopAfter` more steps), evaluating and checkpointing on schedule.
    public func run(stopAfter: Int? = nil, report: (TrainEvent) -> Void = { _ in }) throws {
        let t = config.training
        let tokensPerStep = Double(t.batchSize * config.model.contextLength)
        let end = min(t.maxSteps, stopAfter.map { step + $0 } ?? t.maxSteps)
        if lastCheckpointStep != nil { report(.resumed(step: step)) }
        let started = Date()
        let startStep = step
        var trainSeconds = 0.0
        while step < end {
            let stepStart = Date()
            let loss = try trainStep()
            trainSeconds += Date().timeIntervalSince(stepStart)
            let done = step - startStep
            let rate = Double(done) * tokensPerStep / max(trainSeconds, 1e-9)
            let eta = Double(t.maxSteps - step) * trainSeconds / Double(done)
            report(.step(step: step, of: t.maxSteps, loss: loss, learningRate: optimizer.learningRate, tokensPerSecond: rate, etaSeconds: eta))
            let isEval = step % t.evalInterval == 0 || step == t.maxSteps
            var record = MetricsRecord(step: step, kind: "train", loss: loss, learningRate: optimizer.learningRate,
                                       tokensPerSecond: rate, elapsedSeconds: Date().timeIntervalSince(started))
            if isEval {
                let (tr, va) = evaluate(batches: t.evalBatches)
                lastValidationLoss = va
                report(.evaluation(step: step, trainLoss: tr, validationLoss: va))
                record.kind = "eval"
                record.trainLoss = tr
                record.validationLoss = va
            }
            if isEval || step % 50 == 0 { try metrics.append(record) }
            if let run, isEval || step % t.checkpointInterval == 0 || step == end {
                try saveCheckpoint(run: run, loss: loss)
                report(.checkpoint(step: step, path: Checkpoint.folder(run: run).path))
            }
            if let signal = Interruption.requested, step < end {
                if let run, lastCheckpointStep != step {
                    try saveCheckpoint(run: run, loss: loss)
                    report(.checkpoint(step: step, path: Checkpoint.folder(run: run).path))
                }
                throw TrainError.interrupted(signal: signal, step: step, run: run?.path)
            }
        }
    }

    /// Writes a checkpoint of the current step into the run folder.
    public func saveCheckpoint(run: URL, loss: Float?) throws {
        let state = TrainingState(step: step, config: config, tokenizer: dataset.tokenizer, dataRNG: dataRNG,
                                  dropoutRNG: context.rng, loss: loss, validationLoss: lastValidationLoss)
        try Checkpoint.save(run: run, model: model, optimizer: optimizer, state: state)
        lastCheckpointStep = step
    }

    private var metrics: MetricsLog { MetricsLog(run: run) }
}
