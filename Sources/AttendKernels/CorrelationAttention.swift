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
// attention, in row blocks that never hold the T×T matrix; the recurrent form keeps r_t (one number
// per lag) with the key–value cache.

/// κ_s = 1/√(D·(s + 1)) for s in 0..<length.
@inline(__always)
func correlationScales(length t: Int, headDim d: Int) -> [Float] {
    (0..<t).map { 1 / (Float(d) * Float($0 + 1)).squareRoot() }
}

/// Rows per block of the causal correlation kernels: the forward keeps the S row before each block
/// (a checkpoint) so the backward can recompute a block's scores without the T×T matrix.
public let correlationRowBlock = 64

/// Floats of checkpoint storage per batch·head for sequence length T: one S row of length T per block.
public func causalCorrelationCheckpointCount(length t: Int) -> Int {
    (t + correlationRowBlock - 1) / correlationRowBlock * t
}

/// Computes S and P for rows r0..<r1 of one head: A = Q[r0..<r1]·K[0..<r1]ᵀ, then
/// S(i, s) = A(i, s) + S(i − 1, s − 1) (S row r0 − 1 read from `carry`), P(i, ·) = softmax(κ ⊙ S(i, ·))
/// over s ≤ i, zero for i < s < r1. Tiles have leading dimension `t`.
@inline(__always)
private func correlationBlockScores(q: UnsafePointer<Float>, k: UnsafePointer<Float>, carry: UnsafePointer<Float>,
                                    kappa: UnsafePointer<Float>, s sTile: UnsafeMutablePointer<Float>,
                                    p pTile: UnsafeMutablePointer<Float>, r0: Int, r1: Int, t: Int, d: Int) {
    gemm(transA: false, transB: true, m: r1 - r0, n: r1, k: d, a: q + r0 * d, lda: d, b: k, ldb: d,
         c: sTile, ldc: t, threads: 1)
    for i in r0..<r1 {
        let row = sTile + (i - r0) * t, prow = pTile + (i - r0) * t
        // S(i, 0) = A(i, 0);  S(i, s) = A(i, s) + S(i − 1, s − 1)
        if i > 0 { add(row + 1, i == r0 ? carry : UnsafePointer(row - t), row + 1, count: i) }
        multiply(row, kappa, prow, count: i + 1)
        softmaxRows(prow, prow, rows: 1, cols: i + 1)
        if i + 1 < r1 { (prow + i + 1).update(repeating: 0, count: r1 - i - 1) }
    }
}

/// Causal correlation attention forward: O = softmax(κ ⊙ S)·V with S(t, s) = Σ_{m=0}^{s} q_{t−m}·k_{s−m}
/// for s ≤ t, κ_s = 1/√(D·(s + 1)).
///
/// Q, K: [BH, T, D]; V, O: [BH, T, Dv]; checkpoints: [BH, causalCorrelationCheckpointCount(T)] (written:
/// the S row before each block of `correlationRowBlock` rows, for the backward pass). Rows are processed
/// in blocks of R = 64: A = Q_block·K[0..<r1]ᵀ (only keys up to the block's last row), the row recurrence
/// S row i = A row i + S row i − 1 shifted right by one, softmax, O_block = P_block·V. O(T²·(D + Dv))
/// time; memory O(T·R) scratch plus O(T²/R) checkpoints per head — never T×T.
public func causalCorrelationAttentionForward(queries q: UnsafePointer<Float>, keys k: UnsafePointer<Float>,
                                              values v: UnsafePointer<Float>, output o: UnsafeMutablePointer<Float>,
                                              checkpoints c: UnsafeMutablePointer<Float>,
                                              batchHeads bh: Int, length t: Int, headDim d: Int, valueDim dv: Int) {
    if t == 0 { return }
    let kappa = correlationScales(length: t, headDim: d)
    let r = correlationRowBlock, blocks = (t + r - 1) / r
    parallelChunks(bh, work: bh * t * t * (d + dv)) { range in
        let sTile = UnsafeMutablePointer<Float>.allocate(capacity: r * t), pTile = UnsafeMutablePointer<Float>.allocate(capacity: r * t)
        defer { sTile.deallocate(); pTile.deallocate() }
        kappa.withUnsafeBufferPointer { kappa in
            for h in range {
                let qh = q + h * t * d, kh = k + h * t * d, vh = v + h * t * dv, ch = c + h * blocks * t
                for b in 0..<blocks {
                    let r0 = b * r, r1 = min(t, r0 + r)
                    // Checkpoint: S row r0 − 1 (the previous block's last row), entries 0..<r0.
                    let carry = ch + b * t
                    if b == 0 { carry.update(repeating: 0, count: t) } else {
                        carry.update(from: sTile + (r - 1) * t, count: r0)
                        (carry + r0).update(repeating: 0, count: t - r0)
                    }
                    correlationBlockScores(q: qh, k: kh, carry: carry, kappa: kappa.baseAddress!, s: sTile, p: pTile,
                                           r0: r0, r1: r1, t: t, d: d)
                    // O[r0..<r1] = P_block·V[0..<r1]
                    gemm(transA: false, transB: false, m: r1 - r0, n: dv, k: r1, a: pTile, lda: t, b: vh, ldb: dv,
                         c: o + (h * t + r0) * dv, ldc: dv, threads: 1)
                }
            }
        }
    }
}

/// Backward of `causalCorrelationAttentionForward`: writes dQ, dK, dV (overwrites) from dO, O and the
/// checkpoints, recomputing each block's S and P.
///
/// dP = dO·Vᵀ; dV = Pᵀ·dO; G(t, s) = κ_s·P(t, s)·(dP(t, s) − dO_t·O_t) for s ≤ t (the gradient of
/// `score = κ_s·S(t, s)` through the softmax); S(t, s) = Σ_{m≥0} A(t − m, s − m) gives
/// dA(i, j) = Σ_{m≥0} G(i + m, j + m) = G(i, j) + dA(i + 1, j + 1) (a suffix sum along diagonals, so
/// blocks run from the last upwards, carrying one dA row); A = Q·Kᵀ gives dQ = dA·K, dK = dAᵀ·Q.
public func causalCorrelationAttentionBackward(queries q: UnsafePointer<Float>, keys k: UnsafePointer<Float>,
                                               values v: UnsafePointer<Float>, output o: UnsafePointer<Float>,
                                               checkpoints c: UnsafePointer<Float>, dOutput dO: UnsafePointer<Float>,
                                               dQueries dQ: UnsafeMutablePointer<Float>, dKeys dK: UnsafeMutablePointer<Float>,
                                               dValues dV: UnsafeMutablePointer<Float>,
                                               batchHeads bh: Int, length t: Int, headDim d: Int, valueDim dv: Int) {
    if t == 0 { return }
    let kappa = correlationScales(length: t, headDim: d)
    let r = correlationRowBlock, blocks = (t + r - 1) / r
    parallelChunks(bh, work: bh * t * t * (2 * d + 2 * dv)) { range in
        let sTile = UnsafeMutablePointer<Float>.allocate(capacity: r * t), pTile = UnsafeMutablePointer<Float>.allocate(capacity: r * t)
        let gTile = UnsafeMutablePointer<Float>.allocate(capacity: r * t), below = UnsafeMutablePointer<Float>.allocate(capacity: t + 1)
        defer { sTile.deallocate(); pTile.deallocate(); gTile.deallocate(); below.deallocate() }
        kappa.withUnsafeBufferPointer { kappaBuffer in
            let kappa = kappaBuffer.baseAddress!
            for h in range {
                let qh = q + h * t * d, kh = k + h * t * d, vh = v + h * t * dv, ch = c + h * blocks * t
                let doh = dO + h * t * dv, oh = o + h * t * dv
                for b in stride(from: blocks - 1, through: 0, by: -1) {
                    let r0 = b * r, r1 = min(t, r0 + r), rows = r1 - r0
                    // The last block (first here) covers every key row, so it overwrites dV and dK.
                    let beta: Float = b == blocks - 1 ? 0 : 1
                    correlationBlockScores(q: qh, k: kh, carry: ch + b * t, kappa: kappa, s: sTile, p: pTile,
                                           r0: r0, r1: r1, t: t, d: d)
                    // dP = dO_block·V[0..<r1]ᵀ  [rows, r1]
                    gemm(transA: false, transB: true, m: rows, n: r1, k: dv, a: doh + r0 * dv, lda: dv, b: vh, ldb: dv,
                         c: gTile, ldc: t, threads: 1)
                    // dV[0..<r1] += P_blockᵀ·dO_block
                    gemm(transA: true, transB: false, m: r1, n: dv, k: rows, a: pTile, lda: t, b: doh + r0 * dv, ldb: dv,
                         beta: beta, c: dV + h * t * dv, ldc: dv, threads: 1)
                    // G(i, s) = κ_s · P(i, s) · (dP(i, s) − dO_i·O_i) for s ≤ i, 0 for i < s < r1
                    for i in r0..<r1 {
                        let dot = dotProduct(doh + i * dv, oh + i * dv, count: dv)
                        let prow = pTile + (i - r0) * t, grow = gTile + (i - r0) * t
                        for s in 0...i { grow[s] = kappa[s] * prow[s] * (grow[s] - dot) }
                        if i + 1 < r1 { (grow + i + 1).update(repeating: 0, count: r1 - i - 1) }
                    }
                    // dA(i, j) = G(i, j) + dA(i + 1, j + 1), from the block's last row up; row r1 is `below`.
                    for i in stride(from: r1 - 1, through: r0, by: -1) where i + 1 < t {
                        let grow = gTile + (i - r0) * t
                        add(grow, (i == r1 - 1 ? below : grow + t) + 1, grow, count: i + 1)
                    }
                    below.update(from: gTile, count: r0 + 1)   // dA row r0, entries 0...r0, for the block above
                    // dQ[r0..<r1] = dA_block·K[0..<r1];  dK[0..<r1] += dA_blockᵀ·Q_block
                    gemm(transA: false, transB: false, m: rows, n: d, k: r1, a: gTile, lda: t, b: kh, ldb: d,
                         c: dQ + (h * t + r0) * d, ldc: d, threads: 1)
                    gemm(transA: true, transB: false, m: r1, n: d, k: rows, a: gTile, lda: t, b: qh + r0 * d, ldb: d,
                         beta: beta, c: dK + h * t * d, ldc: d, threads: 1)
                }
            }
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
/// q: [BH, D]; keys: [BH, capacity, D]; values: [BH, capacity, Dv]; o: [BH, Dv] (Dv = `valueDim`,
/// default D); lagSums: [BH, capacity]. O(t·(D + Dv)) per head.
public func correlationAttentionStep(query q: UnsafePointer<Float>, keys k: UnsafePointer<Float>,
                                     values v: UnsafePointer<Float>, lagSums r: UnsafeMutablePointer<Float>,
                                     output o: UnsafeMutablePointer<Float>,
                                     batchHeads bh: Int, length: Int, capacity: Int, headDim d: Int, valueDim: Int? = nil) {
    let dv = valueDim ?? d
    precondition(length >= 1 && length <= capacity, "correlationAttentionStep: bad cache length")
    let t = length - 1
    // κ_s = 1/√(D·(s + 1)), the same Float values as the parallel form's `correlationScales`.
    let kappa = UnsafeMutablePointer<Float>.allocate(capacity: length)
    defer { kappa.deallocate() }
    for s in 0...t { kappa[s] = 1 / (Float(d) * Float(s + 1)).squareRoot() }
    parallelChunks(bh, work: bh * length * (2 * d + 2 * dv)) { range in
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: length)
        defer { scores.deallocate() }
        for h in range {
            let qh = q + h * d, kh = k + h * capacity * d, vh = v + h * capacity * dv, rh = r + h * capacity, oh = o + h * dv
            for lag in 0...t { rh[lag] += dotProduct(qh, kh + (t - lag) * d, count: d) }
            for s in 0...t { scores[s] = rh[t - s] * kappa[s] }
            softmaxRows(scores, scores, rows: 1, cols: length)
            oh.update(repeating: 0, count: dv)
            for s in 0...t {
                let ps = scores[s], vs = vh + s * dv
                var c = 0
                let pv = SIMD16<Float>(repeating: ps)
                while c + 16 <= dv {
                    let cur = UnsafeRawPointer(oh + c).loadUnaligned(as: SIMD16<Float>.self)
                    UnsafeMutableRawPointer(oh + c).storeBytes(
                        of: cur.addingProduct(pv, UnsafeRawPointer(vs + c).loadUnaligned(as: SIMD16<Float>.self)),
                        as: SIMD16<Float>.self)
                    c += 16
                }
                while c < dv { oh[c] += ps * vs[c]; c += 1 }
            }
        }
    }
}
