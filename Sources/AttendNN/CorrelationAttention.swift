import AttendKernels
import AttendTensor

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

    /// Keys, values [B·H, capacity, D] and lag sums r [B·H, capacity] of the positions seen so far;
    /// capacity doubles as needed.
    public struct State {
        /// k_0 … k_{t}: [B·H, capacity, D], first `length` rows filled.
        public var keys: Tensor
        /// v_0 … v_{t}: [B·H, capacity, Dv], first `length` rows filled.
        public var values: Tensor
        /// r_t(ℓ) = Σ_{j=ℓ}^{t} q_j·k_{j−ℓ} for ℓ < `length`: [B·H, capacity] (zero past `length`).
        public var lagSums: Tensor
        /// Positions seen so far (t + 1).
        public var length = 0
        /// Rows allocated per head.
        public var capacity: Int { keys.shape[1] }
    }

    public func callAsFunction(queries: Tensor, keys: Tensor, values: Tensor, mask: AttentionMask) -> Tensor {
        precondition(mask.causal && mask.keyLengths == nil,
                     "correlation attention is causal by definition; it takes only the causal mask")
        return Tensor.causalCorrelationAttention(queries: queries, keys: keys, values: values)
    }

    public func initialState(batch: Int, heads: Int, keyDim: Int, valueDim: Int) -> State {
        precondition(keyDim == valueDim, "the correlation cache expects equal key and value widths")
        let bh = batch * heads
        return State(keys: .zeros([bh, 16, keyDim]), values: .zeros([bh, 16, valueDim]), lagSums: .zeros([bh, 16]))
    }

    public func step(query: Tensor, key: Tensor, value: Tensor, state: inout State) -> Tensor {
        let (b, h, d) = (query.shape[0], query.shape[1], query.shape[2])
        let bh = b * h
        if state.length == state.capacity {  // grow: copy rows into buffers twice as long (new lag sums start at 0)
            state.keys = state.keys.doublingCapacity(keeping: state.length)
            state.values = state.values.doublingCapacity(keeping: state.length)
            state.lagSums = state.lagSums.doublingCapacity(keeping: state.length)
        }
        let capacity = state.capacity
        state.keys.writeRows(key, at: state.length)
        state.values.writeRows(value, at: state.length)
        state.length += 1
        let out = Tensor(uninitializedShape: [b, h, d])
        correlationAttentionStep(query: query.pointer, keys: state.keys.pointer, values: state.values.pointer,
                                 lagSums: state.lagSums.pointer, output: out.pointer, batchHeads: bh,
                                 length: state.length, capacity: capacity, headDim: d)
        return out
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
                            + "kinds that support generation: \(AttentionKind.allCases.filter(\.supportsGeneration).map(\.rawValue))")
    }
}

extension AttentionKind {
    /// Whether this kind has a recurrent (one token at a time) form, so `attend generate` and
    /// `DecoderOnly.makeStepper` can use it. False only for `correlationAsWritten`, whose correlation
    /// reads future tokens and other sequences.
    public var supportsGeneration: Bool { self != .correlationAsWritten }

    /// Throws `AttentionError.noRecurrentForm` unless `supportsGeneration`.
    public func requireRecurrentForm() throws {
        if !supportsGeneration { throw AttentionError.noRecurrentForm(self) }
    }
}

/// An attention kind used where it cannot work.
public enum AttentionError: Error, CustomStringConvertible, Equatable {
    /// Generation was asked of a kind without a recurrent form.
    case noRecurrentForm(AttentionKind)

    public var description: String {
        switch self {
        case let .noRecurrentForm(kind):
            return "attention '\(kind.rawValue)' cannot generate: it has no recurrent form (its output at t reads tokens after t). "
                + "Train with one of: \(AttentionKind.allCases.filter(\.supportsGeneration).map(\.rawValue).joined(separator: ", "))"
        }
    }
}
