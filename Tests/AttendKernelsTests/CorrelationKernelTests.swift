// Tests for the correlation kernels (FFT.swift, CorrelationAttention.swift): the radix-2 FFT against
// the O(N²) DFT, the FFT-based N-D 'same' correlation against the direct sum on odd shapes, the causal
// correlation attention forward against its O(T³·D) definition for T ∈ {1, 3, 64, 257}, its backward
// against central finite differences of the Double definition, and the recurrent step against the
// parallel form.
import Foundation
import Testing
import AttendKernels
import AttendTensor

fileprivate func uniform(_ n: Int, seed: UInt64) -> [Float] {
    var rng = RandomGenerator(seed: seed)
    return (0..<n).map { _ in 2 * rng.nextUniform() - 1 }
}

fileprivate func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count)
    return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

@Suite("Correlation kernels")
struct CorrelationKernelTests {
    @Test("radix-2 FFT equals the direct DFT, and the inverse undoes it", arguments: [1, 2, 8, 64])
    func fftMatchesDFT(n: Int) {
        let re = uniform(n, seed: 1).map(Double.init), im = uniform(n, seed: 2).map(Double.init)
        var fr = re, fi = im, dr = re, di = im
        fr.withUnsafeMutableBufferPointer { r in fi.withUnsafeMutableBufferPointer { i in
            fft(real: r.baseAddress!, imaginary: i.baseAddress!, count: n) } }
        dr.withUnsafeMutableBufferPointer { r in di.withUnsafeMutableBufferPointer { i in
            dftReference(real: r.baseAddress!, imaginary: i.baseAddress!, count: n) } }
        for j in 0..<n { #expect(abs(fr[j] - dr[j]) < 1e-9 && abs(fi[j] - di[j]) < 1e-9) }
        fr.withUnsafeMutableBufferPointer { r in fi.withUnsafeMutableBufferPointer { i in
            fft(real: r.baseAddress!, imaginary: i.baseAddress!, count: n, inverse: true) } }
        for j in 0..<n { #expect(abs(fr[j] - re[j]) < 1e-12 && abs(fi[j] - im[j]) < 1e-12) }
    }

    @Test("FFT 'same' correlation equals the direct sum on odd and even shapes",
          arguments: [[1], [7], [8], [3, 5], [2, 3, 4, 5], [1, 2, 7, 3], [3, 1, 6, 4]])
    func correlationFFTMatchesDirect(shape: [Int]) {
        let n = shape.reduce(1, *)
        let a = uniform(n, seed: 3), v = uniform(n, seed: 4)
        var viaFFT = [Float](repeating: 0, count: n), direct = viaFFT, chosen = viaFFT
        correlateSameFFT(a, v, &viaFFT, shape: shape)
        correlateSameReference(a, v, &direct, shape: shape)
        correlateSame(a, v, &chosen, shape: shape)
        #expect(maxAbsDifference(viaFFT, direct) <= 1e-5)
        #expect(maxAbsDifference(chosen, direct) <= 1e-5)
    }

    @Test("1-D 'same' correlation follows scipy's centring: out[i] = Σ_n a[i + n − N/2]·v[n]")
    func correlationCentring() {
        // a = [1, 2, 3, 4], v = [0, 1, 0, 0]: out[i] = a[i + 1 − 2] = a[i − 1] → [0, 1, 2, 3]
        // (scipy.signal.correlate([1, 2, 3, 4], [0, 1, 0, 0], mode='same') gives the same).
        var out = [Float](repeating: 0, count: 4)
        correlateSameFFT([1, 2, 3, 4], [0, 1, 0, 0], &out, shape: [4])
        #expect(maxAbsDifference(out, [0, 1, 2, 3]) <= 1e-6)
    }

    @Test("causal correlation attention forward equals its O(T³·D) definition", arguments: [1, 3, 64, 257])
    func causalForwardMatchesReference(t: Int) {
        let (bh, d, dv) = (2, 8, 5)
        let q = uniform(bh * t * d, seed: 5), k = uniform(bh * t * d, seed: 6), v = uniform(bh * t * dv, seed: 7)
        var fused = [Float](repeating: 0, count: bh * t * dv), reference = fused
        var checkpoints = [Float](repeating: 0, count: bh * causalCorrelationCheckpointCount(length: t))
        causalCorrelationAttentionForward(queries: q, keys: k, values: v, output: &fused, checkpoints: &checkpoints,
                                          batchHeads: bh, length: t, headDim: d, valueDim: dv)
        causalCorrelationAttentionReference(queries: q, keys: k, values: v, output: &reference,
                                            batchHeads: bh, length: t, headDim: d, valueDim: dv)
        #expect(maxAbsDifference(fused, reference) <= 1e-4, "T = \(t)")
    }

    /// L = Σ w ⊙ O with O from the definition, in Double.
    func lossFromDefinition(_ q: [Double], _ k: [Double], _ v: [Double], _ w: [Float], bh: Int, t: Int, d: Int, dv: Int) -> Double {
        var loss = 0.0
        for h in 0..<bh {
            for i in 0..<t {
                var scores = [Double](repeating: 0, count: i + 1)
                for s in 0...i {
                    var acc = 0.0
                    for m in 0...s { for c in 0..<d { acc += q[(h * t + i - m) * d + c] * k[(h * t + s - m) * d + c] } }
                    scores[s] = acc / (Double(d) * Double(s + 1)).squareRoot()
                }
                let top = scores.max()!
                let e = scores.map { exp($0 - top) }, z = e.reduce(0, +)
                for c in 0..<dv {
                    var o = 0.0
                    for s in 0...i { o += e[s] / z * v[(h * t + s) * dv + c] }
                    loss += o * Double(w[(h * t + i) * dv + c])
                }
            }
        }
        return loss
    }

    @Test("causal correlation attention backward equals central differences of the definition", arguments: [1, 3, 9, 70, 100])
    func causalBackwardMatchesFiniteDifferences(t: Int) {
        let (bh, d, dv) = (2, 3, 4)
        let q = uniform(bh * t * d, seed: 8), k = uniform(bh * t * d, seed: 9), v = uniform(bh * t * dv, seed: 10)
        let w = uniform(bh * t * dv, seed: 11)
        var out = [Float](repeating: 0, count: bh * t * dv)
        var checkpoints = [Float](repeating: 0, count: bh * causalCorrelationCheckpointCount(length: t))
        causalCorrelationAttentionForward(queries: q, keys: k, values: v, output: &out, checkpoints: &checkpoints,
                                          batchHeads: bh, length: t, headDim: d, valueDim: dv)
        var dq = [Float](repeating: 0, count: q.count), dk = dq, dvv = [Float](repeating: 0, count: v.count)
        causalCorrelationAttentionBackward(queries: q, keys: k, values: v, output: out, checkpoints: checkpoints, dOutput: w,
                                           dQueries: &dq, dKeys: &dk, dValues: &dvv, batchHeads: bh, length: t,
                                           headDim: d, valueDim: dv)
        let qd = q.map(Double.init), kd = k.map(Double.init), vd = v.map(Double.init)
        let eps = 1e-5
        for (which, analytic) in [(0, dq), (1, dk), (2, dvv)] {
            // Every element for short sequences; ~24 spread over the tensor (both sides of the 64-row
            // block boundaries) for the long ones.
            for j in Swift.stride(from: analytic.count - 1, through: 0, by: -max(1, analytic.count / 24)) {
                var inputs = [qd, kd, vd]
                inputs[which][j] += eps
                let plus = lossFromDefinition(inputs[0], inputs[1], inputs[2], w, bh: bh, t: t, d: d, dv: dv)
                inputs[which][j] -= 2 * eps
                let minus = lossFromDefinition(inputs[0], inputs[1], inputs[2], w, bh: bh, t: t, d: d, dv: dv)
                let numeric = (plus - minus) / (2 * eps)
                #expect(abs(Double(analytic[j]) - numeric) <= 1e-4 * max(1, abs(numeric)),
                        "input \(which) element \(j): \(analytic[j]) vs \(numeric)")
            }
        }
    }

    @Test("the recurrent step reproduces the parallel form row by row", arguments: [1, 20, 40])
    func stepMatchesParallel(t: Int) {
        let (bh, d) = (3, 16)
        let q = uniform(bh * t * d, seed: 12), k = uniform(bh * t * d, seed: 13), v = uniform(bh * t * d, seed: 14)
        var parallel = [Float](repeating: 0, count: bh * t * d)
        var checkpoints = [Float](repeating: 0, count: bh * causalCorrelationCheckpointCount(length: t))
        causalCorrelationAttentionForward(queries: q, keys: k, values: v, output: &parallel, checkpoints: &checkpoints,
                                          batchHeads: bh, length: t, headDim: d, valueDim: d)
        var keys = [Float](repeating: 0, count: bh * t * d), values = keys
        var lags = [Float](repeating: 0, count: bh * t), out = [Float](repeating: 0, count: bh * d)
        var worst: Float = 0
        for step in 0..<t {
            var query = [Float](repeating: 0, count: bh * d)
            for h in 0..<bh {
                for c in 0..<d {
                    query[h * d + c] = q[(h * t + step) * d + c]
                    keys[(h * t + step) * d + c] = k[(h * t + step) * d + c]
                    values[(h * t + step) * d + c] = v[(h * t + step) * d + c]
                }
            }
            correlationAttentionStep(query: query, keys: keys, values: values, lagSums: &lags, output: &out,
                                     batchHeads: bh, length: step + 1, capacity: t, headDim: d)
            for h in 0..<bh { for c in 0..<d { worst = max(worst, abs(out[h * d + c] - parallel[(h * t + step) * d + c])) } }
        }
        #expect(worst <= 1e-4)
    }
}
