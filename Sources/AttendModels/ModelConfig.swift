import AttendNN

/// Shape of a decoder-only language model; field names are the glossary shared with JSON and CLI flags.
public struct ModelConfig: Codable, Equatable, Sendable {
    public var vocabSize: Int
    public var contextLength: Int
    public var modelDim: Int
    public var numHeads: Int
    public var numLayers: Int
    /// Feed-forward inner width (default 4·modelDim).
    public var hiddenDim: Int
    public var dropout: Float
    /// Biases in Linear and LayerNorm layers (nanoGPT's `bias`).
    public var bias: Bool
    /// Output projection shares the token-embedding matrix.
    public var tieWeights: Bool
    public var normPlacement: NormPlacement
    public var attention: AttentionKind
    public var activation: Activation
    /// Absolute positions added to the token embeddings: a learned table, or none (for a model whose
    /// attention carries relative positions).
    public var positions: AbsolutePositions = .learned
    /// Relative-position score bias in every softmax attention layer (T5, ALiBi, Wang & E 2024).
    public var positionBias: PositionBias = .none
    /// T5 bucket count.
    public var positionBuckets = 32
    /// Lag where T5's log-spaced buckets end.
    public var positionMaxDistance = 128
    /// false: W_Q = W_K = 0, attention scores from the position bias alone (dot-product-free).
    public var dotProduct = true
    /// FAVOR+ random features per head (`linear-favor`).
    public var favorFeatures = 64
    /// Seed of the FAVOR+ random directions.
    public var favorSeed: UInt64 = 0
    /// Redraw the FAVOR+ directions for every forward pass and every generated sequence.
    public var favorRedraw = false

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
        self.attention = attention
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
        try validateAttentionSettings()
    }

    /// Checks the relative-position, dot-product and FAVOR+ fields against the attention kind.
    func validateAttentionSettings() throws {
        if positionBias != .none && attention != .softmax {
            throw ConfigError.invalid(field: "positionBias", message: "\(positionBias.rawValue) is an additive softmax score bias and cannot be combined with \(attention.rawValue) attention — use --attention softmax, or --position-bias none")
        }
        if !dotProduct && positionBias == .none {
            throw ConfigError.invalid(field: "dotProduct", message: "false needs a position bias (the scores come from it alone; without one every key weighs the same) — add --position-bias log-type, lin-type, t5 or alibi, or use --dot-product true")
        }
        if positionBias == .t5 || positionBias == .t5Bidirectional {
            if positionBuckets < 4 {
                throw ConfigError.invalid(field: "positionBuckets", message: "must be at least 4, got \(positionBuckets)")
            }
            if positionMaxDistance <= positionBuckets / 2 {
                throw ConfigError.invalid(field: "positionMaxDistance", message: "must exceed positionBuckets / 2 = \(positionBuckets / 2) (the exact buckets), got \(positionMaxDistance)")
            }
        }
        if favorFeatures <= 0 {
            throw ConfigError.invalid(field: "favorFeatures", message: "must be a positive integer, got \(favorFeatures)")
        }
    }

    /// The attention-layer options these fields describe.
    public var attentionSettings: AttentionSettings {
        AttentionSettings(positionBias: positionBias, positionBuckets: positionBuckets, positionMaxDistance: positionMaxDistance,
                          dotProduct: dotProduct, favorFeatures: favorFeatures, favorSeed: favorSeed, favorRedraw: favorRedraw)
    }

    static func divisors(of n: Int) -> [Int] { (1...min(n, 64)).filter { n % $0 == 0 }.suffix(5) }
}

extension ModelConfig {
    /// Decodes a config.json; keys added after the first release (positions, relative-position bias,
    /// dot product, FAVOR+ settings) are optional and default to plain attention, so older run
    /// folders still load.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(vocabSize: try c.decode(Int.self, forKey: .vocabSize), contextLength: try c.decode(Int.self, forKey: .contextLength),
                  modelDim: try c.decode(Int.self, forKey: .modelDim), numHeads: try c.decode(Int.self, forKey: .numHeads),
                  numLayers: try c.decode(Int.self, forKey: .numLayers), hiddenDim: try c.decode(Int.self, forKey: .hiddenDim),
                  dropout: try c.decode(Float.self, forKey: .dropout), bias: try c.decode(Bool.self, forKey: .bias),
                  tieWeights: try c.decode(Bool.self, forKey: .tieWeights),
                  normPlacement: try c.decode(NormPlacement.self, forKey: .normPlacement),
                  attention: try c.decode(AttentionKind.self, forKey: .attention),
                  activation: try c.decode(Activation.self, forKey: .activation))
        positions = try c.decodeIfPresent(AbsolutePositions.self, forKey: .positions) ?? .learned
        positionBias = try c.decodeIfPresent(PositionBias.self, forKey: .positionBias) ?? .none
        positionBuckets = try c.decodeIfPresent(Int.self, forKey: .positionBuckets) ?? 32
        positionMaxDistance = try c.decodeIfPresent(Int.self, forKey: .positionMaxDistance) ?? 128
        dotProduct = try c.decodeIfPresent(Bool.self, forKey: .dotProduct) ?? true
        favorFeatures = try c.decodeIfPresent(Int.self, forKey: .favorFeatures) ?? 64
        favorSeed = try c.decodeIfPresent(UInt64.self, forKey: .favorSeed) ?? 0
        favorRedraw = try c.decodeIfPresent(Bool.self, forKey: .favorRedraw) ?? false
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
    case invalid(field: String, message: String)

    public var description: String {
        switch self {
        case let .invalid(field, message): return "invalid \(field): \(message)"
        }
    }
}
