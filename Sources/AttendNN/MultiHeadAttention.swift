import AttendTensor

/// Multi-head attention layer: projections, head split, the mechanism its `AttentionSpec` makes, head
/// merge and output projection (Vaswani et al., 2017, §3.2.2).
///
/// Self-attention uses one fused QKV projection `qkv` [3C, C] as GPT-2 does. With a key width d_k
/// (`keyDim`, the paper's d_k; default C/H) queries and keys take H·d_k rows each and values keep C:
/// `qkv` is [2·H·d_k + C, C], laid out [W_Q; W_K; W_V], and the mechanism scales scores by 1/√d_k
/// (Table 3 row (B) of the paper varies d_k alone). A spec with a relative-position bias gives the
/// layer its bias module (`positionBias`, parameters under `positionBias.*`); dot-product-free
/// attention makes `qkv` hold only W_V, [C, C] (W_Q = W_K = 0 are not stored, so `keyDim` is 0).
/// Every mask (causal, key padding) goes to the mechanism, which honours it.
public final class MultiHeadAttention: Module {
    /// Number of heads; each has modelDim / numHeads value dimensions.
    public let numHeads: Int
    /// Query and key width per head, d_k: modelDim / numHeads unless set; 0 for dot-product-free attention.
    public let keyDim: Int
    /// Value width per head, d_v = modelDim / numHeads.
    public let valueDim: Int
    /// The mechanism and its settings.
    public let spec: AttentionSpec
    /// The fused input projection: [W_Q; W_K; W_V] [2·H·d_k + C, C] ([3C, C] by default), or W_V alone
    /// [C, C] for dot-product-free attention.
    public let qkv: Linear
    /// The output projection W_O [C, C] applied after the heads are merged.
    public let output: Linear
    /// The per-head score bias; nil when `spec.positionBias` is `.none`.
    public let positionBias: RelativePositionBias?
    /// FAVOR+ draws made so far (with `favorRedraw`, each parallel pass and each stepper takes the next).
    private var draws: UInt64 = 0

    /// The mechanism kind.
    public var kind: AttentionKind { spec.kind }

    /// A layer of width `modelDim` with `numHeads` heads (`spec` already validated for its use) whose
    /// queries and keys have `keyDim` dimensions per head (nil: modelDim / numHeads, the usual layer;
    /// ignored when `spec.dotProduct` is false).
    public init(modelDim: Int, numHeads: Int, spec: AttentionSpec, bias: Bool, outputStd: Float, keyDim: Int? = nil,
                rng: inout RandomGenerator) {
        precondition(spec.dotProduct || spec.positionBias != .none, "dot-product-free attention needs a position bias")
        precondition(keyDim.map { $0 > 0 } ?? true, "keyDim must be positive")
        self.numHeads = numHeads
        self.spec = spec
        valueDim = modelDim / numHeads
        self.keyDim = spec.dotProduct ? keyDim ?? modelDim / numHeads : 0
        qkv = Linear(modelDim, 2 * numHeads * self.keyDim + modelDim, bias: bias, rng: &rng)
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

    /// Q, K [B, H, T, d_k] and V [B, H, T, d_v] from the fused projection (Q and K of width 0 when
    /// dot-product-free).
    private func project(_ x: Tensor) -> (q: Tensor, k: Tensor, v: Tensor) {
        let fused = qkv(x)
        let keyWidth = numHeads * keyDim
        let v = fused.splitHeads(numHeads: numHeads, columns: 2 * keyWidth..<fused.shape[2])
        if keyDim == 0 {
            let empty = Tensor.zeros([x.shape[0], numHeads, x.shape[1], 0])
            return (empty, empty, v)
        }
        return (fused.splitHeads(numHeads: numHeads, columns: 0..<keyWidth),
                fused.splitHeads(numHeads: numHeads, columns: keyWidth..<2 * keyWidth), v)
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
        AttentionStepper(mechanism(), batch: batch, heads: numHeads, keyDim: keyDim, valueDim: valueDim)
    }
}
