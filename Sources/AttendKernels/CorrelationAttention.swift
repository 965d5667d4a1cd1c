import Foundation

// Causal correlation attention (the causal reading of Leviathan's correlation score).
//
// Per batch·head, with A = Q·Kᵀ (A(i, j) = q_i · k_j):
//   r_t(ℓ)   = Σ_{j=ℓ}^{t} q_j · k_{j−ℓ}                      the cross-correlation of Q and K at lag ℓ,
//                                                            restricted to positions ≤ t (ℓ = 0…t)
//   S(t, s)  = r_t(t − s) = Σ_{m=0}^{s} A(t − m, s − m)      (s ≤ t): a prefix sum along A's diagonals
//   score    = κ_s · S(t, s),  κ_s = 1/√(D·(s + 1))          S(t, s) has s + 1 terms
//   P        = softmax over s ≤ t,  O = P·V
// Rows obey S(t, s) = A(t, s) + S(t − 1, s − 1), so the parallel form costs O(T²·D) like softmax
// attention; the recurrent form keeps r_t (one number per lag) with the key–value cache.

/// κ_s = 1/√(D·(s + 1)) for s in 0..<length.
@inline(__always)
func correlationScales(length t: Int, headDim d: Int) -> [Float] {
    (0..<t).map { 1 / (Float(d) * Float($0 + 1)).squareRoot() }
}

/// Causal correlation attention forward: O = softmax(κ ⊙ S)·V with S(t, s) = Σ_{m=0}^{s} q_{t−m}·k_{s−m}
/// for s ≤ t, κ_s = 1/√(D·(s + 1)), keeping the probabilities P for the backward pass.
///
/// Q, K: [BH, T, D]; V, O: [BH, T, Dv]; P: [BH, T, T] (zero above the diagonal). O(T²·(D + Dv)) time,
/// O(T²) memory per head for P. A = Q·Kᵀ comes from one GEMM; S row t = A row t + S row t − 1 shifted
/// right by one.
public func causalCorrelationAttentionForward(queries q: UnsafePointer<Float>, keys k: UnsafePointer<Float>,
                                              values v: UnsafePointer<Float>, output o: UnsafeMutablePointer<Float>,
                                              probabilities p: UnsafeMutablePointer<Float>,
                                              batchHeads bh: Int, length t: Int, headDim d: Int, valueDim dv: Int) {
    if t == 0 { return }
    let kappa = correlationScales(length: t, headDim: d)
    parallelChunks(bh, work: bh * t * t * (d + dv) * 2) { range in
        let previous = UnsafeMutablePointer<Float>.allocate(capacity: t), current = UnsafeMutablePointer<Float>.allocate(capacity: t)
        defer { previous.deallocate(); current.deallocate() }
        kappa.withUnsafeBufferPointer { kappa in
            let kappa = kappa.baseAddress!
            for h in range {
                let ph = p + h * t * t
                // A = Q·Kᵀ [t, t]
                gemm(transA: false, transB: true, m: t, n: t, k: d, a: q + h * t * d, lda: d, b: k + h * t * d, ldb: d,
                     c: ph, ldc: t, threads: 1)
                var prev = previous, cur = current
                for i in 0..<t {
                    let row = ph + i * t
                    // S(i, 0) = A(i, 0);  S(i, s) = A(i, s) + S(i − 1, s − 1)
                    cur[0] = row[0]
                    if i > 0 { add(row + 1, prev, cur + 1, count: i) }
                    // P(i, ·) = softmax(κ ⊙ S(i, ·)) over s ≤ i; zero after
                    multiply(cur, kappa, row, count: i + 1)
                    softmaxRows(row, row, rows: 1, cols: i + 1)
                    if i + 1 < t { (row + i + 1).update(repeating: 0, count: t - i - 1) }
                    swap(&prev, &cur)
                }
                // O = P·V
                gemm(transA: false, transB: false, m: t, n: dv, k: t, a: ph, lda: t, b: v + h * t * dv, ldb: dv,
                     c: o + h * t * dv, ldc: dv, threads: 1)
            }
        }
    }
}

/// Backward of `causalCorrelationAttentionForward`: writes dQ, dK, dV (overwrites) from dO and the saved P, O.
///
/// dP = dO·Vᵀ; dV = Pᵀ·dO; G(t, s) = κ_s·P(t, s)·(dP(t, s) − dO_t·O_t) for s ≤ t (the gradient of
/// `score = κ_s·S(t, s)` through the softmax); S(t, s) = Σ_{m≥0} A(t − m, s − m) gives
/// dA(i, j) = Σ_{m≥0} G(i + m, j + m) = G(i, j) + dA(i + 1, j + 1) (a suffix sum along diagonals);
/// A = Q·Kᵀ gives dQ = dA·K, dK = dAᵀ·Q.
public func causalCorrelationAttentionBackward(queries q: UnsafePointer<Float>, keys k: UnsafePointer<Float>,
                                               values v: UnsafePointer<Float>, output o: UnsafePointer<Float>,
                                               probabilities p: UnsafePointer<Float>, dOutput dO: UnsafePointer<Float>,
                                               dQueries dQ: UnsafeMutablePointer<Float>, dKeys dK: UnsafeMutablePointer<Float>,
                                               dValues dV: UnsafeMutablePointer<Float>,
                                               batchHeads bh: Int, length t: Int, headDim d: Int, valueDim dv: Int) {
    if t == 0 { return }
    let kappa = correlationScales(length: t, headDim: d)
    parallelChunks(bh, work: bh * t * t * (2 * d + 2 * dv) * 2) { range in
        let dA = UnsafeMutablePointer<Float>.allocate(capacity: t * t)
        defer { dA.deallocate() }
        for h in range {
            let ph = p + h * t * t, doh = dO + h * t * dv, oh = o + h * t * dv
            // dP = dO·Vᵀ  [t, t]
            gemm(transA: false, transB: true, m: t, n: t, k: dv, a: doh, lda: dv, b: v + h * t * dv, ldb: dv,
                 c: dA, ldc: t, threads: 1)
            // dV = Pᵀ·dO  [t, dv]
            gemm(transA: true, transB: false, m: t, n: dv, k: t, a: ph, lda: t, b: doh, ldb: dv,
                 c: dV + h * t * dv, ldc: dv, threads: 1)
            // G(i, s) = κ_s · P(i, s) · (dP(i, s) − dO_i·O_i) for s ≤ i, 0 above the diagonal
            for i in 0..<t {
                let dot = dotProduct(doh + i * dv, oh + i * dv, count: dv)
                let prow = ph + i * t, grow = dA + i * t
                for s in 0...i { grow[s] = kappa[s] * prow[s] * (grow[s] - dot) }
                if i + 1 < t { (grow + i + 1).update(repeating: 0, count: t - i - 1) }
            }
            // dA(i, j) = G(i, j) + dA(i + 1, j + 1), rows from the last upwards
            if t >= 2 {
                for i in stride(from: t - 2, through: 0, by: -1) {
                    add(dA + i * t, dA + (i + 1) * t + 1, dA + i * t, count: i + 1)
                }
            }
            // dQ = dA·K  [t, d];  dK = dAᵀ·Q  [t, d]
            gemm(transA: false, transB: false, m: t, n: d, k: t, a: dA, lda: t, b: k + h * t * d, ldb: d,
                 c: dQ + h * t * d, ldc: d, threads: 1)
            gemm(transA: true, transB: false, m: t, n: d, k: t, a: dA, lda: t, b: q + h * t * d, ldb: d,
                 c: dK + h * t * d, ldc: d, threads: 1)
        }
    }
}

/// Direct-sum reference of `causalCorrelationAttentionForward` (Float64): every S(t, s) summed from its
/// definition Σ_{m=0}^{s} q_{t−m}·k_{s−m}. O(T³·D) per head; for the tests.
public func causalCorrelationAttentionReference(queries q: UnsafePointer<Float>, keys k: UnsafePointer<Float>,
                                                values v: UnsafePointer<Float>, output o: UnsafeMutablePointer<Float>,
                                                batchHeads bh: Int, length t: Int, headDim d: Int, valueDim dv: Int) {
    var scores = [Double](repeating: 0, count: t)
    for h in 0..<bh {
        let qh = q + h * t * d, kh = k + h * t * d, vh = v + h * t * dv
        for i in 0..<t {
            var top = -Double.infinity
            for s in 0...i {
                var acc = 0.0
                for m in 0...s {
                    for c in 0..<d { acc += Double(qh[(i - m) * d + c]) * Double(kh[(s - m) * d + c]) }
                }
                scores[s] = acc / (Double(d) * Double(s + 1)).squareRoot()
                top = max(top, scores[s])
            }
            var z = 0.0
            for s in 0...i { scores[s] = exp(scores[s] - top); z += scores[s] }
            for c in 0..<dv {
                var acc = 0.0
                for s in 0...i { acc += scores[s] / z * Double(vh[s * dv + c]) }
                o[(h * t + i) * dv + c] = Float(acc)
            }
        }
    }
}

/// One generation step of causal correlation attention (its recurrent form).
///
/// For each batch·head, with the new key and value already appended at row `length − 1` = t of the
/// caches and `lagSums` holding r_{t−1}(ℓ) for ℓ < t (and 0 at ℓ = t): r_t(ℓ) = r_{t−1}(ℓ) + q·k_{t−ℓ}
/// for ℓ = 0…t (updated in place), score_s = κ_s·r_t(t − s), o = softmax(score)·V.
/// q, o: [BH, D]; keys, values: [BH, capacity, D]; lagSums: [BH, capacity]. O(t·D) per head.
public func correlationAttentionStep(query q: UnsafePointer<Float>, keys k: UnsafePointer<Float>,
                                     values v: UnsafePointer<Float>, lagSums r: UnsafeMutablePointer<Float>,
                                     output o: UnsafeMutablePointer<Float>,
                                     batchHeads bh: Int, length: Int, capacity: Int, headDim d: Int) {
    precondition(length >= 1 && length <= capacity, "correlationAttentionStep: bad cache length")
    let t = length - 1
    parallelChunks(bh, work: bh * length * d * 4) { range in
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: length)
        defer { scores.deallocate() }
        for h in range {
            let qh = q + h * d, kh = k + h * capacity * d, vh = v + h * capacity * d, rh = r + h * capacity, oh = o + h * d
            for lag in 0...t { rh[lag] += dotProduct(qh, kh + (t - lag) * d, count: d) }
            for s in 0...t { scores[s] = rh[t - s] * (1 / (Float(d) * Float(s + 1)).squareRoot()) }
            softmaxRows(scores, scores, rows: 1, cols: length)
            oh.update(repeating: 0, count: d)
            for s in 0...t {
                let ps = scores[s], vs = vh + s * d
                for c in 0..<d { oh[c] += ps * vs[c] }
            }
        }
    }
}
