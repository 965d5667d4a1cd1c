// Tests for softmax attention with an additive per-head score bias (relative positions): the flash
// kernels' `bias`/`dBias` paths and the decode step's bias row against the plain references.
import Foundation
import Testing
import AttendKernels
import AttendTensor

/// One biased-attention problem: batch B, heads H, query length T, key length S, widths D, Dv.
struct BiasedShape: Sendable, CustomStringConvertible {
    let b: Int, h: Int, t: Int, s: Int, d: Int, dv: Int
    var bh: Int { b * h }
    var description: String { "B=\(b) H=\(h) T=\(t) S=\(s) D=\(d) Dv=\(dv)" }
}

/// T ∈ {1, 3, 64, 257}; D = 0 is dot-product-free attention (scores from the bias alone). B·H = 3
/// (one batch element, three heads) takes the backward's shared-dQ path; B·H = 4 with H = 2 the
/// path where threads own whole heads and two batch elements share each dBias slice.
private let biasedShapes: [BiasedShape] = [
    BiasedShape(b: 2, h: 2, t: 1, s: 1, d: 8, dv: 8),
    BiasedShape(b: 2, h: 2, t: 3, s: 3, d: 4, dv: 5),
    BiasedShape(b: 1, h: 3, t: 3, s: 3, d: 0, dv: 4),
    BiasedShape(b: 2, h: 2, t: 64, s: 64, d: 16, dv: 16),
    BiasedShape(b: 1, h: 3, t: 64, s: 64, d: 0, dv: 8),
    BiasedShape(b: 2, h: 2, t: 257, s: 257, d: 8, dv: 8),
    BiasedShape(b: 1, h: 3, t: 257, s: 257, d: 16, dv: 8),
    BiasedShape(b: 2, h: 2, t: 257, s: 257, d: 0, dv: 4),
    BiasedShape(b: 2, h: 2, t: 3, s: 70, d: 8, dv: 8),  // S > T: queries aligned to the end (a KV cache)
]

/// Seeded uniforms in [−scale, scale).
private func biasedUniforms(_ n: Int, seed: UInt64, scale: Float = 1) -> [Float] {
    var rng = RandomGenerator(seed: seed)
    return (0..<n).map { _ in (rng.nextUniform() * 2 - 1) * scale }
}

/// Largest |a − b| (equal values, including equal infinities, count 0).
private func biasedMismatch(_ a: [Float], _ b: [Float]) -> Float {
    zip(a, b).reduce(0) { worst, pair in pair.0 == pair.1 ? worst : max(worst, abs(pair.0 - pair.1)) }
}

/// (causal, layout) pairs every kernel test runs.
private let biasedModes: [(causal: Bool, layout: AttentionBiasLayout)] = [(false, .full), (true, .full), (false, .byLag), (true, .byLag)]

/// Floats in a bias of `layout` for shape x: H·T·S or H·(T + S − 1).
private func biasCount(_ x: BiasedShape, _ layout: AttentionBiasLayout) -> Int {
    layout == .full ? x.h * x.t * x.s : x.h * (x.t + x.s - 1)
}

@Suite("Biased attention kernels")
struct BiasedAttentionKernelTests {
    @Test("flash forward with a bias matches biasedAttentionReference (O and log-sum-exp)",
          arguments: biasedShapes, biasedModes)
    func forward(shape x: BiasedShape, mode: (causal: Bool, layout: AttentionBiasLayout)) {
        let (causal, layout) = mode
        let q = biasedUniforms(x.bh * x.t * x.d, seed: 1), k = biasedUniforms(x.bh * x.s * x.d, seed: 2)
        let v = biasedUniforms(x.bh * x.s * x.dv, seed: 3), bias = biasedUniforms(biasCount(x, layout), seed: 4, scale: 3)
        let scale: Float = x.d == 0 ? 0 : 1 / Float(x.d).squareRoot()
        var o = [Float](repeating: .nan, count: x.bh * x.t * x.dv), lse = [Float](repeating: .nan, count: x.bh * x.t)
        flashAttentionForward(queries: q, keys: k, values: v, output: &o, logSumExp: &lse, batchHeads: x.bh,
                              queryLength: x.t, keyLength: x.s, headDim: x.d, valueDim: x.dv, scale: scale,
                              causal: causal, headsPerBatch: x.h, bias: bias, biasLayout: layout)
        var refO = o, refL = lse
        biasedAttentionReference(queries: q, keys: k, values: v, bias: bias, output: &refO, logSumExp: &refL,
                                 batchHeads: x.bh, queryLength: x.t, keyLength: x.s, headDim: x.d, valueDim: x.dv,
                                 scale: scale, causal: causal, headsPerBatch: x.h, biasLayout: layout)
        #expect(biasedMismatch(o, refO) < 2e-5)
        #expect(biasedMismatch(lse, refL) < 2e-5)
        // The bias matters: without it the output differs.
        var plain = o
        flashAttentionForward(queries: q, keys: k, values: v, output: &plain, logSumExp: &lse, batchHeads: x.bh,
                              queryLength: x.t, keyLength: x.s, headDim: x.d, valueDim: x.dv, scale: scale,
                              causal: causal, headsPerBatch: x.h)
        if x.s > 1 { #expect(biasedMismatch(plain, refO) > 1e-3) }
    }

    @Test("flash backward with a bias matches biasedAttentionBackwardReference (dQ, dK, dV, dBias)",
          arguments: biasedShapes, biasedModes)
    func backward(shape x: BiasedShape, mode: (causal: Bool, layout: AttentionBiasLayout)) {
        let (causal, layout) = mode
        let q = biasedUniforms(x.bh * x.t * x.d, seed: 11), k = biasedUniforms(x.bh * x.s * x.d, seed: 12)
        let v = biasedUniforms(x.bh * x.s * x.dv, seed: 13), bias = biasedUniforms(biasCount(x, layout), seed: 14, scale: 2)
        let dO = biasedUniforms(x.bh * x.t * x.dv, seed: 15)
        let scale: Float = x.d == 0 ? 0 : 1 / Float(x.d).squareRoot()
        var o = [Float](repeating: 0, count: x.bh * x.t * x.dv), lse = [Float](repeating: 0, count: x.bh * x.t)
        flashAttentionForward(queries: q, keys: k, values: v, output: &o, logSumExp: &lse, batchHeads: x.bh,
                              queryLength: x.t, keyLength: x.s, headDim: x.d, valueDim: x.dv, scale: scale,
                              causal: causal, headsPerBatch: x.h, bias: bias, biasLayout: layout)
        var dQ = [Float](repeating: .nan, count: q.count), dK = [Float](repeating: .nan, count: k.count)
        var dV = [Float](repeating: .nan, count: v.count), dBias = [Float](repeating: .nan, count: bias.count)
        flashAttentionBackward(queries: q, keys: k, values: v, output: o, logSumExp: lse, dOutput: dO,
                               dQueries: &dQ, dKeys: &dK, dValues: &dV, batchHeads: x.bh, queryLength: x.t,
                               keyLength: x.s, headDim: x.d, valueDim: x.dv, scale: scale, causal: causal,
                               headsPerBatch: x.h, bias: bias, dBias: &dBias, biasLayout: layout)
        var rQ = dQ, rK = dK, rV = dV, rB = dBias
        biasedAttentionBackwardReference(queries: q, keys: k, values: v, bias: bias, dOutput: dO,
                                         dQueries: &rQ, dKeys: &rK, dValues: &rV, dBias: &rB, batchHeads: x.bh,
                                         queryLength: x.t, keyLength: x.s, headDim: x.d, valueDim: x.dv,
                                         scale: scale, causal: causal, headsPerBatch: x.h, biasLayout: layout)
        #expect(biasedMismatch(dQ, rQ) < 5e-5)
        #expect(biasedMismatch(dK, rK) < 5e-5)
        #expect(biasedMismatch(dV, rV) < 5e-5)
        #expect(biasedMismatch(dBias, rB) < 5e-5)
        // A hidden (future) entry gets no gradient: B(0, 0, 1) — full index 1, by-lag index S − 2.
        if causal && x.s == x.t && x.t > 1 { #expect(dBias[layout == .full ? 1 : x.s - 2] == 0) }
    }

    @Test("a by-lag bias gives what its expansion to [H, T, S] gives; its gradient is the diagonal sums",
          arguments: [BiasedShape(b: 2, h: 2, t: 70, s: 70, d: 8, dv: 8), BiasedShape(b: 1, h: 3, t: 130, s: 130, d: 0, dv: 4),
                      BiasedShape(b: 2, h: 2, t: 5, s: 80, d: 4, dv: 4)])
    func lagMatchesExpansion(shape x: BiasedShape) {
        let q = biasedUniforms(x.bh * x.t * x.d, seed: 41), k = biasedUniforms(x.bh * x.s * x.d, seed: 42)
        let v = biasedUniforms(x.bh * x.s * x.dv, seed: 43), dO = biasedUniforms(x.bh * x.t * x.dv, seed: 44)
        let lag = biasedUniforms(x.h * (x.t + x.s - 1), seed: 45, scale: 2)
        var full = [Float](repeating: 0, count: x.h * x.t * x.s)
        // Query i sits at position i + S − T; its lag to key j is (i + S − T) − j, stored at lag + T − 1.
        for h in 0..<x.h { for i in 0..<x.t { for j in 0..<x.s {
            full[(h * x.t + i) * x.s + j] = lag[h * (x.t + x.s - 1) + (i + x.s - x.t - j) + x.t - 1]
        } } }
        let scale: Float = x.d == 0 ? 0 : 0.3
        func run(_ bias: [Float], _ layout: AttentionBiasLayout) -> (o: [Float], dQ: [Float], dV: [Float], dBias: [Float]) {
            var o = [Float](repeating: 0, count: x.bh * x.t * x.dv), lse = [Float](repeating: 0, count: x.bh * x.t)
            flashAttentionForward(queries: q, keys: k, values: v, output: &o, logSumExp: &lse, batchHeads: x.bh,
                                  queryLength: x.t, keyLength: x.s, headDim: x.d, valueDim: x.dv, scale: scale,
                                  causal: true, headsPerBatch: x.h, bias: bias, biasLayout: layout)
            var dQ = q, dK = k, dV = v, dBias = bias
            flashAttentionBackward(queries: q, keys: k, values: v, output: o, logSumExp: lse, dOutput: dO,
                                   dQueries: &dQ, dKeys: &dK, dValues: &dV, batchHeads: x.bh, queryLength: x.t,
                                   keyLength: x.s, headDim: x.d, valueDim: x.dv, scale: scale, causal: true,
                                   headsPerBatch: x.h, bias: bias, dBias: &dBias, biasLayout: layout)
            return (o, dQ, dV, dBias)
        }
        let a = run(lag, .byLag), b = run(full, .full)
        #expect(biasedMismatch(a.o, b.o) < 1e-6)
        #expect(biasedMismatch(a.dQ, b.dQ) < 1e-6)
        #expect(biasedMismatch(a.dV, b.dV) < 1e-6)
        var diagonal = [Float](repeating: 0, count: lag.count)
        for h in 0..<x.h { for i in 0..<x.t { for j in 0..<x.s {
            diagonal[h * (x.t + x.s - 1) + (i + x.s - x.t - j) + x.t - 1] += b.dBias[(h * x.t + i) * x.s + j]
        } } }
        #expect(biasedMismatch(a.dBias, diagonal) < 1e-4)
    }

    @Test("the decode step with a bias row equals the last row of the biased parallel form", arguments: [8, 0])
    func decodeStep(headDim d: Int) {
        let (b, h, t, dv) = (2, 3, 37, 8)
        let q = biasedUniforms(b * h * t * d, seed: 21), k = biasedUniforms(b * h * t * d, seed: 22)
        let v = biasedUniforms(b * h * t * dv, seed: 23), bias = biasedUniforms(h * t * t, seed: 24, scale: 2)
        let scale: Float = d == 0 ? 0 : 1 / Float(d).squareRoot()
        var o = [Float](repeating: 0, count: b * h * t * dv), lse = [Float](repeating: 0, count: b * h * t)
        flashAttentionForward(queries: q, keys: k, values: v, output: &o, logSumExp: &lse, batchHeads: b * h,
                              queryLength: t, keyLength: t, headDim: d, valueDim: dv, scale: scale,
                              causal: true, headsPerBatch: h, bias: bias)
        // Last query of each head over its whole cache (capacity = t), bias row t − 1 of each head.
        var lastQ = [Float](), row = [Float](), expected = [Float]()
        for bh in 0..<(b * h) {
            lastQ += q[((bh * t) + t - 1) * d ..< (bh * t + t) * d]
            expected += o[((bh * t) + t - 1) * dv ..< (bh * t + t) * dv]
        }
        for hh in 0..<h { row += bias[(hh * t + t - 1) * t ..< (hh * t + t) * t] }
        var out = [Float](repeating: .nan, count: b * h * dv)
        decodeAttentionStep(query: lastQ, keys: k, values: v, output: &out, batchHeads: b * h, length: t, capacity: t,
                            headDim: d, scale: scale, valueDim: dv, bias: row, headsPerBatch: h)
        #expect(biasedMismatch(out, expected) < 1e-5)
    }
}

@Suite("Biased attention kernels with key padding")
struct BiasedPaddingKernelTests {
    @Test("flash forward and backward with a bias and key lengths match the references", arguments: [false, true])
    func padded(causal: Bool) {
        // Batch 3 × 2 heads; element 1 keeps no key at all, element 2 more keys than exist.
        let x = BiasedShape(b: 3, h: 2, t: 70, s: 70, d: 8, dv: 6)
        let lengths: [Int32] = [37, 0, 500]
        let q = biasedUniforms(x.bh * x.t * x.d, seed: 31), k = biasedUniforms(x.bh * x.s * x.d, seed: 32)
        let v = biasedUniforms(x.bh * x.s * x.dv, seed: 33), bias = biasedUniforms(x.h * x.t * x.s, seed: 34, scale: 2)
        let dO = biasedUniforms(x.bh * x.t * x.dv, seed: 35)
        let scale: Float = 0.35
        var o = [Float](repeating: .nan, count: x.bh * x.t * x.dv), lse = [Float](repeating: .nan, count: x.bh * x.t)
        flashAttentionForward(queries: q, keys: k, values: v, output: &o, logSumExp: &lse, batchHeads: x.bh,
                              queryLength: x.t, keyLength: x.s, headDim: x.d, valueDim: x.dv, scale: scale,
                              causal: causal, keyLengths: lengths, headsPerBatch: x.h, bias: bias)
        var refO = o, refL = lse
        biasedAttentionReference(queries: q, keys: k, values: v, bias: bias, output: &refO, logSumExp: &refL,
                                 batchHeads: x.bh, queryLength: x.t, keyLength: x.s, headDim: x.d, valueDim: x.dv,
                                 scale: scale, causal: causal, headsPerBatch: x.h, keyLengths: lengths)
        #expect(biasedMismatch(o, refO) < 2e-5)
        #expect(biasedMismatch(lse, refL) < 2e-5)
        var dQ = [Float](repeating: .nan, count: q.count), dK = [Float](repeating: .nan, count: k.count)
        var dV = [Float](repeating: .nan, count: v.count), dBias = [Float](repeating: .nan, count: bias.count)
        flashAttentionBackward(queries: q, keys: k, values: v, output: o, logSumExp: lse, dOutput: dO,
                               dQueries: &dQ, dKeys: &dK, dValues: &dV, batchHeads: x.bh, queryLength: x.t,
                               keyLength: x.s, headDim: x.d, valueDim: x.dv, scale: scale, causal: causal,
                               keyLengths: lengths, headsPerBatch: x.h, bias: bias, dBias: &dBias)
        var rQ = dQ, rK = dK, rV = dV, rB = dBias
        biasedAttentionBackwardReference(queries: q, keys: k, values: v, bias: bias, dOutput: dO,
                                         dQueries: &rQ, dKeys: &rK, dValues: &rV, dBias: &rB, batchHeads: x.bh,
                                         queryLength: x.t, keyLength: x.s, headDim: x.d, valueDim: x.dv,
                                         scale: scale, causal: causal, headsPerBatch: x.h, keyLengths: lengths)
        for (name, a, r) in [("dQ", dQ, rQ), ("dK", dK, rK), ("dV", dV, rV), ("dBias", dBias, rB)] {
            #expect(biasedMismatch(a, r) < 5e-5, "\(name)")
        }
    }
}
