import AttendKernels
import AttendTensor
import Foundation

/// Correlation attention, causal reading of Leviathan's "correlation score" (Y. Srivastava,
/// github.com/yash-srivastava19/attention-free-revolution): the score of query t for key s ≤ t is the
/// cross-correlation of Q and K at lag t − s, restricted to positions ≤ t.
///
/// Per sequence and head, with q_j, k_j ∈ ℝ^D:
///
///     r_t(ℓ)  = Σ_{j=ℓ}^{t} q_j · k_{j−ℓ}                  (ℓ = 0…t; per-channel products summed over the D channels)
///     S(t, s) = r_t(t − s) = Σ_{m=0}^{s} q_{t−m} · k_{s−m}
///     o_t     = Σ_{s≤t} softmax_s(S(t, s) / √(D·(s + 1))) · v_s
///
/// S(t, s) compares the history ending at t with the history ending at s, aligned backwards: its
/// m = 0 term is the ordinary dot product q_t·k_s, so for T = 1 (or keys without history) it is
/// softmax attention; dividing by √(D·(s + 1)) keeps unit-scale scores although S(t, s) has s + 1
/// terms. It is strictly causal (only positions ≤ t enter row t) and gradients flow to Q, K and V.
///
/// Shapes: queries, keys [B, H, T, D], values [B, H, T, Dv] → [B, H, T, Dv]; the mask is always causal
/// (a non-causal mask is not supported: the definition itself is causal). Cost O(T²·(D + Dv)) like
/// softmax attention: rows obey S(t, s) = q_t·k_s + S(t − 1, s − 1), so the T² scores come from
/// Q·Kᵀ products and a diagonal prefix sum, computed in 64-row blocks with one checkpointed score row
/// per block (memory O(T²/64) per head, never T×T). An FFT never pays here: the scores are T² numbers, and
/// FFT-correlating each row would cost O(T²·D·log T). Recurrent form: the key–value cache plus
/// r_t (one number per lag per head), updated as r_t(ℓ) = r_{t−1}(ℓ) + q_t·k_{t−ℓ} in O(t·D).
public struct CorrelationAttention: AttentionMechanism {
    /// The mechanism has no settings: the scale 1/√(D·(s + 1)) follows from the shapes.
    public init() {}

    /// Keys and values of the positions seen so far (a key–value cache) and their lag sums r
    /// [B·H, capacity]; capacity doubles as needed.
    public struct State {
        /// k_0 … k_t and v_0 … v_t.
        public var cache: KeyValueCache
        /// r_t(ℓ) = Σ_{j=ℓ}^{t} q_j·k_{j−ℓ} for ℓ < `cache.length`: [B·H, capacity] (zero past the length).
        public var lagSums: Tensor
    }

    public func callAsFunction(queries: Tensor, keys: Tensor, values: Tensor, mask: AttentionMask) -> Tensor {
        precondition(mask.causal && mask.keyLengths == nil,
                     "correlation attention is causal by definition; it takes only the causal mask")
        return Tensor.causalCorrelationAttention(queries: queries, keys: keys, values: values)
    }

    /// An empty cache of keys [B·H, ·, Dk] and values [B·H, ·, Dv] (the widths may differ) and zero lag sums.
    public func initialState(batch: Int, heads: Int, keyDim: Int, valueDim: Int) -> State {
        let cache = KeyValueCache(rows: batch * heads, keyDim: keyDim, valueDim: valueDim)
        return State(cache: cache, lagSums: .zeros([batch * heads, cache.capacity]))
    }

    public func step(query: Tensor, key: Tensor, value: Tensor, state: inout State) -> Tensor {
        let (b, h, d, dv) = (query.shape[0], query.shape[1], query.shape[2], value.shape[2])
        let length = state.cache.length
        if state.cache.append(key: key, value: value) {  // the cache grew: new lag sums start at 0
            state.lagSums = state.lagSums.doublingCapacity(keeping: length)
        }
        let out = Tensor(uninitializedShape: [b, h, dv])
        correlationAttentionStep(query: query.pointer, keys: state.cache.keys.pointer, values: state.cache.values.pointer,
                                 lagSums: state.lagSums.pointer, output: out.pointer, batchHeads: b * h,
                                 length: state.cache.length, capacity: state.cache.capacity, headDim: d, valueDim: dv)
        return out
    }

    public func reorder(_ state: inout State, rows: [Int]) {
        state.cache.reorder(rows: rows)
        state.lagSums = state.lagSums.gatheringSequences(rows)
    }

    /// Causal by definition; key padding (a padded source) is not supported, so it cannot be an encoder
    /// or cross-attention (`AttentionSpec.validate` refuses those roles).
    public var capabilities: AttentionCapabilities { .init(causal: true, recurrent: true, padding: false, fixedSizeState: false) }

    /// Softmax attention's products plus the diagonal prefix sums (one add per score); a step also
    /// updates r_t (2·t·D); the state is the cache plus one lag sum per position.
    public func cost(length: Int, heads: Int, headDim: Int) -> AttentionCost {
        let (t, h, d) = (Double(length), Double(heads), Double(headDim))
        return AttentionCost(flopsPerToken: 2 * t * h * d + t * h / 2, stepFLOPs: 6 * t * h * d,
                             stateBytes: KeyValueCache.bytes(positions: length, rows: heads, keyDim: headDim, valueDim: headDim) + t * h * 4,
                             workingBytes: h * t * (t / 64) * 4, efficiency: 0.04)
    }
}

/// Correlation attention exactly as Leviathan's published code computes it (`scaled_correlation` in
/// github.com/yash-srivastava19/attention-free-revolution): C = scipy.signal.correlate(Q, K, mode='same')
/// over the whole [B, H, T, D] tensor, detached, used in place of Q: softmax(C·Kᵀ/√D)·V, no causal mask.
///
///     C[b, h, t, c] = Σ_{b′,h′,t′,c′} Q[b + b′ − ⌊B/2⌋, h + h′ − ⌊H/2⌋, t + t′ − ⌊T/2⌋, c + c′ − ⌊D/2⌋] · K[b′, h′, t′, c′]
///     O = softmax(C·Kᵀ/√D)·V                      (per batch and head; Q zero outside its bounds)
///
/// **Caveat — this is not a causal or even a per-sequence operation.** The correlation runs over the
/// batch, head, time and channel axes at once, so row t of the output depends on tokens after t
/// (information flows from the future: a language model trained with it reads the answer) and on
/// the *other sequences in the batch* (and on how the trainer splits the batch into per-core shards).
/// The causal mask is ignored (key padding is honoured in the softmax); there is no recurrent form,
/// so `step` traps and generation refuses this kind (`AttentionKind.supportsGeneration`). No gradient
/// flows through C (as `.detach()`); gradients reach K (through C·Kᵀ) and V.
///
/// Shapes: queries, keys [B, H, T, D], values [B, H, T, Dv] → [B, H, T, Dv]. Cost: a 2-D FFT of every
/// (batch, head) slice padded to L = nextPow2(2T − 1)·nextPow2(2D − 1) points, O(B·H·L log L), plus the
/// frequency-domain sum over slice pairs, O((B·H)²·L), plus flash softmax attention O(B·H·T²·D).
public struct CorrelationAsWrittenAttention: AttentionMechanism {
    /// The mechanism has no settings (scale 1/√D as in the published code).
    public init() {}

    public func callAsFunction(queries: Tensor, keys: Tensor, values: Tensor, mask: AttentionMask) -> Tensor {
        precondition(queries.shape == keys.shape, "correlation-as-written correlates equally shaped Q and K, got \(queries.shape) and \(keys.shape)")
        let correlation = withoutGradients { Tensor.correlate(queries, keys) }
        return Tensor.flashAttention(queries: correlation, keys: keys, values: values,
                                     mask: AttentionMask(causal: false, keyLengths: mask.keyLengths))
    }

    /// No state: there is no recurrent form.
    public func initialState(batch: Int, heads: Int, keyDim: Int, valueDim: Int) {}

    /// Never valid: the published correlation mixes every position of the whole batch, so there is no
    /// step form. Generation checks `AttentionKind.supportsGeneration` first and throws.
    public func step(query: Tensor, key: Tensor, value: Tensor, state: inout Void) -> Tensor {
        preconditionFailure("correlation-as-written has no recurrent form (it reads future tokens); "
                            + "kinds that support generation: \(AttentionKind.names { $0.recurrent })")
    }

    public func reorder(_ state: inout Void, rows: [Int]) {}

    /// Neither causal nor recurrent, and its correlation mixes padded positions and other sentences,
    /// so it cannot attend over a padded source either: decoder-only training is its only use.
    public var capabilities: AttentionCapabilities { .init(causal: false, recurrent: false, padding: false, fixedSizeState: false) }

    /// Non-causal softmax attention (4·T·D per token and head) plus the FFT correlation: four Float64
    /// complex spectra of the H slices padded to L = nextPow2(2T − 1)·nextPow2(2D − 1) points
    /// (O(L log L) each, ≈ 5·L·log₂L FLOPs per transform), kept at once.
    public func cost(length: Int, heads: Int, headDim: Int) -> AttentionCost {
        func nextPowerOfTwo(_ n: Int) -> Int { var p = 1; while p < n { p *= 2 }; return p }
        let l = Double(nextPowerOfTwo(2 * length - 1) * nextPowerOfTwo(2 * headDim - 1))
        let (t, h, d) = (Double(length), Double(heads), Double(headDim))
        let fft = 3 * h * 5 * l * log2(l) + h * h * l * 8
        return AttentionCost(flopsPerToken: 4 * t * h * d + fft / t, stepFLOPs: 0, stateBytes: 0,
                             workingBytes: 4 * h * l * 8, efficiency: 0.04)
    }
}
