import Dispatch
import Foundation

/// Measures this machine's fp32 FMA peak in GFLOP/s with an FMA-only register loop (independent accumulators, no memory traffic), on `threads` threads for about `seconds` seconds.
///
/// Each thread runs 16 independent `SIMD16<Float>` FMA chains (enough to hide a 4-cycle
/// latency on two FMA ports); one FMA lane counts as 2 flops. The result is the sum over
/// threads of each thread's best rate, the ceiling that `gemm` efficiency is quoted against.
public func measureFMAPeak(threads: Int, seconds: Double = 0.5) -> Double {
    let workers = max(1, threads)
    let rates = UnsafeMutablePointer<Double>.allocate(capacity: workers)
    rates.initialize(repeating: 0, count: workers)
    defer { rates.deallocate() }
    let budget = max(0.001, seconds)
    DispatchQueue.concurrentPerform(iterations: workers) { w in
        rates[w] = fmaRateOneThread(seconds: budget, seed: Float(w + 1))
    }
    var total = 0.0
    for w in 0..<workers { total += rates[w] }
    return total / 1e9
}

/// Best flops/s of one thread over repeated timed bursts of the FMA loop.
private func fmaRateOneThread(seconds: Double, seed: Float) -> Double {
    // State lives in memory between bursts: the optimiser cannot see that the lanes are
    // equal or that results are unused, so the loop stays 16 genuine vector FMA chains.
    let state = UnsafeMutablePointer<SIMD16<Float>>.allocate(capacity: 18)
    defer { state.deallocate() }
    var lane = SIMD16<Float>()
    for i in 0..<16 { lane[i] = Float(i) * 1e-3 }
    for j in 0..<16 { state[j] = lane + Float(j) + seed }
    state[16] = SIMD16<Float>(repeating: 0.999_999) - lane * 1e-6  // multiplier, < 1: no overflow
    state[17] = SIMD16<Float>(repeating: 1e-7) + lane * 1e-9       // addend: no denormals
    let iterations = 1 << 16
    let flopsPerBurst = Double(iterations) * 16 * 16 * 2
    let start = DispatchTime.now().uptimeNanoseconds
    var best = 0.0
    while true {
        let t0 = DispatchTime.now().uptimeNanoseconds
        fmaBurst(state, iterations: iterations)
        let t1 = DispatchTime.now().uptimeNanoseconds
        let dt = Double(t1 &- t0) * 1e-9
        if dt > 0 { best = max(best, flopsPerBurst / dt) }
        if Double(t1 &- start) * 1e-9 >= seconds { break }
    }
    return best
}

/// `iterations` rounds of 16 independent SIMD16 FMA chains `a = a * x + y` on `state[0..<16]`,
/// with `x = state[16]`, `y = state[17]`; the chains are written back to `state`.
@inline(never)
private func fmaBurst(_ state: UnsafeMutablePointer<SIMD16<Float>>, iterations: Int) {
    let x = state[16], y = state[17]
    var a0 = state[0], a1 = state[1], a2 = state[2], a3 = state[3]
    var a4 = state[4], a5 = state[5], a6 = state[6], a7 = state[7]
    var a8 = state[8], a9 = state[9], a10 = state[10], a11 = state[11]
    var a12 = state[12], a13 = state[13], a14 = state[14], a15 = state[15]
    for _ in 0..<iterations {
        a0 = y.addingProduct(a0, x); a1 = y.addingProduct(a1, x)
        a2 = y.addingProduct(a2, x); a3 = y.addingProduct(a3, x)
        a4 = y.addingProduct(a4, x); a5 = y.addingProduct(a5, x)
        a6 = y.addingProduct(a6, x); a7 = y.addingProduct(a7, x)
        a8 = y.addingProduct(a8, x); a9 = y.addingProduct(a9, x)
        a10 = y.addingProduct(a10, x); a11 = y.addingProduct(a11, x)
        a12 = y.addingProduct(a12, x); a13 = y.addingProduct(a13, x)
        a14 = y.addingProduct(a14, x); a15 = y.addingProduct(a15, x)
    }
    state[0] = a0; state[1] = a1; state[2] = a2; state[3] = a3
    state[4] = a4; state[5] = a5; state[6] = a6; state[7] = a7
    state[8] = a8; state[9] = a9; state[10] = a10; state[11] = a11
    state[12] = a12; state[13] = a13; state[14] = a14; state[15] = a15
}
