// Tests for the fused (flash) attention kernels: forward against the dense kernels and a Double
// reference with key padding, logSumExp, backward against `denseAttentionBackward` and against
// central finite differences of the forward, empty rows, and huge scores.
import Foundation
import Testing
import AttendKernels
import AttendTensor

/// SplitMix64 (Steele et al., 2014): a tiny seeded generator for reproducible test inputs.
fileprivate struct FlashTestRNG {
    /// The project's SplitMix64 generator underneath.
    var base: RandomGenerator
    init(seed: UInt64) { base = RandomGenerator(seed: seed) }
    mutating func next() -> UInt64 { base.next() }

    /// n values uniform in [−scale, scale).
    mutating func uniforms(_ n: Int, scale: Float = 1) -> [Float] {
        (0..<n).map { _ in (Float(next() >> 40) / Float(1 << 24) * 2 - 1) * scale }
    }
}

/// One attention problem size.
struct FlashShape: Sendable, CustomStringConvertible {
    let bh: Int, t: Int, s: Int, d: Int, dv: Int
    var description: String { "BH=\(bh) T=\(t) S=\(s) D=\(d) Dv=\(dv)" }
}

/// Shapes from one query to many tiles. BH = 1 and 3 take the backward's shared-dQ path; the
/// last two (with up to 2 threads) make the forward, and the shared-dQ backward, pair 64-wide
/// tiles into blocks (the backward that owns whole heads always does).
private let flashShapes: [FlashShape] = [
    FlashShape(bh: 2, t: 1, s: 1, d: 8, dv: 8),
    FlashShape(bh: 2, t: 3, s: 3, d: 1, dv: 1),
    FlashShape(bh: 2, t: 3, s: 70, d: 8, dv: 8),
    FlashShape(bh: 2, t: 70, s: 3, d: 8, dv: 5),
    FlashShape(bh: 2, t: 64, s: 64, d: 64, dv: 64),
    FlashShape(bh: 2, t: 33, s: 65, d: 80, dv: 24),
    FlashShape(bh: 1, t: 130, s: 200, d: 8, dv: 16),
    FlashShape(bh: 3, t: 100, s: 100, d: 64, dv: 64),
    FlashShape(bh: 2, t: 257, s: 257, d: 64, dv: 64),
    FlashShape(bh: 4, t: 200, s: 210, d: 8, dv: 8),
    FlashShape(bh: 1, t: 40, s: 1030, d: 8, dv: 4),
]

/// Double attention with both masks: O [BH, T, Dv] and the row log-sum-exp [BH, T].
fileprivate func flashReferenceDouble(q: [Float], k: [Float], v: [Float], shape x: FlashShape, scale: Float,
                                      causal: Bool, keyLengths: [Int32]? = nil,
                                      headsPerBatch: Int = 1) -> (o: [Double], lse: [Double]) {
    var o = [Double](repeating: 0, count: x.bh * x.t * x.dv)
    var lse = [Double](repeating: -.infinity, count: x.bh * x.t)
    var scores = [Double](repeating: 0, count: x.s)
    for h in 0..<x.bh {
        let keyEnd = keyLengths.map { min(x.s, max(0, Int($0[h / headsPerBatch]))) } ?? x.s
        for i in 0..<x.t {
            let visible = causal ? min(keyEnd, max(0, i + 1 + x.s - x.t)) : keyEnd
            if visible == 0 { continue }
            var m = -Double.infinity
            for j in 0..<visible {
                var acc = 0.0
                for c in 0..<x.d { acc += Double(q[(h * x.t + i) * x.d + c]) * Double(k[(h * x.s + j) * x.d + c]) }
                scores[j] = acc * Double(scale)
                m = max(m, scores[j])
            }
            var z = 0.0
            for j in 0..<visible {
                scores[j] = Foundation.exp(scores[j] - m)
                z += scores[j]
            }
            lse[h * x.t + i] = m + Foundation.log(z)
            for j in 0..<visible {
                for c in 0..<x.dv { o[(h * x.t + i) * x.dv + c] += scores[j] / z * Double(v[(h * x.s + j) * x.dv + c]) }
            }
        }
    }
    return (o, lse)
}

/// Largest |a − b|; equal infinities count as 0.
fileprivate func flashMismatch<A: BinaryFloatingPoint, B: BinaryFloatingPoint>(_ a: [A], _ b: [B]) -> Double {
    precondition(a.count == b.count)
    var worst = 0.0
    for (x, y) in zip(a, b) {
        let dx = Double(x), dy = Double(y)
        if dx == dy { continue }
        worst = max(worst, abs(dx - dy).isNaN ? .infinity : abs(dx - dy))
    }
    return worst
}

/// Runs `flashAttentionForward` on arrays: (O, logSumExp).
fileprivate func flashForward(_ q: [Float], _ k: [Float], _ v: [Float], _ x: FlashShape, scale: Float, causal: Bool,
                              keyLengths: [Int32]? = nil, headsPerBatch: Int = 1) -> (o: [Float], lse: [Float]) {
    var o = [Float](repeating: .nan, count: x.bh * x.t * x.dv)
    var lse = [Float](repeating: .nan, count: x.bh * x.t)
    let lengths = keyLengths ?? []
    lengths.withUnsafeBufferPointer { lp in
        flashAttentionForward(queries: q, keys: k, values: v, output: &o, logSumExp: &lse,
                              batchHeads: x.bh, queryLength: x.t, keyLength: x.s, headDim: x.d, valueDim: x.dv,
                              scale: scale, causal: causal, keyLengths: keyLengths == nil ? nil : lp.baseAddress,
                              headsPerBatch: headsPerBatch)
    }
    return (o, lse)
}

/// Runs `flashAttentionBackward` on arrays: (dQ, dK, dV).
fileprivate func flashBackward(_ q: [Float], _ k: [Float], _ v: [Float], _ o: [Float], _ lse: [Float], _ dO: [Float],
                               _ x: FlashShape, scale: Float, causal: Bool, keyLengths: [Int32]? = nil,
                               headsPerBatch: Int = 1) -> (dQ: [Float], dK: [Float], dV: [Float]) {
    var dQ = [Float](repeating: .nan, count: q.count), dK = [Float](repeating: .nan, count: k.count)
    var dV = [Float](repeating: .nan, count: v.count)
    let lengths = keyLengths ?? []
    lengths.withUnsafeBufferPointer { lp in
        flashAttentionBackward(queries: q, keys: k, values: v, output: o, logSumExp: lse, dOutput: dO,
                               dQueries: &dQ, dKeys: &dK, dValues: &dV,
                               batchHeads: x.bh, queryLength: x.t, keyLength: x.s, headDim: x.d, valueDim: x.dv,
                               scale: scale, causal: causal, keyLengths: keyLengths == nil ? nil : lp.baseAddress,
                               headsPerBatch: headsPerBatch)
    }
    return (dQ, dK, dV)
}

@Suite("Flash attention kernels")
struct FlashAttentionKernelTests {
    @Test("forward matches denseAttentionReference and denseAttentionForward; logSumExp matches a Double reference",
          arguments: flashShapes, [false, true])
    func forward(shape x: FlashShape, causal: Bool) {
        var rng = FlashTestRNG(seed: UInt64(101 + x.t * 7 + x.s + x.d))
        let q = rng.uniforms(x.bh * x.t * x.d), k = rng.uniforms(x.bh * x.s * x.d), v = rng.uniforms(x.bh * x.s * x.dv)
        let scale = 1 / Float(x.d).squareRoot()
        let (o, lse) = flashForward(q, k, v, x, scale: scale, causal: causal)
        var reference = [Float](repeating: 0, count: o.count), dense = reference
        var p = [Float](repeating: 0, count: x.bh * x.t * x.s)
        denseAttentionReference(queries: q, keys: k, values: v, output: &reference, batchHeads: x.bh,
                                queryLength: x.t, keyLength: x.s, headDim: x.d, valueDim: x.dv, scale: scale, causal: causal)
        denseAttentionForward(queries: q, keys: k, values: v, output: &dense, probabilities: &p, batchHeads: x.bh,
                              queryLength: x.t, keyLength: x.s, headDim: x.d, valueDim: x.dv, scale: scale, causal: causal)
        let tolerance = x.t > 200 || x.s > 200 ? 1e-4 : 1e-5
        #expect(flashMismatch(o, reference) < tolerance)
        #expect(flashMismatch(o, dense) < tolerance)
        let exact = flashReferenceDouble(q: q, k: k, v: v, shape: x, scale: scale, causal: causal)
        #expect(flashMismatch(lse, exact.lse) < tolerance)
    }

    @Test("forward with key padding matches a masked Double reference", arguments: [false, true])
    func keyPadding(causal: Bool) {
        // Batch 3 × 2 heads; batch element 1 keeps no key at all, element 2 more keys than exist.
        let x = FlashShape(bh: 6, t: 70, s: 90, d: 8, dv: 12)
        let lengths: [Int32] = [37, 0, 500]
        var rng = FlashTestRNG(seed: causal ? 7 : 8)
        let q = rng.uniforms(x.bh * x.t * x.d), k = rng.uniforms(x.bh * x.s * x.d), v = rng.uniforms(x.bh * x.s * x.dv)
        let (o, lse) = flashForward(q, k, v, x, scale: 0.4, causal: causal, keyLengths: lengths, headsPerBatch: 2)
        let exact = flashReferenceDouble(q: q, k: k, v: v, shape: x, scale: 0.4, causal: causal,
                                         keyLengths: lengths, headsPerBatch: 2)
        #expect(flashMismatch(o, exact.o) < 1e-5)
        #expect(flashMismatch(lse, exact.lse) < 1e-5)
        // Heads 2 and 3 (batch element 1) see nothing: zero output, log-sum-exp −∞.
        #expect(o[(2 * x.t * x.dv)..<(4 * x.t * x.dv)].allSatisfy { $0 == 0 })
        #expect(lse[(2 * x.t)..<(4 * x.t)].allSatisfy { $0 == -.infinity })
    }

    @Test("backward matches denseAttentionBackward", arguments: flashShapes, [false, true])
    func backward(shape x: FlashShape, causal: Bool) {
        var rng = FlashTestRNG(seed: UInt64(505 + x.t * 3 + x.s + x.dv))
        let q = rng.uniforms(x.bh * x.t * x.d), k = rng.uniforms(x.bh * x.s * x.d), v = rng.uniforms(x.bh * x.s * x.dv)
        let dO = rng.uniforms(x.bh * x.t * x.dv)
        let scale = 1 / Float(x.d).squareRoot()
        let (o, lse) = flashForward(q, k, v, x, scale: scale, causal: causal)
        let flash = flashBackward(q, k, v, o, lse, dO, x, scale: scale, causal: causal)
        var denseO = [Float](repeating: 0, count: o.count), p = [Float](repeating: 0, count: x.bh * x.t * x.s)
        denseAttentionForward(queries: q, keys: k, values: v, output: &denseO, probabilities: &p, batchHeads: x.bh,
                              queryLength: x.t, keyLength: x.s, headDim: x.d, valueDim: x.dv, scale: scale, causal: causal)
        var dQ = [Float](repeating: 0, count: q.count), dK = [Float](repeating: 0, count: k.count)
        var dV = [Float](repeating: 0, count: v.count)
        denseAttentionBackward(queries: q, keys: k, values: v, output: denseO, probabilities: p, dOutput: dO,
                               dQueries: &dQ, dKeys: &dK, dValues: &dV, batchHeads: x.bh, queryLength: x.t,
                               keyLength: x.s, headDim: x.d, valueDim: x.dv, scale: scale)
        let tolerance = x.t > 200 || x.s > 200 ? 1e-4 : 1e-5
        #expect(flashMismatch(flash.dQ, dQ) < tolerance)
        #expect(flashMismatch(flash.dK, dK) < tolerance)
        #expect(flashMismatch(flash.dV, dV) < tolerance)
    }

    @Test("backward matches central finite differences of the forward (loss Σ w⊙O)", arguments: [
        (false, false), (true, false), (false, true), (true, true),
    ])
    func finiteDifferences(causal: Bool, padded: Bool) {
        // Batch 2 × 1 head, S < T so that causal rows 0 and 1 see no key; padding hides keys ≥ 3 of element 0.
        let x = FlashShape(bh: 2, t: 6, s: 5, d: 3, dv: 2)
        let lengths: [Int32]? = padded ? [3, 5] : nil
        var rng = FlashTestRNG(seed: 99 + (causal ? 1 : 0) + (padded ? 2 : 0))
        let q = rng.uniforms(x.bh * x.t * x.d), k = rng.uniforms(x.bh * x.s * x.d), v = rng.uniforms(x.bh * x.s * x.dv)
        let w = rng.uniforms(x.bh * x.t * x.dv)
        let scale: Float = 0.8
        let (o, lse) = flashForward(q, k, v, x, scale: scale, causal: causal, keyLengths: lengths)
        let grads = flashBackward(q, k, v, o, lse, w, x, scale: scale, causal: causal, keyLengths: lengths)
        func loss(_ q: [Float], _ k: [Float], _ v: [Float]) -> Double {
            let out = flashForward(q, k, v, x, scale: scale, causal: causal, keyLengths: lengths).o
            return zip(out, w).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
        let h: Float = 1e-2
        func numeric(_ which: Int, _ n: Int) -> [Float] {
            (0..<n).map { idx in
                var inputs = [q, k, v]
                inputs[which][idx] += h
                let up = loss(inputs[0], inputs[1], inputs[2])
                inputs[which][idx] -= 2 * h
                let down = loss(inputs[0], inputs[1], inputs[2])
                return Float((up - down) / (2 * Double(h)))
            }
        }
        #expect(flashMismatch(grads.dQ, numeric(0, q.count)) < 1e-3)
        #expect(flashMismatch(grads.dK, numeric(1, k.count)) < 1e-3)
        #expect(flashMismatch(grads.dV, numeric(2, v.count)) < 1e-3)
    }

    @Test("rows that see no key output zero and get zero gradients; unseen keys get zero gradients")
    func emptyRows() {
        // Causal with S < T: query i sees keys j ≤ i − 3, so rows 0...2 see nothing and key 1 only row 4.
        let x = FlashShape(bh: 2, t: 5, s: 2, d: 4, dv: 3)
        var rng = FlashTestRNG(seed: 3)
        let q = rng.uniforms(x.bh * x.t * x.d), k = rng.uniforms(x.bh * x.s * x.d), v = rng.uniforms(x.bh * x.s * x.dv)
        let dO = rng.uniforms(x.bh * x.t * x.dv)
        let (o, lse) = flashForward(q, k, v, x, scale: 1, causal: true)
        let grads = flashBackward(q, k, v, o, lse, dO, x, scale: 1, causal: true)
        for h in 0..<x.bh {
            for i in 0..<3 {
                #expect(lse[h * x.t + i] == -.infinity)
                for c in 0..<x.dv { #expect(o[(h * x.t + i) * x.dv + c] == 0) }
                for c in 0..<x.d { #expect(grads.dQ[(h * x.t + i) * x.d + c] == 0) }
            }
        }
        #expect(grads.dQ.allSatisfy { $0.isFinite } && grads.dK.allSatisfy { $0.isFinite } && grads.dV.allSatisfy { $0.isFinite })
        // With every key padded away, everything is zero.
        let none = flashForward(q, k, v, x, scale: 1, causal: false, keyLengths: [0, 0], headsPerBatch: 1)
        #expect(none.o.allSatisfy { $0 == 0 })
        let zero = flashBackward(q, k, v, none.o, none.lse, dO, x, scale: 1, causal: false, keyLengths: [0, 0])
        #expect(zero.dQ.allSatisfy { $0 == 0 } && zero.dK.allSatisfy { $0 == 0 } && zero.dV.allSatisfy { $0 == 0 })
    }

    @Test("huge scores stay finite and match the reference (online softmax is stable)", arguments: [false, true])
    func hugeScores(causal: Bool) {
        let x = FlashShape(bh: 2, t: 100, s: 150, d: 16, dv: 16)
        var rng = FlashTestRNG(seed: 77)
        let q = rng.uniforms(x.bh * x.t * x.d, scale: 20), k = rng.uniforms(x.bh * x.s * x.d, scale: 20)
        let v = rng.uniforms(x.bh * x.s * x.dv)
        let (o, lse) = flashForward(q, k, v, x, scale: 1, causal: causal)
        let exact = flashReferenceDouble(q: q, k: k, v: v, shape: x, scale: 1, causal: causal)
        #expect(o.allSatisfy { $0.isFinite })
        #expect(flashMismatch(o, exact.o) < 1e-4)
        // log-sum-exp is in the thousands here: compare relatively.
        #expect(zip(lse, exact.lse).allSatisfy { abs(Double($0) - $1) <= 1e-6 * max(1, abs($1)) })
    }
}
