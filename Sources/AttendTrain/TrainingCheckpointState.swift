import AttendTensor
import Foundation

/// The loop's own part of a checkpoint: enough, with the task's data position and the weights and
/// optimizer moments, to continue bit for bit.
public struct LoopProgress: Codable, Equatable, Sendable {
    /// Optimizer steps completed.
    public var step: Int
    /// Base generator of dropout masks (step s, shard k draws from `dropoutRNG.derived(s << 8 | k)`).
    public var dropoutRNG: RandomGenerator
    /// Last training loss.
    public var loss: Float?
    /// Last validation loss.
    public var validationLoss: Float?
    /// Seconds spent in `run` so far, across resumptions (counts against a time limit).
    public var elapsedSeconds: Double

    /// The loop's progress.
    public init(step: Int, dropoutRNG: RandomGenerator, loss: Float?, validationLoss: Float?, elapsedSeconds: Double) {
        self.step = step
        self.dropoutRNG = dropoutRNG
        self.loss = loss
        self.validationLoss = validationLoss
        self.elapsedSeconds = elapsedSeconds
    }
}

/// A checkpoint's state.json as a task defines it, exposing the loop's part.
public protocol TrainingCheckpointState: Codable {
    /// The loop's progress stored in it.
    var progress: LoopProgress { get }
    /// The run's `maxSteps` when it was saved (a longer one on resume is noted in metrics.jsonl).
    var maxSteps: Int { get }
}

/// A general checkpoint state for tasks without their own (copy, pixels, regression): the loop's
/// progress, the task's name, its `maxSteps` and the data position.
public struct TaskState<Position: Codable>: TrainingCheckpointState {
    /// Name of the task that wrote it (loaders refuse other names).
    public var task: String
    /// Optimizer steps completed.
    public var step: Int
    /// Base generator of dropout masks (see `LoopProgress.dropoutRNG`).
    public var dropoutRNG: RandomGenerator
    /// Last training loss.
    public var loss: Float?
    /// Last validation loss.
    public var validationLoss: Float?
    /// Seconds spent in the training loop so far, across resumptions.
    public var elapsedSeconds: Double
    public var maxSteps: Int
    /// Where the data stream stands.
    public var position: Position

    /// The state of task `task` at `progress`, with `maxSteps` and data `position`.
    public init(task: String, progress: LoopProgress, maxSteps: Int, position: Position) {
        self.task = task
        step = progress.step
        dropoutRNG = progress.dropoutRNG
        loss = progress.loss
        validationLoss = progress.validationLoss
        elapsedSeconds = progress.elapsedSeconds
        self.maxSteps = maxSteps
        self.position = position
    }

    public var progress: LoopProgress {
        LoopProgress(step: step, dropoutRNG: dropoutRNG, loss: loss, validationLoss: validationLoss, elapsedSeconds: elapsedSeconds)
    }

    /// Reads a checkpoint's state written by task `task`, refusing any other.
    public static func load(_ checkpoint: URL, task: String) throws -> TaskState {
        try Checkpoint.readState(checkpoint) { found in
            found == task ? nil : "\(checkpoint.path) holds a \(found ?? "character language") model, not a '\(task)' run"
        }
    }
}
