// Tests for the linear attention kernels (LinearAttention.swift, LinearAttentionBackward.swift):
// the causal scan and the non-causal GEMM form against the O(T²) Double references, the
// recurrent step against the parallel causal form, both backward passes against central finite
// differences of a Double forward, and key padding. Feature-mapped inputs are positive
// (uniform in [0.05, 1), like elu+1), values are normal.
import Foundation
import Testing
import AttendKernels
import AttendTensor

/// SplitMix64 (Steele, Lea & Flood 2014): seeded test data for this file.
fileprivate struct LinearTestRNG {
    /// The project's SplitMix64 generator underneath.
    var base: RandomGenerator
    init(seed: UInt64) { base = RandomGenerator(seed: seed) }
    mutating func next() -> UInt64 { base.next() }
    mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }
    /// Positive features, like elu(x) + 1.
    mutating func features(_ n: Int) -> [Float] { (0..<n).map { _ in Float(0.05 + 0.95 * unit()) } }
    /// Standard normals (Box–Muller).
    mutating func normals(_ n: Int) -> [Float] {
        (0..<n).map { _ in
            Float((-2 * Foundation.log(max(unit(), 1e-300))).squareRoot() * Foundation.cos(2 * Double.pi * unit()))
        }
    }
}

/// Largest |a − e| relative to max(1e-6, max |e|); the tests bound it by a tolerance.
fileprivate func linearRelativeError(_ actual: [Float], _ expected: [Float]) -> Double {
    var scale = 1e-6, worst = 0.0
    for e in expected { scale = max(scale, abs(Double(e))) }
    for (a, e) in zip(actual, expected) { worst = max(worst, abs(Double(a) - Double(e))) }
    return actual.count == expected.count && !actual.contains(where: \.isNaN) ? worst / scale : .infinity
}

/// The forward written from the definition in Double (the function the finite differences differentiate):
/// loss = Σ w ⊙ O with O_i = Σ_j (φQ_i·φK_j) V_j / (Σ_j φQ_i·φK_j + ε), j ≤ i (causal) or j < len.
fileprivate func linearLossDouble(_ q: [Double], _ k: [Double], _ v: [Double], _ w: [Float],
                                  bh: Int, t: Int, s: Int, m: Int, dv: Int, causal: Bool,
                                  lengths: [Int32]?, headsPerBatch: Int) -> Double {
    var loss = 0.0
    var numerator = [Double](repeating: 0, count: dv)
    for h in 0..<bh {
        let len = lengths.map { min(s, Int($0[h / headsPerBatch])) } ?? s
        for i in 0..<t {
            for c in 0..<dv { numerator[c] = 0 }
            var den = 1e-6
            for j in 0..<(causal ? i + 1 : len) {
                var a = 0.0
                for r in 0..<m { a += q[(h * t + i) * m + r] * k[(h * s + j) * m + r] }
                for c in 0..<dv { numerator[c] += a * v[(h * s + j) * dv + c] }
                den += a
            }
            for c in 0..<dv { loss += Double(w[(h * t + i) * dv + c]) * numerator[c] / den }
        }
    }
    return loss
}

/// Gradients of Σ w ⊙ O summed pair by pair from the definition, in Double (an oracle for shapes
/// too large for finite differences): with a_ij = φQ_i·φK_j, g_i = w_i/den_i, r_i = −(w_i·O_i)/den_i,
/// each visible pair adds (V_j·g_i + r_i)·φK_j to dφQ_i, (V_j·g_i + r_i)·φQ_i to dφK_j, a_ij·g_i to dV_j.
fileprivate func linearGradientsDouble(_ q: [Float], _ k: [Float], _ v: [Float], _ w: [Float],
                                       bh: Int, t: Int, s: Int, m: Int, dv: Int, causal: Bool,
                                       lengths: [Int32]?, headsPerBatch: Int) -> [[Float]] {
    var dq = [Double](repeating: 0, count: q.count), dk = [Double](repeating: 0, count: k.count)
    var dvv = [Double](repeating: 0, count: v.count)
    var a = [Double](repeating: 0, count: s), out = [Double](repeating: 0, count: dv)
    for h in 0..<bh {
        let len = lengths.map { min(s, Int($0[h / headsPerBatch])) } ?? s
        for i in 0..<t {
            let visible = causal ? i + 1 : len
            var den = 1e-6
            for c in 0..<dv { out[c] = 0 }
            for j in 0..<visible {
                a[j] = 0
                for r in 0..<m { a[j] += Double(q[(h * t + i) * m + r]) * Double(k[(h * s + j) * m + r]) }
                den += a[j]
                for c in 0..<dv { out[c] += a[j] * Double(v[(h * s + j) * dv + c]) }
            }
            var wo = 0.0
            for c in 0..<dv { wo += Double(w[(h * t + i) * dv + c]) * out[c] / den }
            let ri = -wo / den
            for j in 0..<visible {
                var coefficient = ri
                for c in 0..<dv {
                    let gc = Double(w[(h * t + i) * dv + c]) / den
                    coefficient += Double(v[(h * s + j) * dv + c]) * gc
                    dvv[(h * s + j) * dv + c] += a[j] * gc
                }
                for r in 0..<m {
                    dq[(h * t + i) * m + r] += coefficient * Double(k[(h * s + j) * m + r])
                    dk[(h * s + j) * m + r] += coefficient * Double(q[(h * t + i) * m + r])
                }
            }
        }
    }
    return [dq, dk, dvv].map { $0.map { Float($0) } }
}

/// Kernel outputs and saved normaliser for one forward call.
fileprivate func linearForward(_ q: [Float], _ k: [Float], _ v: [Float], bh: Int, t: Int, s: Int, m: Int, dv: Int,
                               causal: Bool, lengths: [Int32]? = nil, headsPerBatch: Int = 1) -> (o: [Float], den: [Float]) {
    var o = [Float](repeating: .nan, count: bh * t * dv), den = [Float](repeating: .nan, count: bh * t)
    let lens = lengths ?? [0]
    q.withUnsafeBufferPointer { q in k.withUnsafeBufferPointer { k in v.withUnsafeBufferPointer { v in
        lens.withUnsafeBufferPointer { lens in
            if causal {
                causalLinearAttentionForward(queries: q.baseAddress!, keys: k.baseAddress!, values: v.baseAddress!,
                                             output: &o, normalizer: &den, batchHeads: bh, length: t,
                                             featureDim: m, valueDim: dv)
            } else {
                linearAttentionForward(queries: q.baseAddress!, keys: k.baseAddress!, values: v.baseAddress!,
                                       output: &o, normalizer: &den, batchHeads: bh, queryLength: t, keyLength: s,
                                       featureDim: m, valueDim: dv, keyLengths: lengths == nil ? nil : lens.baseAddress!,
                                       headsPerBatch: headsPerBatch)
            }
        }
    }}}
    return (o, den)
}

/// Kernel gradients (dφQ, dφK, dV) for upstream gradient dO = w.
fileprivate func linearBackward(_ q: [Float], _ k: [Float], _ v: [Float], _ w: [Float], bh: Int, t: Int, s: Int,
                                m: Int, dv: Int, causal: Bool, lengths: [Int32]? = nil, headsPerBatch: Int = 1,
                                savedNormalizer: Bool = true) -> [[Float]] {
    let (o, den) = linearForward(q, k, v, bh: bh, t: t, s: s, m: m, dv: dv, causal: causal,
                                 lengths: lengths, headsPerBatch: headsPerBatch)
    var dq = [Float](repeating: .nan, count: q.count), dk = [Float](repeating: .nan, count: k.count)
    var dvv = [Float](repeating: .nan, count: v.count)
    let lens = lengths ?? [0]
    q.withUnsafeBufferPointer { q in k.withUnsafeBufferPointer { k in v.withUnsafeBufferPointer { v in
        lens.withUnsafeBufferPointer { lens in den.withUnsafeBufferPointer { den in
            let saved = savedNormalizer ? den.baseAddress! : nil
            if causal {
                causalLinearAttentionBackward(queries: q.baseAddress!, keys: k.baseAddress!, values: v.baseAddress!,
                                              output: o, normalizer: saved, dOutput: w, dQueries: &dq, dKeys: &dk,
                                              dValues: &dvv, batchHeads: bh, length: t, featureDim: m, valueDim: dv)
            } else {
                linearAttentionBackward(queries: q.baseAddress!, keys: k.baseAddress!, values: v.baseAddress!,
                                        output: o, normalizer: saved, dOutput: w, dQueries: &dq, dKeys: &dk,
                                        dValues: &dvv, batchHeads: bh, queryLength: t, keyLength: s,
                                        featureDim: m, valueDim: dv,
                                        keyLengths: lengths == nil ? nil : lens.baseAddress!, headsPerBatch: headsPerBatch)
            }
        }}
    }}}
    return [dq, dk, dvv]
}

@Suite("Linear attention kernels")
struct LinearAttentionKernelTests {
    static let shapes: [(m: Int, dv: Int)] = [(1, 1), (7, 7), (64, 64), (1, 64), (64, 7), (13, 80)]

    @Test("causal forward matches the O(T²) definition", arguments: [1, 3, 64, 257], shapes)
    func causalForward(t: Int, shape: (m: Int, dv: Int)) {
        let (bh, m, dv) = (2, shape.m, shape.dv)
        var rng = LinearTestRNG(seed: UInt64(1000 * t + 10 * m + dv))
        let q = rng.features(bh * t * m), k = rng.features(bh * t * m), v = rng.normals(bh * t * dv)
        let (o, den) = linearForward(q, k, v, bh: bh, t: t, s: t, m: m, dv: dv, causal: true)
        var ref = [Float](repeating: 0, count: o.count)
        causalLinearAttentionReference(queries: q, keys: k, values: v, output: &ref, batchHeads: bh, length: t,
                                       featureDim: m, valueDim: dv)
        #expect(linearRelativeError(o, ref) < 1e-5)
        // den_i = φQ_i · Σ_{j≤i} φK_j + ε, checked on the last row of head 1
        var z = [Double](repeating: 0, count: m), expected = 1e-6
        for j in 0..<t { for r in 0..<m { z[r] += Double(k[(t + j) * m + r]) } }
        for r in 0..<m { expected += Double(q[(2 * t - 1) * m + r]) * z[r] }
        #expect(abs(Double(den[2 * t - 1]) - expected) <= 1e-5 * expected)
    }

    @Test("non-causal forward matches the definition, with and without key padding", arguments: [1, 3, 64, 257], shapes)
    func nonCausalForward(t: Int, shape: (m: Int, dv: Int)) {
        let (heads, batch, m, dv, s) = (2, 2, shape.m, shape.dv, t + 3)
        let bh = heads * batch
        var rng = LinearTestRNG(seed: UInt64(7 + 1000 * t + 10 * m + dv))
        let q = rng.features(bh * t * m), k = rng.features(bh * s * m), v = rng.normals(bh * s * dv)
        let padded: [Int32] = [Int32(s), Int32(max(1, t / 2))]
        for lengths in (t <= 64 ? [nil, padded] : [padded]) as [[Int32]?] {
            let (o, _) = linearForward(q, k, v, bh: bh, t: t, s: s, m: m, dv: dv, causal: false,
                                       lengths: lengths, headsPerBatch: heads)
            var ref = [Float](repeating: 0, count: o.count)
            let lens = lengths ?? [0]
            lens.withUnsafeBufferPointer { lens in
                linearAttentionReference(queries: q, keys: k, values: v, output: &ref, batchHeads: bh, queryLength: t,
                                         keyLength: s, featureDim: m, valueDim: dv,
                                         keyLengths: lengths == nil ? nil : lens.baseAddress!, headsPerBatch: heads)
            }
            #expect(linearRelativeError(o, ref) < 1e-5)
        }
    }

    @Test("recurrent steps reproduce the parallel causal form", arguments: [(7, 64), (64, 64), (13, 80), (1, 1)])
    func recurrentEqualsParallel(m: Int, dv: Int) {
        let (bh, t) = (3, 130)
        var rng = LinearTestRNG(seed: UInt64(500 + m * dv))
        let q = rng.features(bh * t * m), k = rng.features(bh * t * m), v = rng.normals(bh * t * dv)
        let (parallel, _) = linearForward(q, k, v, bh: bh, t: t, s: t, m: m, dv: dv, causal: true)
        var state = [Float](repeating: 0, count: bh * m * dv), z = [Float](repeating: 0, count: bh * m)
        var worst: Float = 0
        var qt = [Float](repeating: 0, count: bh * m), kt = qt, vt = [Float](repeating: 0, count: bh * dv), ot = vt
        for i in 0..<t {
            for h in 0..<bh {
                for r in 0..<m { qt[h * m + r] = q[(h * t + i) * m + r]; kt[h * m + r] = k[(h * t + i) * m + r] }
                for c in 0..<dv { vt[h * dv + c] = v[(h * t + i) * dv + c] }
            }
            linearAttentionStep(query: qt, key: kt, value: vt, state: &state, normalizerState: &z, output: &ot,
                                batchHeads: bh, featureDim: m, valueDim: dv)
            for h in 0..<bh { for c in 0..<dv { worst = max(worst, abs(ot[h * dv + c] - parallel[(h * t + i) * dv + c])) } }
        }
        #expect(worst <= 1e-4)
    }

    /// Central differences of the Double loss at `coordinates` of input `which` (0 φQ, 1 φK, 2 V).
    static func finiteDifferences(_ inputs: [[Float]], _ w: [Float], which: Int, coordinates: [Int],
                                  bh: Int, t: Int, s: Int, m: Int, dv: Int, causal: Bool,
                                  lengths: [Int32]?, headsPerBatch: Int) -> [Float] {
        var x = inputs.map { $0.map(Double.init) }
        let step = 1e-5
        return coordinates.map { index in
            let saved = x[which][index]
            x[which][index] = saved + step
            let up = linearLossDouble(x[0], x[1], x[2], w, bh: bh, t: t, s: s, m: m, dv: dv, causal: causal,
                                      lengths: lengths, headsPerBatch: headsPerBatch)
            x[which][index] = saved - step
            let down = linearLossDouble(x[0], x[1], x[2], w, bh: bh, t: t, s: s, m: m, dv: dv, causal: causal,
                                        lengths: lengths, headsPerBatch: headsPerBatch)
            x[which][index] = saved
            return Float((up - down) / (2 * step))
        }
    }

    // (t, m, dv, sampled): tiny shapes are checked at every coordinate; t = 70 crosses a scan
    // block boundary (64 steps) and is checked at a sample of coordinates.
    @Test("causal backward matches finite differences",
          arguments: [(5, 3, 4, false), (9, 17, 18, false), (70, 5, 64, true), (70, 64, 6, true)])
    func causalBackward(t: Int, m: Int, dv: Int, sampled: Bool) {
        let bh = 2
        var rng = LinearTestRNG(seed: UInt64(77 + t * m * dv))
        let inputs = [rng.features(bh * t * m), rng.features(bh * t * m), rng.normals(bh * t * dv)]
        let w = rng.normals(bh * t * dv)
        let grads = linearBackward(inputs[0], inputs[1], inputs[2], w, bh: bh, t: t, s: t, m: m, dv: dv, causal: true)
        let recomputed = linearBackward(inputs[0], inputs[1], inputs[2], w, bh: bh, t: t, s: t, m: m, dv: dv,
                                        causal: true, savedNormalizer: false)
        for which in 0..<3 {
            let all = Array(inputs[which].indices)
            let stride = max(1, all.count / 24)   // sampled: ~24 coordinates spread over both heads
            let coordinates = sampled ? all.filter { $0 % stride == 5 % stride || $0 == all.count - 1 } : all
            let fd = Self.finiteDifferences(inputs, w, which: which, coordinates: coordinates, bh: bh, t: t, s: t,
                                            m: m, dv: dv, causal: true, lengths: nil, headsPerBatch: 1)
            #expect(linearRelativeError(coordinates.map { grads[which][$0] }, fd) < 2e-3, "input \(which)")
            #expect(linearRelativeError(recomputed[which], grads[which]) < 1e-5, "input \(which), recomputed den")
        }
    }

    @Test("non-causal backward matches finite differences, padded keys get zero gradient",
          arguments: [(4, 6, 3, 5), (9, 7, 17, 18)])
    func nonCausalBackward(t: Int, s: Int, m: Int, dv: Int) {
        let (heads, batch) = (2, 2)
        let bh = heads * batch
        var rng = LinearTestRNG(seed: UInt64(91 + t * s * m * dv))
        let inputs = [rng.features(bh * t * m), rng.features(bh * s * m), rng.normals(bh * s * dv)]
        let w = rng.normals(bh * t * dv)
        for lengths in [nil, [Int32(s), Int32(s - 2)]] as [[Int32]?] {
            let grads = linearBackward(inputs[0], inputs[1], inputs[2], w, bh: bh, t: t, s: s, m: m, dv: dv,
                                       causal: false, lengths: lengths, headsPerBatch: heads)
            let recomputed = linearBackward(inputs[0], inputs[1], inputs[2], w, bh: bh, t: t, s: s, m: m, dv: dv,
                                            causal: false, lengths: lengths, headsPerBatch: heads, savedNormalizer: false)
            for which in 0..<3 {
                let fd = Self.finiteDifferences(inputs, w, which: which, coordinates: Array(inputs[which].indices),
                                                bh: bh, t: t, s: s, m: m, dv: dv, causal: false,
                                                lengths: lengths, headsPerBatch: heads)
                #expect(linearRelativeError(grads[which], fd) < 2e-3, "input \(which), lengths \(String(describing: lengths))")
                #expect(linearRelativeError(recomputed[which], grads[which]) < 1e-5)
            }
            if lengths != nil {   // batch 1 (heads 2, 3): keys s−2, s−1 are padding
                for h in heads..<bh {
                    for j in (s - 2)..<s {
                        #expect(grads[1][((h * s) + j) * m..<((h * s) + j + 1) * m].allSatisfy { $0 == 0 })
                        #expect(grads[2][((h * s) + j) * dv..<((h * s) + j + 1) * dv].allSatisfy { $0 == 0 })
                    }
                }
            }
        }
    }

    // Shapes that cross scan blocks (32 steps) and GEMM row blocks (256 rows), against the
    // pairwise oracle; the oracle itself is checked against finite differences on a tiny shape.
    @Test("backward on larger shapes matches the pairwise Double gradient",
          arguments: [(true, 100, 100, 64, 64), (true, 45, 45, 13, 20), (false, 300, 290, 7, 20), (false, 5, 6, 3, 4)])
    func pairwiseGradient(causal: Bool, t: Int, s: Int, m: Int, dv: Int) {
        let (heads, batch) = (2, causal ? 1 : 2)
        let bh = heads * batch, lengths: [Int32]? = causal ? nil : [Int32(s), Int32(s / 2)]
        var rng = LinearTestRNG(seed: UInt64(303 + t + m + dv))
        let inputs = [rng.features(bh * t * m), rng.features(bh * s * m), rng.normals(bh * s * dv)]
        let w = rng.normals(bh * t * dv)
        let grads = linearBackward(inputs[0], inputs[1], inputs[2], w, bh: bh, t: t, s: s, m: m, dv: dv,
                                   causal: causal, lengths: lengths, headsPerBatch: heads)
        let oracle = linearGradientsDouble(inputs[0], inputs[1], inputs[2], w, bh: bh, t: t, s: s, m: m, dv: dv,
                                           causal: causal, lengths: lengths, headsPerBatch: heads)
        for which in 0..<3 { #expect(linearRelativeError(grads[which], oracle[which]) < 1e-4, "input \(which)") }
        if t * s <= 30 {
            for which in 0..<3 {
                let fd = Self.finiteDifferences(inputs, w, which: which, coordinates: Array(inputs[which].indices),
                                                bh: bh, t: t, s: s, m: m, dv: dv, causal: causal,
                                                lengths: lengths, headsPerBatch: heads)
                #expect(linearRelativeError(oracle[which], fd) < 1e-6, "oracle, input \(which)")
            }
        }
    }

    @Test("padded keys and values do not change the outputs")
    func paddingIgnored() {
        let (heads, batch, t, s, m, dv) = (2, 2, 5, 9, 6, 20)
        let bh = heads * batch, lengths: [Int32] = [4, 7]
        var rng = LinearTestRNG(seed: 123)
        let q = rng.features(bh * t * m)
        var k = rng.features(bh * s * m), v = rng.normals(bh * s * dv)
        let (before, _) = linearForward(q, k, v, bh: bh, t: t, s: s, m: m, dv: dv, causal: false,
                                        lengths: lengths, headsPerBatch: heads)
        for h in 0..<bh {
            for j in Int(lengths[h / heads])..<s {
                for r in 0..<m { k[(h * s + j) * m + r] = 1e3 }
                for c in 0..<dv { v[(h * s + j) * dv + c] = -1e3 }
            }
        }
        let (after, _) = linearForward(q, k, v, bh: bh, t: t, s: s, m: m, dv: dv, causal: false,
                                       lengths: lengths, headsPerBatch: heads)
        #expect(before == after)
        #expect(before.allSatisfy { $0.isFinite })
    }
}
