import AttendData
import AttendKernels
import AttendModels
import AttendNN
import AttendTensor
import Foundation

/// Why training stopped early.
public enum TrainError: Error, CustomStringConvertible, Equatable {
    static func kept(_ last: Int?) -> String {
        last.map { "the last good checkpoint (step \($0)) is kept" } ?? "no checkpoint had been written yet"
    }
    static let advice = "Try a lower --learning-rate, a longer --warmup-steps, or --grad-clip 1.0"

    /// Thrown when the loss of step `step` is NaN or infinite (found before the weights change);
    /// `lastCheckpoint` is the step of the last checkpoint written, which is kept (nil when none was).
    case nonFiniteLoss(step: Int, lastCheckpoint: Int?)
    /// Thrown when a fresh (not resumed) run is started in the given run folder and it already has checkpoints.
    case runExists(String)
    /// SIGINT or SIGTERM stopped the loop after `step`; `run` holds a checkpoint of that step (nil
    /// when training in memory).
    case interrupted(signal: Int32, step: Int, run: String?)
    /// The loss was finite but the gradient norm was not: `parameter` (a dotted name such as
    /// `blocks.2.attention.qkv.weight`) holds the first NaN/inf entry, or the largest if all are finite.
    case nonFiniteGradient(step: Int, parameter: String, lastCheckpoint: Int?)

    public var description: String {
        switch self {
        case let .nonFiniteLoss(step, last):
            return "loss became NaN/inf at step \(step) (in the forward pass); training stopped and \(TrainError.kept(last)). \(TrainError.advice)"
        case let .nonFiniteGradient(step, parameter, last):
            return "the gradient norm became NaN/inf at step \(step) (the loss was finite; first or largest in \(parameter)); training stopped and \(TrainError.kept(last)). \(TrainError.advice)"
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
    /// Optimizer steps completed when the record was written.
    public var step: Int
    /// "train" (a training step), "eval" (a step with an evaluation) or "config" (a settings change, see `note`).
    public var kind: String          // "train" or "eval"
    /// Training loss of the step.
    public var loss: Float?
    /// Loss on the training data measured by the evaluation ("eval" records, when the task measures it).
    public var trainLoss: Float?
    /// Loss on the held-out data measured by the evaluation ("eval" records).
    public var validationLoss: Float?
    /// Learning rate used for the step.
    public var learningRate: Float?
    /// Training throughput of this process so far, in tokens per second of training-step time.
    public var tokensPerSecond: Double?
    /// Seconds spent in the training loop so far, across resumptions.
    public var elapsedSeconds: Double?
    /// What changed in the run's settings at this step (kind "config"), e.g. a longer maxSteps on resume.
    public var note: String?
    /// The evaluation's further measurements ("eval" records; `TaskEvaluation.metrics`, e.g. `bleu`).
    public var metrics: [String: Double]?
}

/// What the trainer reports while running.
public enum TrainEvent {
    /// Step `step` of `of` (maxSteps) finished with training loss `loss` at `learningRate`; `tokensPerSecond`
    /// is this process's throughput so far and `etaSeconds` the estimated seconds to maxSteps.
    case step(step: Int, of: Int, loss: Float, learningRate: Float, tokensPerSecond: Double, etaSeconds: Double)
    /// An evaluation after step `step`: mean loss on batches of the training split (NaN when not measured)
    /// and of the validation split.
    case evaluation(step: Int, trainLoss: Float, validationLoss: Float)
    /// A checkpoint of step `step` was written; `path` is the run's checkpoints folder.
    case checkpoint(step: Int, path: String)
    /// Training continues from a checkpoint of step `step` (reported as `run` starts).
    case resumed(step: Int)
}

/// Character-level language-model training: `LanguageModelTask` driven by the one `TrainingLoop`
/// (batches → forward → backward → clip → AdamW, periodic evaluation, checkpoints and metrics in a
/// run folder, exact resumption), with the language model's events.
public final class Trainer {
    /// The loop doing the work.
    public let loop: TrainingLoop<LanguageModelTask>
    /// The run's model, training and data settings.
    public var config: RunConfig { loop.task.config }
    /// The tokenised text the model trains and evaluates on.
    public var dataset: TextDataset { loop.task.dataset }
    /// The model being trained (the master copy; replicas are internal).
    public var model: DecoderOnly { loop.model }
    /// The optimizer updating `model`'s parameters.
    public var optimizer: AdamW { loop.optimizer }
    /// Run folder (config.json, metrics.jsonl, checkpoints/); nil trains in memory only.
    public var run: URL? { loop.run }
    /// Optimizer steps completed.
    public var step: Int { loop.step }
    /// Losses of every step taken by this trainer (for tests and summaries).
    public var losses: [Float] { loop.losses }
    /// Validation loss of the most recent evaluation (restored from the checkpoint on resume); nil before the first.
    public var lastValidationLoss: Float? { loop.lastValidationLoss }

    /// Sets up a fresh run, or continues the newest checkpoint in `run` when `resume` is true.
    public init(config: RunConfig, dataset: TextDataset, run: URL?, resume: Bool = false) throws {
        loop = try TrainingLoop(task: try LanguageModelTask(config: config, dataset: dataset), run: run, resume: resume)
    }

    /// Starts from another run's (or an imported model's) weights: copies the character-LM checkpoint
    /// folder `checkpoint`'s weights into the model, leaving the optimizer fresh. Refuses, naming them, model
    /// settings that differ from this run's and a different character vocabulary (`CheckpointError.incompatible`).
    public func initializeWeights(from checkpoint: URL) throws {
        let source = try Checkpoint.loadState(checkpoint)
        let differing = Checkpoint.differingKeys(source.config.model, config.model)
        if !differing.isEmpty {
            throw CheckpointError.incompatible("--init-from \(checkpoint.path) has another model: \(differing.joined(separator: ", ")); give this run the same model settings (e.g. --config <that run>/config.json)")
        }
        if source.tokenizer != dataset.tokenizer {
            throw CheckpointError.incompatible("--init-from \(checkpoint.path) has a vocabulary of \(source.tokenizer.vocabSize) characters that differs from this data's \(dataset.tokenizer.vocabSize); fine-tune on text with the same character set")
        }
        try Checkpoint.loadWeights(checkpoint, into: model)
    }

    /// One optimisation step on a fresh training batch; returns its loss. Throws on a NaN/inf loss
    /// (or gradient norm) before touching the weights.
    ///
    /// The batch is split into one shard of rows per core; shard s runs forward and backward on its
    /// own thread with loss weight rows_s / batchSize, so the summed gradient is the full batch's.
    /// The split and the summation order are fixed, so a run is bit-for-bit reproducible for a
    /// given thread count.
    @discardableResult
    public func trainStep() throws -> Float { try loop.trainStep() }

    /// Mean loss of a batch ([batchSize, contextLength] inputs and targets) with its gradient added
    /// into the master model's parameters, computed in shards on all cores (see `trainStep`).
    /// Returns a non-finite value (and leaves gradients unspecified) if any shard's loss is NaN/inf.
    public func computeGradients(inputs: [Int32], targets: [Int32], batchSize: Int) -> Float {
        loop.computeGradients(SequenceBatch(inputs: inputs, targets: targets, batch: batchSize, length: config.model.contextLength))
    }

    /// Mean loss over `batches` batches of each split, drawn from a fixed generator (the same batches every time).
    public func evaluate(batches: Int) -> (train: Float, validation: Float) {
        loop.task.evaluate(model, batches: batches)
    }

    /// Trains until `maxSteps` (or `stopAfter` more steps), evaluating and checkpointing on schedule.
    public func run(stopAfter: Int? = nil, report: (TrainEvent) -> Void = { _ in }) throws {
        try loop.run(stopAfter: stopAfter) { event in
            switch event {
            case let .step(step, maxSteps, loss, learningRate, rate, _, eta):
                report(.step(step: step, of: maxSteps, loss: loss, learningRate: learningRate, tokensPerSecond: rate, etaSeconds: eta))
            case let .evaluation(step, result):
                report(.evaluation(step: step, trainLoss: result.trainLoss ?? .nan, validationLoss: result.validationLoss))
            case let .checkpoint(step, path): report(.checkpoint(step: step, path: path))
            case let .resumed(step): report(.resumed(step: step))
            case .timeLimit: break  // a character-LM run has no time limit
            }
        }
    }

    /// Writes a checkpoint of the current step into the run folder.
    public func saveCheckpoint(run: URL, loss: Float?) throws { try loop.saveCheckpoint(run: run, loss: loss) }
}
