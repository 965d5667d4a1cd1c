import Foundation

/// Scaled dot-product attention that materialises the probability matrix P (Vaswani et al., 2017).
///
/// The straightforward form: per batch·head, S = scale·Q·Kᵀ, P = softmax(S) row-wise (future keys
/// masked when `causal`), O = P·V. P [BH, T, S] is kept for the backward pass, so memory is
/// O(T·S) per head; the fused tiled kernels avoid that. Q, O: [BH, T, D]; K: [BH, S, D]; V: [BH, S, Dv].
public func denseAttentionForward(queries q: UnsafePointer<Float>, keys k: UnsafePointer<Float>,
                                  values v: UnsafePointer<Float>, output o: UnsafeMutablePointer<Float>,
                                  probabilities p: UnsafeMutablePointer<Float>,
                                  batchHeads bh: Int, queryLength t: Int, keyLength s: Int,
                                  headDim d: Int, valueDim dv: Int, scale: Float, causal: Bool) {
    let work = bh * t * s * (d + dv) * 2
    parallelChunks(bh, work: work) { range in
        for h in range {
            let ph = p + h * t * s
            gemm(transA: false, transB: true, m: t, n: s, k: d, alpha: scale,
                 a: q + h * t * d, lda: d, b: k + h * s * d, ldb: d, c: ph, ldc: s, threads: 1)
            for i in 0..<t {
                let row = ph + i * s
                // Causal: query i sees keys 0...i + (s - t) (aligned to the end when s > t, as with a cache).
                let visible = causal ? min(s, max(0, i + 1 + s - t)) : s
                if visible > 0 { softmaxRows(row, row, rows: 1, cols: visible) }
                if visible < s { (row + visible).update(repeating: 0, count: s - visible) }
            }
            gemm(transA: false, transB: false, m: t, n: dv, k: s,
                 a: ph, lda: s, b: v + h * s * dv, ldb: dv, c: o + h * t * dv, ldc: dv, threads: 1)
        }
    }
}

/// Backward of `denseAttentionForward`: writes dQ, dK, dV (overwrites) from dO and the saved P, O.
///
/// dP = dO·Vᵀ; dV = Pᵀ·dO; dS = P ⊙ (dP − rowsum(dO ⊙ O)); dQ = scale·dS·K; dK = scale·dSᵀ·Q.
public func denseAttentionBackward(queries q: UnsafePointer<Float>, keys k: UnsafePointer<Float>,
                                   values v: UnsafePointer<Float>, output o: UnsafePointer<Float>,
                                   probabilities p: UnsafePointer<Float>, dOutput dO: UnsafePointer<Float>,
                                   dQueries dQ: UnsafeMutablePointer<Float>, dKeys dK: UnsafeMutablePointer<Float>,
                                   dValues dV: UnsafeMutablePointer<Float>,
                                   batchHeads bh: Int, queryLength t: Int, keyLength s: Int,
                                   headDim d: Int, valueDim dv: Int, scale: Float) {
    let work = bh * t * s * (2 * d + 2 * dv) * 2
    parallelChunks(bh, work: work) { range in
        let dS = UnsafeMutablePointer<Float>.allocate(capacity: max(t * s, 1))
        defer { dS.deallocate() }
        for h in range {
            let ph = p + h * t * s
            let doh = dO + h * t * dv, oh = o + h * t * dv
            // dP = dO·Vᵀ  [t, s]
            gemm(transA: false, transB: true, m: t, n: s, k: dv,
                 a: doh, lda: dv, b: v + h * s * dv, ldb: dv, c: dS, ldc: s, threads: 1)
            // dV = Pᵀ·dO  [s, dv]
            gemm(transA: true, transB: false, m: s, n: dv, k: t,
                 a: ph, lda: s, b: doh, ldb: dv, c: dV + h * s * dv, ldc: dv, threads: 1)
            // dS = P ⊙ (dP − Σ_j P_ij dP_ij), and Σ_j P_ij dP_ij = dO_i · O_i
            for i in 0..<t {
                var dot: Float = 0
                for c in 0..<dv { dot += doh[i * dv + c] * oh[i * dv + c] }
                let prow = ph + i * s, drow = dS + i * s
                for j in 0..<s { drow[j] = prow[j] * (drow[j] - dot) }
            }
            // dQ = scale·dS·K  [t, d];  dK = scale·dSᵀ·Q  [s, d]
            gemm(transA: false, transB: false, m: t, n: d, k: s, alpha: scale,
                 a: dS, lda: s, b: k + h * s * d, ldb: d, c: dQ + h * t * d, ldc: d, threads: 1)
            gemm(transA: true, transB: false, m: s, n: d, k: t, alpha: scale,
                 a: dS, lda: s, b: q + h * t * d, ldb: d, c: dK + h * s * d, ldc: d, threads: 1)
        }
    }
}

/// Plain-loop reference of `denseAttentionForward` (Double accumulation) for the tests.
public func denseAttentionReference(queries q: UnsafePointer<Float>, keys k: UnsafePointer<Float>,
                                    values v: UnsafePointer<Float>, output o: UnsafeMutablePointer<Float>,
                                    batchHeads bh: Int, queryLength t: Int, keyLength s: Int,
                                    headDim d: Int, valueDim dv: Int, scale: Float, causal: Bool) {
    var scores = [Double](repeating: 0, count: s)
    for h in 0..<bh {
        for i in 0..<t {
            let visible = causal ? min(s, max(0, i + 1 + s - t)) : s
            var m = -Double.infinity
            for j in 0..<visible {
                var acc = 0.0
                for c in 0..<d { acc += Double(q[(h * t + i) * d + c]) * Double(k[(h * s + j) * d + c]) }
                scores[j] = acc * Double(scale)
                m = max(m, scores[j])
            }
            var z = 0.0
            for j in 0..<visible { scores[j] = exp(scores[j] - m); z += scores[j] }
            for c in 0..<dv {
                var acc = 0.0
                for j in 0..<visible { acc += scores[j] / z * Double(v[(h * s + j) * dv + c]) }
                o[(h * t + i) * dv + c] = Float(acc)
            }
        }
    }
}

