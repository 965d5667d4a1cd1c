import AttendNN

/// Shape of an encoder–decoder Transformer; field names are the glossary shared with JSON and CLI
/// flags (`numEncoderLayers` ↔ `--num-encoder-layers`).
public struct EncoderDecoderConfig: Codable, Equatable, Sendable {
    /// Size of the joint source/target vocabulary (one embedding shared by both sides and the output).
    public var vocabSize: Int
    /// Longest source or target sequence in tokens (size of the sinusoidal position table).
    public var maxLength: Int
    /// Width of the residual stream (the paper's d_model).
    public var modelDim: Int
    /// Number of attention heads (modelDim must be divisible by it).
    public var numHeads: Int
    /// Number of encoder blocks.
    public var numEncoderLayers: Int
    /// Number of decoder blocks.
    public var numDecoderLayers: Int
    /// Feed-forward inner width (the paper's d_ff; default 4·modelDim).
    public var hiddenDim: Int
    /// Dropout on embeddings + positions and on every sub-layer output (the paper's P_drop).
    public var dropout: Float
    /// Biases in Linear and LayerNorm layers (the paper and `nn.Transformer` have them).
    public var bias: Bool
    /// Post-LN (the paper, default) or pre-LN (adds a final layer norm to encoder and decoder).
    public var normPlacement: NormPlacement
    /// Attention kind of the encoder self-attention.
    public var encoderAttention: AttentionKind
    /// Attention kind of the decoder causal self-attention.
    public var decoderAttention: AttentionKind
    /// Attention from the decoder stream to the encoder output.
    public var crossAttention: AttentionKind
    /// Non-linearity of the feed-forward network (ReLU in the paper).
    public var activation: Activation
    /// Token id used for padding (ignored by the loss, masked as a key).
    public var padID: Int32
    /// Token id that starts every target sequence.
    public var bosID: Int32
    /// Token id that ends every source and target sequence.
    public var eosID: Int32

    /// A configuration; defaults are the Tatoeba preset (width 256, 4 heads, 3+3 layers, FFN 4·width, dropout 0.1, post-LN, softmax attention, ReLU, BPE special ids).
    public init(vocabSize: Int, maxLength: Int = 256, modelDim: Int = 256, numHeads: Int = 4,
                numEncoderLayers: Int = 3, numDecoderLayers: Int = 3, hiddenDim: Int? = nil, dropout: Float = 0.1,
                bias: Bool = true, normPlacement: NormPlacement = .post, encoderAttention: AttentionKind = .softmax,
                decoderAttention: AttentionKind = .softmax, crossAttention: AttentionKind = .softmax,
                activation: Activation = .relu, padID: Int32 = 0, bosID: Int32 = 1, eosID: Int32 = 2) {
        self.vocabSize = vocabSize
        self.maxLength = maxLength
        self.modelDim = modelDim
        self.numHeads = numHeads
        self.numEncoderLayers = numEncoderLayers
        self.numDecoderLayers = numDecoderLayers
        self.hiddenDim = hiddenDim ?? 4 * modelDim
        self.dropout = dropout
        self.bias = bias
        self.normPlacement = normPlacement
        self.encoderAttention = encoderAttention
        self.decoderAttention = decoderAttention
        self.crossAttention = crossAttention
        self.activation = activation
        self.padID = padID
        self.bosID = bosID
        self.eosID = eosID
    }

    /// Checks sizes; the error names the field and what is allowed.
    /// Kinds that can attend over a padded source: encoder self-attention and cross-attention.
    public static let sourceAttentionKinds: [AttentionKind] = [.softmax, .linear, .linearRelu, .linearFavor]
    /// Kinds for the decoder's causal self-attention (they need a step form for decoding).
    public static let decoderAttentionKinds: [AttentionKind] = sourceAttentionKinds + [.correlation]

    public func validate() throws {
        for (name, value) in [("vocabSize", vocabSize), ("maxLength", maxLength), ("modelDim", modelDim), ("numHeads", numHeads),
                              ("numEncoderLayers", numEncoderLayers), ("numDecoderLayers", numDecoderLayers),
                              ("hiddenDim", hiddenDim)] where value <= 0 {
            throw ConfigError.invalid(field: name, message: "must be a positive integer, got \(value)")
        }
        if modelDim % numHeads != 0 {
            throw ConfigError.invalid(field: "numHeads", message: "must divide modelDim (\(modelDim)); \(numHeads) does not — try a divisor such as \(ModelConfig.divisors(of: modelDim).map(String.init).joined(separator: ", "))")
        }
        if modelDim % 2 != 0 {
            throw ConfigError.invalid(field: "modelDim", message: "must be even for sinusoidal positions, got \(modelDim)")
        }
        if !(dropout >= 0 && dropout < 1) {
            throw ConfigError.invalid(field: "dropout", message: "must be in [0, 1), got \(dropout)")
        }
        let sourceKinds = Self.sourceAttentionKinds.map(\.rawValue).joined(separator: ", ")
        for (field, kind) in [("encoderAttention", encoderAttention), ("crossAttention", crossAttention)]
        where !Self.sourceAttentionKinds.contains(kind) {
            throw ConfigError.invalid(field: field, message: "\(kind.rawValue) cannot attend over a padded source (correlation attention is causal self-attention only; the as-written form mixes padded positions and sentences) — use one of \(sourceKinds)")
        }
        if !Self.decoderAttentionKinds.contains(decoderAttention) {
            throw ConfigError.invalid(field: "decoderAttention", message: "\(decoderAttention.rawValue) reads future target tokens and has no step form for decoding — use one of \(Self.decoderAttentionKinds.map(\.rawValue).joined(separator: ", "))")
        }
        for (name, id) in [("padID", padID), ("bosID", bosID), ("eosID", eosID)] where id < 0 || Int(id) >= vocabSize {
            throw ConfigError.invalid(field: name, message: "must be a token id below vocabSize (\(vocabSize)), got \(id)")
        }
    }
}
