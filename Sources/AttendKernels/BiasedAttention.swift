// Plain references for softmax attention with an additive per-head score bias (relative
// positions: T5, ALiBi, Wang & E 2024). The fast path is `flashAttentionForward/Backward` with
// their `bias`/`dBias` arguments (FlashAttention*.swift); these loops are what the tests compare
// them with.

import Foundation

/// Plain-loop reference of biased softmax attention (Double accumulation) for the tests.
///
/// For batch·head bh with head h = bh mod headsPerBatch: S_ij = scale·q_i·k_j + B(h, i, j) over the
/// visible keys (causal: j ≤ i + S − T; `keyLengths`: j < keyLengths[bh / headsPerBatch]),
/// P = softmax(S) row-wise, O = P·V, L_i = log Σ_j exp(S_ij) (−∞ and O_i = 0 for a row that sees no key).
/// Q: [BH, T, D], K: [BH, S, D], V: [BH, S, Dv], bias: [headsPerBatch, T, S] (`.full`, B = bias[h, i, j])
/// or [headsPerBatch, T + S − 1] (`.byLag`, B = bias[h, i − j + S − 1]) → O [BH, T, Dv], L [BH, T].
public func biasedAttentionReference(queries q: UnsafePointer<Float>, keys k: UnsafePointer<Float>,
                                     values v: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                                     output o: UnsafeMutablePointer<Float>, logSumExp lse: UnsafeMutablePointer<Float>,
                                     batchHeads bh: Int, queryLength t: Int, keyLength s: Int,
                                     headDim d: Int, valueDim dv: Int, scale: Float, causal: Bool, headsPerBatch: Int,
                                     keyLengths: UnsafePointer<Int32>? = nil, biasLayout: AttentionBiasLayout = .full) {
    var p = [Double](repeating: 0, count: s)
    for h in 0..<bh {
        for i in 0..<t {
            let keyEnd = keyLengths.map { min(s, max(0, Int($0[h / headsPerBatch]))) } ?? s
            let visible = causal ? min(keyEnd, max(0, i + 1 + s - t)) : keyEnd
            let logZ = biasedReferenceRow(q, k, bias, &p, h: h, i: i, t: t, s: s, d: d, visible: visible,
                                          scale: scale, headsPerBatch: headsPerBatch, layout: biasLayout)
            lse[h * t + i] = Float(logZ)
            for c in 0..<dv {
                var acc = 0.0
                for j in 0..<visible { acc += p[j] * Double(v[(h * s + j) * dv + c]) }
                o[(h * t + i) * dv + c] = Float(acc)
            }
        }
    }
}

/// Plain-loop reference of the backward of biased softmax attention (Double accumulation).
///
/// With P from `biasedAttentionReference`: dV = Pᵀ·dO, dP = dO·Vᵀ, dS = P ⊙ (dP − rowsum(P ⊙ dP)),
/// dQ = scale·dS·K, dK = scale·dSᵀ·Q, dBias[h] = Σ_{bh ≡ h} dS (by lag: also summed along each
/// diagonal). All outputs are overwritten.
public func biasedAttentionBackwardReference(queries q: UnsafePointer<Float>, keys k: UnsafePointer<Float>,
                                             values v: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                                             dOutput dO: UnsafePointer<Float>,
                                             dQueries dQ: UnsafeMutablePointer<Float>, dKeys dK: UnsafeMutablePointer<Float>,
                                             dValues dV: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>,
                                             batchHeads bh: Int, queryLength t: Int, keyLength s: Int,
                                             headDim d: Int, valueDim dv: Int, scale: Float, causal: Bool,
                                             headsPerBatch: Int, keyLengths: UnsafePointer<Int32>? = nil,
                                             biasLayout: AttentionBiasLayout = .full) {
    var gq = [Double](repeating: 0, count: bh * t * d), gk = [Double](repeating: 0, count: bh * s * d)
    var gv = [Double](repeating: 0, count: bh * s * dv), gb = [Double](repeating: 0, count: headsPerBatch * (biasLayout == .full ? t * s : t + s - 1))
    var p = [Double](repeating: 0, count: s), dp = [Double](repeating: 0, count: s)
    for h in 0..<bh {
        let head = h % headsPerBatch
        for i in 0..<t {
            let keyEnd = keyLengths.map { min(s, max(0, Int($0[h / headsPerBatch]))) } ?? s
            let visible = causal ? min(keyEnd, max(0, i + 1 + s - t)) : keyEnd
            _ = biasedReferenceRow(q, k, bias, &p, h: h, i: i, t: t, s: s, d: d, visible: visible,
                                   scale: scale, headsPerBatch: headsPerBatch, layout: biasLayout)
            var rowDot = 0.0
            for j in 0..<visible {
                var acc = 0.0
                for c in 0..<dv { acc += Double(dO[(h * t + i) * dv + c]) * Double(v[(h * s + j) * dv + c]) }
                dp[j] = acc
                rowDot += p[j] * acc
            }
            for j in 0..<visible {
                let ds = p[j] * (dp[j] - rowDot)
                gb[biasIndex(head, i, j, t, s, headsPerBatch, biasLayout)] += ds
                for c in 0..<dv { gv[(h * s + j) * dv + c] += p[j] * Double(dO[(h * t + i) * dv + c]) }
                for c in 0..<d {
                    gq[(h * t + i) * d + c] += Double(scale) * ds * Double(k[(h * s + j) * d + c])
                    gk[(h * s + j) * d + c] += Double(scale) * ds * Double(q[(h * t + i) * d + c])
                }
            }
        }
    }
    for (i, x) in gq.enumerated() { dQ[i] = Float(x) }
    for (i, x) in gk.enumerated() { dK[i] = Float(x) }
    for (i, x) in gv.enumerated() { dV[i] = Float(x) }
    for (i, x) in gb.enumerated() { dBias[i] = Float(x) }
}

/// One row of biased softmax probabilities into p[0..<visible]; returns its log-sum-exp (−∞ if empty).
private func biasedReferenceRow(_ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
                                _ p: inout [Double], h: Int, i: Int, t: Int, s: Int, d: Int, visible: Int,
                                scale: Float, headsPerBatch: Int, layout: AttentionBiasLayout) -> Double {
    if visible == 0 { return -.infinity }
    var m = -Double.infinity
    for j in 0..<visible {
        var acc = 0.0
        for c in 0..<d { acc += Double(q[(h * t + i) * d + c]) * Double(k[(h * s + j) * d + c]) }
        p[j] = acc * Double(scale) + Double(bias[biasIndex(h % headsPerBatch, i, j, t, s, headsPerBatch, layout)])
        m = max(m, p[j])
    }
    var z = 0.0
    for j in 0..<visible { p[j] = Foundation.exp(p[j] - m); z += p[j] }
    for j in 0..<visible { p[j] /= z }
    return m + Foundation.log(z)
}

/// Index of B(head, i, j) in a bias of `layout` (head < headsPerBatch).
private func biasIndex(_ head: Int, _ i: Int, _ j: Int, _ t: Int, _ s: Int, _ headsPerBatch: Int,
                       _ layout: AttentionBiasLayout) -> Int {
    layout == .full ? (head * t + i) * s + j : head * (t + s - 1) + i - j + s - 1
}
