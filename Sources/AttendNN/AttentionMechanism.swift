import AttendKernels
import AttendTensor

/// Mixes information across time. Parallel tensors are [B, H, T, D]; step tensors [B, H, D].
///
/// The projection/head-split layer (`MultiHeadAttention`) is separate from the mechanism, as in
/// fast-transformers' AttentionLayer vs inner attention.
public protocol AttentionMechanism {
    /// Per-sequence memory carried between generation steps.
    associatedtype State
    /// Parallel (training) form.
    func callAsFunction(queries: Tensor, keys: Tensor, values: Tensor, mask: AttentionMask) -> Tensor
    /// Empty state before the first step.
    func initialState(batch: Int, heads: Int, keyDim: Int, valueDim: Int) -> State
    /// One causal step; must equal row t of the parallel form with `mask: .causal`.
    func step(query: Tensor, key: Tensor, value: Tensor, state: inout State) -> Tensor
}

/// Every attention mechanism Attend implements (a closed set: adding one is one file, one case, one switch arm).
public enum AttentionKind: String, Codable, CaseIterable, Sendable {
    /// Scaled dot-product softmax attention (Vaswani et al., 2017).
    case softmax
    /// Linear attention with φ(x) = elu(x) + 1 (Katharopoulos et al., 2020).
    case linear
    /// Linear attention with φ(x) = relu(x).
    case linearRelu = "linear-relu"
    /// Linear attention with FAVOR+ random features (Performer; 64 features, seed 0).
    case linearFavor = "linear-favor"
    /// Causal correlation attention: softmax over s ≤ t of the prefix-restricted Q–K cross-correlation
    /// at lag t − s (after Leviathan, Y. Srivastava); see `CorrelationAttention`.
    case correlation
    /// Leviathan's correlation attention as published: an N-D correlation over the whole [B, H, T, D]
    /// tensor, no causal mask — reads future tokens and other sequences; no generation.
    /// See `CorrelationAsWrittenAttention`.
    case correlationAsWritten = "correlation-as-written"
}

extension AttentionKind {
    /// The mechanism this kind names.
    public var mechanism: any AttentionMechanism {
        switch self {
        case .softmax: return SoftmaxAttention()
        case .linear: return LinearAttention(featureMap: .init(.eluPlusOne))
        case .linearRelu: return LinearAttention(featureMap: .init(.relu))
        case .linearFavor: return LinearAttention(featureMap: .init(.favor))
        case .correlation: return CorrelationAttention()
        case .correlationAsWritten: return CorrelationAsWrittenAttention()
        }
    }
}

/// Scaled dot-product softmax attention, softmax(Q·Kᵀ/√D)·V (Vaswani et al., 2017); its recurrent
/// form is a key–value cache.
public struct SoftmaxAttention: AttentionMechanism {
    public init() {}

    /// Keys and values seen so far: [B·H, capacity, D] buffers whose first `length` rows are filled;
    /// capacity doubles as needed, so appending is amortised O(D).
    public struct KeyValueCache {
        public var keys: Tensor
        public var values: Tensor
        public var length = 0
        public var capacity: Int { keys.shape[1] }
    }

    public func callAsFunction(queries: Tensor, keys: Tensor, values: Tensor, mask: AttentionMask) -> Tensor {
        Tensor.flashAttention(queries: queries, keys: keys, values: values, mask: mask)
    }

    public func initialState(batch: Int, heads: Int, keyDim: Int, valueDim: Int) -> KeyValueCache {
        precondition(keyDim == valueDim, "the key-value cache expects equal key and value widths")
        return KeyValueCache(keys: .zeros([batch * heads, 16, keyDim]), values: .zeros([batch * heads, 16, valueDim]))
    }

    public func step(query: Tensor, key: Tensor, value: Tensor, state: inout KeyValueCache) -> Tensor {
        let (b, h, d) = (query.shape[0], query.shape[1], query.shape[2])
        let bh = b * h
        if state.length == state.capacity {  // grow: copy rows into buffers twice as long
            state.keys = state.keys.doublingCapacity(keeping: state.length)
            state.values = state.values.doublingCapacity(keeping: state.length)
        }
        let capacity = state.capacity
        state.keys.writeRows(key, at: state.length)
        state.values.writeRows(value, at: state.length)
        state.length += 1
        let out = Tensor(uninitializedShape: [b, h, d])
        decodeAttentionStep(query: query.pointer, keys: state.keys.pointer, values: state.values.pointer, output: out.pointer,
                            batchHeads: bh, length: state.length, capacity: capacity, headDim: d,
                            scale: 1 / Float(d).squareRoot())
        return out
    }
}

/// A mechanism together with its recurrent state, type-erased so a model can hold one per layer.
public final class AttentionStepper {
    private let body: (Tensor, Tensor, Tensor) -> Tensor

    /// Starts `mechanism` from its empty state for `batch` sequences.
    public init<M: AttentionMechanism>(_ mechanism: M, batch: Int, heads: Int, keyDim: Int, valueDim: Int) {
        var state = mechanism.initialState(batch: batch, heads: heads, keyDim: keyDim, valueDim: valueDim)
        body = { q, k, v in mechanism.step(query: q, key: k, value: v, state: &state) }
    }

    /// One causal step: query, key, value [B, H, D] → output [B, H, Dv]; updates the state.
    public func callAsFunction(query: Tensor, key: Tensor, value: Tensor) -> Tensor { body(query, key, value) }
}

/// Multi-head attention layer: projections, head split, an inner `AttentionKind` mechanism, head
/// merge and output projection (Vaswani et al., 2017, §3.2.2).
///
/// Self-attention uses one fused QKV projection `qkv` [3C, C] as GPT-2 does. `settings` adds a
/// relative-position bias (`positionBias`, its parameters under `positionBias.*`), dot-product-free
/// attention (`qkv` then holds only W_V, [C, C]; W_Q = W_K = 0 are not stored) and FAVOR+ options.
public final class MultiHeadAttention: Module {
    public let numHeads: Int
    public let kind: AttentionKind
    public let qkv: Linear
    public let output: Linear
    /// Relative positions, dot product and FAVOR+ options.
    public let settings: AttentionSettings
    /// The per-head score bias; nil when `settings.positionBias` is `.none`.
    public let positionBias: RelativePositionBias?
    /// FAVOR+ draws made so far (with `favorRedraw`, each parallel pass and each stepper takes the next).
    private var favorDraws: UInt64 = 0

    /// A layer of width `modelDim` with `numHeads` heads; `settings` as in `AttentionSettings`
    /// (a position bias requires `kind == .softmax`, and `dotProduct: false` requires a position bias).
    public init(modelDim: Int, numHeads: Int, kind: AttentionKind, bias: Bool, outputStd: Float,
                settings: AttentionSettings = .init(), rng: inout RandomGenerator) {
        precondition(settings.positionBias == .none || kind == .softmax, "a position bias needs softmax attention")
        precondition(settings.dotProduct || settings.positionBias != .none, "dot-product-free attention needs a position bias")
        self.numHeads = numHeads
        self.kind = kind
        self.settings = settings
        qkv = Linear(modelDim, (settings.dotProduct ? 3 : 1) * modelDim, bias: bias, rng: &rng)
        output = Linear(modelDim, modelDim, bias: bias, std: outputStd, rng: &rng)
        positionBias = settings.positionBias == .none ? nil
            : RelativePositionBias(kind: settings.positionBias, numHeads: numHeads, buckets: settings.positionBuckets,
                                   maxDistance: settings.positionMaxDistance)
    }

    public var children: [(name: String, module: any Module)] {
        var list: [(name: String, module: any Module)] = [("qkv", qkv), ("output", output)]
        if let positionBias { list.append(("positionBias", positionBias)) }
        return list
    }

    /// The mechanism that mixes the heads: biased softmax when there is a position bias, FAVOR+ with
    /// this layer's feature settings, otherwise `kind.mechanism`.
    private func mechanism() -> any AttentionMechanism {
        if let positionBias { return RelativePositionAttention(bias: positionBias) }
        if kind == .linearFavor {
            var seed = settings.favorSeed
            if settings.favorRedraw {
                var draw = RandomGenerator(seed: settings.favorSeed).derived(favorDraws)
                seed = draw.next()
                favorDraws += 1
            }
            return LinearAttention(featureMap: .init(.favor, featureCount: settings.favorFeatures, seed: seed))
        }
        return kind.mechanism
    }

    /// Q, K, V [B, H, T, D] from the fused projection (Q and K of width 0 when dot-product-free).
    private func project(_ x: Tensor) -> (q: Tensor, k: Tensor, v: Tensor) {
        let fused = qkv(x)
        if !settings.dotProduct {
            let v = fused.splitHeads(numHeads: numHeads)
            let empty = Tensor.zeros([x.shape[0], numHeads, x.shape[1], 0])
            return (empty, empty, v)
        }
        return (fused.splitHeads(numHeads: numHeads, chunk: 0, of: 3), fused.splitHeads(numHeads: numHeads, chunk: 1, of: 3),
                fused.splitHeads(numHeads: numHeads, chunk: 2, of: 3))
    }

    /// Self-attention over x [B, T, C] → [B, T, C].
    public func callAsFunction(_ x: Tensor, mask: AttentionMask) -> Tensor {
        let (q, k, v) = project(x)
        let inner = mechanism()
        let mixed = inner(queries: q, keys: k, values: v, mask: mask)
        return output(mixed.mergeHeads())
    }

    /// A fresh recurrent state for `batch` sequences.
    public func makeStepper(batch: Int) -> AttentionStepper {
        let headDim = output.weight.shape[0] / numHeads
        return AttentionStepper(mechanism(), batch: batch, heads: numHeads,
                                keyDim: settings.dotProduct ? headDim : 0, valueDim: headDim)
    }
}
