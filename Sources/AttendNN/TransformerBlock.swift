import AttendTensor

/// Where layer normalisation sits relative to the residual connection.
public enum NormPlacement: String, Codable, CaseIterable, Sendable {
    /// x + f(LN(x)) — GPT-2 and nanoGPT.
    case pre
    /// LN(x + f(x)) — the 2017 paper.
    case post
}

/// One decoder block: causal self-attention and a feed-forward network, each wrapped in a residual
/// connection with layer normalisation (pre- or post-LN) and dropout on the sub-layer output.
public final class TransformerBlock: Module {
    /// Layer norm of the attention sub-layer: applied to its input (pre-LN) or to the residual sum (post-LN).
    public let norm1: LayerNorm
    /// The multi-head self-attention sub-layer.
    public let attention: MultiHeadAttention
    /// Layer norm of the feed-forward sub-layer: applied to its input (pre-LN) or to the residual sum (post-LN).
    public let norm2: LayerNorm
    /// The position-wise feed-forward sub-layer.
    public let feedForward: FeedForward
    /// Whether the layer norms come before the sub-layers (pre-LN) or after the residual sums (post-LN).
    public let placement: NormPlacement
    /// Dropout probability on each sub-layer's output before it is added to the residual (training only).
    public let dropout: Float

    /// A block of width `modelDim` with `numHeads` heads and a feed-forward network of width `hiddenDim`; the
    /// output projections of both sub-layers are initialised with std 0.02/√(2·numLayers) (GPT-2's residual scaling).
    public init(modelDim: Int, numHeads: Int, hiddenDim: Int, numLayers: Int, attention spec: AttentionSpec,
                activation: Activation, bias: Bool, placement: NormPlacement, dropout: Float, rng: inout RandomGenerator) {
        // GPT-2: residual projections scaled by 1/√(2·numLayers).
        let residualStd = 0.02 / Float(2 * numLayers).squareRoot()
        norm1 = LayerNorm(modelDim, bias: bias)
        attention = MultiHeadAttention(modelDim: modelDim, numHeads: numHeads, spec: spec, bias: bias, outputStd: residualStd,
                                       rng: &rng)
        norm2 = LayerNorm(modelDim, bias: bias)
        feedForward = FeedForward(modelDim: modelDim, hiddenDim: hiddenDim, activation: activation, bias: bias, outputStd: residualStd, rng: &rng)
        self.placement = placement
        self.dropout = dropout
    }

    public var children: [(name: String, module: any Module)] {
        [("norm1", norm1), ("attention", attention), ("norm2", norm2), ("feedForward", feedForward)]
    }

    /// x [B, T, C] → [B, T, C].
    public func callAsFunction(_ x: Tensor, mask: AttentionMask, context: ForwardContext) -> Tensor {
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
