import AttendData
import AttendModels
import AttendNN
import AttendTensor
import Foundation

/// Wang & E's synthetic regression (NeurIPS 2024, §5) as a `TrainingTask`: a `RegressionTransformer` learns a
/// `MemoryRegressionData` target from fresh i.i.d. ±1 batches every step, by mean squared error at the last
/// position; evaluation is the MSE over fixed validation sequences (drawn once from a generator no training
/// run draws from). AdamW with warm-up and cosine decay from a `TrainConfig`; the data position is the batch
/// generator, so a resumed run continues bit for bit. Checkpoints are `TaskState`s named "regression".
public final class RegressionTask: TrainingTask {
    /// Steps between plain training records in metrics.jsonl (studies use 1 and rebuild curves from it).
    public var metricsInterval = 50
    /// The model trained.
    public let modelConfig: RegressionTransformerConfig
    /// Optimisation, cadence and seed (`batchSize` sequences per step).
    public let training: TrainConfig
    /// The target and its sequences.
    public let data: MemoryRegressionData
    /// The fixed validation set.
    public let validation: [RegressionBatch]

    /// `model` trained on `data` with `training`; `validationSequences` sequences drawn from generator
    /// `validationSeed` form the validation set (in batches of `training.batchSize`).
    public init(model: RegressionTransformerConfig, training: TrainConfig, data: MemoryRegressionData,
                validationSequences: Int, validationSeed: UInt64 = 999) throws {
        try model.validate()
        try training.validate()
        // Activations kept for the backward pass: the inputs, the DP scores (a few [H, T] rows per sequence) and full layers.
        let perSequence = Double(data.length) * (2 + (model.dotProduct ? 4 * Double(max(model.numHeads, 1)) : 0)
                                                 + Double(model.numLayers - 1) * 12 * Double(model.modelDim + model.numHeads * model.resolvedHeadDim))
        try checkActivationMemory(tokens: Double(training.batchSize) * Double(data.length),
                                  perToken: perSequence / Double(data.length), field: "batchSize")
        guard validationSequences > 0 else { throw ConfigError.invalid(field: "validationSequences", message: "must be positive, got \(validationSequences)") }
        modelConfig = model
        self.training = training
        self.data = data
        var rng = RandomGenerator(seed: validationSeed).derived(5)
        var left = validationSequences, batches: [RegressionBatch] = []
        while left > 0 {
            let n = min(left, training.batchSize)
            batches.append(data.batch(n, rng: &rng))
            left -= n
        }
        validation = batches
    }

    public var settings: LoopSettings {
        LoopSettings(maxSteps: training.maxSteps, evalInterval: training.evalInterval, checkpointInterval: training.checkpointInterval,
                     gradClip: training.gradClip, seed: training.seed, metricsInterval: metricsInterval)
    }

    /// A fresh model whose output bias starts at the mean of the validation targets: targets such as 2a's and 1b's
    /// sums of 64 ReLUs have means of 25–45, which AdamW at 1e-3 would need tens of thousands of steps to reach from 0.
    public func makeModel(rng: inout RandomGenerator) throws -> RegressionTransformer {
        let model = try RegressionTransformer(modelConfig, rng: &rng)
        model.outputBias.fill(targetMean)
        return model
    }

    /// Mean of the validation targets.
    public var targetMean: Float {
        let all = validation.flatMap(\.targets)
        return Float(all.reduce(0.0) { $0 + Double($1) } / Double(max(all.count, 1)))
    }

    public func makeOptimizer(for model: RegressionTransformer) -> AdamW {
        AdamW(parameters: model.namedParameters(), decayed: model.decayedParameterNames(), learningRate: training.learningRate,
              beta1: training.beta1, beta2: training.beta2, epsilon: training.epsilon, weightDecay: training.weightDecay)
    }

    public func learningRate(step: Int) -> Float { training.schedule(step) }

    public var initialPosition: RandomGenerator { RandomGenerator(seed: training.seed).derived(1) }

    public func nextBatch(at position: inout RandomGenerator) -> RegressionBatch { data.batch(training.batchSize, rng: &position) }

    public func rows(in batch: RegressionBatch) -> Int { batch.batch }

    public func split(_ batch: RegressionBatch, into shards: Int) -> [(part: RegressionBatch, weight: LossWeight)] {
        (0..<shards).map { s in
            let r = (batch.batch * s / shards)..<(batch.batch * (s + 1) / shards)
            return (batch.rows(r), LossWeight(Float(r.count), of: Float(batch.batch)))
        }
    }

    public func loss(of model: RegressionTransformer, on part: RegressionBatch, context: ForwardContext) -> Tensor {
        model.loss(inputs: part.inputs, targets: part.targets, batch: part.batch, length: part.length)
    }

    public func tokens(in batch: RegressionBatch) -> Int { batch.batch * batch.length }

    /// Mean squared error over the validation sequences.
    public func evaluate(_ model: RegressionTransformer) -> TaskEvaluation {
        TaskEvaluation(validationLoss: Float(Self.meanSquaredError(model, validation)))
    }

    /// The MSE of `model` over `batches` (Float64 sum of per-batch losses weighted by rows).
    public static func meanSquaredError(_ model: RegressionTransformer, _ batches: [RegressionBatch]) -> Double {
        withoutGradients {
            var total = 0.0, rows = 0
            for b in batches {
                total += Double(model.loss(inputs: b.inputs, targets: b.targets, batch: b.batch, length: b.length).item) * Double(b.batch)
                rows += b.batch
            }
            return total / Double(max(rows, 1))
        }
    }

    /// Controls computed from the validation targets alone: the MSE of the best constant (their variance)
    /// and of the best predictor that sees only x_T (an attention-free model can do no better: it reads the
    /// last position only), the mean of y within each value of x_T.
    public var controls: (constant: Double, lastTokenOnly: Double) {
        var all: [Double] = [], groups: [Float: [Double]] = [:]
        for b in validation {
            for i in 0..<b.batch {
                all.append(Double(b.targets[i]))
                groups[b.inputs[i * b.length + b.length - 1], default: []].append(Double(b.targets[i]))
            }
        }
        func spread(_ v: [Double]) -> Double {
            let mean = v.reduce(0, +) / Double(v.count)
            return v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        }
        return (spread(all) / Double(all.count), groups.values.reduce(0) { $0 + spread($1) } / Double(all.count))
    }

    /// What config.json records.
    struct Configuration: Encodable {
        var task = "regression"
        var target: String
        var length: Int
        var positions: [Int]
        var model: RegressionTransformerConfig
        var training: TrainConfig
    }

    public var configuration: (any Encodable)? {
        Configuration(target: data.target.rawValue, length: data.length, positions: data.positions, model: modelConfig, training: training)
    }

    public var checkpointMetadata: [String: String] {
        ["format": "attend", "task": "regression", "modelConfig": Checkpoint.metadataJSON(modelConfig)]
    }

    public func loadState(_ checkpoint: URL) throws -> TaskState<RandomGenerator> { try TaskState.load(checkpoint, task: "regression") }

    public func resume(from state: TaskState<RandomGenerator>) throws -> RandomGenerator { state.position }

    public func checkpointState(progress: LoopProgress, position: RandomGenerator) -> TaskState<RandomGenerator> {
        TaskState(task: "regression", progress: progress, maxSteps: training.maxSteps, position: position)
    }
}
