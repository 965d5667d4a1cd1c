import AttendKernels
import AttendTensor

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

    /// Builds the block with weights drawn from `rng` (the encoder–decoder model re-initialises them);
    /// `selfAttention` is validated for `.decoder`, `crossAttention` for `.cross`; `keyDim` is the
    /// query/key width per head of both attentions (nil: modelDim / numHeads).
    public init(modelDim: Int, numHeads: Int, hiddenDim: Int, selfAttention selfSpec: AttentionSpec,
                crossAttention crossSpec: AttentionSpec, activation: Activation,
                bias: Bool, placement: NormPlacement, dropout: Float, keyDim: Int? = nil, rng: inout RandomGenerator) {
        norm1 = LayerNorm(modelDim, bias: bias)
        selfAttention = MultiHeadAttention(modelDim: modelDim, numHeads: numHeads, spec: selfSpec, bias: bias, outputStd: 0.02,
                                           keyDim: keyDim, rng: &rng)
        norm2 = LayerNorm(modelDim, bias: bias)
        crossAttention = CrossAttention(modelDim: modelDim, numHeads: numHeads, spec: crossSpec, bias: bias, keyDim: keyDim, rng: &rng)
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

    /// One decoding step for the newest positions, updating the residual stream x [B, C] in place
    /// (inference; dropout off) through the same kernel path as `TransformerBlock.step`. Equal to the
    /// last row of the parallel form over the whole prefix.
    public func step(_ x: UnsafeMutablePointer<Float>, stepper: AttentionStepper, memory: AttentionMemory, scratch: StepScratch) {
        let b = scratch.batch
        switch placement {
        case .pre:
            // x += self(LN₁(x)); x += cross(LN₂(x)); x += FFN(LN₃(x))
            norm1.apply(x, rows: b, into: scratch.normed, scratch: scratch)
            selfAttention.step(scratch.normed, stepper: stepper, scratch: scratch, addingTo: x)
            norm2.apply(x, rows: b, into: scratch.normed, scratch: scratch)
            crossAttention.step(scratch.normed, memory: memory, scratch: scratch, addingTo: x)
            norm3.apply(x, rows: b, into: scratch.normed, scratch: scratch)
            feedForward.step(scratch.normed, addingTo: x, scratch: scratch)
        case .post:
            // x = LN₁(x + self(x)); x = LN₂(x + cross(x)); x = LN₃(x + FFN(x))
            selfAttention.step(x, stepper: stepper, scratch: scratch, addingTo: x)
            norm1.apply(x, rows: b, into: x, scratch: scratch)
            crossAttention.step(x, memory: memory, scratch: scratch, addingTo: x)
            norm2.apply(x, rows: b, into: x, scratch: scratch)
            feedForward.step(x, addingTo: x, scratch: scratch)
            norm3.apply(x, rows: b, into: x, scratch: scratch)
        }
    }

    /// Registers the block's weight matrices for `precision` in `scratch`.
    public func prepareStep(_ precision: WeightPrecision, in scratch: StepScratch) {
        for layer in [selfAttention.qkv, selfAttention.output, feedForward.up, feedForward.down] { layer.prepare(precision, in: scratch) }
        crossAttention.prepareStep(precision, in: scratch)
    }
}
