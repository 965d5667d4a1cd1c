import AttendKernels
import AttendTensor

/// Encoder–decoder ("cross") attention (Vaswani et al., 2017, §3.2.3): queries come from the
/// decoder, keys and values from the encoder output, with source padding masked by the mechanism.
///
/// Owns a query projection `query` [C, C], a fused key–value projection `keyValue` [2C, C] applied to
/// the encoder output, and `output` [C, C]; the mixing is the mechanism its `AttentionSpec` makes.
public final class CrossAttention: Module {
    /// Number of attention heads (modelDim must be divisible by it).
    public let numHeads: Int
    /// The mechanism and its settings (no position bias, no rotary: validated for `.cross`).
    public let spec: AttentionSpec
    /// Query projection [C, C] applied to the decoder stream.
    public let query: Linear
    /// Fused key–value projection [2C, C] applied to the encoder output.
    public let keyValue: Linear
    /// Output projection [C, C] after the heads are merged.
    public let output: Linear
    private let mechanism: any AttentionMechanism

    /// The mechanism kind.
    public var kind: AttentionKind { spec.kind }

    /// Projections drawn from `rng` (N(0, 0.02²); the encoder–decoder model re-initialises them).
    public init(modelDim: Int, numHeads: Int, spec: AttentionSpec, bias: Bool, rng: inout RandomGenerator) {
        self.numHeads = numHeads
        self.spec = spec
        query = Linear(modelDim, modelDim, bias: bias, rng: &rng)
        keyValue = Linear(modelDim, 2 * modelDim, bias: bias, rng: &rng)
        output = Linear(modelDim, modelDim, bias: bias, rng: &rng)
        mechanism = spec.makeMechanism()
    }

    /// Sub-modules in forward order (checkpoint key prefixes).
    public var children: [(name: String, module: any Module)] { [("query", query), ("keyValue", keyValue), ("output", output)] }

    /// Keys and values [B, H, S, D] of the encoder output memory [B, S, C].
    private func keysValues(_ memory: Tensor) -> (Tensor, Tensor) {
        let kv = keyValue(memory)
        return (kv.splitHeads(numHeads: numHeads, chunk: 0, of: 2), kv.splitHeads(numHeads: numHeads, chunk: 1, of: 2))
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
        let (b, c) = (scratch.batch, scratch.modelDim)
        query.apply(x, into: scratch.projected, scratch: scratch)
        let q = Tensor(uninitializedShape: [b, numHeads, c / numHeads])
        q.pointer.update(from: scratch.projected, count: b * c)
        let mixed = withoutGradients { memory(query: q) }
        output.apply(mixed.pointer, into: residual, accumulate: true, scratch: scratch)
    }

    /// Registers the projections applied per step for `precision` in `scratch`.
    public func prepareStep(_ precision: WeightPrecision, in scratch: StepScratch) {
        for layer in [query, output] { layer.prepare(precision, in: scratch) }
    }
}
