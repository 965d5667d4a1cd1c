import ArgumentParser
import Attend
import Foundation

// `attend train`'s flags, grouped by what they configure. Each group applies the flags given onto
// the configurations (language model: RunConfig; encoder–decoder: TranslationRunConfig) and lists
// them (`given`), so that `attend train` can refuse a flag the chosen task does not read. Help texts
// come from the glossary (Glossary.swift), which docs/CONFIG.md reproduces.
//
// `fresh`: for a new run from a preset, a flag also moves the defaults that follow it (--model-dim
// sets the feed-forward width to 4×, --max-steps the language model's decay end, --eval-interval
// the checkpoint interval); over a stored configuration (--resume, --config) a flag changes only
// its own key.

// Numeric options parse their value unconditionally, so that `--model-dim -5` reaches validation
// ("model.modelDim must be positive …") instead of being read as an unknown flag "-5".

/// The flags among `pairs` that were given ("--name").
func givenFlags(_ pairs: [(String, Any?)]) -> [String] { pairs.compactMap { $0.1 == nil ? nil : "--\($0.0)" } }

/// What to train and where: preset or config file, task, run folder, resumption, output.
struct RunOptions: ParsableArguments {
    @Option(name: .customLong("preset"), help: .glossary("preset")) var preset: Preset?
    @Option(name: .customLong("config"), help: .glossary("config")) var configFile: String?
    @Option(help: .glossary("task")) var task: String?
    @Option(name: .customLong("out"), help: .glossary("out")) var out: String?
    @Flag(help: .glossary("resume")) var resume = false
    @Option(parsing: .unconditional, help: .glossary("stop-after")) var stopAfter: Int?
    @Flag(help: .glossary("quiet")) var quiet = false
    @Option(help: .glossary("init-from")) var initFrom: String?

    var given: [String] { givenFlags([("preset", preset), ("config", configFile), ("task", task), ("out", out), ("stop-after", stopAfter), ("init-from", initFrom)]) }
}

/// What to train on: the text file, the parallel corpus, or the synthetic task's examples.
struct DataOptions: ParsableArguments {
    @Option(help: .glossary("data")) var data: String?
    @Flag(help: .glossary("bytes")) var bytes = false
    @Option(help: .glossary("source")) var source: String?
    @Option(help: .glossary("target")) var target: String?
    @Option(help: .glossary("valid-source")) var validSource: String?
    @Option(help: .glossary("valid-target")) var validTarget: String?
    @Option(help: .glossary("test-source")) var testSource: String?
    @Option(help: .glossary("test-target")) var testTarget: String?
    @Option(parsing: .unconditional, help: .glossary("vocab-size")) var vocabSize: Int?
    @Option(parsing: .unconditional, help: .glossary("examples")) var examples: Int?
    @Option(parsing: .unconditional, help: .glossary("task-length")) var taskLength: Int?

    var given: [String] {
        givenFlags([("data", data), ("bytes", bytes ? true : nil), ("source", source), ("target", target), ("valid-source", validSource), ("valid-target", validTarget),
                    ("test-source", testSource), ("test-target", testTarget), ("vocab-size", vocabSize), ("examples", examples),
                    ("task-length", taskLength)])
    }

    func apply(to c: inout RunConfig) {
        if let data { c.data = data }
        if bytes { c.dataFormat = .bytes }
    }

    /// Sets the data description (`data.*`) and the requested BPE size (`model.vocabSize`).
    func apply(to c: inout TranslationRunConfig) {
        for (key, value) in [("source", source), ("target", target), ("validSource", validSource), ("validTarget", validTarget),
                             ("testSource", testSource), ("testTarget", testTarget), ("examples", examples.map(String.init)),
                             ("taskLength", taskLength.map(String.init))] {
            if let value { c.data[key] = value }
        }
        if let vocabSize { c.model.vocabSize = vocabSize }
    }
}

/// The shape of the model (both families).
struct ModelOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: .glossary("context-length")) var contextLength: Int?
    @Option(parsing: .unconditional, help: .glossary("model-dim")) var modelDim: Int?
    @Option(parsing: .unconditional, help: .glossary("num-heads")) var numHeads: Int?
    @Option(parsing: .unconditional, help: .glossary("num-layers")) var numLayers: Int?
    @Option(parsing: .unconditional, help: .glossary("hidden-dim")) var hiddenDim: Int?
    @Option(parsing: .unconditional, help: .glossary("dropout")) var dropout: Float?
    @Option(help: .glossary("bias")) var bias: Bool?
    @Option(help: .glossary("tie-weights")) var tieWeights: Bool?
    @Option(help: .glossary("norm-placement")) var normPlacement: NormPlacement?
    @Option(help: .glossary("activation")) var activation: Activation?
    @Option(help: .glossary("positions")) var positions: AbsolutePositions?

    var given: [String] {
        givenFlags([("context-length", contextLength), ("model-dim", modelDim), ("num-heads", numHeads), ("num-layers", numLayers),
                    ("hidden-dim", hiddenDim), ("dropout", dropout), ("bias", bias), ("tie-weights", tieWeights),
                    ("norm-placement", normPlacement), ("activation", activation), ("positions", positions)])
    }

    func apply(to m: inout ModelConfig, fresh: Bool) {
        if let contextLength { m.contextLength = contextLength }
        if let modelDim { m.modelDim = modelDim; if hiddenDim == nil && fresh { m.hiddenDim = 4 * modelDim } }
        if let numHeads { m.numHeads = numHeads }
        if let numLayers { m.numLayers = numLayers }
        if let hiddenDim { m.hiddenDim = hiddenDim }
        if let dropout { m.dropout = dropout }
        if let bias { m.bias = bias }
        if let tieWeights { m.tieWeights = tieWeights }
        if let normPlacement { m.normPlacement = normPlacement }
        if let activation { m.activation = activation }
        if let positions { m.positions = positions }
    }

    func apply(to m: inout EncoderDecoderConfig, fresh: Bool) {
        if let modelDim { m.modelDim = modelDim; if hiddenDim == nil && fresh { m.hiddenDim = 4 * modelDim } }
        if let numHeads { m.numHeads = numHeads }
        if let numLayers { m.numEncoderLayers = numLayers; m.numDecoderLayers = numLayers }
        if let hiddenDim { m.hiddenDim = hiddenDim }
        if let dropout { m.dropout = dropout }
        if let bias { m.bias = bias }
        if let normPlacement { m.normPlacement = normPlacement }
        if let activation { m.activation = activation }
        if let positions { m.positions = positions }
    }
}

/// The attention mechanism and its settings (both families; FAVOR+ settings: language model).
struct AttentionOptions: ParsableArguments {
    @Option(help: .glossary("attention")) var attention: AttentionKind?
    @Option(help: .glossary("position-bias")) var positionBias: PositionBias?
    @Option(parsing: .unconditional, help: .glossary("position-buckets")) var positionBuckets: Int?
    @Option(parsing: .unconditional, help: .glossary("position-max-distance")) var positionMaxDistance: Int?
    @Option(help: .glossary("dot-product")) var dotProduct: Bool?
    @Option(parsing: .unconditional, help: .glossary("favor-features")) var favorFeatures: Int?
    @Option(parsing: .unconditional, help: .glossary("favor-seed")) var favorSeed: UInt64?
    @Option(help: .glossary("favor-redraw")) var favorRedraw: Bool?
    @Option(help: .glossary("rotary")) var rotary: Bool?
    @Option(parsing: .unconditional, help: .glossary("key-dim")) var keyDim: Int?

    var given: [String] {
        givenFlags([("attention", attention), ("position-bias", positionBias), ("position-buckets", positionBuckets),
                    ("position-max-distance", positionMaxDistance), ("dot-product", dotProduct), ("favor-features", favorFeatures),
                    ("favor-seed", favorSeed), ("favor-redraw", favorRedraw), ("rotary", rotary), ("key-dim", keyDim)])
    }

    func apply(to m: inout ModelConfig) {
        if let attention { m.attention = attention }
        if let positionBias { m.positionBias = positionBias }
        if let positionBuckets { m.positionBuckets = positionBuckets }
        if let positionMaxDistance { m.positionMaxDistance = positionMaxDistance }
        if let dotProduct { m.dotProduct = dotProduct }
        if let favorFeatures { m.favorFeatures = favorFeatures }
        if let favorSeed { m.favorSeed = favorSeed }
        if let favorRedraw { m.favorRedraw = favorRedraw }
        if let rotary { m.rotary = rotary }
    }

    /// --attention sets every role; the role flags (EncoderDecoderOptions) come after it.
    func apply(to m: inout EncoderDecoderConfig) {
        if let attention { m.encoderAttention = attention; m.decoderAttention = attention; m.crossAttention = attention }
        if let positionBias { m.positionBias = positionBias }
        if let positionBuckets { m.positionBuckets = positionBuckets }
        if let positionMaxDistance { m.positionMaxDistance = positionMaxDistance }
        if let dotProduct { m.dotProduct = dotProduct }
        if let rotary { m.rotary = rotary }
        if let keyDim { m.keyDim = keyDim }
    }
}

/// The encoder–decoder's own shape: layers per side, length limit, attention kind per role.
struct EncoderDecoderOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: .glossary("num-encoder-layers")) var numEncoderLayers: Int?
    @Option(parsing: .unconditional, help: .glossary("num-decoder-layers")) var numDecoderLayers: Int?
    @Option(parsing: .unconditional, help: .glossary("max-length")) var maxLength: Int?
    @Option(help: .glossary("encoder-attention")) var encoderAttention: AttentionKind?
    @Option(help: .glossary("decoder-attention")) var decoderAttention: AttentionKind?
    @Option(help: .glossary("cross-attention")) var crossAttention: AttentionKind?

    var given: [String] {
        givenFlags([("num-encoder-layers", numEncoderLayers), ("num-decoder-layers", numDecoderLayers), ("max-length", maxLength),
                    ("encoder-attention", encoderAttention), ("decoder-attention", decoderAttention), ("cross-attention", crossAttention)])
    }

    func apply(to m: inout EncoderDecoderConfig) {
        if let numEncoderLayers { m.numEncoderLayers = numEncoderLayers }
        if let numDecoderLayers { m.numDecoderLayers = numDecoderLayers }
        if let maxLength { m.maxLength = maxLength }
        if let encoderAttention { m.encoderAttention = encoderAttention }
        if let decoderAttention { m.decoderAttention = decoderAttention }
        if let crossAttention { m.crossAttention = crossAttention }
    }
}

/// Batches, schedule, optimizer, loss, seed and arithmetic.
struct OptimisationOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: .glossary("batch-size")) var batchSize: Int?
    @Option(parsing: .unconditional, help: .glossary("batch-tokens")) var batchTokens: Int?
    @Option(parsing: .unconditional, help: .glossary("max-steps")) var maxSteps: Int?
    @Option(parsing: .unconditional, help: .glossary("learning-rate")) var learningRate: Float?
    @Option(parsing: .unconditional, help: .glossary("min-learning-rate")) var minLearningRate: Float?
    @Option(parsing: .unconditional, help: .glossary("learning-rate-scale")) var learningRateScale: Float?
    @Option(parsing: .unconditional, help: .glossary("warmup-steps")) var warmupSteps: Int?
    @Option(parsing: .unconditional, help: .glossary("decay-steps")) var decaySteps: Int?
    @Option(parsing: .unconditional, help: .glossary("weight-decay")) var weightDecay: Float?
    @Option(parsing: .unconditional, help: .glossary("beta1")) var beta1: Float?
    @Option(parsing: .unconditional, help: .glossary("beta2")) var beta2: Float?
    @Option(parsing: .unconditional, help: .glossary("grad-clip")) var gradClip: Float?
    @Option(parsing: .unconditional, help: .glossary("label-smoothing")) var labelSmoothing: Float?
    @Option(parsing: .unconditional, help: .glossary("seed")) var seed: UInt64?
    @Option(help: .glossary("precision")) var precision: MatrixPrecision?

    var given: [String] {
        givenFlags([("batch-size", batchSize), ("batch-tokens", batchTokens), ("max-steps", maxSteps), ("learning-rate", learningRate),
                    ("min-learning-rate", minLearningRate), ("learning-rate-scale", learningRateScale), ("warmup-steps", warmupSteps),
                    ("decay-steps", decaySteps), ("weight-decay", weightDecay), ("beta1", beta1), ("beta2", beta2),
                    ("grad-clip", gradClip), ("label-smoothing", labelSmoothing), ("seed", seed), ("precision", precision)])
    }

    func apply(to t: inout TrainConfig, fresh: Bool) {
        if let batchSize { t.batchSize = batchSize }
        if let maxSteps { t.maxSteps = maxSteps; if decaySteps == nil && fresh { t.decaySteps = maxSteps } }
        if let learningRate { t.learningRate = learningRate }
        if let minLearningRate { t.minLearningRate = minLearningRate }
        if let warmupSteps { t.warmupSteps = warmupSteps }
        if let decaySteps { t.decaySteps = decaySteps }
        if let weightDecay { t.weightDecay = weightDecay }
        if let beta1 { t.beta1 = beta1 }
        if let beta2 { t.beta2 = beta2 }
        if let gradClip { t.gradClip = gradClip }
        if let seed { t.seed = seed }
        if let precision { t.precision = precision }
    }

    func apply(to t: inout TranslationTrainConfig) {
        if let batchTokens { t.batchTokens = batchTokens }
        if let maxSteps { t.maxSteps = maxSteps }
        if let warmupSteps { t.warmupSteps = warmupSteps }
        if let learningRateScale { t.learningRateScale = learningRateScale }
        if let labelSmoothing { t.labelSmoothing = labelSmoothing }
        if let beta1 { t.beta1 = beta1 }
        if let beta2 { t.beta2 = beta2 }
        if let gradClip { t.gradClip = gradClip }
        if let seed { t.seed = seed }
        if let precision { t.precision = precision }
    }
}

/// Validation passes, checkpoints and the time budget.
struct CheckpointOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: .glossary("eval-interval")) var evalInterval: Int?
    @Option(parsing: .unconditional, help: .glossary("eval-batches")) var evalBatches: Int?
    @Option(parsing: .unconditional, help: .glossary("eval-bleu")) var evalBleu: Int?
    @Option(parsing: .unconditional, help: .glossary("checkpoint-interval")) var checkpointInterval: Int?
    @Option(parsing: .unconditional, help: .glossary("keep-checkpoints")) var keepCheckpoints: Int?
    @Option(parsing: .unconditional, help: .glossary("time-limit")) var timeLimit: Double?

    var given: [String] {
        givenFlags([("eval-interval", evalInterval), ("eval-batches", evalBatches), ("eval-bleu", evalBleu), ("checkpoint-interval", checkpointInterval),
                    ("keep-checkpoints", keepCheckpoints), ("time-limit", timeLimit)])
    }

    func apply(to t: inout TrainConfig, fresh: Bool) {
        if let evalInterval { t.evalInterval = evalInterval; if checkpointInterval == nil && fresh { t.checkpointInterval = evalInterval } }
        if let evalBatches { t.evalBatches = evalBatches }
        if let checkpointInterval { t.checkpointInterval = checkpointInterval }
    }

    func apply(to t: inout TranslationTrainConfig, fresh: Bool) {
        if let evalInterval { t.evalInterval = evalInterval; if checkpointInterval == nil && fresh { t.checkpointInterval = evalInterval } }
        if let checkpointInterval { t.checkpointInterval = checkpointInterval }
        if let keepCheckpoints { t.keepCheckpoints = keepCheckpoints }
        if let timeLimit { t.timeLimitMinutes = timeLimit }
        if let evalBleu { t.evalBleu = evalBleu }
    }
}
