import Foundation
import AttendNN

/// Shape of an encoder–decoder Transformer; field names are the glossary shared with JSON and CLI
/// flags (`numEncoderLayers` ↔ `--num-encoder-layers`).
public struct EncoderDecoderConfig: Codable, Equatable, Sendable {
    /// Size of the joint source/target vocabulary (one embedding shared by both sides and the output).
    public var vocabSize: Int
    /// Longest source or target sequence in tokens (rows of the sinusoidal or learned position tables;
    /// still the length limit when `positions` is `.none`).
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
    /// Absolute positions added to the token embeddings: `.sinusoidal` (the paper, §3.5), `.learned`
    /// (trained tables [maxLength, modelDim], one for the encoder and one for the decoder — the paper's
    /// Table 3 row (E), "positional embedding instead of sinusoids"; see `EncoderDecoder`) or `.none`
    /// (order then comes only from `positionBias` or `rotary`).
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
    /// Rotary position embeddings (RoPE, Su et al. 2021) on the queries and keys of the encoder and
    /// decoder self-attention (for linear kinds on their features). Cross-attention has none, for the
    /// reason it has no position bias.
    public var rotary = false
    /// Query and key width per head, the paper's d_k (Table 3 row (B) varies it alone), in every
    /// attention of the model: encoder self-attention, decoder self-attention and cross-attention
    /// project queries and keys to numHeads·keyDim and values to modelDim (d_v = modelDim / numHeads
    /// unchanged), and softmax scores are scaled by 1/√keyDim. nil (the default, JSON key absent) is
    /// modelDim / numHeads. Every kind an encoder–decoder role can take handles keys narrower or wider
    /// than values: softmax (flash kernels, key–value cache), the linear kinds (φ(k) has keyDim features,
    /// or `favorFeatures` for FAVOR+; they have no scale), causal correlation (scale 1/√(keyDim·(s+1))).
    /// With `dotProduct` false the self-attentions have no queries or keys, so keyDim then shapes the
    /// cross-attention only. With `rotary`, keyDim must be even (channel pairs are rotated).
    public var keyDim: Int?

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

    /// Kinds that can attend over a padded source: encoder self-attention and cross-attention.
    public static var sourceAttentionKinds: [AttentionKind] { AttentionKind.allCases.filter { $0.capabilities.padding } }
    /// Kinds for the decoder's causal self-attention (they need a step form for decoding).
    public static var decoderAttentionKinds: [AttentionKind] {
        AttentionKind.allCases.filter { $0.capabilities.causal && $0.capabilities.recurrent }
    }

    /// The query/key width per head in effect: `keyDim`, or modelDim / numHeads when it is nil.
    public var effectiveKeyDim: Int { keyDim ?? modelDim / max(numHeads, 1) }

    /// Checks sizes; the error names the field and what is allowed.
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
        try validateKeyDim()
        for (field, spec, use) in [("encoderAttention", encoderAttentionSpec, AttentionUse.encoder),
                                   ("crossAttention", crossAttentionSpec, .cross), ("decoderAttention", decoderAttentionSpec, .decoder)] {
            do { try spec.validate(as: use, field: field, headDim: effectiveKeyDim) } catch let e as AttentionSpecError {
                throw ConfigError.invalid(field: e.field, message: e.message)
            }
        }
        for (name, id) in [("padID", padID), ("bosID", bosID), ("eosID", eosID)] where id < 0 || Int(id) >= vocabSize {
            throw ConfigError.invalid(field: name, message: "must be a token id below vocabSize (\(vocabSize)), got \(id)")
        }
        try validatePositions()
        let d = Double(modelDim), h = Double(hiddenDim), keys = Double(numHeads * effectiveKeyDim)
        // Per attention: queries and keys H·d_k rows each, values and output C rows each, of C columns.
        let attention = (2 * keys + 2 * d) * d
        let layers = Double(numEncoderLayers) * (attention + 2 * d * h) + Double(numDecoderLayers) * (2 * attention + 2 * d * h)
        let positionTables = Double(maxLength) * d * (positions == .learned ? 2 : 1)
        try ModelConfig.checkMemory(parameters: Double(vocabSize) * d * 2 + positionTables + layers)
    }

    /// Checks `keyDim`: positive, and even where rotary embeddings rotate channel pairs of the keys.
    func validateKeyDim() throws {
        guard let keyDim else { return }
        if keyDim <= 0 {
            throw ConfigError.invalid(field: "keyDim", message: "must be a positive integer (the query/key width per head, the paper's d_k), got \(keyDim); leave it out (--key-dim not given) for modelDim / numHeads")
        }
        let rotated = [encoderAttention, decoderAttention].contains { $0 != .linearFavor }
        if rotary && dotProduct && rotated && keyDim % 2 != 0 {
            throw ConfigError.invalid(field: "keyDim", message: "must be even with rotary embeddings (they rotate pairs of query/key channels), got \(keyDim) — use an even --key-dim, or --rotary false")
        }
    }

    /// Checks positions, the relative-position bias and the dot product against the attention kinds.
    func validatePositions() throws {
        if positions == .none && positionBias == .none && !rotary {
            throw ConfigError.invalid(field: "positions", message: "none without a position bias leaves the encoder blind to word order (its self-attention is permutation-invariant) — add --position-bias log-type, lin-type, t5 or alibi (or --rotary true), or use --positions sinusoidal")
        }
    }

    /// The encoder self-attention: the bidirectional variant of `positionBias` (T5's bidirectional
    /// buckets; the other biases are symmetric in the lag).
    public var encoderAttentionSpec: AttentionSpec {
        AttentionSpec(kind: encoderAttention, positionBias: positionBias == .t5 ? .t5Bidirectional : positionBias,
                      positionBuckets: positionBuckets, positionMaxDistance: positionMaxDistance, dotProduct: dotProduct, rotary: rotary)
    }

    /// The decoder self-attention: the causal variant of `positionBias`.
    public var decoderAttentionSpec: AttentionSpec {
        AttentionSpec(kind: decoderAttention, positionBias: positionBias, positionBuckets: positionBuckets,
                      positionMaxDistance: positionMaxDistance, dotProduct: dotProduct, rotary: rotary)
    }

    /// The cross-attention: plain dot-product attention of its kind (no position bias, no rotary).
    public var crossAttentionSpec: AttentionSpec { AttentionSpec(kind: crossAttention) }
}

extension EncoderDecoderConfig {
    /// Decodes a config (config.json or a checkpoint's `modelConfig`); keys added after the first
    /// release (positions, position bias, dot product, rotary, key width) are optional and default to the
    /// paper's model, so older run folders and checkpoints still load.
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
        rotary = try c.decodeIfPresent(Bool.self, forKey: .rotary) ?? false
        keyDim = try c.decodeIfPresent(Int.self, forKey: .keyDim)
    }
}
