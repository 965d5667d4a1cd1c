import Foundation

/// elu(x) + 1, the positive feature map of linear attention (Katharopoulos et al., 2020):
/// y = x + 1 for x > 0, eˣ otherwise; n elements; y may alias x.
public func eluPlusOneForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int) {
    parallelChunks(n, work: n * 8) { range in
        var i = range.lowerBound
        let end = range.upperBound
        let one = SIMD16<Float>(repeating: 1)
        while i + 16 <= end {
            let v = PointwiseLanes.load(x + i)
            let negative = v.replacing(with: 0, where: v .> 0)   // exp argument ≤ 0: no overflow
            PointwiseLanes.store((v + one).replacing(with: fastExp(negative), where: v .<= 0), y + i)
            i += 16
        }
        while i < end { y[i] = x[i] > 0 ? x[i] + 1 : Foundation.exp(x[i]); i += 1 }
    }
}

/// Backward of `eluPlusOneForward` from the output alone: dx = dy where y > 1 (x > 0), dy·y
/// otherwise (φ'(x) = eˣ = y for x ≤ 0). y > 1 ⇔ x > 0, and where x + 1 rounds to 1 both branches
/// give dy, so reading y instead of x is exact and saves a quarter of the memory traffic.
public func eluPlusOneBackward(y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                               dx: UnsafeMutablePointer<Float>, count n: Int) {
    parallelChunks(n, work: n * 4) { range in
        var i = range.lowerBound
        let end = range.upperBound
        let one = SIMD16<Float>(repeating: 1)
        while i + 16 <= end {
            let g = PointwiseLanes.load(dy + i), v = PointwiseLanes.load(y + i)
            PointwiseLanes.store(g.replacing(with: g * v, where: v .<= one), dx + i)
            i += 16
        }
        while i < end { dx[i] = y[i] > 1 ? dy[i] : dy[i] * y[i]; i += 1 }
    }
}

/// Scalar reference for `eluPlusOneForward`.
public func eluPlusOneForwardReference(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int) {
    for i in 0..<n { y[i] = x[i] > 0 ? x[i] + 1 : Float(Foundation.exp(Double(x[i]))) }
}
