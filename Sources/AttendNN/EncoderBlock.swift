import AttendTensor

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

    /// Builds the block with weights drawn from `rng` (the encoder–decoder model re-initialises them);
    /// `spec` is validated for `.encoder` (a bidirectional position bias, key padding); `keyDim` is the
    /// query/key width per head (nil: modelDim / numHeads).
    public init(modelDim: Int, numHeads: Int, hiddenDim: Int, attention spec: AttentionSpec,
                activation: Activation, bias: Bool, placement: NormPlacement, dropout: Float, keyDim: Int? = nil,
                rng: inout RandomGenerator) {
        norm1 = LayerNorm(modelDim, bias: bias)
        attention = MultiHeadAttention(modelDim: modelDim, numHeads: numHeads, spec: spec, bias: bias, outputStd: 0.02,
                                       keyDim: keyDim, rng: &rng)
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
            let h = x + context.dropout(attention(norm1(x), mask: mask), dropout)
            return h + context.dropout(feedForward(norm2(h)), dropout)
        case .post:
            let h = norm1(x + context.dropout(attention(x, mask: mask), dropout))
            return norm2(h + context.dropout(feedForward(h), dropout))
        }
    }
}
