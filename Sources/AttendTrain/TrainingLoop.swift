import AttendKernels
import AttendNN
import AttendTensor
import Foundation

/// What the loop reports while running.
public enum LoopEvent {
    /// A step finished: its loss and learning rate, this instance's throughput (tokens per training
    /// second), seconds spent in `run` across resumptions, and the estimated seconds to `maxSteps`.
    case step(step: Int, maxSteps: Int, loss: Float, learningRate: Float, tokensPerSecond: Double,
              elapsedSeconds: Double, etaSeconds: Double)
    /// The task evaluated the model after step `step` (every `evalInterval` steps, at maxSteps, and before the
    /// final checkpoint when the loop stopped off that cadence).
    case evaluation(step: Int, TaskEvaluation)
    /// A checkpoint of step `step` was written; `path` is the run's checkpoints folder.
    case checkpoint(step: Int, path: String)
    /// Training continues from a checkpoint of step `step` (reported as `run` starts).
    case resumed(step: Int)
    /// The time limit stopped training after step `step`, with `elapsedSeconds` spent in the loop across resumptions.
    case timeLimit(step: Int, elapsedSeconds: Double)
}

/// The one training loop, generic over a `TrainingTask`: fresh start or resumption from the newest
/// checkpoint, data-parallel steps over model replicas, NaN/inf guards, gradient clipping, AdamW,
/// evaluation and metrics.jsonl on a cadence, a wall-clock budget, SIGINT/SIGTERM handling and atomic
/// checkpoints. Same seed and thread count ⇒ the same run bit for bit, however often it is resumed.
///
/// A step (nanoGPT's order): learning rate from the task's schedule, next batch, forward and
/// backward in row shards on all cores, NaN guard, global-norm clip (with a NaN/inf guard on the norm),
/// AdamW, zero gradients. Shard 0 runs on the master model, shard s > 0 on replica s − 1, which first
/// copies the master's weights on its own thread; each shard backpropagates on its thread's own tape
/// with its `LossWeight`, and the replicas' gradients are added into the master's in a fixed order.
/// Dropout masks of step t, shard s come from `dropoutRNG.derived(t << 8 | s)`, independent of scheduling.
public final class TrainingLoop<Task: TrainingTask> {
    /// What is trained.
    public let task: Task
    /// The master model (the one checkpointed and evaluated).
    public let model: Task.Model
    /// The optimizer over the master model's parameters.
    public let optimizer: AdamW
    /// Run folder (config.json, metrics.jsonl, checkpoints/); nil trains in memory only.
    public let run: URL?
    /// Optimizer steps completed.
    public private(set) var step = 0
    /// Where the task's data stream stands (the next batch comes from here).
    public private(set) var position: Task.Position
    /// Base generator of dropout masks.
    public private(set) var dropoutRNG: RandomGenerator
    /// Loss of every step taken by this instance.
    public private(set) var losses: [Float] = []
    /// The latest evaluation's validation loss (restored on resume).
    public private(set) var lastValidationLoss: Float?
    /// Seconds spent in `run` so far, across resumptions.
    public private(set) var elapsedSeconds = 0.0
    /// Tokens processed by this instance's training steps.
    public private(set) var tokensProcessed = 0
    /// Seconds spent in training steps by this instance (evaluation and checkpoints excluded).
    public private(set) var trainSeconds = 0.0
    /// Step of the newest checkpoint written or resumed from.
    public private(set) var lastCheckpointStep: Int?
    /// Model copies that run the other shards (created as needed, weights copied each step).
    private var replicas: [(model: Task.Model, parameters: [Tensor])] = []

    /// Sets up a fresh run, or continues the newest checkpoint in `run` when `resume` is true
    /// (refusing a checkpoint that does not fit the task). A fresh run refuses a folder that already
    /// has checkpoints. Writes the task's configuration to `run/config.json`; on resume cuts
    /// metrics.jsonl back to the checkpoint's step and notes a changed `maxSteps`.
    public init(task: Task, run: URL?, resume: Bool = false) throws {
        self.task = task
        self.run = run
        let settings = task.settings
        let metrics = MetricsLog(run: run)
        if resume, let run, let checkpoint = try? Checkpoint.resolve(run.path) {
            let state = try task.loadState(checkpoint)
            position = try task.resume(from: state)
            var rng = RandomGenerator(seed: 0)
            model = try task.makeModel(rng: &rng)
            try Checkpoint.loadWeights(checkpoint, into: model)
            optimizer = task.makeOptimizer(for: model)
            let progress = state.progress
            try Checkpoint.loadOptimizer(checkpoint, into: optimizer, step: progress.step)
            step = progress.step
            dropoutRNG = progress.dropoutRNG
            elapsedSeconds = progress.elapsedSeconds
            lastValidationLoss = progress.validationLoss
            lastCheckpointStep = progress.step
            try metrics.truncate(after: progress.step)
            if state.maxSteps != settings.maxSteps {
                try metrics.append(MetricsRecord(step: progress.step, kind: "config",
                                                 note: "maxSteps \(state.maxSteps) → \(settings.maxSteps) on resume"))
            }
        } else {
            if let run, (try? Checkpoint.resolve(run.path)) != nil { throw TrainError.runExists(run.path) }
            // A fresh start in a folder that a killed attempt left without a checkpoint: its log lines
            // belong to no checkpoint, so they go (the curves would otherwise hold them twice).
            try metrics.truncate(after: 0)
            var initRNG = RandomGenerator(seed: settings.seed)
            model = try task.makeModel(rng: &initRNG)
            optimizer = task.makeOptimizer(for: model)
            position = task.initialPosition
            dropoutRNG = RandomGenerator(seed: settings.seed).derived(2)
        }
        if let run {
            try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
            if let configuration = task.configuration {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                try AtomicFile.write(try encoder.encode(configuration), to: run.appendingPathComponent("config.json"))
            }
        }
    }

    /// One optimisation step on the next training batch; returns its loss. Throws
    /// `TrainError.nonFiniteLoss` on a NaN/inf loss, `TrainError.nonFiniteGradient` (naming the parameter)
    /// on a NaN/inf gradient, before the weights change.
    @discardableResult
    public func trainStep() throws -> Float {
        let started = DispatchTime.now().uptimeNanoseconds
        optimizer.learningRate = task.learningRate(step: step)
        let batch = task.nextBatch(at: &position)
        let value = computeGradients(batch)
        guard value.isFinite else {
            clearGradients()
            throw TrainError.nonFiniteLoss(step: step + 1, lastCheckpoint: lastCheckpointStep)
        }
        let norm = clipGradientNorm(optimizer.parameters, maxNorm: task.settings.gradClip)
        guard norm.isFinite else {
            let parameter = nonFiniteGradient() ?? "a parameter"
            clearGradients()
            throw TrainError.nonFiniteGradient(step: step + 1, parameter: parameter, lastCheckpoint: lastCheckpointStep)
        }
        optimizer.update()
        clearGradients()
        step += 1
        tokensProcessed += task.tokens(in: batch)
        losses.append(value)
        trainSeconds += Double(DispatchTime.now().uptimeNanoseconds - started) * 1e-9
        return value
    }

    /// The parameter to blame for a non-finite gradient norm: the first (in `namedParameters` order) whose
    /// gradient holds NaN or inf, or — when every entry is finite and only their squares overflowed — the one
    /// with the largest entry. Nil without gradients.
    public func nonFiniteGradient() -> String? {
        var largest: (name: String, value: Float)?
        for (name, tensor) in model.namedParameters() {
            guard let g = tensor.grad else { continue }
            let p = g.pointer
            for i in 0..<g.count {
                if !p[i].isFinite { return name }
                if abs(p[i]) > (largest?.value ?? -1) { largest = (name, abs(p[i])) }
            }
        }
        return largest?.name
    }

    /// The loss of `batch` with its gradient added into the master model's parameters, computed in
    /// one row shard per core (at most one per row). Returns a non-finite value (gradients then
    /// unspecified) when any shard's loss is NaN/inf.
    public func computeGradients(_ batch: Task.Batch) -> Float {
        let shards = max(1, min(Threading.count, task.rows(in: batch)))
        while replicas.count < shards - 1 {
            var rng = RandomGenerator(seed: 0)
            let replica = try! task.makeModel(rng: &rng)  // the master was built from the same settings
            replicas.append((replica, replica.namedParameters().map(\.tensor)))
        }
        let replicas = Array(self.replicas.prefix(shards - 1))
        let parts = task.split(batch, into: shards)
        precondition(parts.count == shards, "a task must split a batch into the shards asked for")
        let base = dropoutRNG, step = self.step, master = optimizer.parameters
        var shardLosses = [Float](repeating: 0, count: shards)
        shardLosses.withUnsafeMutableBufferPointer { out in
            concurrentPerform(iterations: shards) { s in
                let weight = parts[s].weight
                guard weight.numerator != 0 else { out[s] = 0; return }
                let net = s == 0 ? model : replicas[s - 1].model
                if s > 0 {  // bring the replica up to the master's current weights, on this shard's thread
                    for (p, (_, m)) in zip(replicas[s - 1].parameters, master) { p.copyValues(from: m) }
                }
                let context = ForwardContext(training: true, rng: base.derived(UInt64(step) << 8 | UInt64(s)))
                let loss = task.loss(of: net, on: parts[s].part, context: context)
                out[s] = loss.item
                if out[s].isFinite {
                    loss.backward(seed: Tensor(repeating: weight.numerator / weight.denominator, shape: []))
                } else {
                    Tape.current.reset()
                }
            }
        }
        var value: Float = 0
        for s in 0..<shards { value += shardLosses[s] * parts[s].weight.numerator / parts[s].weight.denominator }
        guard value.isFinite else { return value }
        for replica in replicas {
            for (p, (_, m)) in zip(replica.parameters, master) {
                if let g = p.grad { m.accumulateGrad(g.pointer) }
                p.grad = nil
            }
        }
        return value
    }

    private func clearGradients() {
        model.zeroGradients()
        for replica in replicas { replica.model.zeroGradients() }
    }

    /// The task's evaluation of the master model (remembered as `lastValidationLoss`).
    @discardableResult
    public func evaluate() -> TaskEvaluation {
        let result = task.evaluate(model)
        lastValidationLoss = result.validationLoss
        return result
    }

    /// Trains until `maxSteps`, the time limit, or `stopAfter` more steps. Evaluates every
    /// `evalInterval` steps and at `maxSteps`; logs a metrics record at each evaluation and every
    /// `metricsInterval` steps; checkpoints (with a run folder) at each evaluation, every
    /// `checkpointInterval` steps and at the last step, and once more if it stopped elsewhere (time
    /// limit). On SIGINT/SIGTERM (`Interruption`) it checkpoints the finished step and throws
    /// `TrainError.interrupted`.
    public func run(stopAfter: Int? = nil, report: (LoopEvent) -> Void = { _ in }) throws {
        let settings = task.settings
        let end = min(settings.maxSteps, stopAfter.map { step + $0 } ?? settings.maxSteps)
        if lastCheckpointStep != nil { report(.resumed(step: step)) }
        let runStart = Date(), elapsedAtStart = elapsedSeconds
        while step < end {
            if let budget = settings.timeLimitSeconds, elapsedSeconds >= budget {
                report(.timeLimit(step: step, elapsedSeconds: elapsedSeconds))
                break
            }
            let loss = try trainStep()
            elapsedSeconds = elapsedAtStart + Date().timeIntervalSince(runStart)
            let rate = Double(tokensProcessed) / max(trainSeconds, 1e-9)
            let eta = Double(settings.maxSteps - step) * trainSeconds / Double(max(losses.count, 1))
            report(.step(step: step, maxSteps: settings.maxSteps, loss: loss, learningRate: optimizer.learningRate,
                         tokensPerSecond: rate, elapsedSeconds: elapsedSeconds, etaSeconds: eta))
            let isEval = step % settings.evalInterval == 0 || step == settings.maxSteps
            var record = MetricsRecord(step: step, kind: "train", loss: loss, learningRate: optimizer.learningRate,
                                       tokensPerSecond: rate, elapsedSeconds: elapsedSeconds)
            if isEval {
                let result = evaluate()
                report(.evaluation(step: step, result))
                record.kind = "eval"
                record.trainLoss = result.trainLoss
                record.validationLoss = result.validationLoss
                record.metrics = result.metrics.isEmpty ? nil : result.metrics
            }
            if isEval || step % settings.metricsInterval == 0 { try metrics.append(record) }
            if let run, isEval || step % settings.checkpointInterval == 0 || step == end {
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
        if let run, lastCheckpointStep != step {  // stopped off the cadence (time limit): evaluate and keep it
            let result = evaluate()
            report(.evaluation(step: step, result))
            try metrics.append(MetricsRecord(step: step, kind: "eval", loss: losses.last, trainLoss: result.trainLoss,
                                             validationLoss: result.validationLoss, learningRate: optimizer.learningRate,
                                             tokensPerSecond: Double(tokensProcessed) / max(trainSeconds, 1e-9),
                                             elapsedSeconds: elapsedSeconds, metrics: result.metrics.isEmpty ? nil : result.metrics))
            try saveCheckpoint(run: run, loss: losses.last)
            report(.checkpoint(step: step, path: Checkpoint.folder(run: run).path))
        }
    }

    /// Writes a checkpoint of the current step into `run` (weights, optimizer moments, the task's
    /// state with the loop's progress), atomically.
    public func saveCheckpoint(run: URL, loss: Float?) throws {
        let progress = LoopProgress(step: step, dropoutRNG: dropoutRNG, loss: loss, validationLoss: lastValidationLoss,
                                    elapsedSeconds: elapsedSeconds)
        let state = task.checkpointState(progress: progress, position: position)
        try Checkpoint.save(run: run, step: step, parameters: model.namedParameters(), optimizer: optimizer, state: state,
                            metadata: task.checkpointMetadata, keep: task.settings.keepCheckpoints)
        lastCheckpointStep = step
    }

    private var metrics: MetricsLog { MetricsLog(run: run) }
}
