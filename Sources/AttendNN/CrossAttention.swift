import AttendKernels
import AttendTensor

/// Attention of any `AttentionKind` under a mask that may carry key padding (source padding).
///
/// Softmax attention hands the key lengths to the fused kernel. Linear kinds have no padding in
/// their kernels, so φ(K) is zeroed at padded keys: a zero feature row adds nothing to Σ φ(K_j)V_jᵀ
/// or to the normaliser Σ φ(K_j), which is exactly "that key does not exist".
/// queries [B, H, T, D], keys [B, H, S, D], values [B, H, S, Dv] → [B, H, T, Dv].
public func maskedAttention(kind: AttentionKind, queries: Tensor, keys: Tensor, values: Tensor,
                            mask: AttentionMask) -> Tensor {
    let mechanism = kind.mechanism
    guard let lengths = mask.keyLengths, let linear = mechanism as? LinearAttention else {
        return mechanism(queries: queries, keys: keys, values: values, mask: mask)
    }
    precondition(!mask.causal, "causal linear attention with key padding is not supported (pad at the end instead)")
    let phiK = linear.featureMap(keys)
    let masked = phiK * keyPaddingMask(lengths, like: phiK)
    return Tensor.linearAttention(queries: linear.featureMap(queries), keys: masked, values: values,
                                  causal: false, epsilon: linear.epsilon)
}

/// A [B, H, S, M] tensor of ones for keys s < lengths[b] and zeros for padded keys.
func keyPaddingMask(_ lengths: [Int32], like x: Tensor) -> Tensor {
    let (b, h, s, m) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    precondition(lengths.count == b, "one key length per batch element expected")
    let mask = Tensor.zeros([b, h, s, m])
    for bi in 0..<b {
        let valid = min(Int(lengths[bi]), s)
        for hi in 0..<h { (mask.pointer + (bi * h + hi) * s * m).update(repeating: 1, count: valid * m) }
    }
    return mask
}

/// Encoder–decoder ("cross") attention (Vaswani et al., 2017, §3.2.3): queries come from the
/// decoder, keys and values from the encoder output, with source padding masked.
///
/// Owns a query projection `query` [C, C], a fused key–value projection `keyValue` [2C, C] applied to
/// the encoder output, and `output` [C, C]; the mixing is any `AttentionKind`.
public final class CrossAttention: Module {
    /// Number of attention heads (modelDim must be divisible by it).
    public let numHeads: Int
    /// The mechanism that mixes queries with keys and values.
    public let kind: AttentionKind
    /// Query projection [C, C] applied to the decoder stream.
    public let query: Linear
    /// Fused key–value projection [2C, C] applied to the encoder output.
    public let keyValue: Linear
    /// Output projection [C, C] after the heads are merged.
    public let output: Linear

    /// Projections drawn from `rng` (N(0, 0.02²); the encoder–decoder model re-initialises them).
    public init(modelDim: Int, numHeads: Int, kind: AttentionKind, bias: Bool, rng: inout RandomGenerator) {
        self.numHeads = numHeads
        self.kind = kind
        query = Linear(modelDim, modelDim, bias: bias, rng: &rng)
        keyValue = Linear(modelDim, 2 * modelDim, bias: bias, rng: &rng)
        output = Linear(modelDim, modelDim, bias: bias, rng: &rng)
    }

    /// Sub-modules in forward order (checkpoint key prefixes).
    public var children: [(name: String, module: any Module)] { [("query", query), ("keyValue", keyValue), ("output", output)] }

    /// x [B, T, C] attends to memory [B, S, C] whose first `sourceLengths[b]` positions are real → [B, T, C].
    public func callAsFunction(_ x: Tensor, memory: Tensor, sourceLengths: [Int32]) -> Tensor {
        let q = query(x).splitHeads(numHeads: numHeads)
        let kv = keyValue(memory)
        let k = kv.splitHeads(numHeads: numHeads, chunk: 0, of: 2)
        let v = kv.splitHeads(numHeads: numHeads, chunk: 1, of: 2)
        let mixed = maskedAttention(kind: kind, queries: q, keys: k, values: v, mask: .padding(sourceLengths))
        return output(mixed.mergeHeads())
    }

    /// The encoder output prepared once for decoding: projected keys and values (softmax), or, for
    /// linear attention, the state S = Σ_j φ(K_j)V_jᵀ [B, H, M, Dv] and Z = Σ_j φ(K_j) [B, H, M, 1]
    /// over the real source positions — after which each decoder step costs O(M·Dv) per head,
    /// whatever the source length.
    public enum Memory {
        case keysValues(keys: Tensor, values: Tensor, lengths: [Int32])
        case linearState(LinearAttention, sums: Tensor, normalizer: Tensor)
    }

    /// Builds the decoding memory from the encoder output memory [B, S, C] (inference; no gradients).
    public func precompute(memory: Tensor, sourceLengths: [Int32]) -> Memory {
        withoutGradients {
            let kv = keyValue(memory)
            let k = kv.splitHeads(numHeads: numHeads, chunk: 0, of: 2)
            let v = kv.splitHeads(numHeads: numHeads, chunk: 1, of: 2)
            guard let linear = kind.mechanism as? LinearAttention else {
                return .keysValues(keys: k, values: v, lengths: sourceLengths)
            }
            let phiK = linear.featureMap(k)
            let masked = (phiK * keyPaddingMask(sourceLengths, like: phiK)).transposedLastTwo()  // [B, H, M, S]
            let sums = masked.matmul(v)
            let normalizer = masked.matmul(Tensor(repeating: 1, shape: [k.shape[2], 1]))
            return .linearState(linear, sums: sums, normalizer: normalizer)
        }
    }

    /// One decoder position x [B, 1, C] against a precomputed memory → [B, 1, C]; equals the
    /// parallel form's row for that position.
    public func step(_ x: Tensor, memory: Memory) -> Tensor {
        withoutGradients {
            let q = query(x).splitHeads(numHeads: numHeads)  // [B, H, 1, D]
            let mixed: Tensor
            switch memory {
            case let .keysValues(keys, values, lengths):
                mixed = maskedAttention(kind: kind, queries: q, keys: keys, values: values, mask: .padding(lengths))
            case let .linearState(linear, sums, normalizer):
                let phiQ = linear.featureMap(q)              // [B, H, 1, M]
                let numerator = phiQ.matmul(sums)            // [B, H, 1, Dv]
                let denominator = phiQ.matmul(normalizer)    // [B, H, 1, 1]
                let dv = numerator.shape[3]
                for r in 0..<denominator.count {
                    let inv = 1 / (denominator.pointer[r] + linear.epsilon)
                    for c in 0..<dv { numerator.pointer[r * dv + c] *= inv }
                }
                mixed = numerator
            }
            return output(mixed.mergeHeads())
        }
    }
}

extension CrossAttention.Memory {
    /// The memory for a batch whose row n is this memory's row `rows[n]` (e.g. repeated for beams).
    public func gathering(rows: [Int]) -> CrossAttention.Memory {
        switch self {
        case let .keysValues(keys, values, lengths):
            return .keysValues(keys: keys.gatheringRows(rows), values: values.gatheringRows(rows),
                               lengths: rows.map { lengths[$0] })
        case let .linearState(linear, sums, normalizer):
            return .linearState(linear, sums: sums.gatheringRows(rows), normalizer: normalizer.gatheringRows(rows))
        }
    }
}

extension Tensor {
    /// A copy whose outermost index n holds this tensor's `rows[n]` (no gradient; for decoding).
    public func gatheringRows(_ rows: [Int]) -> Tensor {
        let inner = count / max(shape[0], 1)
        let out = Tensor(uninitializedShape: [rows.count] + shape.dropFirst())
        for (n, r) in rows.enumerated() { (out.pointer + n * inner).update(from: pointer + r * inner, count: inner) }
        return out
    }
}
