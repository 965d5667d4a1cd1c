import AttendTensor

/// Rotary position embeddings (RoPE; Su et al., 2021, "RoFormer") around a dot-product mechanism:
/// queries and keys are rotated by their positions before `inner` scores them, so each score
/// ⟨R_m q, R_n k⟩ = ⟨q, R_{n−m} k⟩ depends on positions only through the offset n − m (RoFormer eq. 16).
///
/// Positions follow the relative-position convention: with S keys and T queries the keys sit at
/// 0 … S − 1 and the queries at S − T … S − 1 (as with a KV cache); a step's query and key sit at the
/// number of positions already in the state. No parameters.
public struct RotaryAttention<Inner: AttentionMechanism>: AttentionMechanism {
    /// The mechanism that scores the rotated queries and keys (softmax, or softmax with a position bias).
    public let inner: Inner

    init(_ inner: Inner) { self.inner = inner }

    /// The inner state and the position of the next step.
    public struct State {
        /// The inner mechanism's state, fed with rotated queries and keys.
        public var inner: Inner.State
        /// Position of the next step: the number of steps taken so far.
        public var position = 0
    }

    public func callAsFunction(queries: Tensor, keys: Tensor, values: Tensor, mask: AttentionMask) -> Tensor {
        let offset = keys.shape[2] - queries.shape[2]
        return inner(queries: queries.rotated(positionOffset: offset), keys: keys.rotated(), values: values, mask: mask)
    }

    public func initialState(batch: Int, heads: Int, keyDim: Int, valueDim: Int) -> State {
        State(inner: inner.initialState(batch: batch, heads: heads, keyDim: keyDim, valueDim: valueDim))
    }

    public func step(query: Tensor, key: Tensor, value: Tensor, state: inout State) -> Tensor {
        let p = state.position
        state.position += 1
        return inner.step(query: rotatedStep(query, at: p), key: rotatedStep(key, at: p), value: value, state: &state.inner)
    }

    public func reorder(_ state: inout State, rows: [Int]) { inner.reorder(&state.inner, rows: rows) }

    public var capabilities: AttentionCapabilities { inner.capabilities }

    /// The inner cost plus the rotations (3 FLOPs per channel of q and k).
    public func cost(length: Int, heads: Int, headDim: Int) -> AttentionCost {
        var cost = inner.cost(length: length, heads: heads, headDim: headDim)
        cost.flopsPerToken += Double(6 * heads * headDim)
        cost.stepFLOPs += Double(6 * heads * headDim)
        return cost
    }
}

/// Linear attention with rotary positions as RoFormer §3.4.2 (eq. 19) defines it: the rotation acts on
/// the features, after the feature map, in the numerator only —
///
///     o_t = Σ_{s ≤ t} (R_t φ(q_t))ᵀ (R_s φ(k_s)) v_s  /  (Σ_{s ≤ t} φ(q_t)ᵀ φ(k_s) + ε)
///
/// so the numerator weights depend on positions only through t − s while the normaliser keeps the
/// positive features (rotating them too could make it zero or negative). The recurrent form keeps
/// S = Σ R_s φ(k_s) v_sᵀ and Z = Σ φ(k_s): O(M·Dv) per head at any context length. Key padding zeroes
/// φ(k) of padded keys, as in `LinearAttention`. M (the feature width) must be even.
public struct RotaryLinearAttention: AttentionMechanism {
    /// The feature map and ε.
    public let linear: LinearAttention

    init(_ linear: LinearAttention) { self.linear = linear }

    /// S [B·H, M, Dv], Z [B·H, M] and the position of the next step.
    public struct State {
        /// S = Σ R_s φ(k_s) v_sᵀ over the steps so far [B·H, M, Dv] (rotated features).
        public var sums: Tensor
        /// Z = Σ φ(k_s) over the steps so far [B·H, M] (unrotated features).
        public var normalizer: Tensor
        /// Position of the next step: the number of steps taken so far.
        public var position = 0
    }

    public func callAsFunction(queries: Tensor, keys: Tensor, values: Tensor, mask: AttentionMask) -> Tensor {
        let phiQ = linear.featureMap(queries), phiK = linear.maskedFeatures(keys, mask.keyLengths)
        let offset = keys.shape[2] - queries.shape[2]
        return Tensor.linearAttention(queries: phiQ.rotated(positionOffset: offset), keys: phiK.rotated(),
                                      normalizerQueries: phiQ, normalizerKeys: phiK, values: values,
                                      causal: mask.causal, epsilon: linear.epsilon)
    }

    public func initialState(batch: Int, heads: Int, keyDim: Int, valueDim: Int) -> State {
        let plain = linear.initialState(batch: batch, heads: heads, keyDim: keyDim, valueDim: valueDim)
        return State(sums: plain.sums, normalizer: plain.normalizer)
    }

    public func step(query: Tensor, key: Tensor, value: Tensor, state: inout State) -> Tensor {
        let (b, h, dv) = (query.shape[0], query.shape[1], value.shape[2])
        let p = state.position
        state.position += 1
        return withoutGradients {
            let phiQ = linear.featureMap(query), phiK = linear.featureMap(key)
            let m = phiQ.shape[2]
            let a = rotatedStep(phiQ, at: p), bk = rotatedStep(phiK, at: p)
            let out = Tensor(uninitializedShape: [b, h, dv])
            for i in 0..<(b * h) {
                let (sums, z) = (state.sums.pointer + i * m * dv, state.normalizer.pointer + i * m)
                let (aq, kRotated, cq, ek, v) = (a.pointer + i * m, bk.pointer + i * m, phiQ.pointer + i * m, phiK.pointer + i * m,
                                                 value.pointer + i * dv)
                var den = linear.epsilon
                for f in 0..<m {  // S += R φ(k) vᵀ, Z += φ(k)
                    for c in 0..<dv { sums[f * dv + c] += kRotated[f] * v[c] }
                    z[f] += ek[f]
                    den += cq[f] * z[f]
                }
                for c in 0..<dv {
                    var num: Float = 0
                    for f in 0..<m { num += aq[f] * sums[f * dv + c] }
                    out.pointer[i * dv + c] = num / den
                }
            }
            return out
        }
    }

    public func reorder(_ state: inout State, rows: [Int]) {
        state.sums = state.sums.gatheringSequences(rows)
        state.normalizer = state.normalizer.gatheringSequences(rows)
    }

    public var capabilities: AttentionCapabilities { linear.capabilities }

    /// Linear attention's cost, the numerator and normaliser now from separate features (2·M more per
    /// token), plus the rotations.
    public func cost(length: Int, heads: Int, headDim: Int) -> AttentionCost {
        var cost = linear.cost(length: length, heads: heads, headDim: headDim)
        let m = cost.stateBytes / Double(4 * heads * (headDim + 1))
        cost.flopsPerToken += Double(heads) * 8 * m
        cost.stepFLOPs += Double(heads) * 8 * m
        return cost
    }
}

/// x [B, H, D] at position `position`, rotated (a one-row view of `Tensor.rotated`).
func rotatedStep(_ x: Tensor, at position: Int) -> Tensor {
    let (b, h, d) = (x.shape[0], x.shape[1], x.shape[2])
    return x.reshaped([b, h, 1, d]).rotated(positionOffset: position).reshaped([b, h, d])
}
