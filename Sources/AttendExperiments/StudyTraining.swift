import AttendTensor
import AttendTrain
import Foundation

/// A study's training run through the one `TrainingLoop` in a run folder (config.json, metrics.jsonl,
/// checkpoints/): a run cut off mid-way continues from its last checkpoint when the runner starts it
/// again, and because resumption is bit-exact and every step is logged, the loss curves rebuilt from
/// metrics.jsonl are the same as an uninterrupted run's.
enum StudyTraining {
    /// What a finished run's curves and speed are.
    struct Outcome {
        /// [step, mean training loss of the steps since the previous evaluation].
        var trainLoss: [[Double]] = []
        /// [step, evaluation loss], starting at step 0 (the initial model).
        var evalLoss: [[Double]] = []
        /// Training tokens per second of the last stretch of training (this invocation).
        var tokensPerSecond = 0.0
        /// The last evaluation loss.
        var finalEvalLoss: Double { evalLoss.last?[1] ?? .nan }
    }

    /// Trains `task` to its last step in `folder` (resuming a checkpoint there) and returns the loop
    /// (with the trained model) and the run's curves. With a `milestone`, training stops at its step
    /// (checkpointed), `milestone.action` runs on the loop there, and training continues: a run cut off
    /// during the action resumes from that step's checkpoint and runs it again, so the action must be
    /// idempotent (write its result atomically, skip when it is there).
    static func train<Task: TrainingTask>(_ task: Task, in context: RunContext,
                                          milestone: (step: Int, action: (TrainingLoop<Task>) throws -> Void)? = nil)
        throws -> (loop: TrainingLoop<Task>, outcome: Outcome) {
        let folder = context.folder
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let loop = try TrainingLoop(task: task, run: folder, resume: true)
        // The initial model's loss is measured once, before the first step, and kept beside the checkpoints.
        let initialFile = folder.appendingPathComponent("initial-evaluation.json")
        if loop.step == 0 {
            try AtomicFile.write(try JSONEncoder().encode([Double(loop.evaluate().validationLoss)]), to: initialFile)
        }
        var budget = context.stopAfterSteps
        if let milestone, loop.step <= milestone.step {
            let toMilestone = milestone.step - loop.step
            try loop.run(stopAfter: min(toMilestone, budget ?? Int.max))
            budget = budget.map { $0 - min(toMilestone, $0) }
            if loop.step < milestone.step { throw RunPaused(id: folder.lastPathComponent, step: loop.step) }
            try milestone.action(loop)
        }
        try loop.run(stopAfter: budget)
        if loop.step < task.settings.maxSteps { throw RunPaused(id: folder.lastPathComponent, step: loop.step) }
        var outcome = Outcome()
        if let data = FileManager.default.contents(atPath: initialFile.path), let initial = try? JSONDecoder().decode([Double].self, from: data) {
            outcome.evalLoss.append([0, initial[0]])
        }
        var window: [Double] = []
        for record in try records(folder) {
            if let loss = record.loss { window.append(Double(loss)) }
            if record.kind == "eval", let validation = record.validationLoss {
                outcome.trainLoss.append([Double(record.step), window.isEmpty ? .nan : window.reduce(0, +) / Double(window.count)])
                window.removeAll()
                outcome.evalLoss.append([Double(record.step), Double(validation)])
            }
        }
        outcome.tokensPerSecond = Double(loop.tokensProcessed) / max(loop.trainSeconds, 1e-9)
        return (loop, outcome)
    }

    /// The records of a run folder's metrics.jsonl (training and evaluation lines only).
    static func records(_ folder: URL) throws -> [MetricsRecord] {
        guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent("metrics.jsonl").path) else { return [] }
        let decoder = JSONDecoder()
        return data.split(separator: 0x0A).compactMap { try? decoder.decode(MetricsRecord.self, from: Data($0)) }
            .filter { $0.kind == "train" || $0.kind == "eval" }
    }

    /// The loop settings of a decoder-only study run: AdamW (β = 0.9, 0.99, ε = 1e-8), warm-up then cosine
    /// decay over all steps to a tenth of the peak, a checkpoint every `checkpointInterval` steps.
    static func trainConfig(_ t: TrainingSpec, seed: UInt64, checkpointInterval: Int) -> TrainConfig {
        var c = TrainConfig()
        c.batchSize = t.batchSize
        c.maxSteps = t.steps
        c.learningRate = t.learningRate
        c.minLearningRate = t.learningRate / 10
        c.warmupSteps = t.warmupSteps
        c.decaySteps = t.steps
        c.weightDecay = t.weightDecay
        c.gradClip = t.gradClip
        c.evalInterval = t.evalInterval
        c.evalBatches = t.evalBatches
        c.checkpointInterval = checkpointInterval
        c.seed = seed
        return c
    }

    /// `trainConfig` for `run` (its seed) in `context` (checkpoints spaced by its forecast).
    static func trainConfig(_ t: TrainingSpec, _ run: RunSpec, _ context: RunContext) -> TrainConfig {
        trainConfig(t, seed: UInt64(run.int("seed")), checkpointInterval: checkpointInterval(steps: t.steps, estimate: context.estimate))
    }

    /// Steps between checkpoints of a study run: about every two minutes of forecast time, at least every evaluation.
    static func checkpointInterval(steps: Int, estimate: Estimate?) -> Int {
        guard let estimate, estimate.seconds > 0 else { return max(steps, 1) }
        let perStep = estimate.seconds / Double(max(steps, 1))
        return max(1, min(steps, Int(120 / max(perStep, 1e-6))))
    }
}
