import AttendNN
import AttendTensor
import Foundation

/// What `TrainingLoop` trains: a task supplies its model, batches (with a Codable data position for
/// exact resumption), the loss of a row shard with its weight, evaluation, the learning-rate
/// schedule and its checkpoint state; the loop owns everything else (resume, replicas, the
/// data-parallel step, NaN guards, clipping, metrics, time budget, checkpoints).
///
/// Tasks are read from several threads at once during a step (`loss(of:on:context:)` runs once per
/// shard on its own thread), so they must not mutate themselves there.
public protocol TrainingTask: AnyObject {
    /// The trained network: any `Module` (decoder-only, encoder–decoder, a regression model …).
    associatedtype Model: Module
    /// One training batch (split into row shards for data parallelism).
    associatedtype Batch
    /// Where the data stream stands (a generator state, an epoch and batch index …), saved in checkpoints.
    associatedtype Position: Codable
    /// What state.json holds (the loop's progress plus the task's own fields).
    associatedtype State: TrainingCheckpointState

    /// Step counts, cadences, clipping and seed.
    var settings: LoopSettings { get }
    /// A freshly initialised model drawn from `rng` (also builds the replicas, whose weights are overwritten).
    func makeModel(rng: inout RandomGenerator) throws -> Model
    /// The optimizer over `model`'s parameters.
    func makeOptimizer(for model: Model) -> AdamW
    /// Learning rate of the step taken when `step` steps are done (0-based).
    func learningRate(step: Int) -> Float
    /// The data position of a fresh run.
    var initialPosition: Position { get }
    /// The next training batch, advancing `position`.
    func nextBatch(at position: inout Position) -> Batch
    /// Rows of `batch` (the most shards it can be split into).
    func rows(in batch: Batch) -> Int
    /// `batch` cut into `shards` row shards, each with its weight in the batch's loss (the weights sum to 1).
    func split(_ batch: Batch, into shards: Int) -> [(part: Batch, weight: LossWeight)]
    /// The loss of `part` under `model`, as a scalar tensor on the calling thread's tape.
    func loss(of model: Model, on part: Batch, context: ForwardContext) -> Tensor
    /// Tokens (or examples) in `batch`, for throughput.
    func tokens(in batch: Batch) -> Int
    /// Evaluation of `model` (the same data every time; no gradients recorded).
    func evaluate(_ model: Model) -> TaskEvaluation
    /// The settings written to the run folder's config.json (nil: none).
    var configuration: (any Encodable)? { get }
    /// Metadata stored in model.safetensors besides the weights.
    var checkpointMetadata: [String: String] { get }
    /// Reads a checkpoint's state, refusing another task's checkpoints with a clear `CheckpointError`.
    func loadState(_ checkpoint: URL) throws -> State
    /// The data position stored in `state`, after checking that the checkpoint fits this task
    /// (same model configuration, vocabulary …); throws `CheckpointError.incompatible` otherwise.
    func resume(from state: State) throws -> Position
    /// The state to checkpoint: the loop's `progress` and the data `position`.
    func checkpointState(progress: LoopProgress, position: Position) -> State
}

/// Settings of the loop itself, taken from a task's configuration.
public struct LoopSettings: Equatable, Sendable {
    /// Last optimizer step of the run.
    public var maxSteps: Int
    /// Steps between evaluations (also at `maxSteps`).
    public var evalInterval: Int
    /// Steps between checkpoints (also at every evaluation and at the end).
    public var checkpointInterval: Int
    /// Complete checkpoints kept on disk.
    public var keepCheckpoints: Int
    /// Global gradient-norm clip (0 disables clipping; the norm is still checked for NaN/inf).
    public var gradClip: Float
    /// Seed of initialisation, data (the task's) and dropout.
    public var seed: UInt64
    /// Wall-clock budget of `run` in seconds, counted across resumptions; nil = none.
    public var timeLimitSeconds: Double?
    /// Steps between plain training records in metrics.jsonl (evaluations are always logged).
    public var metricsInterval: Int

    /// Loop settings; `keepCheckpoints` 2, no time limit and a training record every 50 steps unless given.
    public init(maxSteps: Int, evalInterval: Int, checkpointInterval: Int, keepCheckpoints: Int = 2, gradClip: Float,
                seed: UInt64, timeLimitSeconds: Double? = nil, metricsInterval: Int = 50) {
        self.maxSteps = maxSteps
        self.evalInterval = evalInterval
        self.checkpointInterval = checkpointInterval
        self.keepCheckpoints = keepCheckpoints
        self.gradClip = gradClip
        self.seed = seed
        self.timeLimitSeconds = timeLimitSeconds
        self.metricsInterval = metricsInterval
    }
}

/// A shard's weight in its batch's loss, as the fraction `numerator / denominator` (rows of the
/// batch, or a share of its target tokens over 1). The step's loss is Σ loss_s · numerator_s / denominator_s
/// and shard s backpropagates with seed numerator_s / denominator_s.
public struct LossWeight: Equatable, Sendable {
    /// Share of the batch (rows, tokens, or an already divided fraction).
    public var numerator: Float
    /// What the share is out of.
    public var denominator: Float

    /// The weight `numerator / denominator`.
    public init(_ numerator: Float, of denominator: Float = 1) {
        self.numerator = numerator
        self.denominator = denominator
    }

    /// numerator / denominator.
    public var value: Float { numerator / denominator }
}

/// What an evaluation measured.
public struct TaskEvaluation: Equatable, Sendable {
    /// Loss on (fixed batches of) the training data, when the task measures it.
    public var trainLoss: Float?
    /// Loss on the held-out data (NaN when there is none).
    public var validationLoss: Float
    /// Further named measurements of the evaluation (e.g. `"bleu"` of a translation task's validation
    /// split), logged under `metrics` in the evaluation's metrics.jsonl record.
    public var metrics: [String: Double]

    /// An evaluation result.
    public init(trainLoss: Float? = nil, validationLoss: Float, metrics: [String: Double] = [:]) {
        self.trainLoss = trainLoss
        self.validationLoss = validationLoss
        self.metrics = metrics
    }
}
