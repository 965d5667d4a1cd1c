import Foundation
import AttendNN

/// Shape of a decoder-only language model; field names are the glossary shared with JSON and CLI flags.
public struct ModelConfig: Codable, Equatable, Sendable {
    /// Number of distinct token ids: rows of the token embedding and width of the logits.
    public var vocabSize: Int
    /// Longest sequence the model takes, in tokens (rows of the learned position table).
    public var contextLength: Int
    /// Width of the residual stream and the embeddings (d_model); a multiple of `numHeads`.
    public var modelDim: Int
    /// Attention heads per layer; each head has modelDim / numHeads dimensions.
    public var numHeads: Int
    /// Number of Transformer blocks.
    public var numLayers: Int
    /// Feed-forward inner width (default 4·modelDim).
    public var hiddenDim: Int
    /// Dropout probability in [0, 1) on the embeddings and on every sub-layer's output, in training only (0 = none).
    public var dropout: Float
    /// Biases in Linear and LayerNorm layers (nanoGPT's `bias`).
    public var bias: Bool
    /// Output projection shares the token-embedding matrix.
    public var tieWeights: Bool
    /// Whether layer normalisation comes before each sub-layer (pre-LN, GPT-2) or after the residual sum (post-LN).
    public var normPlacement: NormPlacement
    /// Non-linearity of the feed-forward networks.
    public var activation: Activation
    /// Absolute positions added to the token embeddings: a learned table, or none (for a model whose
    /// attention carries relative positions).
    public var positions: AbsolutePositions = .learned
    /// Every attention layer's mechanism and settings; in JSON its keys sit beside the others
    /// (`attention`, `positionBias`, `rotary`, …), and the properties below read and write it.
    public var attentionSpec: AttentionSpec

    /// Attention mechanism of every layer.
    public var attention: AttentionKind { get { attentionSpec.kind } set { attentionSpec.kind = newValue } }
    /// Relative-position score bias in every softmax attention layer (T5, ALiBi, Wang & E 2024).
    public var positionBias: PositionBias { get { attentionSpec.positionBias } set { attentionSpec.positionBias = newValue } }
    /// T5 bucket count.
    public var positionBuckets: Int { get { attentionSpec.positionBuckets } set { attentionSpec.positionBuckets = newValue } }
    /// Lag where T5's log-spaced buckets end.
    public var positionMaxDistance: Int { get { attentionSpec.positionMaxDistance } set { attentionSpec.positionMaxDistance = newValue } }
    /// false: W_Q = W_K = 0, attention scores from the position bias alone (dot-product-free).
    public var dotProduct: Bool { get { attentionSpec.dotProduct } set { attentionSpec.dotProduct = newValue } }
    /// FAVOR+ random features per head (`linear-favor`).
    public var favorFeatures: Int { get { attentionSpec.favorFeatures } set { attentionSpec.favorFeatures = newValue } }
    /// Seed of the FAVOR+ random directions.
    public var favorSeed: UInt64 { get { attentionSpec.favorSeed } set { attentionSpec.favorSeed = newValue } }
    /// Redraw the FAVOR+ directions for every forward pass and every generated sequence.
    public var favorRedraw: Bool { get { attentionSpec.favorRedraw } set { attentionSpec.favorRedraw = newValue } }
    /// Rotary position embeddings on queries and keys (RoPE, Su et al. 2021).
    public var rotary: Bool { get { attentionSpec.rotary } set { attentionSpec.rotary = newValue } }

    /// A configuration with the given sizes; `hiddenDim` defaults to 4·modelDim, the attention settings other
    /// than `attention` to those of `AttentionSpec(kind:)`, and `positions` to `.learned`. Call `validate()` to check it.
    public init(vocabSize: Int, contextLength: Int, modelDim: Int, numHeads: Int, numLayers: Int,
                hiddenDim: Int? = nil, dropout: Float = 0, bias: Bool = false, tieWeights: Bool = true,
                normPlacement: NormPlacement = .pre, attention: AttentionKind = .softmax, activation: Activation = .gelu) {
        self.vocabSize = vocabSize
        self.contextLength = contextLength
        self.modelDim = modelDim
        self.numHeads = numHeads
        self.numLayers = numLayers
        self.hiddenDim = hiddenDim ?? 4 * modelDim
        self.dropout = dropout
        self.bias = bias
        self.tieWeights = tieWeights
        self.normPlacement = normPlacement
        self.attentionSpec = AttentionSpec(kind: attention)
        self.activation = activation
    }

    /// Checks sizes; the error names the field and what is allowed.
    public func validate() throws {
        for (name, value) in [("vocabSize", vocabSize), ("contextLength", contextLength), ("modelDim", modelDim),
                              ("numHeads", numHeads), ("numLayers", numLayers), ("hiddenDim", hiddenDim)] where value <= 0 {
            throw ConfigError.invalid(field: name, message: "must be a positive integer, got \(value)")
        }
        if modelDim % numHeads != 0 {
            throw ConfigError.invalid(field: "numHeads", message: "must divide modelDim (\(modelDim)); \(numHeads) does not — try a divisor such as \(Self.divisors(of: modelDim).map(String.init).joined(separator: ", "))")
        }
        if !(dropout >= 0 && dropout < 1) {
            throw ConfigError.invalid(field: "dropout", message: "must be in [0, 1), got \(dropout)")
        }
        if positions == .sinusoidal {
            throw ConfigError.invalid(field: "positions", message: "sinusoidal positions are an encoder–decoder option; the decoder-only model takes learned or none")
        }
        do { try attentionSpec.validate(as: .languageModel, headDim: modelDim / numHeads) } catch let e as AttentionSpecError {
            throw ConfigError.invalid(field: e.field, message: e.message)
        }
        let d = Double(modelDim), h = Double(hiddenDim)
        let parameters = Double(vocabSize) * d * 2 + Double(contextLength) * d + Double(numLayers) * (4 * d * d + 2 * d * h)
        try Self.checkMemory(parameters: parameters)
    }

    /// Refuses a model whose weights, gradients and two Adam moments (16 bytes per parameter) would
    /// not fit in this machine's memory, before anything is allocated (sizes from a mistyped flag or a
    /// damaged config.json must not end in an out-of-memory kill).
    public static func checkMemory(parameters: Double, memory: Double = Double(ProcessInfo.processInfo.physicalMemory)) throws {
        let needed = parameters * 16
        guard needed > memory else { return }
        throw ConfigError.invalid(field: "modelDim", message: String(
            format: "a model of ~%.3g parameters needs ~%.1f GiB for weights, gradients and Adam moments, more than this machine's %.1f GiB; choose a smaller modelDim, hiddenDim, numLayers, contextLength or vocabulary",
            parameters, needed / 1_073_741_824, memory / 1_073_741_824))
    }

    static func divisors(of n: Int) -> [Int] { (1...min(n, 64)).filter { n % $0 == 0 }.suffix(5) }
}

extension ModelConfig {
    enum CodingKeys: String, CodingKey {
        case vocabSize, contextLength, modelDim, numHeads, numLayers, hiddenDim, dropout, bias, tieWeights, normPlacement,
             activation, positions
    }

    /// Decodes a config.json; keys added after the first release (positions, relative-position bias,
    /// dot product, FAVOR+ settings, rotary) are optional and default to plain attention, so older run
    /// folders still load. The attention keys are decoded by `AttentionSpec`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(vocabSize: try c.decode(Int.self, forKey: .vocabSize), contextLength: try c.decode(Int.self, forKey: .contextLength),
                  modelDim: try c.decode(Int.self, forKey: .modelDim), numHeads: try c.decode(Int.self, forKey: .numHeads),
                  numLayers: try c.decode(Int.self, forKey: .numLayers), hiddenDim: try c.decode(Int.self, forKey: .hiddenDim),
                  dropout: try c.decode(Float.self, forKey: .dropout), bias: try c.decode(Bool.self, forKey: .bias),
                  tieWeights: try c.decode(Bool.self, forKey: .tieWeights),
                  normPlacement: try c.decode(NormPlacement.self, forKey: .normPlacement),
                  activation: try c.decode(Activation.self, forKey: .activation))
        positions = try c.decodeIfPresent(AbsolutePositions.self, forKey: .positions) ?? .learned
        attentionSpec = try AttentionSpec(from: decoder)
    }

    /// Encodes the fields and the attention spec's keys side by side (one flat JSON object).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(vocabSize, forKey: .vocabSize)
        try c.encode(contextLength, forKey: .contextLength)
        try c.encode(modelDim, forKey: .modelDim)
        try c.encode(numHeads, forKey: .numHeads)
        try c.encode(numLayers, forKey: .numLayers)
        try c.encode(hiddenDim, forKey: .hiddenDim)
        try c.encode(dropout, forKey: .dropout)
        try c.encode(bias, forKey: .bias)
        try c.encode(tieWeights, forKey: .tieWeights)
        try c.encode(normPlacement, forKey: .normPlacement)
        try c.encode(activation, forKey: .activation)
        try c.encode(positions, forKey: .positions)
        try attentionSpec.encode(to: encoder)
    }
}

/// Absolute position information added to the token embeddings.
public enum AbsolutePositions: String, Codable, CaseIterable, Sendable {
    /// A learned table [contextLength, modelDim] (GPT-2; decoder-only models).
    case learned
    /// The fixed sin/cos table of Vaswani et al. (2017, §3.5) (encoder–decoder models).
    case sinusoidal
    /// None: the model sees order only through causal masking and any relative-position bias (both
    /// model types).
    case none
}

/// A configuration value that cannot work.
public enum ConfigError: Error, CustomStringConvertible, Equatable {
    /// Thrown by a configuration's `validate()` (model, encoder–decoder or training) when a value cannot work:
    /// `field` names the configuration field and `message` says what is allowed.
    case invalid(field: String, message: String)

    public var description: String {
        switch self {
        case let .invalid(field, message): return "invalid \(field): \(message)"
        }
    }
}
