import AttendData
import AttendModels
import AttendNN
import AttendTensor
import AttendTrain
import Foundation

/// Training runs of the sequence experiments (copy, pixels): a `SequenceTask` driven by the one
/// `TrainingLoop` in memory (data-parallel steps, AdamW with warm-up + cosine decay to a tenth,
/// gradient clipping, NaN guards), with the loss curves an experiment records. (Character LMs use `Trainer`.)
public struct SequenceTraining {
    /// Model trained.
    public var config: ModelConfig
    /// Optimisation settings.
    public var training: TrainingSpec
    /// Seed of initialisation, data order and dropout.
    public var seed: UInt64

    /// Loss curves and throughput of a finished training run.
    public struct Outcome {
        /// [step, mean training loss since the previous evaluation].
        public var trainLoss: [[Double]] = []
        /// [step, evaluation loss], starting at step 0.
        public var evalLoss: [[Double]] = []
        /// The last evaluation loss.
        public var finalEvalLoss = Double.nan
        /// Training throughput (optimisation steps only).
        public var tokensPerSecond = 0.0
        /// The trained model.
        public var model: DecoderOnly?
    }

    /// A training run of `config` with `training` from `seed`.
    public init(config: ModelConfig, training: TrainingSpec, seed: UInt64) {
        self.config = config; self.training = training; self.seed = seed
    }

    /// The loop's settings for `training`: β = (0.9, 0.99), ε = 1e-8, cosine decay over all steps to a tenth.
    var trainConfig: TrainConfig {
        var t = TrainConfig()
        t.batchSize = training.batchSize
        t.maxSteps = training.steps
        t.learningRate = training.learningRate
        t.minLearningRate = training.learningRate / 10
        t.warmupSteps = training.warmupSteps
        t.decaySteps = training.steps
        t.weightDecay = training.weightDecay
        t.gradClip = training.gradClip
        t.evalInterval = training.evalInterval
        t.evalBatches = training.evalBatches
        t.checkpointInterval = training.steps + 1
        t.seed = seed
        return t
    }

    /// Trains on `next(rng)` batches, evaluating the mean loss over `evaluation` every `evalInterval` steps.
    public func run(next: (inout RandomGenerator) -> SequenceBatch, evaluation: [SequenceBatch],
                    progress: (Int) -> Void = { _ in }) throws -> Outcome {
        try withoutActuallyEscaping(next) { next in
            let task = try SequenceTask(name: "sequence", model: config, training: trainConfig, evaluation: evaluation, next: next)
            let loop = try TrainingLoop(task: task, run: nil)
            var outcome = Outcome()
            outcome.evalLoss.append([0, Double(task.evaluate(loop.model).validationLoss)])
            var window: [Double] = []
            try loop.run { event in
                switch event {
                case let .step(step, _, loss, _, _, _, _):
                    window.append(Double(loss))
                    progress(step)
                case let .evaluation(step, result):
                    outcome.trainLoss.append([Double(step), window.reduce(0, +) / Double(max(window.count, 1))])
                    window.removeAll()
                    outcome.evalLoss.append([Double(step), Double(result.validationLoss)])
                default: break
                }
            }
            outcome.finalEvalLoss = outcome.evalLoss.last![1]
            outcome.tokensPerSecond = Double(loop.tokensProcessed) / max(loop.trainSeconds, 1e-9)
            outcome.model = loop.model
            return outcome
        }
    }
}
