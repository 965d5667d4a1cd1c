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
    public var map: FeatureMap
    public var featureCount: Int
    public var seed: UInt64

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
    public var featureMap: FeatureMapSettings
    public var epsilon: Float

    public init(featureMap: FeatureMapSettings = .init(.eluPlusOne), epsilon: Float = 1e-6) {
        self.featureMap = featureMap
        self.epsilon = epsilon
    }

    /// The RNN state: S = Σ φ(K_j)V_jᵀ [B·H, M, Dv] and Z = Σ φ(K_j) [B·H, M].
    public struct State {
        public var sums: Tensor
        public var normalizer: Tensor
    }

    public func callAsFunction(queries: Tensor, keys: Tensor, values: Tensor, mask: AttentionMask) -> Tensor {
        Tensor.linearAttention(queries: featureMap(queries), keys: featureMap(keys), values: values,
                               causal: mask.causal, epsilon: epsilon)
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
}
