import Foundation
import AttendKernels
import AttendData
import AttendModels

/// Optimisation settings of a training run; names are the glossary shared with JSON and CLI flags.
public struct TrainConfig: Codable, Equatable, Sendable {
    /// Sequences per optimizer step (for the character language model, each `contextLength` tokens).
    public var batchSize = 12
    /// Optimizer steps of the whole run.
    public var maxSteps = 2000
    /// Peak learning rate, reached at the end of the warm-up.
    public var learningRate: Float = 1e-3
    /// Learning rate after the cosine decay ends (`decaySteps`).
    public var minLearningRate: Float = 1e-4
    /// Steps of linear learning-rate warm-up.
    public var warmupSteps = 100
    /// Step at which cosine decay reaches `minLearningRate`.
    public var decaySteps = 2000
    /// AdamW's decoupled weight decay, applied to the parameters the model names as decayed (matrices
    /// and embeddings, not biases or norm gains).
    public var weightDecay: Float = 0.1
    /// AdamW's first-moment decay rate β₁, in [0, 1).
    public var beta1: Float = 0.9
    /// AdamW's second-moment decay rate β₂, in [0, 1).
    public var beta2: Float = 0.99
    /// AdamW's ε, added to the denominator of the update.
    public var epsilon: Float = 1e-8
    /// Global gradient-norm clip (0 disables).
    public var gradClip: Float = 1.0
    /// Steps between evaluations (there is also one at `maxSteps`).
    public var evalInterval = 250
    /// Batches averaged per evaluation.
    public var evalBatches = 20
    /// Steps between checkpoints (also written at every evaluation and at the end).
    public var checkpointInterval = 250
    /// Seed of the run's random generators: initial weights, the data stream and dropout masks.
    public var seed: UInt64 = 1337
    /// Arithmetic of the linear layers' matrix products: fp32, or bf16 (bfloat16 operands, fp32
    /// accumulation, fp32 master weights; `Tensor.linearPrecision`). Runs written before this
    /// field existed read as fp32.
    public var precision: MatrixPrecision = .fp32

    /// Settings with every field at its default.
    public init() {}

    private enum CodingKeys: String, CodingKey {
        case batchSize, maxSteps, learningRate, minLearningRate, warmupSteps, decaySteps, weightDecay
        case beta1, beta2, epsilon, gradClip, evalInterval, evalBatches, checkpointInterval, seed, precision
    }

    /// Decodes a config.json; a field an older run folder lacks takes its default (`precision`: fp32).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TrainConfig()
        batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? d.batchSize
        maxSteps = try c.decodeIfPresent(Int.self, forKey: .maxSteps) ?? d.maxSteps
        learningRate = try c.decodeIfPresent(Float.self, forKey: .learningRate) ?? d.learningRate
        minLearningRate = try c.decodeIfPresent(Float.self, forKey: .minLearningRate) ?? d.minLearningRate
        warmupSteps = try c.decodeIfPresent(Int.self, forKey: .warmupSteps) ?? d.warmupSteps
        decaySteps = try c.decodeIfPresent(Int.self, forKey: .decaySteps) ?? d.decaySteps
        weightDecay = try c.decodeIfPresent(Float.self, forKey: .weightDecay) ?? d.weightDecay
        beta1 = try c.decodeIfPresent(Float.self, forKey: .beta1) ?? d.beta1
        beta2 = try c.decodeIfPresent(Float.self, forKey: .beta2) ?? d.beta2
        epsilon = try c.decodeIfPresent(Float.self, forKey: .epsilon) ?? d.epsilon
        gradClip = try c.decodeIfPresent(Float.self, forKey: .gradClip) ?? d.gradClip
        evalInterval = try c.decodeIfPresent(Int.self, forKey: .evalInterval) ?? d.evalInterval
        evalBatches = try c.decodeIfPresent(Int.self, forKey: .evalBatches) ?? d.evalBatches
        checkpointInterval = try c.decodeIfPresent(Int.self, forKey: .checkpointInterval) ?? d.checkpointInterval
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? d.seed
        precision = try c.decodeIfPresent(MatrixPrecision.self, forKey: .precision) ?? d.precision
    }

    /// The learning-rate schedule these settings describe.
    public var schedule: WarmupCosineSchedule {
        WarmupCosineSchedule(learningRate: learningRate, minLearningRate: minLearningRate,
                             warmupSteps: warmupSteps, decaySteps: decaySteps)
    }

    /// Checks values; the error names the field and what is allowed.
    public func validate() throws {
        for (name, v) in [("batchSize", batchSize), ("evalInterval", evalInterval), ("evalBatches", evalBatches),
                          ("checkpointInterval", checkpointInterval)] where v <= 0 {
            throw ConfigError.invalid(field: name, message: "must be a positive integer, got \(v)")
        }
        for (name, v) in [("maxSteps", maxSteps), ("warmupSteps", warmupSteps), ("decaySteps", decaySteps)] where v < 0 {
            throw ConfigError.invalid(field: name, message: "must be zero or positive, got \(v)")
        }
        for (name, v) in [("learningRate", learningRate), ("minLearningRate", minLearningRate)] where !(v >= 0 && v.isFinite) {
            throw ConfigError.invalid(field: name, message: "must be a finite non-negative number, got \(v)")
        }
        for (name, v) in [("beta1", beta1), ("beta2", beta2)] where !(v >= 0 && v < 1) {
            throw ConfigError.invalid(field: name, message: "must be in [0, 1), got \(v)")
        }
        if !(gradClip >= 0) { throw ConfigError.invalid(field: "gradClip", message: "must be ≥ 0 (0 disables), got \(gradClip)") }
        if !(weightDecay >= 0) { throw ConfigError.invalid(field: "weightDecay", message: "must be ≥ 0, got \(weightDecay)") }
    }
}

/// Everything that defines a run: model shape, optimisation and data source.
public struct RunConfig: Codable, Equatable, Sendable {
    /// Shape of the model trained.
    public var model: ModelConfig
    /// Optimisation settings.
    public var training: TrainConfig
    /// Path of the text file trained on.
    public var data: String
    /// How the data file is read: UTF-8 text (default) or raw bytes (`--bytes`).
    public var dataFormat: DataFormat
    /// The checkpoint (run folder or checkpoint folder) whose weights a fresh run starts from
    /// (`--init-from`, fine-tuning); nil: random initialisation.
    public var initFrom: String?

    /// A run of `model` trained with `training` on the file at path `data`, read as `dataFormat`; `initFrom` names the checkpoint whose weights it started from (fine-tuning), if any.
    public init(model: ModelConfig, training: TrainConfig, data: String, dataFormat: DataFormat = .text, initFrom: String? = nil) {
        self.model = model
        self.training = training
        self.data = data
        self.dataFormat = dataFormat
        self.initFrom = initFrom
    }

    enum CodingKeys: String, CodingKey { case model, training, data, dataFormat, initFrom }

    /// Decodes a config.json; one written before `dataFormat` existed reads as text.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decode(ModelConfig.self, forKey: .model)
        training = try c.decode(TrainConfig.self, forKey: .training)
        data = try c.decode(String.self, forKey: .data)
        dataFormat = try c.decodeIfPresent(DataFormat.self, forKey: .dataFormat) ?? .text
        initFrom = try c.decodeIfPresent(String.self, forKey: .initFrom)
    }
}

/// Refuses a batch whose activations (a rough upper estimate: `tokens` × `perToken` floats kept for
/// the backward pass) would not fit in this machine's memory, before anything is allocated.
func checkActivationMemory(tokens: Double, perToken: Double, field: String,
                           memory: Double = Double(ProcessInfo.processInfo.physicalMemory)) throws {
    let needed = tokens * perToken * 4
    guard needed > memory else { return }
    throw ConfigError.invalid(field: field, message: String(
        format: "a batch of %.3g tokens needs ~%.1f GiB of activations, more than this machine's %.1f GiB; use a smaller batch (or context)",
        tokens, needed / 1_073_741_824, memory / 1_073_741_824))
}
