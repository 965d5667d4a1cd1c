import ArgumentParser
import Attend
import Foundation

/// Named starting points for `attend train`.
enum Preset: String, CaseIterable, ExpressibleByArgument {
    /// nanoGPT's CPU recipe for shakespeare-char.
    case shakespeareChar = "shakespeare-char"
    /// A tiny model for smoke tests (seconds).
    case tiny
    /// Tatoeba English→Spanish translation with the encoder–decoder Transformer (`--task translation`).
    case tatoebaEnEs = "tatoeba-en-es"

    var model: (contextLength: Int, modelDim: Int, numHeads: Int, numLayers: Int) {
        switch self {
        case .shakespeareChar: return (64, 128, 4, 4)
        case .tiny: return (32, 32, 2, 1)
        case .tatoebaEnEs: return (256, 256, 4, 3)
        }
    }

    var training: TrainConfig {
        var t = TrainConfig()
        if self == .tiny { t.maxSteps = 100; t.decaySteps = 100; t.warmupSteps = 10; t.evalInterval = 50; t.checkpointInterval = 50; t.batchSize = 8 }
        return t
    }
}

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a character-level decoder-only Transformer on a text file, or (--task) an encoder–decoder translation model.",
        discussion: "Writes a run folder with config.json, metrics.jsonl and checkpoints/. Flags override the preset. --task translation (or --preset tatoeba-en-es) trains on a parallel corpus; --task copy|reverse|sort|addition on a synthetic task.")

    @Option(name: .customLong("preset"), help: "Starting configuration: \(Preset.allCases.map(\.rawValue).joined(separator: ", ")) (default shakespeare-char).")
    var presetOption: Preset?
    var preset: Preset { presetOption ?? .shakespeareChar }
    @Option(name: .customLong("data"), help: "Text file to train on (first 90 % train, last 10 % validation; default Data/tinyshakespeare.txt).")
    var dataOption: String?
    var data: String { dataOption ?? "Data/tinyshakespeare.txt" }
    @Option(name: .customLong("out"), help: "Run folder to write (default runs/shakespeare-char, or runs/<task>).")
    var outOption: String?
    var out: String { outOption ?? "runs/shakespeare-char" }
    @Flag(help: "Continue the run in --out as it was configured (config.json): its newest checkpoint, or a fresh start of that configuration when it has none. Flags that differ from the stored settings are refused, except a new --max-steps.")
    var resume = false

    @Option var contextLength: Int?
    @Option var modelDim: Int?
    @Option var numHeads: Int?
    @Option var numLayers: Int?
    @Option(help: "Feed-forward width (default 4 × model-dim).") var hiddenDim: Int?
    @Option var dropout: Float?
    @Option(help: "Biases in Linear and LayerNorm layers (true/false).") var bias: Bool?
    @Option(help: "Tie the output projection to the token embedding (true/false).") var tieWeights: Bool?
    @Option(help: "pre (GPT-2) or post (2017 paper) layer norm.") var normPlacement: NormPlacement?
    @Option(help: "Attention mechanism: \(AttentionKind.allCases.map(\.rawValue).joined(separator: ", ")).") var attention: AttentionKind?
    @Option(help: "gelu, relu or silu.") var activation: Activation?
    @Option(help: "Absolute positions: learned (language model, default), sinusoidal (translation, default) or none (with --position-bias).") var positions: AbsolutePositions?
    @Option(help: "Relative-position score bias (softmax attention; with --task, in the encoder and decoder self-attention, t5 giving the encoder bidirectional buckets): \(PositionBias.allCases.map(\.rawValue).joined(separator: ", ")).")
    var positionBias: PositionBias?
    @Option(help: "T5 bucket count (default 32).") var positionBuckets: Int?
    @Option(help: "Lag where T5's log-spaced buckets end (default 128).") var positionMaxDistance: Int?
    @Option(help: "false: W_Q = W_K = 0, scores from the position bias alone (dot-product-free attention; with --task, self-attention only).") var dotProduct: Bool?
    @Option(help: "FAVOR+ random features per head (linear-favor, default 64).") var favorFeatures: Int?
    @Option(help: "Seed of the FAVOR+ random directions (default 0).") var favorSeed: UInt64?
    @Option(help: "Redraw the FAVOR+ directions every forward pass and generated sequence (true/false).") var favorRedraw: Bool?
    @Option(help: "Rotary position embeddings (RoPE) on queries and keys of softmax or linear attention (true/false; with --task, in the encoder and decoder self-attention).") var rotary: Bool?

    @Option var batchSize: Int?
    @Option var maxSteps: Int?
    @Option var learningRate: Float?
    @Option var minLearningRate: Float?
    @Option var warmupSteps: Int?
    @Option(help: "Step where cosine decay reaches --min-learning-rate.") var decaySteps: Int?
    @Option var weightDecay: Float?
    @Option var beta1: Float?
    @Option var beta2: Float?
    @Option(help: "Global gradient-norm clip (0 disables).") var gradClip: Float?
    @Option var evalInterval: Int?
    @Option var evalBatches: Int?
    @Option var checkpointInterval: Int?
    @Option var seed: UInt64?
    @Option(help: "Matrix products of the linear layers: fp32 (default) or bf16 (bfloat16 operands, fp32 accumulation and master weights; needs AVX512-BF16, else fp32 with a notice).")
    var precision: MatrixPrecision?
    @Option(help: "Stop after this many steps in this invocation (the schedule still follows --max-steps).")
    var stopAfter: Int?
    @Flag(help: "No live progress line.") var quiet = false

    // Encoder–decoder translation (see TrainTranslation.swift).
    @Option(help: "translation (parallel corpus), or a synthetic task: copy, reverse, sort, addition. Without it, trains the character LM.")
    var task: String?
    @Option(help: "Source-language training file (one sentence per line; .gz accepted).") var source: String?
    @Option(help: "Target-language training file, aligned with --source.") var target: String?
    @Option(help: "Validation source file.") var validSource: String?
    @Option(help: "Validation target file.") var validTarget: String?
    @Option(help: "Test source file (tokenized into the run's data/ folder for the PyTorch baseline).") var testSource: String?
    @Option(help: "Test target file.") var testTarget: String?
    @Option(help: "Joint BPE vocabulary size (default 8000).") var vocabSize: Int?
    @Option(help: "Padded source + target tokens per batch (default 4096).") var batchTokens: Int?
    @Option var numEncoderLayers: Int?
    @Option var numDecoderLayers: Int?
    @Option(help: "Longest source/target sequence in tokens (longer pairs are dropped; default 256).") var maxLength: Int?
    @Option(help: "Label smoothing ε (default 0.1).") var labelSmoothing: Float?
    @Option(help: "Multiplier on the Noam schedule (default 1).") var learningRateScale: Float?
    @Option(help: "Wall-clock budget of the training loop in minutes.") var timeLimit: Double?
    @Option(help: "Checkpoints kept for `attend average` (default 5).") var keepCheckpoints: Int?
    @Option(help: "Encoder self-attention kind.") var encoderAttention: AttentionKind?
    @Option(help: "Decoder self-attention kind.") var decoderAttention: AttentionKind?
    @Option(help: "Cross-attention kind.") var crossAttention: AttentionKind?
    @Option(help: "Synthetic tasks: number of training examples (default 20000).") var examples: Int?
    @Option(help: "Synthetic tasks: longest sequence (or operand) in digits (default 8).") var taskLength: Int?

    /// The preset's configuration for a vocabulary of `vocabSize` tokens, before any flag.
    func presetConfig(vocabSize: Int) -> RunConfig {
        let p = preset.model
        var m = ModelConfig(vocabSize: vocabSize, contextLength: p.contextLength, modelDim: p.modelDim,
                            numHeads: p.numHeads, numLayers: p.numLayers)
        m.hiddenDim = 4 * m.modelDim
        return RunConfig(model: m, training: preset.training, data: data)
    }

    /// A new run's configuration: the preset with the flags applied.
    func runConfig(vocabSize: Int) -> RunConfig { applyingFlags(to: presetConfig(vocabSize: vocabSize), resuming: false) }

    /// `base` with every flag that was given applied. For a new run, a flag also moves the defaults
    /// that follow it (--model-dim sets the feed-forward width to 4×, --max-steps the decay end,
    /// --eval-interval the checkpoint interval); when resuming only the flags given change anything.
    func applyingFlags(to base: RunConfig, resuming: Bool) -> RunConfig {
        var m = base.model
        if let contextLength { m.contextLength = contextLength }
        if let modelDim { m.modelDim = modelDim; if hiddenDim == nil && !resuming { m.hiddenDim = 4 * modelDim } }
        if let numHeads { m.numHeads = numHeads }
        if let numLayers { m.numLayers = numLayers }
        if let hiddenDim { m.hiddenDim = hiddenDim }
        if let dropout { m.dropout = dropout }
        if let bias { m.bias = bias }
        if let tieWeights { m.tieWeights = tieWeights }
        if let normPlacement { m.normPlacement = normPlacement }
        if let attention { m.attention = attention }
        if let activation { m.activation = activation }
        if let positions { m.positions = positions }
        if let positionBias { m.positionBias = positionBias }
        if let positionBuckets { m.positionBuckets = positionBuckets }
        if let positionMaxDistance { m.positionMaxDistance = positionMaxDistance }
        if let dotProduct { m.dotProduct = dotProduct }
        if let favorFeatures { m.favorFeatures = favorFeatures }
        if let favorSeed { m.favorSeed = favorSeed }
        if let favorRedraw { m.favorRedraw = favorRedraw }
        if let rotary { m.rotary = rotary }
        var t = base.training
        if let batchSize { t.batchSize = batchSize }
        if let maxSteps { t.maxSteps = maxSteps; if decaySteps == nil && !resuming { t.decaySteps = maxSteps } }
        if let learningRate { t.learningRate = learningRate }
        if let minLearningRate { t.minLearningRate = minLearningRate }
        if let warmupSteps { t.warmupSteps = warmupSteps }
        if let decaySteps { t.decaySteps = decaySteps }
        if let weightDecay { t.weightDecay = weightDecay }
        if let beta1 { t.beta1 = beta1 }
        if let beta2 { t.beta2 = beta2 }
        if let gradClip { t.gradClip = gradClip }
        if let evalInterval { t.evalInterval = evalInterval; if checkpointInterval == nil && !resuming { t.checkpointInterval = evalInterval } }
        if let evalBatches { t.evalBatches = evalBatches }
        if let checkpointInterval { t.checkpointInterval = checkpointInterval }
        if let seed { t.seed = seed }
        if let precision { t.precision = precision }
        return RunConfig(model: m, training: t, data: dataOption ?? base.data)
    }

    /// The configuration to resume the run in `runURL` with: its config.json with the flags given
    /// applied, refused (naming each flag) where a flag changes anything but `maxSteps`.
    func resumedConfig(_ runURL: URL) throws -> RunConfig? {
        let file = runURL.appendingPathComponent("config.json")
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        let stored: RunConfig
        do { stored = try JSONDecoder().decode(RunConfig.self, from: Data(contentsOf: file)) }
        catch { throw CommandError("cannot resume: \(file.path) is not a readable run configuration (\(error)); start a new run with another --out") }
        let requested = applyingFlags(to: stored, resuming: true)
        var comparable = requested
        comparable.training.maxSteps = stored.training.maxSteps
        let changed = try changedFields(stored, comparable)
        if !changed.isEmpty {
            let flags = changed.map { "--\(kebabCase($0.key)) (stored: \($0.stored), given: \($0.given))" }
            throw CommandError("""
                --resume continues \(runURL.path) with the settings in its config.json; \(changed.count == 1 ? "this flag differs" : "these flags differ"): \(flags.joined(separator: ", ")). \
                Drop \(changed.count == 1 ? "it" : "them") to resume (only --max-steps may change), or start a new run with another --out.
                """)
        }
        return requested
    }

    func run() throws {
        if task != nil || preset == .tatoebaEnEs {
            try runTranslation()
            return
        }
        Interruption.install()
        try reportingErrors(resumeHint: "attend train --out \(out) --resume") {
            let runURL = URL(fileURLWithPath: out)
            let dataset: TextDataset
            let config: RunConfig
            if resume, let stored = try resumedConfig(runURL) {
                dataset = try TextDataset(path: stored.data)
                guard dataset.tokenizer.vocabSize == stored.model.vocabSize else {
                    throw CommandError("cannot resume \(out): its config.json has a vocabulary of \(stored.model.vocabSize) characters but \(stored.data) now has \(dataset.tokenizer.vocabSize); the data file changed — restore it or start a new run with another --out")
                }
                config = stored
            } else {
                dataset = try TextDataset(path: data)
                config = runConfig(vocabSize: dataset.tokenizer.vocabSize)
            }
            if let notice = BFloat16Support.resolve(config.training.precision).notice { writeError(notice + "\n") }
            let trainer = try Trainer(config: config, dataset: dataset, run: runURL, resume: resume)
            let m = config.model
            writeError("attend train: \(trainer.model.parameterCount) parameters, \(m.numLayers) layers × \(m.numHeads) heads, width \(m.modelDim), context \(m.contextLength), \(m.attention.rawValue) attention\(m.positionBias == .none ? "" : " + \(m.positionBias.rawValue) bias")\(m.dotProduct ? "" : " (dot-product-free)")\(m.rotary ? " + rotary" : ""), \(Threading.count) threads\(Tensor.linearPrecision == .bf16 ? ", bf16 matrix products" : "")\n")
            writeError("data: \(config.data) — \(dataset.train.count) train / \(dataset.validation.count) validation tokens, vocabulary \(dataset.tokenizer.vocabSize)\n")
            let interactive = isatty(STDERR_FILENO) != 0
            var lastPrint = Date.distantPast
            try trainer.run(stopAfter: stopAfter) { event in
                switch event {
                case let .step(step, total, loss, lr, rate, eta):
                    // A live line on a terminal (≤ 5 updates/s); otherwise a plain line every ~5 % of the run.
                    let line = String(format: "step %d/%d  loss %.4f  lr %.2e  %.0f tok/s  ETA %@", step, total, loss, lr, rate, formatDuration(eta))
                    if quiet { break }
                    if interactive {
                        if Date().timeIntervalSince(lastPrint) >= 0.2 || step == total {
                            writeError("\r\u{1B}[K" + line)
                            lastPrint = Date()
                        }
                    } else if step % max(1, total / 20) == 0 {
                        writeError(line + "\n")
                    }
                case let .evaluation(step, tr, va):
                    writeError(String(format: "%@step %d: train loss %.4f, val loss %.4f\n", interactive && !quiet ? "\r\u{1B}[K" : "", step, tr, va))
                case .checkpoint: break
                case let .resumed(step):
                    writeError("resumed from checkpoint at step \(step)\n")
                }
            }
            if !quiet && interactive { writeError("\n") }
            print("run folder: \(out) (step \(trainer.step), final val loss \(trainer.lastValidationLoss.map { String(format: "%.4f", $0) } ?? "n/a"))")
        }
    }
}

/// The fields where two configurations differ, as (JSON key, stored value, given value), keys
/// depth-first in the JSON's order ("learningRate", "numHeads", "data").
func changedFields<T: Encodable>(_ stored: T, _ given: T) throws -> [(key: String, stored: String, given: String)] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    let a = try JSONSerialization.jsonObject(with: encoder.encode(stored))
    let b = try JSONSerialization.jsonObject(with: encoder.encode(given))
    var out: [(key: String, stored: String, given: String)] = []
    func walk(_ x: Any?, _ y: Any?, key: String) {
        if let dx = x as? [String: Any], let dy = y as? [String: Any] {
            for k in Set(dx.keys).union(dy.keys).sorted() { walk(dx[k], dy[k], key: k) }
        } else {
            let sx = x.map { "\($0)" } ?? "unset", sy = y.map { "\($0)" } ?? "unset"
            if sx != sy { out.append((key, sx, sy)) }
        }
    }
    walk(a, b, key: "")
    return out
}

/// "learningRate" → "learning-rate" (the glossary's JSON key → CLI flag rule).
func kebabCase(_ key: String) -> String {
    var out = ""
    for ch in key {
        if ch.isUppercase { out += "-" + ch.lowercased() } else { out.append(ch) }
    }
    return out
}

extension PositionBias: ExpressibleByArgument {}
extension MatrixPrecision: ExpressibleByArgument {}
extension AbsolutePositions: ExpressibleByArgument {}
