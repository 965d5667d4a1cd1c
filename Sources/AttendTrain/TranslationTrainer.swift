import AttendData
import AttendKernels
import AttendModels
import AttendNN
import AttendTensor
import Foundation

/// What the translation trainer reports while running.
public enum TranslationTrainEvent {
    /// Step `step` finished with training loss `loss` at `learningRate`; `tokensPerSecond` (source plus target
    /// tokens) is this process's throughput so far and `elapsedSeconds` the time spent training across resumptions.
    case step(step: Int, loss: Float, learningRate: Float, tokensPerSecond: Double, elapsedSeconds: Double)
    /// Validation after step `step`: mean cross-entropy per target token, without label smoothing (NaN without validation
    /// data), and the validation BLEU when `evalBleu` is set.
    case evaluation(step: Int, validationLoss: Float, bleu: Double?)
    /// A checkpoint of step `step` was written to the run folder.
    case checkpoint(step: Int)
    /// Training continues from a checkpoint of step `step` (reported as `run` starts).
    case resumed(step: Int)
    /// The time limit stopped training after step `step`, with `elapsedSeconds` spent training across resumptions.
    case timeLimit(step: Int, elapsedSeconds: Double)
}

/// Translation training (Vaswani et al., 2017, §5): `TranslationTask` driven by the one
/// `TrainingLoop` — token-bucketed batches, label-smoothed cross-entropy, Adam(0.9, 0.98, 1e-9) under
/// the Noam schedule, periodic validation, atomic checkpoints, `metrics.jsonl`, exact resumption and
/// an optional wall-clock budget — with the translation events.
///
/// Each batch is split by rows into one shard per core; shard s runs forward and backward on its
/// own thread (master model or a replica) with loss weight tokens_s / tokens, and the replicas'
/// gradients are summed into the master's in a fixed order.
public final class TranslationTrainer {
    /// The loop doing the work.
    public let loop: TrainingLoop<TranslationTask>
    /// The configuration this was built from.
    public var config: TranslationRunConfig { loop.task.config }
    /// The tokenizer / vocabulary the model was trained with.
    public var vocabulary: TranslationVocabulary { loop.task.vocabulary }
    /// The model shape.
    public var model: EncoderDecoder { loop.model }
    /// Adam (AdamW with weight decay 0) over every parameter.
    public var optimizer: AdamW { loop.optimizer }
    /// Run folder (config.json, metrics.jsonl, checkpoints/, data/); nil trains in memory only.
    public var run: URL? { loop.run }
    /// Optimizer steps completed.
    public var step: Int { loop.step }
    /// Current epoch (0-based).
    public var epoch: Int { loop.position.epoch }
    /// Index of the next batch within the epoch.
    public var batchInEpoch: Int { loop.position.batchInEpoch }
    /// Validation cross-entropy of the latest evaluation.
    public var lastValidationLoss: Float? { loop.lastValidationLoss }
    /// Seconds spent in `run` so far, across resumptions.
    public var elapsedSeconds: Double { loop.elapsedSeconds }
    /// Source + target tokens (real, not padding) processed by this trainer instance.
    public var tokensProcessed: Int { loop.tokensProcessed }
    /// Seconds spent in training steps by this instance (evaluation excluded).
    public var trainSeconds: Double { loop.trainSeconds }
    /// Loss of every step taken by this instance.
    public var losses: [Float] { loop.losses }

    /// Sets up a fresh run, or continues the newest checkpoint in `run` when `resume` is true
    /// (refusing a checkpoint with another task, model configuration or vocabulary).
    public init(config: TranslationRunConfig, vocabulary: TranslationVocabulary, train: [TranslationExample],
                validation: [TranslationExample], run: URL?, resume: Bool = false) throws {
        let task = try TranslationTask(config: config, vocabulary: vocabulary, train: train, validation: validation)
        loop = try TrainingLoop(task: task, run: run, resume: resume)
    }

    /// Starts from another encoder–decoder run's (or an imported model's) weights with a fresh optimizer;
    /// refuses, naming them, model settings that differ and another vocabulary (`CheckpointError.incompatible`).
    public func initializeWeights(from checkpoint: URL) throws {
        let source = try TranslationCheckpoint.loadState(checkpoint)
        let differing = Checkpoint.differingKeys(source.config.model, config.model)
        if !differing.isEmpty {
            throw CheckpointError.incompatible("--init-from \(checkpoint.path) has another model: \(differing.joined(separator: ", ")); give this run the same model settings (e.g. --config <that run>/config.json)")
        }
        if source.vocabulary != vocabulary {
            throw CheckpointError.incompatible("--init-from \(checkpoint.path) has another vocabulary (\(source.vocabulary.summary)) than this run (\(vocabulary.summary)); fine-tune with the same task or BPE")
        }
        try Checkpoint.loadWeights(checkpoint, into: model)
    }

    /// One optimisation step; returns the batch's label-smoothed loss. Throws on NaN/inf before the weights change.
    @discardableResult
    public func trainStep() throws -> Float { try loop.trainStep() }

    /// Loss of `batch` with its gradient added into the master model, computed in row shards on all cores.
    public func computeGradients(_ batch: TranslationBatch) -> Float { loop.computeGradients(batch) }

    /// Mean cross-entropy (no smoothing) per target token over the validation examples, in fixed batches.
    public func evaluate() -> Float { loop.task.validationLoss(model) }

    /// Trains until `maxSteps`, the time limit, or `stopAfter` more steps; evaluates and checkpoints on
    /// schedule and always writes a final checkpoint.
    public func run(stopAfter: Int? = nil, report: (TranslationTrainEvent) -> Void = { _ in }) throws {
        try loop.run(stopAfter: stopAfter) { event in
            switch event {
            case let .step(step, _, loss, learningRate, rate, elapsed, _):
                report(.step(step: step, loss: loss, learningRate: learningRate, tokensPerSecond: rate, elapsedSeconds: elapsed))
            case let .evaluation(step, result): report(.evaluation(step: step, validationLoss: result.validationLoss, bleu: result.metrics["bleu"]))
            case let .checkpoint(step, _): report(.checkpoint(step: step))
            case let .resumed(step): report(.resumed(step: step))
            case let .timeLimit(step, elapsed): report(.timeLimit(step: step, elapsedSeconds: elapsed))
            }
        }
    }

    /// Writes a checkpoint of the current step into the run folder.
    public func saveCheckpoint(run: URL, loss: Float?) throws { try loop.saveCheckpoint(run: run, loss: loss) }
}
