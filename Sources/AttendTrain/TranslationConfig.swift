import AttendKernels
import AttendData
import AttendModels
import Foundation

/// Optimisation settings of a translation run (Vaswani et al., 2017, §5.3–5.4): Adam β = (0.9, 0.98),
/// ε = 1e-9, the Noam schedule, label smoothing ε_ls = 0.1, batches of about `batchTokens` tokens.
public struct TranslationTrainConfig: Codable, Equatable, Sendable {
    /// Padded source + target tokens per batch (fairseq's `--max-tokens`).
    public var batchTokens = 4096
    /// Last optimizer step of the run.
    public var maxSteps = 100_000
    /// Steps of linear warm-up (the paper: 4000).
    public var warmupSteps = 4000
    /// Multiplier on the Noam schedule.
    public var learningRateScale: Float = 1
    /// Label smoothing ε_ls (0.1 in the paper).
    public var labelSmoothing: Float = 0.1
    /// Adam β₁.
    public var beta1: Float = 0.9
    /// Adam β₂ (0.98 in the paper).
    public var beta2: Float = 0.98
    /// Adam ε (1e-9 in the paper).
    public var epsilon: Float = 1e-9
    /// Global gradient-norm clip (0 disables; the paper does not clip).
    public var gradClip: Float = 0
    /// Steps between validation passes.
    public var evalInterval = 500
    /// Steps between checkpoints.
    public var checkpointInterval = 500
    /// Complete checkpoints kept on disk (`attend average` averages the newest of them).
    public var keepCheckpoints = 5
    /// Wall-clock budget of the training loop in minutes (evaluation included); nil = none.
    public var timeLimitMinutes: Double?
    /// Seed of the shuffles.
    public var seed: UInt64 = 1337
    /// Arithmetic of the linear layers' matrix products (`Tensor.linearPrecision`): nil or fp32 is
    /// fp32 (run folders written before this field read as nil), bf16 is bfloat16 operands with
    /// fp32 accumulation and fp32 master weights.
    public var precision: MatrixPrecision?
    /// Beam size of a BLEU evaluation of the validation split at every evaluation (1 = greedy; nil =
    /// none, the default), logged as `metrics.bleu` in metrics.jsonl (fairseq's `--eval-bleu`). The
    /// hypotheses and references are the decoded token ids, scored by `BLEU.corpusScore` (13a).
    public var evalBleu: Int?

    /// The paper's settings with batches of 4096 tokens and 4000 warm-up steps.
    public init() {}

    /// The learning-rate schedule for a model of width `modelDim`.
    public func schedule(modelDim: Int) -> NoamSchedule {
        NoamSchedule(modelDim: modelDim, warmupSteps: warmupSteps, scale: learningRateScale)
    }

    /// Checks values; the error names the field and what is allowed.
    public func validate() throws {
        for (name, v) in [("batchTokens", batchTokens), ("warmupSteps", warmupSteps), ("evalInterval", evalInterval),
                          ("checkpointInterval", checkpointInterval), ("keepCheckpoints", keepCheckpoints)] where v <= 0 {
            throw ConfigError.invalid(field: name, message: "must be a positive integer, got \(v)")
        }
        if maxSteps < 0 { throw ConfigError.invalid(field: "maxSteps", message: "must be zero or positive, got \(maxSteps)") }
        if !(learningRateScale > 0 && learningRateScale.isFinite) {
            throw ConfigError.invalid(field: "learningRateScale", message: "must be a positive number, got \(learningRateScale)")
        }
        if !(labelSmoothing >= 0 && labelSmoothing < 1) {
            throw ConfigError.invalid(field: "labelSmoothing", message: "must be in [0, 1), got \(labelSmoothing)")
        }
        for (name, v) in [("beta1", beta1), ("beta2", beta2)] where !(v >= 0 && v < 1) {
            throw ConfigError.invalid(field: name, message: "must be in [0, 1), got \(v)")
        }
        if !(epsilon > 0) { throw ConfigError.invalid(field: "epsilon", message: "must be positive, got \(epsilon)") }
        if !(gradClip >= 0) { throw ConfigError.invalid(field: "gradClip", message: "must be ≥ 0 (0 disables), got \(gradClip)") }
        if let t = timeLimitMinutes, !(t > 0) { throw ConfigError.invalid(field: "timeLimitMinutes", message: "must be positive, got \(t)") }
        if let b = evalBleu, b < 1 { throw ConfigError.invalid(field: "evalBleu", message: "must be a beam size ≥ 1 (1 = greedy), got \(b)") }
    }
}

/// The vocabulary a translation model was trained with, saved in its checkpoints: a joint BPE
/// tokenizer for real text, or a synthetic task's fixed digit vocabulary.
public enum TranslationVocabulary: Codable, Equatable, Sendable {
    /// Real text, encoded with the given joint (source and target) BPE tokenizer.
    case bpe(BPETokenizer)
    /// The given synthetic task, with its fixed 15-id digit vocabulary (`Seq2SeqTask.vocabSize`).
    case synthetic(Seq2SeqTask)

    /// Number of token ids.
    public var vocabSize: Int {
        switch self {
        case let .bpe(t): return t.vocabSize
        case .synthetic: return Seq2SeqTask.vocabSize
        }
    }

    /// Token ids for a sentence (no `<bos>`/`<eos>`). Synthetic tasks read digits and `+`.
    public func encode(_ text: String) -> [Int32] {
        switch self {
        case let .bpe(t): return t.encode(text)
        case .synthetic:
            return text.compactMap { c -> Int32? in
                if c == "+" { return Seq2SeqTask.plusID }
                return c.wholeNumberValue.map { Int32($0) + Seq2SeqTask.digitOffset }
            }
        }
    }

    /// Text for token ids (special ids skipped).
    public func decode(_ ids: [Int32]) -> String {
        switch self {
        case let .bpe(t): return t.decode(ids)
        case .synthetic: return Seq2SeqTask.render(ids)
        }
    }

    /// A short description ("bpe 8000", "synthetic reverse").
    public var summary: String {
        switch self {
        case let .bpe(t): return "bpe \(t.vocabSize)"
        case let .synthetic(task): return "synthetic \(task.rawValue)"
        }
    }
}

/// Everything that defines a translation run.
public struct TranslationRunConfig: Codable, Equatable, Sendable {
    /// "translation" for a parallel corpus, or a synthetic task name (copy, reverse, sort, addition).
    public var task: String
    /// The model shape.
    public var model: EncoderDecoderConfig
    /// The optimisation settings.
    public var training: TranslationTrainConfig
    /// Data description (file paths, or the synthetic task's settings).
    public var data: [String: String]
    /// The checkpoint whose weights a fresh run starts from (`--init-from`, fine-tuning); nil: random start.
    public var initFrom: String?

    /// A run configuration.
    public init(task: String, model: EncoderDecoderConfig, training: TranslationTrainConfig, data: [String: String],
                initFrom: String? = nil) {
        self.task = task
        self.model = model
        self.training = training
        self.data = data
        self.initFrom = initFrom
    }
}
