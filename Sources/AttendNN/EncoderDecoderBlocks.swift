import AttendKernels
import AttendTensor

/// Self-attention through a `MultiHeadAttention`'s projections with a mask that may carry key
/// padding for every kind (see `maskedAttention`): x [B, T, C] → [B, T, C]. A layer with a
/// relative-position bias (softmax only) runs its own biased mechanism, whose fused kernel takes
/// the key-padding mask directly.
func paddedSelfAttention(_ attention: MultiHeadAttention, _ x: Tensor, mask: AttentionMask) -> Tensor {
    if attention.positionBias != nil { return attention(x, mask: mask) }
    let fused = attention.qkv(x)
    let h = attention.numHeads
    let q = fused.splitHeads(numHeads: h, chunk: 0, of: 3)
    let k = fused.splitHeads(numHeads: h, chunk: 1, of: 3)
    let v = fused.splitHeads(numHeads: h, chunk: 2, of: 3)
    return attention.output(maskedAttention(kind: attention.kind, queries: q, keys: k, values: v, mask: mask).mergeHeads())
}

/// One encoder layer (Vaswani et al., 2017, §3.1): self-attention over the source (padded positions
/// masked as keys) and a feed-forward network, each in a residual connection with layer norm
/// (post-LN as in the paper, or pre-LN) and dropout on the sub-layer output.
public final class EncoderBlock: Module {
    /// Layer norm of the first sub-layer (self-attention).
    public let norm1: LayerNorm
    /// Self-attention projections (fused QKV and output).
    public let attention: MultiHeadAttention
    /// Layer norm of the second sub-layer.
    public let norm2: LayerNorm
    /// Position-wise feed-forward network.
    public let feedForward: FeedForward
    /// Post-LN (the paper) or pre-LN.
    public let placement: NormPlacement
    /// Dropout probability on sub-layer outputs (training only).
    public let dropout: Float

    /// Builds the block with weights drawn from `rng` (the encoder–decoder model re-initialises them).
    /// `settings` adds a relative-position bias (use a bidirectional one: T5's `.t5Bidirectional`,
    /// or log-/lin-type/ALiBi, which are symmetric in the lag) or dot-product-free attention; both
    /// need `kind == .softmax`.
    public init(modelDim: Int, numHeads: Int, hiddenDim: Int, attention kind: AttentionKind, settings: AttentionSettings = .init(),
                activation: Activation, bias: Bool, placement: NormPlacement, dropout: Float, rng: inout RandomGenerator) {
        norm1 = LayerNorm(modelDim, bias: bias)
        attention = MultiHeadAttention(modelDim: modelDim, numHeads: numHeads, kind: kind, bias: bias, outputStd: 0.02,
                                       settings: settings, rng: &rng)
        norm2 = LayerNorm(modelDim, bias: bias)
        feedForward = FeedForward(modelDim: modelDim, hiddenDim: hiddenDim, activation: activation, bias: bias, outputStd: 0.02, rng: &rng)
        self.placement = placement
        self.dropout = dropout
    }

    /// Sub-modules in forward order (checkpoint key prefixes).
    public var children: [(name: String, module: any Module)] {
        [("norm1", norm1), ("attention", attention), ("norm2", norm2), ("feedForward", feedForward)]
    }

    /// x [B, S, C] with `sourceLengths[b]` real positions → [B, S, C].
    public func callAsFunction(_ x: Tensor, sourceLengths: [Int32], context: ForwardContext) -> Tensor {
        let mask = AttentionMask.padding(sourceLengths)
        switch placement {
        case .pre:
            let h = x + context.dropout(paddedSelfAttention(attention, norm1(x), mask: mask), dropout)
            return h + context.dropout(feedForward(norm2(h)), dropout)
        case .post:
            let h = norm1(x + context.dropout(paddedSelfAttention(attention, x, mask: mask), dropout))
            return norm2(h + context.dropout(feedForward(h), dropout))
        }
    }
}

/// The recurrent state of a decoder's causal self-attention for incremental decoding: a key–value
/// cache (softmax; with a relative-position bias, the cache of `RelativePositionAttention`, whose
/// step adds bias row t), the (S, Z) sums (linear kinds) or a key–value cache with per-lag sums
/// (causal correlation); rows can be reordered for beam search.
public struct SelfAttentionCache {
    enum Body {
        case softmax(SoftmaxAttention, SoftmaxAttention.KeyValueCache)
        case relative(RelativePositionAttention, RelativePositionAttention.State)
        case linear(LinearAttention, LinearAttention.State)
        case correlation(CorrelationAttention, CorrelationAttention.State)
    }
    var body: Body
    let numHeads: Int

    /// An empty state for `batch` sequences of `attention`'s kind.
    public init(_ attention: MultiHeadAttention, batch: Int) {
        numHeads = attention.numHeads
        let headDim = attention.qkv.weight.shape[1] / attention.numHeads
        if let bias = attention.positionBias {
            let m = RelativePositionAttention(bias: bias)
            body = .relative(m, m.initialState(batch: batch, heads: numHeads, keyDim: attention.settings.dotProduct ? headDim : 0,
                                               valueDim: headDim))
            return
        }
        switch attention.kind.mechanism {
        case let m as SoftmaxAttention:
            body = .softmax(m, m.initialState(batch: batch, heads: numHeads, keyDim: headDim, valueDim: headDim))
        case let m as LinearAttention:
            body = .linear(m, m.initialState(batch: batch, heads: numHeads, keyDim: headDim, valueDim: headDim))
        case let m as CorrelationAttention:
            body = .correlation(m, m.initialState(batch: batch, heads: numHeads, keyDim: headDim, valueDim: headDim))
        default:
            preconditionFailure("attention kind \(attention.kind.rawValue) has no incremental decoder state")
        }
    }

    /// One causal step: query, key, value [B, H, D] → [B, H, Dv].
    mutating func step(query: Tensor, key: Tensor, value: Tensor) -> Tensor {
        switch body {
        case .softmax(let m, var s):
            let out = m.step(query: query, key: key, value: value, state: &s)
            body = .softmax(m, s)
            return out
        case .relative(let m, var s):
            let out = m.step(query: query, key: key, value: value, state: &s)
            body = .relative(m, s)
            return out
        case .linear(let m, var s):
            let out = m.step(query: query, key: key, value: value, state: &s)
            body = .linear(m, s)
            return out
        case .correlation(let m, var s):
            let out = m.step(query: query, key: key, value: value, state: &s)
            body = .correlation(m, s)
            return out
        }
    }

    /// Reorders the sequences: new sequence n continues old sequence `rows[n]` (beam search).
    public mutating func reorder(rows: [Int]) {
        let heads = numHeads
        let headRows = rows.flatMap { r in (0..<heads).map { r * heads + $0 } }
        switch body {
        case .softmax(let m, var s):
            s.keys = s.keys.gatheringRows(headRows)
            s.values = s.values.gatheringRows(headRows)
            body = .softmax(m, s)
        case .relative(let m, var s):
            s.keys = s.keys.gatheringRows(headRows)
            s.values = s.values.gatheringRows(headRows)
            body = .relative(m, s)
        case .linear(let m, var s):
            s.sums = s.sums.gatheringRows(headRows)
            s.normalizer = s.normalizer.gatheringRows(headRows)
            body = .linear(m, s)
        case .correlation(let m, var s):
            s.keys = s.keys.gatheringRows(headRows)
            s.values = s.values.gatheringRows(headRows)
            s.lagSums = s.lagSums.gatheringRows(headRows)
            body = .correlation(m, s)
        }
    }
}

/// One decoder layer (Vaswani et al., 2017, §3.1): causal self-attention, cross-attention to the
/// encoder output (source padding masked), and a feed-forward network, each in a residual
/// connection with layer norm (post- or pre-LN) and dropout on the sub-layer output.
public final class DecoderBlock: Module {
    /// Layer norm of the first sub-layer (self-attention).
    public let norm1: LayerNorm
    /// Causal self-attention projections (fused QKV and output).
    public let selfAttention: MultiHeadAttention
    /// Layer norm of the second sub-layer.
    public let norm2: LayerNorm
    /// Attention from the decoder stream to the encoder output.
    public let crossAttention: CrossAttention
    /// Layer norm of the third sub-layer (feed-forward).
    public let norm3: LayerNorm
    /// Position-wise feed-forward network.
    public let feedForward: FeedForward
    /// Post-LN (the paper) or pre-LN.
    public let placement: NormPlacement
    /// Dropout probability on sub-layer outputs (training only).
    public let dropout: Float

    /// Builds the block with weights drawn from `rng` (the encoder–decoder model re-initialises them).
    /// `selfSettings` adds a causal relative-position bias or dot-product-free attention to the
    /// self-attention (softmax only); cross-attention has neither (see `EncoderDecoderConfig.positionBias`).
    public init(modelDim: Int, numHeads: Int, hiddenDim: Int, selfAttention selfKind: AttentionKind,
                selfSettings: AttentionSettings = .init(), crossAttention crossKind: AttentionKind, activation: Activation,
                bias: Bool, placement: NormPlacement, dropout: Float, rng: inout RandomGenerator) {
        precondition(!selfSettings.positionBias.isBidirectionalOnly, "the decoder self-attention is causal: use a causal position bias")
        norm1 = LayerNorm(modelDim, bias: bias)
        selfAttention = MultiHeadAttention(modelDim: modelDim, numHeads: numHeads, kind: selfKind, bias: bias, outputStd: 0.02,
                                           settings: selfSettings, rng: &rng)
        norm2 = LayerNorm(modelDim, bias: bias)
        crossAttention = CrossAttention(modelDim: modelDim, numHeads: numHeads, kind: crossKind, bias: bias, rng: &rng)
        norm3 = LayerNorm(modelDim, bias: bias)
        feedForward = FeedForward(modelDim: modelDim, hiddenDim: hiddenDim, activation: activation, bias: bias, outputStd: 0.02, rng: &rng)
        self.placement = placement
        self.dropout = dropout
    }

    /// Sub-modules in forward order (checkpoint key prefixes).
    public var children: [(name: String, module: any Module)] {
        [("norm1", norm1), ("selfAttention", selfAttention), ("norm2", norm2), ("crossAttention", crossAttention),
         ("norm3", norm3), ("feedForward", feedForward)]
    }

    /// Target prefix x [B, T, C] (causal) attending to memory [B, S, C] → [B, T, C].
    public func callAsFunction(_ x: Tensor, memory: Tensor, sourceLengths: [Int32], context: ForwardContext) -> Tensor {
        switch placement {
        case .pre:
            let h = x + context.dropout(selfAttention(norm1(x), mask: .causal), dropout)
            let c = h + context.dropout(crossAttention(norm2(h), memory: memory, sourceLengths: sourceLengths), dropout)
            return c + context.dropout(feedForward(norm3(c)), dropout)
        case .post:
            let h = norm1(x + context.dropout(selfAttention(x, mask: .causal), dropout))
            let c = norm2(h + context.dropout(crossAttention(h, memory: memory, sourceLengths: sourceLengths), dropout))
            return norm3(c + context.dropout(feedForward(c), dropout))
        }
    }

    /// Causal self-attention for one new position x [B, 1, C] using (and advancing) `cache`.
    func selfAttentionStep(_ x: Tensor, cache: inout SelfAttentionCache) -> Tensor {
        let (b, c) = (x.shape[0], x.shape[2])
        let h = selfAttention.numHeads, d = c / h
        let fused = selfAttention.qkv(x)
        let mixed: Tensor
        if selfAttention.settings.dotProduct {
            func part(_ i: Int) -> Tensor { fused.splitHeads(numHeads: h, chunk: i, of: 3).reshaped([b, h, d]) }
            mixed = cache.step(query: part(0), key: part(1), value: part(2))
        } else {  // dot-product-free: `qkv` projects only values; Q and K have width 0
            let empty = Tensor.zeros([b, h, 0])
            mixed = cache.step(query: empty, key: empty, value: fused.splitHeads(numHeads: h).reshaped([b, h, d]))
        }
        return selfAttention.output(mixed.reshaped([b, h, 1, d]).mergeHeads())
    }

    /// One decoding step for the newest position x [B, 1, C] (inference; dropout off); equals the
    /// last row of the parallel form over the whole prefix.
    public func step(_ x: Tensor, cache: inout SelfAttentionCache, memory: CrossAttention.Memory) -> Tensor {
        withoutGradients {
            switch placement {
            case .pre:
                let h = x + selfAttentionStep(norm1(x), cache: &cache)
                let c = h + crossAttention.step(norm2(h), memory: memory)
                return c + feedForward(norm3(c))
            case .post:
                let h = norm1(x + selfAttentionStep(x, cache: &cache))
                let c = norm2(h + crossAttention.step(h, memory: memory))
                return norm3(c + feedForward(c))
            }
        }
    }
}
