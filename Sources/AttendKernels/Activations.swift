// Pointwise activations (GELU, ReLU, SiLU) forward and backward, and the vectorised exp they,
// softmax and cross-entropy are built on.
import Foundation

// MARK: - exp

/// Vectorised e^x for 16 lanes, within about 1 ulp (relative error ≲ 2e-7) of the true value.
///
/// Cephes-style: n = round(x / ln 2) (by the 1.5·2²³ shifter trick), r = x − n·ln 2 with ln 2 split
/// in two so the reduction is exact, e^r ≈ 1 + r + r²·P(r) with the degree-5 Cephes `expf`
/// minimax polynomial on |r| ≤ ln 2 / 2, then e^x = e^r · 2^⌊n/2⌋ · 2^(n−⌊n/2⌋) (two factors so
/// both stay normal and gradual underflow/overflow round once). Saturates correctly:
/// e^x = +∞ for x ≳ 88.72 (and x = +∞), subnormal down to x ≈ −103.97, then 0 (and for −∞);
/// NaN stays NaN.
@inlinable @_transparent
public func fastExp(_ x: SIMD16<Float>) -> SIMD16<Float> {
    // Clamp so that n ∈ [−150, 129]: beyond, the result is already 0 or +∞.
    let xc = pointwiseMin(pointwiseMax(x, SIMD16(repeating: -104)), SIMD16(repeating: 89))
    // t = x·log2(e) + 1.5·2²³, fused: its low mantissa bits hold round(x·log2 e) as an integer.
    let shifter = SIMD16<Float>(repeating: 12_582_912)
    let t = shifter.addingProduct(xc, SIMD16(repeating: 1.442_695_040_888_963_4))
    let n = t - shifter
    // r = x − n·ln 2, with ln 2 = 0.693359375 − 2.12194440e−4 (the first part is exact in n·c1).
    var r = xc.addingProduct(n, SIMD16(repeating: -0.693_359_375))
    r = r.addingProduct(n, SIMD16(repeating: 2.121_944_40e-4))
    // e^r ≈ 1 + r + r²·P(r)   (Cephes expf coefficients).
    var p = SIMD16<Float>(repeating: 1.987_569_150_0e-4)
    p = SIMD16(repeating: 1.398_199_950_7e-3).addingProduct(p, r)
    p = SIMD16(repeating: 8.333_451_907_3e-3).addingProduct(p, r)
    p = SIMD16(repeating: 4.166_579_589_4e-2).addingProduct(p, r)
    p = SIMD16(repeating: 1.666_666_545_9e-1).addingProduct(p, r)
    p = SIMD16(repeating: 5.000_000_120_1e-1).addingProduct(p, r)
    let r2 = r * r
    let er = r.addingProduct(r2, p) + SIMD16(repeating: 1)
    // 2^n as 2^n1 · 2^n2 built from exponent bits; n1 = n >> 1, n2 = n − n1, both in [−75, 65].
    let ni = unsafeBitCast(t, to: SIMD16<Int32>.self) &- SIMD16(repeating: 0x4B40_0000)
    let n1 = ni &>> 1
    let n2 = ni &- n1
    let s1 = unsafeBitCast((n1 &+ SIMD16(repeating: 127)) &<< 23, to: SIMD16<Float>.self)
    let s2 = unsafeBitCast((n2 &+ SIMD16(repeating: 127)) &<< 23, to: SIMD16<Float>.self)
    let y = (er * s1) * s2
    // The clamp maps NaN to a finite value; put it back.
    return y.replacing(with: .nan, where: x .!= x)
}

/// Lane-wise libm e^x computed in Double and rounded to Float; the reference for `fastExp`.
///
/// y[i] = Float(exp(Double(x[i]))) for each of the 16 lanes.
public func fastExpReference(_ x: SIMD16<Float>) -> SIMD16<Float> {
    var y = SIMD16<Float>()
    for i in 0..<16 { y[i] = Float(Foundation.exp(Double(x[i]))) }
    return y
}

// MARK: - Shared helpers
//
// Inlining note: the SIL inliner stops inlining into a function once it has too many basic
// blocks, even for `@inline(__always)` callees, and every stdlib SIMD operation starts out as a
// lane loop of several blocks. A kernel loop with exp and a dozen SIMD ops crosses that limit,
// and a SIMD16 helper left as a call is passed in four xmm registers and runs ~3x slower. So
// `fastExp` and the per-vector helpers below are `@_transparent` (mandatory inlining).

/// Element-operations per element used to decide whether to thread an activation kernel.
let activationWorkPerElement = 20

/// One activation kernel's forward loop: y = f(x) in SIMD16 steps, the tail zero padded.
/// (A macro-like helper: pass a `@_transparent` function; a closure literal is left as a call.)
@inline(__always)
func activationForwardLoop(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                           _ range: Range<Int>, _ f: (SIMD16<Float>) -> SIMD16<Float>) {
    var i = range.lowerBound
    let end = range.upperBound
    while i + 16 <= end { PointwiseLanes.store(f(PointwiseLanes.load(x + i)), y + i); i += 16 }
    if i < end {
        let k = end - i
        PointwiseLanes.storePartial(f(PointwiseLanes.loadPartial(x + i, k, pad: 0)), y + i, k)
    }
}

/// One activation kernel's backward loop: dx = dy ⊙ f′(x) in SIMD16 steps, the tail zero padded.
@inline(__always)
func activationBackwardLoop(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                            _ range: Range<Int>, _ fPrime: (SIMD16<Float>) -> SIMD16<Float>) {
    var i = range.lowerBound
    let end = range.upperBound
    while i + 16 <= end {
        PointwiseLanes.store(PointwiseLanes.load(dy + i) * fPrime(PointwiseLanes.load(x + i)), dx + i)
        i += 16
    }
    if i < end {
        let k = end - i
        let g = PointwiseLanes.loadPartial(dy + i, k, pad: 0) * fPrime(PointwiseLanes.loadPartial(x + i, k, pad: 0))
        PointwiseLanes.storePartial(g, dx + i, k)
    }
}

// MARK: - GELU

/// √(2/π), the GELU tanh-approximation constant.
let geluC: Float = 0.797_884_560_802_865_4
/// The cubic coefficient of the GELU tanh approximation.
let geluK: Float = 0.044_715

/// y = gelu(x) for 16 lanes (see `geluForward`).
@_transparent
func geluLanes(_ v: SIMD16<Float>) -> SIMD16<Float> {
    let u = v * SIMD16(repeating: geluC).addingProduct(SIMD16(repeating: geluC * geluK), v * v)
    return v / (SIMD16(repeating: 1) + fastExp(-(u + u)))
}

/// gelu′(x) for 16 lanes (see `geluBackward`); NaN where x is NaN.
@_transparent
func geluDerivativeLanes(_ v: SIMD16<Float>) -> SIMD16<Float> {
    let one = SIMD16<Float>(repeating: 1)
    // |x| > 20: gelu′ is 0 or 1 to Float precision; clamping keeps x·u′ finite.
    let xc = pointwiseMin(pointwiseMax(v, SIMD16(repeating: -20)), SIMD16(repeating: 20))
    let x2 = xc * xc
    let u = xc * SIMD16(repeating: geluC).addingProduct(SIMD16(repeating: geluC * geluK), x2)
    // Clamp −2u so e stays finite and 1 − s = e·s has no ∞·0.
    let z = pointwiseMin(pointwiseMax(-(u + u), SIMD16(repeating: -80)), SIMD16(repeating: 80))
    let e = fastExp(z)
    let s = one / (one + e)
    let du = SIMD16(repeating: geluC).addingProduct(SIMD16(repeating: 3 * geluC * geluK), x2)   // u′
    let d = s.addingProduct(xc * s * (e * s), du + du)                                        // s + x·s·(1−s)·2u′
    return d.replacing(with: .nan, where: v .!= v)
}

/// GELU activation, tanh approximation as in GPT-2 (Hendrycks & Gimpel 2016).
///
/// y = 0.5·x·(1 + tanh(u)), u = √(2/π)·(x + 0.044715·x³), computed as y = x / (1 + e^(−2u))
/// (the same value, without cancellation for negative x). x and y have n elements; y may alias x.
public func geluForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int) {
    parallelChunks(n, work: n * activationWorkPerElement) { range in
        activationForwardLoop(x, y, range, geluLanes)
    }
}

/// GELU backward: dx = dy ⊙ gelu′(x), with x the forward input.
///
/// From y = x·s, s = σ(2u) = 1/(1 + e^(−2u)): gelu′(x) = s + x·s·(1 − s)·2u′,
/// u′ = √(2/π)·(1 + 3·0.044715·x²). dx is overwritten and may alias dy; all have n elements.
public func geluBackward(x: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                         dx: UnsafeMutablePointer<Float>, count n: Int) {
    parallelChunks(n, work: n * activationWorkPerElement) { range in
        activationBackwardLoop(x, dy, dx, range, geluDerivativeLanes)
    }
}

/// Scalar Double GELU (tanh form) forward; the reference for `geluForward`.
///
/// y = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))); n elements.
public func geluForwardReference(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int) {
    let c = (2.0 / Double.pi).squareRoot()
    for i in 0..<n {
        let v = Double(x[i])
        y[i] = Float(0.5 * v * (1 + Foundation.tanh(c * (v + 0.044715 * v * v * v))))
    }
}

/// Scalar Double GELU backward; the reference for `geluBackward`.
///
/// gelu′(x) = 0.5·(1 + tanh u) + 0.5·x·(1 − tanh² u)·√(2/π)·(1 + 3·0.044715·x²); dx = dy·gelu′(x).
public func geluBackwardReference(x: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                                  dx: UnsafeMutablePointer<Float>, count n: Int) {
    let c = (2.0 / Double.pi).squareRoot()
    for i in 0..<n {
        let v = Double(x[i])
        let t = Foundation.tanh(c * (v + 0.044715 * v * v * v))
        let d = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * c * (1 + 3 * 0.044715 * v * v)
        dx[i] = Float(Double(dy[i]) * d)
    }
}

// MARK: - ReLU

/// y = max(x, 0) for 16 lanes (NaN stays NaN).
@_transparent
func reluLanes(_ v: SIMD16<Float>) -> SIMD16<Float> {
    v.replacing(with: 0, where: v .< 0)
}

/// ReLU activation.
///
/// y = max(x, 0); n elements; y may alias x. NaN stays NaN.
public func reluForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int) {
    parallelChunks(n, work: n * elementwiseParallelWork) { range in
        activationForwardLoop(x, y, range, reluLanes)
    }
}

/// ReLU backward: dx = 0 where x ≤ 0, else dy (the subgradient at 0 is 0, as in PyTorch).
///
/// x is the forward input; n elements; dx is overwritten and may alias dy.
public func reluBackward(x: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                         dx: UnsafeMutablePointer<Float>, count n: Int) {
    parallelChunks(n, work: n * elementwiseParallelWork) { range in
        var i = range.lowerBound
        let end = range.upperBound
        while i + 16 <= end {
            let v = PointwiseLanes.load(x + i)
            PointwiseLanes.store(PointwiseLanes.load(dy + i).replacing(with: 0, where: v .<= 0), dx + i)
            i += 16
        }
        while i < end { dx[i] = x[i] <= 0 ? 0 : dy[i]; i += 1 }
    }
}

/// Scalar ReLU forward; the reference for `reluForward`.
///
/// y = max(x, 0); n elements.
public func reluForwardReference(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int) {
    for i in 0..<n { y[i] = x[i] > 0 ? x[i] : 0 }
}

/// Scalar ReLU backward; the reference for `reluBackward`.
///
/// dx = x ≤ 0 ? 0 : dy (NaN x passes dy through, as in PyTorch); n elements.
public func reluBackwardReference(x: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                                  dx: UnsafeMutablePointer<Float>, count n: Int) {
    for i in 0..<n { dx[i] = x[i] <= 0 ? 0 : dy[i] }
}

// MARK: - SiLU

/// y = silu(x) for 16 lanes (see `siluForward`).
@_transparent
func siluLanes(_ v: SIMD16<Float>) -> SIMD16<Float> {
    v / (SIMD16(repeating: 1) + fastExp(-v))
}

/// silu′(x) for 16 lanes (see `siluBackward`); NaN where x is NaN.
@_transparent
func siluDerivativeLanes(_ v: SIMD16<Float>) -> SIMD16<Float> {
    let one = SIMD16<Float>(repeating: 1)
    // |x| > 80: silu′ is 0 or 1 to Float precision; clamping keeps e^(−x) finite.
    let xc = pointwiseMin(pointwiseMax(v, SIMD16(repeating: -80)), SIMD16(repeating: 80))
    let e = fastExp(-xc)
    let s = one / (one + e)
    let d = s * one.addingProduct(xc, e * s)            // s·(1 + x·(1 − s))
    return d.replacing(with: .nan, where: v .!= v)
}

/// SiLU (swish) activation (Elfwing et al. 2017; Ramachandran et al. 2017).
///
/// y = x·σ(x) = x / (1 + e^(−x)); n elements; y may alias x.
public func siluForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int) {
    parallelChunks(n, work: n * activationWorkPerElement) { range in
        activationForwardLoop(x, y, range, siluLanes)
    }
}

/// SiLU backward: dx = dy ⊙ silu′(x), with x the forward input.
///
/// From y = x·s, s = σ(x): silu′(x) = s·(1 + x·(1 − s)), with 1 − s = e^(−x)·s.
/// n elements; dx is overwritten and may alias dy.
public func siluBackward(x: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                         dx: UnsafeMutablePointer<Float>, count n: Int) {
    parallelChunks(n, work: n * activationWorkPerElement) { range in
        activationBackwardLoop(x, dy, dx, range, siluDerivativeLanes)
    }
}

/// Scalar Double SiLU forward; the reference for `siluForward`.
///
/// y = x / (1 + e^(−x)); n elements.
public func siluForwardReference(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int) {
    for i in 0..<n {
        let v = Double(x[i])
        y[i] = Float(v / (1 + Foundation.exp(-v)))
    }
}

/// Scalar Double SiLU backward; the reference for `siluBackward`.
///
/// silu′(x) = σ(x)·(1 + x·(1 − σ(x))); dx = dy·silu′(x).
public func siluBackwardReference(x: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                                  dx: UnsafeMutablePointer<Float>, count n: Int) {
    for i in 0..<n {
        let v = Double(x[i])
        let s = 1 / (1 + Foundation.exp(-v))
        dx[i] = Float(Double(dy[i]) * s * (1 + v * (1 - s)))
    }
}

// MARK: - GELU, exact (erf) form

/// GELU in its exact form, as PyTorch's `nn.GELU()` and nanoGPT compute it (Hendrycks & Gimpel, 2016).
///
/// y = 0.5·x·(1 + erf(x/√2)); x and y have n elements; y may alias x. Scalar `erf` per element (the
/// form imported nanoGPT models use; the tanh form `geluForward` stays the fast default).
public func geluExactForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int) {
    parallelChunks(n, work: n * activationWorkPerElement) { range in
        for i in range {
            let v = x[i]
            y[i] = 0.5 * v * (1 + erf(v * 0.707_106_781_186_547_5))
        }
    }
}

/// Exact GELU backward: dx = dy ⊙ gelu′(x), gelu′(x) = Φ(x) + x·φ(x) with Φ(x) = 0.5·(1 + erf(x/√2)) and
/// φ(x) = e^(−x²/2)/√(2π). dx is overwritten and may alias dy; all have n elements.
public func geluExactBackward(x: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                              dx: UnsafeMutablePointer<Float>, count n: Int) {
    parallelChunks(n, work: n * activationWorkPerElement) { range in
        for i in range {
            let v = x[i]
            let cdf = 0.5 * (1 + erf(v * 0.707_106_781_186_547_5))
            let pdf = exp(-0.5 * v * v) * 0.398_942_280_401_432_7
            dx[i] = dy[i] * (cdf + v * pdf)
        }
    }
}
