import ArgumentParser
import Attend
import Foundation

/// What `attend train` trains: the three families differ in which flags they read.
enum TaskFamily: String, CaseIterable {
    /// The decoder-only character language model (no --task).
    case languageModel
    /// The encoder–decoder on a synthetic task (--task copy|reverse|sort|addition).
    case synthetic
    /// The encoder–decoder on a parallel corpus (--task translation, --preset tatoeba-en-es).
    case translation

    /// The glossary's column heading.
    var heading: String {
        switch self {
        case .languageModel: return "character LM (no --task)"
        case .synthetic: return "--task copy/reverse/sort/addition"
        case .translation: return "--task translation"
        }
    }
}

/// One `attend train` flag: the config.json key it sets for each task family that reads it, what it
/// means and (derived from the code's default configurations) its default. The option groups take
/// their help text from here, the refusal of unused flags reads `keys`, and docs/CONFIG.md is this
/// table (`attend glossary`; a test keeps the two equal).
struct GlossaryEntry {
    /// The flag without dashes ("num-heads").
    let name: String
    /// The `attend train --help` section the flag sits in.
    let group: String
    /// Per family that reads the flag: the dotted config.json keys it sets ("" = none, e.g. --out).
    /// A family missing here does not read the flag, and `attend train` refuses it there.
    let keys: [TaskFamily: String]
    /// One sentence: what the flag sets.
    let meaning: String
    /// Defaults of flags without a key (or with an optional key), per family.
    var fixedDefaults: [TaskFamily: String] = [:]

    var flag: String { "--\(name)" }
    func isUsed(by family: TaskFamily) -> Bool { keys[family] != nil }
}

extension ArgumentHelp {
    /// The help text of a flag: its glossary meaning.
    static func glossary(_ name: String) -> ArgumentHelp {
        guard let entry = Glossary.entry(name) else { preconditionFailure("no glossary entry for --\(name)") }
        // Run flags describe their own defaults; the others name them per task.
        return ArgumentHelp(entry.group == "Run" ? entry.meaning : entry.meaning + " " + Glossary.defaultsSentence(entry))
    }
}

enum Glossary {
    static let lm = TaskFamily.languageModel, syn = TaskFamily.synthetic, tr = TaskFamily.translation

    /// Keys for all three families.
    static func all(_ key: String) -> [TaskFamily: String] { [lm: key, syn: key, tr: key] }
    /// Keys for the encoder–decoder families.
    static func seq2seq(_ key: String) -> [TaskFamily: String] { [syn: key, tr: key] }

    /// Every `attend train` flag, in `--help` order.
    static let entries: [GlossaryEntry] = [
        // Run
        GlossaryEntry(name: "preset", group: "Run", keys: [lm: "", tr: ""],
                      meaning: "Starting configuration: \(Preset.allCases.map(\.rawValue).joined(separator: ", ")) (default shakespeare-char; tatoeba-en-es selects --task translation).",
                      fixedDefaults: [lm: "shakespeare-char", tr: "tatoeba-en-es"]),
        GlossaryEntry(name: "config", group: "Run", keys: all(""),
                      meaning: "Train from this JSON configuration (a run folder's config.json); flags given with it change only their own key.",
                      fixedDefaults: [lm: "none", syn: "none", tr: "none"]),
        GlossaryEntry(name: "task", group: "Run", keys: [lm: "", syn: "task", tr: "task"],
                      meaning: "translation (parallel corpus), or a synthetic task: \(Seq2SeqTask.allCases.map(\.rawValue).joined(separator: ", ")). Without it, trains the character LM.",
                      fixedDefaults: [lm: "none", syn: "(the task)", tr: "translation"]),
        GlossaryEntry(name: "out", group: "Run", keys: all(""),
                      meaning: "Run folder to write (config.json, metrics.jsonl, checkpoints/; default runs/shakespeare-char, or runs/<task>).",
                      fixedDefaults: [lm: "runs/shakespeare-char", syn: "runs/<task>", tr: "runs/translation (runs/tatoeba-en-es with the preset)"]),
        GlossaryEntry(name: "resume", group: "Run", keys: all(""),
                      meaning: "Continue the run in --out: its newest checkpoint, or a fresh start of the configured run when it has none. Every setting (and the task) comes from the run's config.json; a flag that differs from it is refused, except --max-steps.",
                      fixedDefaults: [lm: "off", syn: "off", tr: "off"]),
        GlossaryEntry(name: "stop-after", group: "Run", keys: all(""),
                      meaning: "Stop after this many steps in this invocation (the schedule still follows --max-steps).",
                      fixedDefaults: [lm: "none", syn: "none", tr: "none"]),
        GlossaryEntry(name: "quiet", group: "Run", keys: all(""), meaning: "No live progress line.",
                      fixedDefaults: [lm: "off", syn: "off", tr: "off"]),
        GlossaryEntry(name: "init-from", group: "Run", keys: all("initFrom"),
                      meaning: "Fine-tune: start a new run from the weights of this run or checkpoint folder (e.g. one written by `attend import`); its model settings and vocabulary must equal this run's, the optimizer starts fresh.",
                      fixedDefaults: [lm: "none", syn: "none", tr: "none"]),
        // Data
        GlossaryEntry(name: "data", group: "Data", keys: [lm: "data"],
                      meaning: "Text file to train on (first 90 % train, last 10 % validation)."),
        GlossaryEntry(name: "bytes", group: "Data", keys: [lm: "dataFormat"],
                      meaning: "Read the data file as raw bytes, one token per byte (any file). Without it the file must be UTF-8 text: invalid UTF-8 or a NUL byte is refused, naming the byte offset.",
                      fixedDefaults: [lm: "off"]),
        GlossaryEntry(name: "source", group: "Data", keys: [tr: "data.source"],
                      meaning: "Source-language training file (one sentence per line; .gz accepted)."),
        GlossaryEntry(name: "target", group: "Data", keys: [tr: "data.target"], meaning: "Target-language training file, aligned with --source."),
        GlossaryEntry(name: "valid-source", group: "Data", keys: [tr: "data.validSource"],
                      meaning: "Validation source file (without it, the last 1 % of the training pairs are held out)."),
        GlossaryEntry(name: "valid-target", group: "Data", keys: [tr: "data.validTarget"], meaning: "Validation target file."),
        GlossaryEntry(name: "test-source", group: "Data", keys: [tr: "data.testSource"],
                      meaning: "Test source file (tokenized into the run's data/ folder for the PyTorch baseline)."),
        GlossaryEntry(name: "test-target", group: "Data", keys: [tr: "data.testTarget"], meaning: "Test target file."),
        GlossaryEntry(name: "vocab-size", group: "Data", keys: [tr: "model.vocabSize"], meaning: "Joint BPE vocabulary size (learned on the training pairs)."),
        GlossaryEntry(name: "examples", group: "Data", keys: [syn: "data.examples"], meaning: "Number of synthetic training examples."),
        GlossaryEntry(name: "task-length", group: "Data", keys: [syn: "data.taskLength"], meaning: "Longest synthetic sequence (or operand) in digits."),
        // Model
        GlossaryEntry(name: "context-length", group: "Model", keys: [lm: "model.contextLength"], meaning: "Tokens the language model sees at once."),
        GlossaryEntry(name: "model-dim", group: "Model", keys: all("model.modelDim"),
                      meaning: "Width of the residual stream (a new run's --hidden-dim follows as 4 × model-dim)."),
        GlossaryEntry(name: "num-heads", group: "Model", keys: all("model.numHeads"), meaning: "Attention heads (must divide --model-dim)."),
        GlossaryEntry(name: "num-layers", group: "Model",
                      keys: [lm: "model.numLayers", syn: "model.numEncoderLayers, model.numDecoderLayers", tr: "model.numEncoderLayers, model.numDecoderLayers"],
                      meaning: "Transformer blocks (encoder–decoder: of each side)."),
        GlossaryEntry(name: "hidden-dim", group: "Model", keys: all("model.hiddenDim"), meaning: "Feed-forward width."),
        GlossaryEntry(name: "dropout", group: "Model", keys: all("model.dropout"), meaning: "Dropout probability."),
        GlossaryEntry(name: "bias", group: "Model", keys: all("model.bias"), meaning: "Biases in Linear and LayerNorm layers (true/false)."),
        GlossaryEntry(name: "tie-weights", group: "Model", keys: [lm: "model.tieWeights"],
                      meaning: "Tie the output projection to the token embedding (true/false; the encoder–decoder always shares one embedding)."),
        GlossaryEntry(name: "norm-placement", group: "Model", keys: all("model.normPlacement"), meaning: "pre (GPT-2) or post (2017 paper) layer norm."),
        GlossaryEntry(name: "activation", group: "Model", keys: all("model.activation"), meaning: "Feed-forward non-linearity: gelu (tanh form, GPT-2), gelu-exact (erf form, PyTorch nn.GELU / nanoGPT), relu or silu."),
        GlossaryEntry(name: "positions", group: "Model", keys: all("model.positions"),
                      meaning: "Absolute positions: learned (trained table; encoder–decoder: one per side), sinusoidal (encoder–decoder only) or none (with a position bias or rotary)."),
        // Attention
        GlossaryEntry(name: "attention", group: "Attention",
                      keys: [lm: "model.attention", syn: "model.encoderAttention, model.decoderAttention, model.crossAttention",
                             tr: "model.encoderAttention, model.decoderAttention, model.crossAttention"],
                      meaning: "Attention mechanism (encoder–decoder: of every role): \(AttentionKind.allCases.map(\.rawValue).joined(separator: ", "))."),
        GlossaryEntry(name: "position-bias", group: "Attention", keys: all("model.positionBias"),
                      meaning: "Relative-position score bias of softmax attention (encoder–decoder: both self-attentions, t5 giving the encoder bidirectional buckets): \(PositionBias.allCases.map(\.rawValue).joined(separator: ", "))."),
        GlossaryEntry(name: "position-buckets", group: "Attention", keys: all("model.positionBuckets"), meaning: "T5 bucket count."),
        GlossaryEntry(name: "position-max-distance", group: "Attention", keys: all("model.positionMaxDistance"), meaning: "Lag where T5's log-spaced buckets end."),
        GlossaryEntry(name: "dot-product", group: "Attention", keys: all("model.dotProduct"),
                      meaning: "false: W_Q = W_K = 0, scores from the position bias alone (dot-product-free; encoder–decoder: self-attention only)."),
        GlossaryEntry(name: "favor-features", group: "Attention", keys: [lm: "model.favorFeatures"], meaning: "FAVOR+ random features per head (linear-favor)."),
        GlossaryEntry(name: "favor-seed", group: "Attention", keys: [lm: "model.favorSeed"], meaning: "Seed of the FAVOR+ random directions."),
        GlossaryEntry(name: "favor-redraw", group: "Attention", keys: [lm: "model.favorRedraw"],
                      meaning: "Redraw the FAVOR+ directions every forward pass and generated sequence (true/false)."),
        GlossaryEntry(name: "rotary", group: "Attention", keys: all("model.rotary"),
                      meaning: "Rotary position embeddings (RoPE) on queries and keys of softmax or linear attention (true/false; encoder–decoder: both self-attentions)."),
        GlossaryEntry(name: "key-dim", group: "Attention", keys: seq2seq("model.keyDim"),
                      meaning: "Query/key width per head, the paper's d_k, in every attention (encoder, decoder, cross; dot-product-free self-attention has none); values keep model-dim / num-heads, scores scale by 1/√key-dim.",
                      fixedDefaults: [syn: "model-dim / num-heads", tr: "model-dim / num-heads"]),
        // Encoder–decoder
        GlossaryEntry(name: "num-encoder-layers", group: "Encoder–decoder", keys: seq2seq("model.numEncoderLayers"), meaning: "Encoder blocks."),
        GlossaryEntry(name: "num-decoder-layers", group: "Encoder–decoder", keys: seq2seq("model.numDecoderLayers"), meaning: "Decoder blocks."),
        GlossaryEntry(name: "max-length", group: "Encoder–decoder", keys: seq2seq("model.maxLength"),
                      meaning: "Longest source/target sequence in tokens (longer pairs are dropped)."),
        GlossaryEntry(name: "encoder-attention", group: "Encoder–decoder", keys: seq2seq("model.encoderAttention"), meaning: "Encoder self-attention kind."),
        GlossaryEntry(name: "decoder-attention", group: "Encoder–decoder", keys: seq2seq("model.decoderAttention"), meaning: "Decoder self-attention kind."),
        GlossaryEntry(name: "cross-attention", group: "Encoder–decoder", keys: seq2seq("model.crossAttention"), meaning: "Cross-attention kind."),
        // Optimisation
        GlossaryEntry(name: "batch-size", group: "Optimisation", keys: [lm: "training.batchSize"], meaning: "Sequences per step."),
        GlossaryEntry(name: "batch-tokens", group: "Optimisation", keys: seq2seq("training.batchTokens"), meaning: "Padded source + target tokens per batch."),
        GlossaryEntry(name: "max-steps", group: "Optimisation", keys: all("training.maxSteps"),
                      meaning: "Last optimizer step (a new language-model run's --decay-steps follows it)."),
        GlossaryEntry(name: "learning-rate", group: "Optimisation", keys: [lm: "training.learningRate"], meaning: "Peak learning rate (warm-up, then cosine decay)."),
        GlossaryEntry(name: "min-learning-rate", group: "Optimisation", keys: [lm: "training.minLearningRate"], meaning: "Learning rate at the end of the cosine decay."),
        GlossaryEntry(name: "learning-rate-scale", group: "Optimisation", keys: seq2seq("training.learningRateScale"), meaning: "Multiplier on the Noam schedule."),
        GlossaryEntry(name: "warmup-steps", group: "Optimisation", keys: all("training.warmupSteps"), meaning: "Steps of linear learning-rate warm-up."),
        GlossaryEntry(name: "decay-steps", group: "Optimisation", keys: [lm: "training.decaySteps"], meaning: "Step where cosine decay reaches --min-learning-rate."),
        GlossaryEntry(name: "weight-decay", group: "Optimisation", keys: [lm: "training.weightDecay"], meaning: "AdamW weight decay (matrices only)."),
        GlossaryEntry(name: "beta1", group: "Optimisation", keys: all("training.beta1"), meaning: "Adam β₁."),
        GlossaryEntry(name: "beta2", group: "Optimisation", keys: all("training.beta2"), meaning: "Adam β₂."),
        GlossaryEntry(name: "grad-clip", group: "Optimisation", keys: all("training.gradClip"), meaning: "Global gradient-norm clip (0 disables)."),
        GlossaryEntry(name: "label-smoothing", group: "Optimisation", keys: seq2seq("training.labelSmoothing"), meaning: "Label smoothing ε."),
        GlossaryEntry(name: "seed", group: "Optimisation", keys: all("training.seed"),
                      meaning: "Seed of initialisation, batches and dropout (synthetic tasks: also of the examples)."),
        GlossaryEntry(name: "precision", group: "Optimisation", keys: all("training.precision"),
                      meaning: "Matrix products of the linear layers: fp32, or bf16 (bfloat16 operands, fp32 accumulation and master weights; needs AVX512-BF16, else fp32 with a notice).",
                      fixedDefaults: [syn: "fp32", tr: "fp32"]),
        // Evaluation and checkpoints
        GlossaryEntry(name: "eval-interval", group: "Evaluation and checkpoints", keys: all("training.evalInterval"),
                      meaning: "Steps between validation passes (a new run's --checkpoint-interval follows it)."),
        GlossaryEntry(name: "eval-batches", group: "Evaluation and checkpoints", keys: [lm: "training.evalBatches"], meaning: "Batches averaged per evaluation."),
        GlossaryEntry(name: "eval-bleu", group: "Evaluation and checkpoints", keys: seq2seq("training.evalBleu"),
                      meaning: "Also translate the validation split at every evaluation with this beam size (1 = greedy) and log its BLEU (metrics.bleu in metrics.jsonl).",
                      fixedDefaults: [syn: "none", tr: "none"]),
        GlossaryEntry(name: "checkpoint-interval", group: "Evaluation and checkpoints", keys: all("training.checkpointInterval"), meaning: "Steps between checkpoints."),
        GlossaryEntry(name: "keep-checkpoints", group: "Evaluation and checkpoints", keys: seq2seq("training.keepCheckpoints"),
                      meaning: "Checkpoints kept for `attend average`."),
        GlossaryEntry(name: "time-limit", group: "Evaluation and checkpoints", keys: seq2seq("training.timeLimitMinutes"),
                      meaning: "Wall-clock budget of the training loop in minutes.", fixedDefaults: [syn: "none", tr: "none"]),
    ]

    static func entry(_ name: String) -> GlossaryEntry? { entries.first { $0.name == name } }

    /// What a flag that `family` does not read stands for there, if anything.
    static func counterpart(of name: String, in family: TaskFamily) -> String? {
        switch (name, family) {
        case ("context-length", _): return "--max-length"
        case ("batch-size", _): return "--batch-tokens"
        case ("learning-rate", _), ("min-learning-rate", _), ("decay-steps", _): return "--learning-rate-scale and --warmup-steps (the Noam schedule)"
        case ("eval-batches", _): return "--valid-source/--valid-target (every validation pair is evaluated)"
        case ("data", .synthetic): return "--examples and --task-length"
        case ("data", .translation): return "--source and --target"
        case ("max-length", _): return "--context-length"
        case ("batch-tokens", _): return "--batch-size"
        case ("learning-rate-scale", _): return "--learning-rate"
        case ("num-encoder-layers", _), ("num-decoder-layers", _): return "--num-layers"
        case ("encoder-attention", _), ("decoder-attention", _), ("cross-attention", _): return "--attention"
        case ("source", .languageModel), ("target", .languageModel): return "--data"
        case ("examples", .translation), ("task-length", .translation): return "--source and --target"
        case ("source", .synthetic), ("target", .synthetic), ("vocab-size", .synthetic): return "--examples and --task-length (the task's vocabulary is fixed)"
        default: return nil
        }
    }

    // MARK: The table

    /// The default configuration of each family, as flattened JSON (dotted key → value).
    static func defaultValues() -> [TaskFamily: [String: String]] {
        var out: [TaskFamily: [String: String]] = [:]
        out[lm] = (try? flatten(Train.presetConfig(.shakespeareChar, vocabSize: 65, data: Train.defaultData))) ?? [:]
        out[syn] = (try? flatten(Train.defaultSeq2SeqConfig(task: "reverse"))) ?? [:]
        out[tr] = (try? flatten(Train.defaultSeq2SeqConfig(task: "translation"))) ?? [:]
        return out
    }

    /// The default configurations, flattened once.
    static let defaults = defaultValues()

    /// The default of `entry` for `family` (a value from the default configuration, or the entry's
    /// fixed text), or "—" where the family does not read it.
    static func defaultText(_ entry: GlossaryEntry, _ family: TaskFamily, _ defaults: [TaskFamily: [String: String]] = defaults) -> String {
        guard let keys = entry.keys[family] else { return "—" }
        if let fixed = entry.fixedDefaults[family] { return fixed }
        let first = keys.split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        return defaults[family]?[first] ?? "none"
    }

    /// Short family names for help texts.
    static func shortName(_ family: TaskFamily) -> String {
        switch family {
        case .languageModel: return "character LM"
        case .synthetic: return "synthetic tasks"
        case .translation: return "translation"
        }
    }

    /// "Default: 4." / "Default: LM 128, synthetic tasks 64, translation 256." / "Only …; default …."
    static func defaultsSentence(_ entry: GlossaryEntry) -> String {
        let used = TaskFamily.allCases.filter { entry.isUsed(by: $0) }
        let values = used.map { defaultText(entry, $0) }
        let only = used.count < TaskFamily.allCases.count ? "Only \(used.map(shortName).joined(separator: " and ")); " : ""
        if Set(values).count == 1 { return (only.isEmpty ? "Default: " : only + "default ") + values[0] + "." }
        let each = zip(used, values).map { "\(shortName($0)) \($1)" }.joined(separator: ", ")
        return (only.isEmpty ? "Defaults: " : only + "defaults: ") + each + "."
    }

    /// The config.json key cell: one key list, or the keys per family where they differ.
    static func keyText(_ entry: GlossaryEntry) -> String {
        func code(_ keys: String) -> String {
            keys.split(separator: ",").map { "`\($0.trimmingCharacters(in: .whitespaces))`" }.joined(separator: ", ")
        }
        var groups: [(key: String, families: [TaskFamily])] = []
        for f in TaskFamily.allCases {
            guard let k = entry.keys[f], !k.isEmpty else { continue }
            if let i = groups.firstIndex(where: { $0.key == k }) { groups[i].families.append(f) } else { groups.append((k, [f])) }
        }
        if groups.count <= 1 { return groups.first.map { code($0.key) } ?? "" }
        return groups.map { g in
            let who = g.families == [.synthetic, .translation] ? "encoder–decoder" : g.families.map(shortName).joined(separator: ", ")
            return "\(who): \(code(g.key))"
        }.joined(separator: "; ")
    }

    /// The Markdown table of docs/CONFIG.md.
    static func markdownTable() -> String {
        func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
        var lines = ["| Group | Flag | config.json key | Meaning | \(TaskFamily.allCases.map(\.heading).joined(separator: " | ")) |",
                     "|---|---|---|---|" + String(repeating: "---|", count: TaskFamily.allCases.count)]
        for e in entries {
            let defaultCells = TaskFamily.allCases.map { cell(defaultText(e, $0)) }
            lines.append("| \(e.group) | `\(e.flag)` | \(cell(keyText(e))) | \(cell(e.meaning)) | \(defaultCells.joined(separator: " | ")) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Flattens a value's JSON encoding into dotted keys ("model.numHeads") and their JSON text.
func flatten<T: Encodable>(_ value: T) throws -> [String: String] {
    let json = try JSONDecoder().decode(JSONTree.self, from: JSONEncoder().encode(value))
    var out: [String: String] = [:]
    func walk(_ v: JSONTree, _ path: String) {
        if case let .object(d) = v { for (k, x) in d { walk(x, path.isEmpty ? k : "\(path).\(k)") } } else { out[path] = v.text }
    }
    walk(json, "")
    return out
}

/// A parsed JSON value (integers kept apart from other numbers): how `attend train --config` reads a
/// file and the glossary flattens the default configurations.
enum JSONTree: Decodable, Equatable {
    case object([String: JSONTree]), array([JSONTree]), string(String), bool(Bool), int(Int64), number(Double), null

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int64.self) { self = .int(i) }
        else if let u = try? c.decode(UInt64.self) { self = .number(Double(u)) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONTree].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONTree].self)) }
    }

    /// The value as a table cell shows it.
    var text: String {
        switch self {
        case let .string(s): return s
        case let .bool(b): return b ? "true" : "false"
        case let .int(i): return "\(i)"
        case let .number(d): return "\(d)"
        case .null: return "null"
        case let .array(a): return "[" + a.map(\.text).joined(separator: ", ") + "]"
        case let .object(d): return "{" + d.keys.sorted().joined(separator: ", ") + "}"
        }
    }
}

/// `attend glossary`: prints the table of `attend train`'s flags (docs/CONFIG.md).
struct GlossaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "glossary",
        abstract: "Print the table of attend train's flags: config.json key, meaning and default per task (docs/CONFIG.md).",
        discussion: HelpExamples.discussion("glossary"))

    func run() throws { print(Glossary.markdownTable(), terminator: "") }
}
