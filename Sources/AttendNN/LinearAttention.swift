import AttendKernels
import AttendTensor

/// Positive feature maps φ for linear attention.
public enum FeatureMap: String, Codable, CaseIterable, Sendable {
    /// φ(x) = elu(x) + 1 — Katharopoulos et al.'s default.
    case eluPlusOne = "elu"
    /// φ(x) = max(x, 0).
    case relu
    /// FAVOR+ positive random features (Performer), an unbiased estimate of the softmax kernel.
    case favor
}

/// A feature map with its parameters: for FAVOR+, the number of random features and the seed of
/// their Gaussian directions (drawn once per head width; the same seed gives the same features).
public struct FeatureMapSettings: Sendable, Equatable {
    /// The feature map φ.
    public var map: FeatureMap
    /// Number of random features M per head (FAVOR+ only; the other maps keep the head width).
    public var featureCount: Int
    /// Seed of the FAVOR+ Gaussian directions (unused by the other maps).
    public var seed: UInt64

    /// Settings for `map`; `featureCount` and `seed` matter only for `.favor`.
    public init(_ map: FeatureMap, featureCount: Int = 64, seed: UInt64 = 0) {
        self.map = map
        self.featureCount = featureCount
        self.seed = seed
    }

    /// The random directions ω [featureCount, headDim] for FAVOR+.
    func projection(headDim: Int) -> Tensor {
        var rng = RandomGenerator(seed: seed).derived(UInt64(headDim))
        return Tensor.normal([featureCount, headDim], rng: &rng)
    }

    /// Applies φ to the last dimension of x.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        switch map {
        case .eluPlusOne: return x.eluPlusOne()
        case .relu: return x.relu()
        case .favor: return x.favorFeatures(projection: projection(headDim: x.shape.last ?? 1))
        }
    }

    /// Width of φ(x) for inputs of width `headDim`.
    func outputDim(headDim: Int) -> Int { map == .favor ? featureCount : headDim }
}

/// Linear attention, "Transformers are RNNs" (Katharopoulos et al., 2020): softmax(QKᵀ)V is replaced
/// by φ(Q)(φ(K)ᵀV) normalised by φ(Q)·Σφ(K), ε = 1e-6. The causal form is a prefix scan (O(T·D·M)
/// time, O(D·M) state per head); the recurrent form keeps (S, Z) and costs the same per token at
/// any context length.
public struct LinearAttention: AttentionMechanism {
    /// The feature map φ applied to queries and keys.
    public var featureMap: FeatureMapSettings
    /// Added to the normaliser φ(Q)·Σφ(K) before dividing, so that it is never zero.
    public var epsilon: Float

    /// Linear attention with feature map `featureMap` (elu + 1 by default) and normaliser offset `epsilon`.
    public init(featureMap: FeatureMapSettings = .init(.eluPlusOne), epsilon: Float = 1e-6) {
        self.featureMap = featureMap
        self.epsilon = epsilon
    }

    /// The RNN state: S = Σ φ(K_j)V_jᵀ [B·H, M, Dv] and Z = Σ φ(K_j) [B·H, M].
    public struct State {
        /// S = Σ φ(K_j)V_jᵀ over the steps so far [B·H, M, Dv].
        public var sums: Tensor
        /// Z = Σ φ(K_j) over the steps so far [B·H, M].
        public var normalizer: Tensor
    }

    /// Key padding zeroes φ(K) at padded keys: a zero feature row adds nothing to Σ φ(K_j)V_jᵀ or to
    /// the normaliser Σ φ(K_j), which is exactly "that key does not exist" (with or without the causal mask).
    public func callAsFunction(queries: Tensor, keys: Tensor, values: Tensor, mask: AttentionMask) -> Tensor {
        Tensor.linearAttention(queries: featureMap(queries), keys: maskedFeatures(keys, mask.keyLengths), values: values,
                               causal: mask.causal, epsilon: epsilon)
    }

    /// φ(K) [B, H, S, M] with the rows of padded keys zeroed (unchanged without key lengths).
    func maskedFeatures(_ keys: Tensor, _ lengths: [Int32]?) -> Tensor {
        let phiK = featureMap(keys)
        guard let lengths else { return phiK }
        return phiK * keyPaddingMask(lengths, like: phiK)
    }

    public func initialState(batch: Int, heads: Int, keyDim: Int, valueDim: Int) -> State {
        let m = featureMap.outputDim(headDim: keyDim)
        return State(sums: .zeros([batch * heads, m, valueDim]), normalizer: .zeros([batch * heads, m]))
    }

    public func step(query: Tensor, key: Tensor, value: Tensor, state: inout State) -> Tensor {
        let (b, h) = (query.shape[0], query.shape[1])
        let dv = value.shape[2]
        let q = withoutGradients { featureMap(query) }, k = withoutGradients { featureMap(key) }
        let m = q.shape[2]
        let out = Tensor(uninitializedShape: [b, h, dv])
        linearAttentionStep(query: q.pointer, key: k.pointer, value: value.pointer, state: state.sums.pointer,
                            normalizerState: state.normalizer.pointer, output: out.pointer,
                            batchHeads: b * h, featureDim: m, valueDim: dv, epsilon: epsilon)
        return out
    }

    public func reorder(_ state: inout State, rows: [Int]) {
        state.sums = state.sums.gatheringSequences(rows)
        state.normalizer = state.normalizer.gatheringSequences(rows)
    }

    public var capabilities: AttentionCapabilities { .init(causal: true, recurrent: true, padding: true, fixedSizeState: true) }

    /// Per token and head: φ(q)ᵀS and φ(q)·Z read, S and Z updated — 4·M·Dv FLOPs (M = feature width); FAVOR+
    /// adds the features' own products, 2·2·D·M for q and k. State: S [M, Dv] and Z [M] per head.
    public func cost(length: Int, heads: Int, headDim: Int) -> AttentionCost {
        let (h, d, m) = (Double(heads), Double(headDim), Double(featureMap.outputDim(headDim: headDim)))
        let perToken = h * (4 * m * d + (featureMap.map == .favor ? 4 * d * m : 0))
        return AttentionCost(flopsPerToken: perToken, stepFLOPs: perToken, stateBytes: h * (m * d + m) * 4, efficiency: 0.04)
    }

    /// The source as the fixed state S = Σ_j φ(K_j)V_jᵀ [B, H, M, Dv] and Z = Σ_j φ(K_j) [B, H, M, 1] over
    /// the real positions: each decoder step then costs O(M·Dv) per head, whatever the source length.
    public struct Memory {
        /// S = Σ_j φ(K_j)V_jᵀ over the real source positions [B, H, M, Dv].
        public var sums: Tensor
        /// Z = Σ_j φ(K_j) over the real source positions [B, H, M, 1].
        public var normalizer: Tensor
    }

    public func memory(keys: Tensor, values: Tensor, keyLengths: [Int32]) -> Memory {
        withoutGradients {
            let masked = maskedFeatures(keys, keyLengths).transposedLastTwo()  // [B, H, M, S]
            return Memory(sums: masked.matmul(values), normalizer: masked.matmul(Tensor(repeating: 1, shape: [keys.shape[2], 1])))
        }
    }

    public func attend(query: Tensor, memory: Memory) -> Tensor {
        withoutGradients {
            let (b, h, d) = (query.shape[0], query.shape[1], query.shape[2])
            let phiQ = featureMap(query.reshaped([b, h, 1, d]))             // [B, H, 1, M]
            let numerator = phiQ.matmul(memory.sums)                        // [B, H, 1, Dv]
            let denominator = phiQ.matmul(memory.normalizer)                // [B, H, 1, 1]
            let dv = numerator.shape[3]
            for r in 0..<denominator.count {
                let inv = 1 / (denominator.pointer[r] + epsilon)
                for c in 0..<dv { numerator.pointer[r * dv + c] *= inv }
            }
            return numerator.reshaped([b, h, dv])
        }
    }

    public func gathering(_ memory: Memory, rows: [Int]) -> Memory {
        Memory(sums: memory.sums.gatheringRows(rows), normalizer: memory.normalizer.gatheringRows(rows))
    }
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
