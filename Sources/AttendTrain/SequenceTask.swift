import AttendData
import AttendKernels
import AttendModels
import AttendNN
import AttendTensor
import Foundation

/// Next-token training of a `DecoderOnly` model on any stream of token batches (the copy task, pixel
/// sequences …) as a `TrainingTask`: batches come from `next(&generator)`, targets of −1 are ignored,
/// each row shard is weighted by its share of the counted targets, evaluation is the mean loss per
/// counted target over fixed `evaluation` batches; warm-up + cosine AdamW from a `TrainConfig`.
/// Its data position is the batch generator; its checkpoints are `TaskState`s named `name`.
public final class SequenceTask: TrainingTask {
    /// Steps between plain training records in metrics.jsonl (1 records every step: studies rebuild loss curves from it).
    public var metricsInterval = 50
    /// The task's name (stored in checkpoints: "copy", "pixels" …).
    public let name: String
    /// The model trained.
    public let modelConfig: ModelConfig
    /// Optimisation, cadence and seed (`batchSize` and `evalBatches` are the caller's business).
    public let training: TrainConfig
    /// Batches every evaluation averages over.
    public let evaluation: [SequenceBatch]
    /// Draws the next training batch from the generator.
    let next: (inout RandomGenerator) -> SequenceBatch

    /// Task `name`: `modelConfig` trained with `training` on batches from `next`, evaluated on `evaluation`.
    /// Checks both configurations (and sets `Tensor.linearPrecision` from `training`).
    public init(name: String, model: ModelConfig, training: TrainConfig, evaluation: [SequenceBatch],
                next: @escaping (inout RandomGenerator) -> SequenceBatch) throws {
        try model.validate()
        try training.validate()
        Tensor.linearPrecision = BFloat16Support.resolve(training.precision).precision
        self.name = name
        modelConfig = model
        self.training = training
        self.evaluation = evaluation
        self.next = next
    }

    public var settings: LoopSettings {
        LoopSettings(maxSteps: training.maxSteps, evalInterval: training.evalInterval, checkpointInterval: training.checkpointInterval,
                     gradClip: training.gradClip, seed: training.seed, metricsInterval: metricsInterval)
    }

    public func makeModel(rng: inout RandomGenerator) throws -> DecoderOnly { try DecoderOnly(modelConfig, rng: &rng) }

    public func makeOptimizer(for model: DecoderOnly) -> AdamW {
        AdamW(parameters: model.namedParameters(), decayed: model.decayedParameterNames(), learningRate: training.learningRate,
              beta1: training.beta1, beta2: training.beta2, epsilon: training.epsilon, weightDecay: training.weightDecay)
    }

    public func learningRate(step: Int) -> Float { training.schedule(step) }

    public var initialPosition: RandomGenerator { RandomGenerator(seed: training.seed).derived(1) }

    public func nextBatch(at position: inout RandomGenerator) -> SequenceBatch { next(&position) }

    public func rows(in batch: SequenceBatch) -> Int { batch.batch }

    /// Row shards weighted by their share of the counted (non-ignored) targets.
    public func split(_ batch: SequenceBatch, into shards: Int) -> [(part: SequenceBatch, weight: LossWeight)] {
        let total = Float(max(batch.countedTargets, 1))
        return (0..<shards).map { s in
            let part = batch.rows((batch.batch * s / shards)..<(batch.batch * (s + 1) / shards))
            return (part, LossWeight(Float(part.countedTargets), of: total))
        }
    }

    public func loss(of model: DecoderOnly, on part: SequenceBatch, context: ForwardContext) -> Tensor {
        model.loss(inputs: part.inputs, targets: part.targets, batch: part.batch, length: part.length, context: context)
    }

    public func tokens(in batch: SequenceBatch) -> Int { batch.batch * batch.length }

    /// Mean loss per counted target over the evaluation batches (NaN without any).
    public func evaluate(_ model: DecoderOnly) -> TaskEvaluation {
        let context = ForwardContext(training: false)
        let mean: Double = withoutGradients {
            var total = 0.0, count = 0.0
            for b in evaluation {
                let n = Double(b.countedTargets)
                guard n > 0 else { continue }
                total += Double(model.loss(inputs: b.inputs, targets: b.targets, batch: b.batch, length: b.length, context: context).item) * n
                count += n
            }
            return count > 0 ? total / count : .nan
        }
        return TaskEvaluation(validationLoss: Float(mean))
    }

    /// What config.json records.
    struct Configuration: Encodable {
        var task: String
        var model: ModelConfig
        var training: TrainConfig
    }

    public var configuration: (any Encodable)? { Configuration(task: name, model: modelConfig, training: training) }

    public var checkpointMetadata: [String: String] {
        let model = Checkpoint.metadataJSON(modelConfig)
        return ["format": "attend", "task": name, "modelConfig": model]
    }

    public func loadState(_ checkpoint: URL) throws -> TaskState<RandomGenerator> { try TaskState.load(checkpoint, task: name) }

    public func resume(from state: TaskState<RandomGenerator>) throws -> RandomGenerator { state.position }

    public func checkpointState(progress: LoopProgress, position: RandomGenerator) -> TaskState<RandomGenerator> {
        TaskState(task: name, progress: progress, maxSteps: training.maxSteps, position: position)
    }
}
