import Foundation

/// Rotary position embeddings (RoPE; Su et al., 2021, "RoFormer: Enhanced Transformer with Rotary
/// Position Embedding") and the linear attention with separate numerator and normaliser features
/// that RoFormer's linear-attention form (§3.4.2 there, eq. 19) needs.
extension Tensor {
    /// Rotates each pair of channels (2i, 2i + 1) of row t by the angle p·θ_i, p = `positionOffset` + t,
    /// θ_i = base^(−2i/D) (RoFormer eq. 15, interleaved pairs):
    ///
    ///     y[2i]     = x[2i]·cos pθ_i − x[2i+1]·sin pθ_i
    ///     y[2i + 1] = x[2i]·sin pθ_i + x[2i+1]·cos pθ_i
    ///
    /// so that ⟨R_m q, R_n k⟩ = ⟨q, R_{n−m} k⟩ depends on positions only through n − m.
    /// x: [B, H, T, D] (D even) → [B, H, T, D]. Differentiable: dx = R_pᵀ·dy (rotation by −pθ_i).
    public func rotated(positionOffset: Int = 0, base: Double = 10000) -> Tensor {
        precondition(rank == 4, "rotated expects [B, H, T, D], got \(shape)")
        let (t, d) = (shape[2], shape[3])
        precondition(d % 2 == 0, "rotary embeddings rotate channel pairs: the width must be even, got \(d)")
        let half = d / 2
        // cos/sin tables [T, D/2], computed in Double.
        var cosines = [Float](repeating: 1, count: t * half), sines = [Float](repeating: 0, count: t * half)
        for row in 0..<t {
            let p = Double(positionOffset + row)
            for i in 0..<half {
                let angle = p * Foundation.pow(base, -2 * Double(i) / Double(d))
                cosines[row * half + i] = Float(Foundation.cos(angle))
                sines[row * half + i] = Float(Foundation.sin(angle))
            }
        }
        let out = Tensor(uninitializedShape: shape)
        Self.rotatePairs(pointer, out.pointer, rows: count / d, length: t, width: d, cosines: cosines, sines: sines, sign: 1)
        if Tensor.needsGrad(self) {
            out.record { g in
                // y = R_p x  →  dx = R_pᵀ dy = R_{−p} dy
                let dx = Tensor(uninitializedShape: self.shape)
                Self.rotatePairs(g.pointer, dx.pointer, rows: self.count / d, length: t, width: d, cosines: cosines, sines: sines, sign: -1)
                self.accumulateGrad(taking: dx)
            }
        }
        return out
    }

    /// y = R(sign·pθ)·x for `rows` rows of `width` channels; row r sits at table row r mod `length`.
    private static func rotatePairs(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, length: Int, width: Int,
                                    cosines: [Float], sines: [Float], sign: Float) {
        let half = width / 2
        for r in 0..<rows {
            let table = (r % length) * half
            let (xr, yr) = (x + r * width, y + r * width)
            for i in 0..<half {
                let c = cosines[table + i], s = sign * sines[table + i]
                let (a, b) = (xr[2 * i], xr[2 * i + 1])
                yr[2 * i] = a * c - b * s
                yr[2 * i + 1] = a * s + b * c
            }
        }
    }

    /// Linear attention whose numerator and normaliser use different features (RoFormer eq. 19, with
    /// A = R φ(Q), B = R φ(K) the rotated features and C = φ(Q), E = φ(K) the plain ones):
    ///
    ///     o_t = Σ_{s ∈ K(t)} (A_t · B_s) v_s  /  (Σ_{s ∈ K(t)} C_t · E_s + ε)
    ///
    /// K(t) = {s ≤ t} when `causal` (then S = T), every key otherwise. With positive C, E the normaliser
    /// stays positive although the rotated numerator weights may be negative.
    ///
    /// queries A, C: [B, H, T, M]; keys B, E: [B, H, S, M]; values [B, H, S, Dv] → [B, H, T, Dv].
    /// O(T·M·Dv) time per head (prefix sums S_t = Σ B_s v_sᵀ, z_t = Σ E_s); reference loops.
    public static func linearAttention(queries a: Tensor, keys b: Tensor, normalizerQueries c: Tensor, normalizerKeys e: Tensor,
                                       values v: Tensor, causal: Bool, epsilon: Float = 1e-6) -> Tensor {
        precondition(a.rank == 4 && a.shape == c.shape && b.shape == e.shape, "linear attention feature shapes differ: \(a.shape), \(b.shape), \(c.shape), \(e.shape)")
        let (bh, t, m, s, dv) = (a.shape[0] * a.shape[1], a.shape[2], a.shape[3], b.shape[2], v.shape[3])
        precondition(b.shape == [a.shape[0], a.shape[1], s, m] && v.shape == [a.shape[0], a.shape[1], s, dv],
                     "linear attention shapes differ: q \(a.shape), k \(b.shape), v \(v.shape)")
        precondition(!causal || s == t, "causal linear attention needs as many keys as queries")
        let out = Tensor(uninitializedShape: [a.shape[0], a.shape[1], t, dv])
        let denominators = [Float](unsafeUninitializedCapacity: bh * t) { buffer, filled in
            for i in 0..<bh {
                let (A, B, C, E, V) = (a.pointer + i * t * m, b.pointer + i * s * m, c.pointer + i * t * m, e.pointer + i * s * m, v.pointer + i * s * dv)
                let O = out.pointer + i * t * dv
                var state = [Float](repeating: 0, count: m * dv), z = [Float](repeating: 0, count: m)
                func absorb(_ j: Int) {  // S += B_j v_jᵀ, z += E_j
                    for f in 0..<m {
                        let bf = B[j * m + f]
                        for c in 0..<dv { state[f * dv + c] += bf * V[j * dv + c] }
                        z[f] += E[j * m + f]
                    }
                }
                if !causal { for j in 0..<s { absorb(j) } }
                for r in 0..<t {
                    if causal { absorb(r) }
                    var den = epsilon
                    for f in 0..<m { den += C[r * m + f] * z[f] }
                    for c in 0..<dv {
                        var num: Float = 0
                        for f in 0..<m { num += A[r * m + f] * state[f * dv + c] }
                        O[r * dv + c] = num / den
                    }
                    buffer[i * t + r] = den
                }
            }
            filled = bh * t
        }
        if needsGrad(a, b, c, e, v) {
            out.record { g in
                let (da, db, dc, de, dvs) = (Tensor.zeros(a.shape), Tensor.zeros(b.shape), Tensor.zeros(c.shape),
                                             Tensor.zeros(e.shape), Tensor.zeros(v.shape))
                for i in 0..<bh {
                    let (A, B, C, E, V) = (a.pointer + i * t * m, b.pointer + i * s * m, c.pointer + i * t * m, e.pointer + i * s * m, v.pointer + i * s * dv)
                    let (O, G) = (out.pointer + i * t * dv, g.pointer + i * t * dv)
                    let (dA, dB, dC, dE, dV) = (da.pointer + i * t * m, db.pointer + i * s * m, dc.pointer + i * t * m,
                                                de.pointer + i * s * m, dvs.pointer + i * s * dv)
                    // o_t = n_t / den_t  →  dn_t = g_t / den_t,  dden_t = −(g_t · o_t) / den_t
                    var dn = [Float](repeating: 0, count: t * dv), dden = [Float](repeating: 0, count: t)
                    for r in 0..<t {
                        let den = denominators[i * t + r]
                        var dot: Float = 0
                        for col in 0..<dv { dn[r * dv + col] = G[r * dv + col] / den; dot += G[r * dv + col] * O[r * dv + col] }
                        dden[r] = -dot / den
                    }
                    // n_t = Σ_{s∈K(t)} (A_t·B_s) v_s  →  dA_t = S_t·dn_t; den_t = C_t·z_t + ε → dC_t = dden_t·z_t
                    var state = [Float](repeating: 0, count: m * dv), z = [Float](repeating: 0, count: m)
                    func absorb(_ j: Int) {
                        for f in 0..<m {
                            for col in 0..<dv { state[f * dv + col] += B[j * m + f] * V[j * dv + col] }
                            z[f] += E[j * m + f]
                        }
                    }
                    if !causal { for j in 0..<s { absorb(j) } }
                    for r in 0..<t {
                        if causal { absorb(r) }
                        for f in 0..<m {
                            var acc: Float = 0
                            for col in 0..<dv { acc += state[f * dv + col] * dn[r * dv + col] }
                            dA[r * m + f] = acc
                            dC[r * m + f] = dden[r] * z[f]
                        }
                    }
                    // dB_j = P_j·v_j, dV_j = P_jᵀ·B_j with P_j = Σ_{t: j∈K(t)} A_t dn_tᵀ; dE_j = Σ_{t: j∈K(t)} dden_t C_t
                    var p = [Float](repeating: 0, count: m * dv), w = [Float](repeating: 0, count: m)
                    func gather(_ r: Int) {
                        for f in 0..<m {
                            for col in 0..<dv { p[f * dv + col] += A[r * m + f] * dn[r * dv + col] }
                            w[f] += dden[r] * C[r * m + f]
                        }
                    }
                    if !causal { for r in 0..<t { gather(r) } }
                    for j in stride(from: s - 1, through: 0, by: -1) {
                        if causal { gather(j) }
                        for f in 0..<m {
                            var acc: Float = 0
                            for col in 0..<dv { acc += p[f * dv + col] * V[j * dv + col] }
                            dB[j * m + f] = acc
                            dE[j * m + f] = w[f]
                        }
                        for col in 0..<dv {
                            var acc: Float = 0
                            for f in 0..<m { acc += p[f * dv + col] * B[j * m + f] }
                            dV[j * dv + col] = acc
                        }
                    }
                }
                a.accumulateGrad(taking: da)
                b.accumulateGrad(taking: db)
                c.accumulateGrad(taking: dc)
                e.accumulateGrad(taking: de)
                v.accumulateGrad(taking: dvs)
            }
        }
        return out
    }
}
