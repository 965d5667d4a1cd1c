import AttendNN

/// Shape of an encoder–decoder Transformer; field names are the glossary shared with JSON and CLI
/// flags (`numEncoderLayers` ↔ `--num-encoder-layers`).
public struct EncoderDecoderConfig: Codable, Equatable, Sendable {
    /// Size of the joint source/target vocabulary (one embedding shared by both sides and the output).
    public var vocabSize: Int
    /// Longest source or target sequence in tokens (size of the sinusoidal position table; still the
    /// length limit when `positions` is `.none`).
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
    /// Absolute positions added to the token embeddings: `.sinusoidal` (the paper, §3.5) or `.none`
    /// (order then comes only from `positionBias`; `.learned` is a decoder-only option).
    public var positions: AbsolutePositions = .sinusoidal
    /// Relative-position score bias in both self-attention roles (softmax only). The encoder gets the
    /// bidirectional variant — `.t5` becomes T5's bidirectional buckets, log-/lin-type and ALiBi use the
    /// symmetric lag τ = |t − s| + 1 — and the decoder the causal one. Cross-attention never has one:
    /// source and target positions are two different sequences, so "how far apart" a target token
    /// and a source token are is not defined (the paper's and T5's cross-attention have no bias either).
    public var positionBias: PositionBias = .none
    /// T5 bucket count (encoder and decoder self-attention).
    public var positionBuckets = 32
    /// Lag where T5's log-spaced buckets end.
    public var positionMaxDistance = 128
    /// false: W_Q = W_K = 0 in the encoder and decoder self-attention, whose scores then come from the
    /// position bias alone (dot-product-free, Wang & E 2024). Cross-attention always keeps its dot
    /// product: with no relative position between source and target, a bias-only cross-attention
    /// would weigh every source token the same and the decoder could not read the source.
    public var dotProduct = true

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
        if positions == .sinusoidal && modelDim % 2 != 0 {
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
        try validatePositions()
    }

    /// Checks positions, the relative-position bias and the dot product against the attention kinds.
    func validatePositions() throws {
        if positions == .learned {
            throw ConfigError.invalid(field: "positions", message: "learned positions are a decoder-only option; the encoder–decoder model takes sinusoidal (the paper) or none (with --position-bias)")
        }
        if positionBias != .none {
            if positionBias.isBidirectionalOnly {
                throw ConfigError.invalid(field: "positionBias", message: "\(positionBias.rawValue) would put bidirectional buckets in the causal decoder — use t5: the encoder gets T5's bidirectional buckets and the decoder the causal ones")
            }
            for (role, kind) in [("encoderAttention", encoderAttention), ("decoderAttention", decoderAttention)] where kind != .softmax {
                throw ConfigError.invalid(field: "positionBias", message: "\(positionBias.rawValue) is an additive softmax score bias in the encoder and decoder self-attention, but \(role) is \(kind.rawValue) — use softmax there (--\(role == "encoderAttention" ? "encoder" : "decoder")-attention softmax), or --position-bias none")
            }
        }
        if !dotProduct && positionBias == .none {
            throw ConfigError.invalid(field: "dotProduct", message: "false needs a position bias (the self-attention scores come from it alone; without one every key weighs the same) — add --position-bias log-type, lin-type, t5 or alibi, or use --dot-product true")
        }
        if positions == .none && positionBias == .none {
            throw ConfigError.invalid(field: "positions", message: "none without a position bias leaves the encoder blind to word order (its self-attention is permutation-invariant) — add --position-bias log-type, lin-type, t5 or alibi, or use --positions sinusoidal")
        }
        if positionBias == .t5 {
            if positionBuckets < 4 {
                throw ConfigError.invalid(field: "positionBuckets", message: "must be at least 4, got \(positionBuckets)")
            }
            if positionMaxDistance <= positionBuckets / 2 {
                throw ConfigError.invalid(field: "positionMaxDistance", message: "must exceed positionBuckets / 2 = \(positionBuckets / 2) (the exact buckets), got \(positionMaxDistance)")
            }
        }
    }

    /// Settings of the encoder self-attention: the bidirectional variant of `positionBias`.
    public var encoderAttentionSettings: AttentionSettings {
        AttentionSettings(positionBias: positionBias == .t5 ? .t5Bidirectional : positionBias, positionBuckets: positionBuckets,
                          positionMaxDistance: positionMaxDistance, dotProduct: dotProduct)
    }

    /// Settings of the decoder self-attention: the causal variant of `positionBias`.
    public var decoderAttentionSettings: AttentionSettings {
        AttentionSettings(positionBias: positionBias, positionBuckets: positionBuckets, positionMaxDistance: positionMaxDistance,
                          dotProduct: dotProduct)
    }
}

extension EncoderDecoderConfig {
    /// Decodes a config (config.json or a checkpoint's `modelConfig`); keys added after the first
    /// release (positions, position bias, dot product) are optional and default to the paper's
    /// model, so older run folders and checkpoints still load.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(vocabSize: try c.decode(Int.self, forKey: .vocabSize), maxLength: try c.decode(Int.self, forKey: .maxLength),
                  modelDim: try c.decode(Int.self, forKey: .modelDim), numHeads: try c.decode(Int.self, forKey: .numHeads),
                  numEncoderLayers: try c.decode(Int.self, forKey: .numEncoderLayers),
                  numDecoderLayers: try c.decode(Int.self, forKey: .numDecoderLayers),
                  hiddenDim: try c.decode(Int.self, forKey: .hiddenDim), dropout: try c.decode(Float.self, forKey: .dropout),
                  bias: try c.decode(Bool.self, forKey: .bias), normPlacement: try c.decode(NormPlacement.self, forKey: .normPlacement),
                  encoderAttention: try c.decode(AttentionKind.self, forKey: .encoderAttention),
                  decoderAttention: try c.decode(AttentionKind.self, forKey: .decoderAttention),
                  crossAttention: try c.decode(AttentionKind.self, forKey: .crossAttention),
                  activation: try c.decode(Activation.self, forKey: .activation), padID: try c.decode(Int32.self, forKey: .padID),
                  bosID: try c.decode(Int32.self, forKey: .bosID), eosID: try c.decode(Int32.self, forKey: .eosID))
        positions = try c.decodeIfPresent(AbsolutePositions.self, forKey: .positions) ?? .sinusoidal
        positionBias = try c.decodeIfPresent(PositionBias.self, forKey: .positionBias) ?? .none
        positionBuckets = try c.decodeIfPresent(Int.self, forKey: .positionBuckets) ?? 32
        positionMaxDistance = try c.decodeIfPresent(Int.self, forKey: .positionMaxDistance) ?? 128
        dotProduct = try c.decodeIfPresent(Bool.self, forKey: .dotProduct) ?? true
    }
}
