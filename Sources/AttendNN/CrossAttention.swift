import AttendKernels
import AttendTensor

/// Encoder–decoder ("cross") attention (Vaswani et al., 2017, §3.2.3): queries come from the
/// decoder, keys and values from the encoder output, with source padding masked by the mechanism.
///
/// Owns a query projection `query` [H·d_k, C], a fused key–value projection `keyValue` [H·d_k + C, C]
/// applied to the encoder output ([W_K; W_V]), and `output` [C, C]; the mixing is the mechanism its
/// `AttentionSpec` makes. The key width d_k (`keyDim`) is C/H unless set, so by default `query` is
/// [C, C] and `keyValue` [2C, C].
public final class CrossAttention: Module {
    /// Number of attention heads (modelDim must be divisible by it).
    public let numHeads: Int
    /// Query and key width per head, d_k (modelDim / numHeads unless set); values keep modelDim / numHeads.
    public let keyDim: Int
    /// The mechanism and its settings (no position bias, no rotary: validated for `.cross`).
    public let spec: AttentionSpec
    /// Query projection [H·d_k, C] applied to the decoder stream.
    public let query: Linear
    /// Fused key–value projection [H·d_k + C, C] applied to the encoder output.
    public let keyValue: Linear
    /// Output projection [C, C] after the heads are merged.
    public let output: Linear
    private let mechanism: any AttentionMechanism

    /// The mechanism kind.
    public var kind: AttentionKind { spec.kind }

    /// Projections drawn from `rng` (N(0, 0.02²); the encoder–decoder model re-initialises them), with
    /// `keyDim` query/key dimensions per head (nil: modelDim / numHeads).
    public init(modelDim: Int, numHeads: Int, spec: AttentionSpec, bias: Bool, keyDim: Int? = nil, rng: inout RandomGenerator) {
        precondition(keyDim.map { $0 > 0 } ?? true, "keyDim must be positive")
        self.numHeads = numHeads
        self.spec = spec
        self.keyDim = keyDim ?? modelDim / numHeads
        query = Linear(modelDim, numHeads * self.keyDim, bias: bias, rng: &rng)
        keyValue = Linear(modelDim, numHeads * self.keyDim + modelDim, bias: bias, rng: &rng)
        output = Linear(modelDim, modelDim, bias: bias, rng: &rng)
        mechanism = spec.makeMechanism()
    }

    /// Sub-modules in forward order (checkpoint key prefixes).
    public var children: [(name: String, module: any Module)] { [("query", query), ("keyValue", keyValue), ("output", output)] }

    /// Keys [B, H, S, d_k] and values [B, H, S, d_v] of the encoder output memory [B, S, C].
    private func keysValues(_ memory: Tensor) -> (Tensor, Tensor) {
        let kv = keyValue(memory)
        let keyWidth = numHeads * keyDim
        return (kv.splitHeads(numHeads: numHeads, columns: 0..<keyWidth),
                kv.splitHeads(numHeads: numHeads, columns: keyWidth..<kv.shape[2]))
    }

    /// x [B, T, C] attends to memory [B, S, C] whose first `sourceLengths[b]` positions are real → [B, T, C].
    public func callAsFunction(_ x: Tensor, memory: Tensor, sourceLengths: [Int32]) -> Tensor {
        let q = query(x).splitHeads(numHeads: numHeads)
        let (k, v) = keysValues(memory)
        return output(mechanism.callAsFunction(queries: q, keys: k, values: v, mask: .padding(sourceLengths)).mergeHeads())
    }

    /// The encoder output memory [B, S, C] prepared once for decoding by the mechanism (projected keys
    /// and values, or linear attention's fixed state); inference, no gradients.
    public func precompute(memory: Tensor, sourceLengths: [Int32]) -> AttentionMemory {
        withoutGradients {
            let (k, v) = keysValues(memory)
            return AttentionMemory(mechanism, keys: k, values: v, keyLengths: sourceLengths)
        }
    }

    /// One decoding step for the newest positions x [B, C] (kernel path, `scratch`): adds the
    /// attention output to `residual` [B, C] (which may alias x); equals the parallel form's row.
    public func step(_ x: UnsafePointer<Float>, memory: AttentionMemory, scratch: StepScratch,
                     addingTo residual: UnsafeMutablePointer<Float>) {
        let (b, width) = (scratch.batch, numHeads * keyDim)
        precondition(width <= scratch.projectionWidth, "StepScratch holds \(scratch.projectionWidth) projected columns, the query needs \(width)")
        query.apply(x, into: scratch.projected, scratch: scratch)
        let q = Tensor(uninitializedShape: [b, numHeads, keyDim])
        q.pointer.update(from: scratch.projected, count: b * width)
        let mixed = withoutGradients { memory(query: q) }
        output.apply(mixed.pointer, into: residual, accumulate: true, scratch: scratch)
    }

    /// Registers the projections applied per step for `precision` in `scratch`.
    public func prepareStep(_ precision: WeightPrecision, in scratch: StepScratch) {
        for layer in [query, output] { layer.prepare(precision, in: scratch) }
    }
}
