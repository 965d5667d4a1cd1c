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

    @Option(help: "Starting configuration: \(Preset.allCases.map(\.rawValue).joined(separator: ", ")).")
    var preset: Preset = .shakespeareChar
    @Option(help: "Text file to train on (first 90 % train, last 10 % validation).")
    var data: String = "Data/tinyshakespeare.txt"
    @Option(name: .customLong("out"), help: "Run folder to write (default runs/shakespeare-char, or runs/<task>).")
    var outOption: String?
    var out: String { outOption ?? "runs/shakespeare-char" }
    @Flag(help: "Continue the newest checkpoint in --out.")
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

    func runConfig(vocabSize: Int) -> RunConfig {
        let p = preset.model
        var m = ModelConfig(vocabSize: vocabSize, contextLength: contextLength ?? p.contextLength, modelDim: modelDim ?? p.modelDim,
                            numHeads: numHeads ?? p.numHeads, numLayers: numLayers ?? p.numLayers)
        if let hiddenDim { m.hiddenDim = hiddenDim } else { m.hiddenDim = 4 * m.modelDim }
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
        var t = preset.training
        if let batchSize { t.batchSize = batchSize }
        if let maxSteps { t.maxSteps = maxSteps; if decaySteps == nil { t.decaySteps = maxSteps } }
        if let learningRate { t.learningRate = learningRate }
        if let minLearningRate { t.minLearningRate = minLearningRate }
        if let warmupSteps { t.warmupSteps = warmupSteps }
        if let decaySteps { t.decaySteps = decaySteps }
        if let weightDecay { t.weightDecay = weightDecay }
        if let beta1 { t.beta1 = beta1 }
        if let beta2 { t.beta2 = beta2 }
        if let gradClip { t.gradClip = gradClip }
        if let evalInterval { t.evalInterval = evalInterval; if checkpointInterval == nil { t.checkpointInterval = evalInterval } }
        if let evalBatches { t.evalBatches = evalBatches }
        if let checkpointInterval { t.checkpointInterval = checkpointInterval }
        if let seed { t.seed = seed }
        return RunConfig(model: m, training: t, data: data)
    }

    func run() throws {
        if task != nil || preset == .tatoebaEnEs {
            try runTranslation()
            return
        }
        try reportingErrors {
            let dataset = try TextDataset(path: data)
            let config = runConfig(vocabSize: dataset.tokenizer.vocabSize)
            let runURL = URL(fileURLWithPath: out)
            let trainer = try Trainer(config: config, dataset: dataset, run: runURL, resume: resume)
            let m = config.model
            writeError("attend train: \(trainer.model.parameterCount) parameters, \(m.numLayers) layers × \(m.numHeads) heads, width \(m.modelDim), context \(m.contextLength), \(m.attention.rawValue) attention\(m.positionBias == .none ? "" : " + \(m.positionBias.rawValue) bias")\(m.dotProduct ? "" : " (dot-product-free)")\(m.rotary ? " + rotary" : ""), \(Threading.count) threads\n")
            writeError("data: \(data) — \(dataset.train.count) train / \(dataset.validation.count) validation tokens, vocabulary \(dataset.tokenizer.vocabSize)\n")
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

extension PositionBias: ExpressibleByArgument {}
extension AbsolutePositions: ExpressibleByArgument {}
