// Backward passes of linear attention (forwards in LinearAttention.swift).
//
// Both forwards compute O_i = N_i / den_i with N_i = Σ_j (φQ_i·φK_j) V_j and den_i = Σ_j φQ_i·φK_j + ε
// (j ≤ i when causal, j < len otherwise). With dO the incoming gradient, write
//     g_i = dO_i / den_i        (∂L/∂N_i, [Dv])
//     r_i = −(dO_i · O_i) / den_i   (∂L/∂den_i, a scalar: −dO_i·N_i / den_i²)
// Then, with the sums over the visible pairs (i, j):
//     dφQ_i = Σ_j φK_j (V_j·g_i + r_i) = S_i g_i + r_i z_i
//     dφK_j = Σ_i φQ_i (V_j·g_i + r_i) = R_j V_j + ρ_j,   R_j = Σ_i φQ_i g_iᵀ, ρ_j = Σ_i r_i φQ_i
//     dV_j  = Σ_i (φQ_i·φK_j) g_i      = R_jᵀ φK_j
// The causal form is Algorithm 1 of Katharopoulos et al. (2020) with the normaliser's terms
// (r_i z_i and ρ_j) added: a forward sweep over i with the running S_i, z_i gives dφQ, and a
// reverse sweep over j with the running R_j (Σ_{i≥j}), ρ_j gives dφK and dV — no T×M×Dv
// intermediate. Each sweep is the scan shape X_i = X_{i−1} + b_i c_iᵀ, out_i = X_iᵀ a_i of
// `linearScanBlock`, with the state laid out so that the output is a row combination (no
// horizontal sums):
//     dφQ:  X = Sᵀ [Dv, M],  (a, b, c) = (g, V, φK),  forward in time
//     dφK:  X = Rᵀ [Dv, M],  (a, b, c) = (V, g, φQ),  reverse in time
//     dV:   X = R  [M, Dv],  (a, b, c) = (φK, φQ, g), reverse in time
// The 1/den_i factors are moved where they cost least: the dφQ sweep scans dO and scales its
// output rows, and the reverse sweep pairs dO with φ̃Q_i = φQ_i/den_i (g_i φQ_iᵀ = dO_i φ̃Q_iᵀ),
// one scaled copy of a block that both of its scans share. Flops per step: 12·M·Dv (the
// minimum for Algorithm 1 is 10·M·Dv; keeping both R and Rᵀ costs the extra 2·M·Dv and saves
// horizontal sums). The non-causal backward is five GEMMs per head in blocks of 256 rows.

import Foundation

// MARK: - Causal backward

/// Backward of `causalLinearAttentionForward` (Katharopoulos et al. 2020, Algorithm 1, plus the normaliser's gradient): writes dφQ, dφK, dV (overwrites).
///
/// dφQ_i = S_i g_i + r_i z_i; dφK_j = R_j V_j + ρ_j; dV_j = R_jᵀ φK_j, with g_i = dO_i/den_i,
/// r_i = −(dO_i·O_i)/den_i, R_j = Σ_{i≥j} φQ_i g_iᵀ, ρ_j = Σ_{i≥j} r_i φQ_i (see the file header).
/// Shapes as in the forward; `output` is the forward's O. `normalizer` is the forward's saved
/// den [BH, T]; nil recomputes it from φQ, φK and `epsilon`. O(T·M·Dv) time, O(M·Dv) state.
public func causalLinearAttentionBackward(queries q: UnsafePointer<Float>, keys k: UnsafePointer<Float>,
                                          values v: UnsafePointer<Float>, output o: UnsafePointer<Float>,
                                          normalizer: UnsafePointer<Float>?, dOutput dO: UnsafePointer<Float>,
                                          dQueries dQ: UnsafeMutablePointer<Float>, dKeys dK: UnsafeMutablePointer<Float>,
                                          dValues dV: UnsafeMutablePointer<Float>,
                                          batchHeads bh: Int, length t: Int, featureDim m: Int, valueDim dv: Int,
                                          epsilon: Float = 1e-6) {
    precondition(bh >= 0 && t >= 0 && m >= 1 && dv >= 1, "causalLinearAttentionBackward: bad shape")
    let blockLength = linearScanBlockLength
    let m4 = linearRoundUp(m, 4), m16 = linearRoundUp(m, 16)
    let dv4 = linearRoundUp(dv, 4), dv16 = linearRoundUp(dv, 16)
    let block = blockLength * max(m16, dv16), stateCount = max(dv4 * m16, m4 * dv16)
    let scratchCount = 2 * t + 2 * stateCount + m16 + 6 * block
    parallelChunks(bh, work: bh * t * m * dv * 12) { range in
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: scratchCount)
        defer { scratch.deallocate() }
        let inverse = scratch, r = inverse + t                   // 1/den_i, r_i
        let x1 = r + t, x2 = x1 + stateCount, running = x2 + stateCount
        let s0 = running + m16, s1 = s0 + block, s2 = s1 + block, s3 = s2 + block, s4 = s3 + block, s5 = s4 + block
        for h in range {
            let qh = q + h * t * m, kh = k + h * t * m, vh = v + h * t * dv
            let oh = o + h * t * dv, doh = dO + h * t * dv
            let dqh = dQ + h * t * m, dkh = dK + h * t * m, dvh = dV + h * t * dv
            // Forward sweep — dφQ_i = S_i g_i + r_i z_i = (S_i dO_i)/den_i + r_i z_i, with
            // Sᵀ_i = Sᵀ_{i−1} + V_i φK_iᵀ as the scan state (a, b, c) = (dO, V, φK). The same pass
            // saves 1/den_i and r_i for the reverse sweep.
            x1.update(repeating: 0, count: dv4 * m16)
            running.update(repeating: 0, count: m16)
            var start = 0
            while start < t {
                let n = min(blockLength, t - start)
                let a = linearOperand(doh, width: dv, paddedWidth: dv4, firstRow: start, step: 1, count: n, scratch: s0)
                let b = linearOperand(vh, width: dv, paddedWidth: dv4, firstRow: start, step: 1, count: n, scratch: s1)
                let c = linearOperand(kh, width: m, paddedWidth: m16, firstRow: start, step: 1, count: n, scratch: s2)
                let out = linearTarget(dqh, width: m, paddedWidth: m16, firstRow: start, step: 1, scratch: s3)
                linearScanBlock(count: n, a: a, b: b, c: c, state: x1, rows: dv4, cols: m16, out: out)
                for i in 0..<n {
                    let row = start + i
                    linearAdd(kh + row * m, into: running, count: m)                        // z_i
                    // O_i = N_i / den_i, den_i = φQ_i·z_i + ε  ⇒  g_i = dO_i/den_i, r_i = −(dO_i·O_i)/den_i
                    let den = normalizer?[h * t + row] ?? (dotProduct(qh + row * m, running, count: m) + epsilon)
                    inverse[row] = 1 / den
                    r[row] = -dotProduct(doh + row * dv, oh + row * dv, count: dv) * inverse[row]
                    linearCombine(out.row(i), inverse[row], running, r[row], into: dqh + row * m, count: m)
                }
                start += n
            }

            // Reverse sweep — R_j = R_{j+1} + φQ_j g_jᵀ, ρ_j = ρ_{j+1} + r_j φQ_j, with g_j φQ_jᵀ
            // = dO_j φ̃Q_jᵀ for φ̃Q_j = φQ_j/den_j. dφK_j = R_j V_j + ρ_j: state Rᵀ, (a, b, c) = (V, dO, φ̃Q);
            // dV_j = R_jᵀ φK_j: state R, (a, b, c) = (φK, φ̃Q, dO).
            x1.update(repeating: 0, count: dv4 * m16)
            x2.update(repeating: 0, count: m4 * dv16)
            running.update(repeating: 0, count: m16)
            start = 0
            while start < t {
                let n = min(blockLength, t - start), last = t - 1 - start
                let vRows = linearOperand(vh, width: dv, paddedWidth: dv4, firstRow: last, step: -1, count: n, scratch: s0)
                let dORows = linearOperand(doh, width: dv, paddedWidth: dv16, firstRow: last, step: -1, count: n, scratch: s1)
                let qScaled = linearOperand(qh, width: m, paddedWidth: m16, firstRow: last, step: -1, count: n,
                                            scale: inverse, scratch: s2)
                let kRows = linearOperand(kh, width: m, paddedWidth: m4, firstRow: last, step: -1, count: n, scratch: s3)
                let outK = linearTarget(dkh, width: m, paddedWidth: m16, firstRow: last, step: -1, scratch: s4)
                let outV = linearTarget(dvh, width: dv, paddedWidth: dv16, firstRow: last, step: -1, scratch: s5)
                linearScanBlock(count: n, a: vRows, b: dORows, c: qScaled, state: x1, rows: dv4, cols: m16, out: outK)
                linearScanBlock(count: n, a: kRows, b: qScaled, c: dORows, state: x2, rows: m4, cols: dv16, out: outV)
                for i in 0..<n {
                    let row = last - i
                    linearAddScaled(qh + row * m, scale: r[row], into: running, count: m)   // ρ_j
                    linearCombine(outK.row(i), 1, running, 1, into: dkh + row * m, count: m)
                    if dv != dv16 { linearScaledCopy(outV.row(i), scale: 1, into: dvh + row * dv, count: dv) }
                }
                start += n
            }
        }
    }
}

// MARK: - Non-causal backward

/// Backward of `linearAttentionForward`: writes dφQ, dφK, dV (overwrites); padded keys (j ≥ len) get zero gradient.
///
/// With KV = Σ_{j<len} φK_j V_jᵀ, z = Σ_{j<len} φK_j, G = dO/den (row-wise), r_i = −(dO_i·O_i)/den_i:
/// dφQ = G·KVᵀ + r zᵀ; dKV = φQᵀ G; dz = φQᵀ r; dφK_j = dKV V_j + dz; dV_j = dKVᵀ φK_j.
/// Shapes as in the forward; `normalizer` is the forward's saved den [BH, T] (nil recomputes it).
public func linearAttentionBackward(queries q: UnsafePointer<Float>, keys k: UnsafePointer<Float>,
                                    values v: UnsafePointer<Float>, output o: UnsafePointer<Float>,
                                    normalizer: UnsafePointer<Float>?, dOutput dO: UnsafePointer<Float>,
                                    dQueries dQ: UnsafeMutablePointer<Float>, dKeys dK: UnsafeMutablePointer<Float>,
                                    dValues dV: UnsafeMutablePointer<Float>,
                                    batchHeads bh: Int, queryLength t: Int, keyLength s: Int,
                                    featureDim m: Int, valueDim dv: Int, epsilon: Float = 1e-6,
                                    keyLengths: UnsafePointer<Int32>? = nil, headsPerBatch: Int = 1) {
    precondition(bh >= 0 && t >= 0 && s >= 0 && m >= 1 && dv >= 1 && headsPerBatch >= 1,
                 "linearAttentionBackward: bad shape")
    parallelChunks(bh, work: bh * (2 * t + 3 * s) * m * dv * 2) { range in
        let block = linearRowBlock
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 2 * m * dv + 2 * m + block * dv + block)
        defer { scratch.deallocate() }
        let kv = scratch, dKV = kv + m * dv, z = dKV + m * dv, dz = z + m, g = dz + m, r = g + block * dv
        for h in range {
            let len = linearKeyCount(keyLengths, head: h, headsPerBatch: headsPerBatch, keyLength: s)
            let qh = q + h * t * m, kh = k + h * s * m, vh = v + h * s * dv
            let oh = o + h * t * dv, doh = dO + h * t * dv
            let dqh = dQ + h * t * m, dkh = dK + h * s * m, dvh = dV + h * s * dv
            // Recompute KV = φKᵀV and z = Σ φK_j over the visible keys.
            kv.update(repeating: 0, count: m * dv)
            z.update(repeating: 0, count: m)
            for j0 in stride(from: 0, to: len, by: block) {
                let rows = min(block, len - j0)
                gemm(transA: true, transB: false, m: m, n: dv, k: rows, a: kh + j0 * m, lda: m, b: vh + j0 * dv, ldb: dv,
                     beta: 1, c: kv, ldc: dv, threads: 1)
                for j in j0..<(j0 + rows) { linearAdd(kh + j * m, into: z, count: m) }
            }
            dKV.update(repeating: 0, count: m * dv)
            dz.update(repeating: 0, count: m)
            for i0 in stride(from: 0, to: t, by: block) {
                let rows = min(block, t - i0)
                // O_i = N_i / den_i  ⇒  G_i = dO_i/den_i, r_i = −(dO_i·O_i)/den_i
                for i in 0..<rows {
                    let row = i0 + i
                    let den = normalizer?[h * t + row] ?? (dotProduct(qh + row * m, z, count: m) + epsilon)
                    linearScaledCopy(doh + row * dv, scale: 1 / den, into: g + i * dv, count: dv)
                    r[i] = -dotProduct(doh + row * dv, oh + row * dv, count: dv) / den
                }
                // N = φQ·KV, den = φQ·z + ε  ⇒  dφQ = G·KVᵀ + r zᵀ
                gemm(transA: false, transB: true, m: rows, n: m, k: dv, a: g, lda: dv, b: kv, ldb: dv,
                     c: dqh + i0 * m, ldc: m, threads: 1)
                for i in 0..<rows { linearAddScaled(z, scale: r[i], into: dqh + (i0 + i) * m, count: m) }
                // dKV = φQᵀG, dz = φQᵀr
                gemm(transA: true, transB: false, m: m, n: dv, k: rows, a: qh + i0 * m, lda: m, b: g, ldb: dv,
                     beta: 1, c: dKV, ldc: dv, threads: 1)
                for i in 0..<rows { linearAddScaled(qh + (i0 + i) * m, scale: r[i], into: dz, count: m) }
            }
            // KV = Σ φK_j V_jᵀ, z = Σ φK_j  ⇒  dφK_j = dKV·V_j + dz, dV_j = dKVᵀ φK_j (j < len)
            for j0 in stride(from: 0, to: len, by: block) {
                let rows = min(block, len - j0)
                gemm(transA: false, transB: true, m: rows, n: m, k: dv, a: vh + j0 * dv, lda: dv, b: dKV, ldb: dv,
                     c: dkh + j0 * m, ldc: m, threads: 1)
                for j in j0..<(j0 + rows) { linearAdd(dz, into: dkh + j * m, count: m) }
                gemm(transA: false, transB: false, m: rows, n: dv, k: m, a: kh + j0 * m, lda: m, b: dKV, ldb: dv,
                     c: dvh + j0 * dv, ldc: dv, threads: 1)
            }
            if len < s {
                (dkh + len * m).update(repeating: 0, count: (s - len) * m)
                (dvh + len * dv).update(repeating: 0, count: (s - len) * dv)
            }
        }
    }
}
