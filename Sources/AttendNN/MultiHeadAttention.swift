import AttendTensor

/// Multi-head attention layer: projections, head split, the mechanism its `AttentionSpec` makes, head
/// merge and output projection (Vaswani et al., 2017, §3.2.2).
///
/// Self-attention uses one fused QKV projection `qkv` [3C, C] as GPT-2 does. A spec with a
/// relative-position bias gives the layer its bias module (`positionBias`, parameters under
/// `positionBias.*`); dot-product-free attention makes `qkv` hold only W_V, [C, C] (W_Q = W_K = 0 are
/// not stored). Every mask (causal, key padding) goes to the mechanism, which honours it.
public final class MultiHeadAttention: Module {
    /// Number of heads; each has modelDim / numHeads dimensions.
    public let numHeads: Int
    /// The mechanism and its settings.
    public let spec: AttentionSpec
    /// The fused input projection: [W_Q; W_K; W_V] [3C, C], or W_V alone [C, C] for dot-product-free attention.
    public let qkv: Linear
    /// The output projection W_O [C, C] applied after the heads are merged.
    public let output: Linear
    /// The per-head score bias; nil when `spec.positionBias` is `.none`.
    public let positionBias: RelativePositionBias?
    /// FAVOR+ draws made so far (with `favorRedraw`, each parallel pass and each stepper takes the next).
    private var draws: UInt64 = 0

    /// The mechanism kind.
    public var kind: AttentionKind { spec.kind }

    /// A layer of width `modelDim` with `numHeads` heads (`spec` already validated for its use).
    public init(modelDim: Int, numHeads: Int, spec: AttentionSpec, bias: Bool, outputStd: Float, rng: inout RandomGenerator) {
        precondition(spec.dotProduct || spec.positionBias != .none, "dot-product-free attention needs a position bias")
        self.numHeads = numHeads
        self.spec = spec
        qkv = Linear(modelDim, (spec.dotProduct ? 3 : 1) * modelDim, bias: bias, rng: &rng)
        output = Linear(modelDim, modelDim, bias: bias, std: outputStd, rng: &rng)
        positionBias = spec.makePositionBias(numHeads: numHeads)
    }

    public var children: [(name: String, module: any Module)] {
        var list: [(name: String, module: any Module)] = [("qkv", qkv), ("output", output)]
        if let positionBias { list.append(("positionBias", positionBias)) }
        return list
    }

    /// The mechanism for the next pass (with FAVOR+ redraw, each call takes the next draw).
    private func mechanism() -> any AttentionMechanism {
        defer { if spec.favorRedraw { draws += 1 } }
        return spec.makeMechanism(positionBias: positionBias, draw: draws)
    }

    /// Q, K, V [B, H, T, D] from the fused projection (Q and K of width 0 when dot-product-free).
    private func project(_ x: Tensor) -> (q: Tensor, k: Tensor, v: Tensor) {
        let fused = qkv(x)
        if !spec.dotProduct {
            let v = fused.splitHeads(numHeads: numHeads)
            let empty = Tensor.zeros([x.shape[0], numHeads, x.shape[1], 0])
            return (empty, empty, v)
        }
        return (fused.splitHeads(numHeads: numHeads, chunk: 0, of: 3), fused.splitHeads(numHeads: numHeads, chunk: 1, of: 3),
                fused.splitHeads(numHeads: numHeads, chunk: 2, of: 3))
    }

    /// Self-attention over x [B, T, C] → [B, T, C] under `mask` (causal and/or key padding).
    public func callAsFunction(_ x: Tensor, mask: AttentionMask) -> Tensor {
        let (q, k, v) = project(x)
        let inner = mechanism()
        let mixed = inner.callAsFunction(queries: q, keys: k, values: v, mask: mask)
        return output(mixed.mergeHeads())
    }

    /// A fresh recurrent state for `batch` sequences.
    public func makeStepper(batch: Int) -> AttentionStepper {
        let headDim = output.weight.shape[0] / numHeads
        return AttentionStepper(mechanism(), batch: batch, heads: numHeads,
                                keyDim: spec.dotProduct ? headDim : 0, valueDim: headDim)
    }
}
