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
    }

    static func divisors(of n: Int) -> [Int] { (1...min(n, 64)).filter { n % $0 == 0 }.suffix(5) }
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
