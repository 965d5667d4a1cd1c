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

/// Backward of `eluPlusOneForward`: dx = dy for x > 0, dy·eˣ = dy·y otherwise (y is the forward output).
public func eluPlusOneBackward(x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                               dx: UnsafeMutablePointer<Float>, count n: Int) {
    parallelChunks(n, work: n * 4) { range in
        var i = range.lowerBound
        let end = range.upperBound
        while i + 16 <= end {
            let g = PointwiseLanes.load(dy + i)
            PointwiseLanes.store(g.replacing(with: g * PointwiseLanes.load(y + i), where: PointwiseLanes.load(x + i) .<= 0), dx + i)
            i += 16
        }
        while i < end { dx[i] = x[i] > 0 ? dy[i] : dy[i] * y[i]; i += 1 }
    }
}

/// Scalar reference for `eluPlusOneForward`.
public func eluPlusOneForwardReference(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int) {
    for i in 0..<n { y[i] = x[i] > 0 ? x[i] + 1 : Float(Foundation.exp(Double(x[i]))) }
}
