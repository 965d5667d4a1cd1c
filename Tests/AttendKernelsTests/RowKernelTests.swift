// Tests for the row-wise kernels (softmax, log-softmax, cross-entropy, layer norm): each fast
// kernel against its scalar `…Reference` twin on odd shapes, backward kernels against central
// finite differences of a Double forward, and stability with huge inputs and ignored rows.
// Helpers (`PointwiseTestRNG`, `pointwiseMismatch`, …) are in PointwiseKernelTests.swift.
import Foundation
import Testing
import AttendKernels

// Double forwards, used only as the functions the finite differences differentiate.

fileprivate func softmaxDouble(_ x: [Double], rows: Int, cols: Int) -> [Double] {
    var y = [Double](repeating: 0, count: rows * cols)
    for r in 0..<rows {
        let row = x[(r * cols)..<((r + 1) * cols)]
        let m = row.max()!
        let s = row.reduce(0) { $0 + Foundation.exp($1 - m) }
        for c in 0..<cols { y[r * cols + c] = Foundation.exp(x[r * cols + c] - m) / s }
    }
    return y
}

fileprivate func crossEntropyDouble(_ x: [Double], targets: [Int32], rows: Int, cols: Int) -> Double {
    var total = 0.0, count = 0
    for r in 0..<rows where targets[r] >= 0 {
        let row = x[(r * cols)..<((r + 1) * cols)]
        let m = row.max()!
        let lse = m + Foundation.log(row.reduce(0) { $0 + Foundation.exp($1 - m) })
        total += lse - x[r * cols + Int(targets[r])]
        count += 1
    }
    return total / Double(count)
}

fileprivate func layerNormDouble(_ x: [Double], gamma: [Double], beta: [Double],
                                 rows: Int, cols: Int, epsilon: Double) -> [Double] {
    var y = [Double](repeating: 0, count: rows * cols)
    for r in 0..<rows {
        let row = x[(r * cols)..<((r + 1) * cols)]
        let mu = row.reduce(0, +) / Double(cols)
        let variance = row.reduce(0) { $0 + ($1 - mu) * ($1 - mu) } / Double(cols)
        let rs = 1 / (variance + epsilon).squareRoot()
        for c in 0..<cols { y[r * cols + c] = (x[r * cols + c] - mu) * rs * gamma[c] + beta[c] }
    }
    return y
}

fileprivate func pointwiseDot(_ a: [Double], _ b: [Float]) -> Double {
    zip(a, b).reduce(0) { $0 + $1.0 * Double($1.1) }
}

// MARK: - Softmax

@Suite("Softmax kernels")
struct SoftmaxKernelTests {
    @Test("softmaxRows and logSoftmaxRows match their references", arguments: zip(pointwiseShapeRows + [256], pointwiseShapeCols + [130]))
    func forward(rows: Int, cols: Int) {
        var rng = PointwiseTestRNG(seed: 31 + UInt64(rows))
        let x = rng.normals(rows * cols, scale: 3)
        var y = [Float](repeating: 0, count: rows * cols), ref = y
        softmaxRows(x, &y, rows: rows, cols: cols)
        softmaxRowsReference(x, &ref, rows: rows, cols: cols)
        #expect(pointwiseMismatch(y, ref, relative: 1e-5, absolute: 1e-7) == nil)
        logSoftmaxRows(x, &y, rows: rows, cols: cols)
        logSoftmaxRowsReference(x, &ref, rows: rows, cols: cols)
        #expect(pointwiseMismatch(y, ref, relative: 1e-5, absolute: 2e-6) == nil)
    }

    @Test("softmax stays finite and normalised for inputs of ±1e4")
    func stability() {
        let rows = 3, cols = 21
        var rng = PointwiseTestRNG(seed: 41)
        var x = rng.uniforms(rows * cols, -1e4, 1e4)
        x[cols + 5] = 1e4            // a clear winner in row 1
        for c in 0..<cols { x[2 * cols + c] = -1e4 }   // a flat row
        var y = [Float](repeating: 0, count: rows * cols), ref = y
        softmaxRows(x, &y, rows: rows, cols: cols)
        softmaxRowsReference(x, &ref, rows: rows, cols: cols)
        #expect(y.allSatisfy { $0.isFinite })
        #expect(pointwiseMismatch(y, ref, relative: 1e-5, absolute: 1e-7) == nil)
        for r in 0..<rows { #expect(abs(y[(r * cols)..<((r + 1) * cols)].reduce(0, +) - 1) < 1e-5) }
        #expect(y[2 * cols] == y[3 * cols - 1])
        logSoftmaxRows(x, &y, rows: rows, cols: cols)
        logSoftmaxRowsReference(x, &ref, rows: rows, cols: cols)
        #expect(y.allSatisfy { $0.isFinite })
        #expect(pointwiseMismatch(y, ref, relative: 1e-6, absolute: 1e-6) == nil)
    }

    @Test("softmaxRowsBackward matches its reference", arguments: zip(pointwiseShapeRows, pointwiseShapeCols))
    func backwardReference(rows: Int, cols: Int) {
        var rng = PointwiseTestRNG(seed: 51 + UInt64(cols))
        let x = rng.normals(rows * cols, scale: 2), dy = rng.normals(rows * cols)
        var y = [Float](repeating: 0, count: rows * cols), dx = y, ref = y
        softmaxRowsReference(x, &y, rows: rows, cols: cols)
        softmaxRowsBackward(y: y, dy: dy, dx: &dx, rows: rows, cols: cols)
        softmaxRowsBackwardReference(y: y, dy: dy, dx: &ref, rows: rows, cols: cols)
        #expect(pointwiseMismatch(dx, ref, relative: 1e-5, absolute: 1e-6) == nil)
    }

    @Test("softmaxRowsBackward matches finite differences of softmax")
    func backwardFiniteDifferences() {
        let rows = 3, cols = 7
        var rng = PointwiseTestRNG(seed: 61)
        let x = rng.normals(rows * cols, scale: 2), w = rng.normals(rows * cols)
        var y = [Float](repeating: 0, count: rows * cols), dx = y
        softmaxRows(x, &y, rows: rows, cols: cols)
        softmaxRowsBackward(y: y, dy: w, dx: &dx, rows: rows, cols: cols)   // L = Σ w ⊙ softmax(x)
        let fd = pointwiseFiniteDifferences(x.map(Double.init)) { pointwiseDot(softmaxDouble($0, rows: rows, cols: cols), w) }
        #expect(pointwiseMismatch(dx, fd, relative: 1e-4, absolute: 1e-6) == nil)
    }
}

// MARK: - Cross-entropy

@Suite("Cross-entropy kernel")
struct CrossEntropyKernelTests {
    /// Targets in 0..<cols, with every third row ignored (−1 or −100).
    fileprivate static func targets(rows: Int, cols: Int, rng: inout PointwiseTestRNG) -> [Int32] {
        (0..<rows).map { r in r % 3 == 2 ? (r % 2 == 0 ? -1 : -100) : Int32(rng.next() % UInt64(cols)) }
    }

    @Test("crossEntropy matches its reference, loss and gradient, with ignored rows",
          arguments: zip(pointwiseShapeRows + [256], pointwiseShapeCols + [130]))
    func reference(rows: Int, cols: Int) {
        var rng = PointwiseTestRNG(seed: 71 + UInt64(rows))
        let logits = rng.normals(rows * cols, scale: 3)
        let t = Self.targets(rows: rows, cols: cols, rng: &rng)
        var d = [Float](repeating: 7, count: rows * cols), dRef = d
        let loss = crossEntropy(logits: logits, targets: t, rows: rows, cols: cols, dLogits: &d)
        let lossRef = crossEntropyReference(logits: logits, targets: t, rows: rows, cols: cols, dLogits: &dRef)
        let lossOnly = crossEntropy(logits: logits, targets: t, rows: rows, cols: cols, dLogits: nil)
        #expect(abs(loss - lossRef) <= 1e-5 * abs(lossRef) + 1e-6)
        #expect(loss == lossOnly)
        #expect(pointwiseMismatch(d, dRef, relative: 1e-5, absolute: 1e-8) == nil)
        for r in 0..<rows where t[r] < 0 { #expect(d[(r * cols)..<((r + 1) * cols)].allSatisfy { $0 == 0 }) }
    }

    @Test("crossEntropy's gradient matches finite differences of the loss")
    func finiteDifferences() {
        let rows = 5, cols = 6
        var rng = PointwiseTestRNG(seed: 81)
        let logits = rng.normals(rows * cols, scale: 2)
        let t = Self.targets(rows: rows, cols: cols, rng: &rng)
        var d = [Float](repeating: 0, count: rows * cols)
        let loss = crossEntropy(logits: logits, targets: t, rows: rows, cols: cols, dLogits: &d)
        let x = logits.map(Double.init)
        #expect(abs(Double(loss) - crossEntropyDouble(x, targets: t, rows: rows, cols: cols)) < 1e-6)
        let fd = pointwiseFiniteDifferences(x) { crossEntropyDouble($0, targets: t, rows: rows, cols: cols) }
        #expect(pointwiseMismatch(d, fd, relative: 1e-4, absolute: 1e-6) == nil)
    }

    @Test("crossEntropy is stable for logits of ±1e4, and all-ignored batches give 0")
    func edgeCases() {
        let rows = 4, cols = 9
        var rng = PointwiseTestRNG(seed: 91)
        let logits = rng.uniforms(rows * cols, -1e4, 1e4)
        let t: [Int32] = [0, 3, 8, -1]
        var d = [Float](repeating: 0, count: rows * cols), dRef = d
        let loss = crossEntropy(logits: logits, targets: t, rows: rows, cols: cols, dLogits: &d)
        let lossRef = crossEntropyReference(logits: logits, targets: t, rows: rows, cols: cols, dLogits: &dRef)
        #expect(loss.isFinite && d.allSatisfy { $0.isFinite })
        #expect(abs(loss - lossRef) <= 1e-5 * abs(lossRef))
        #expect(pointwiseMismatch(d, dRef, relative: 1e-5, absolute: 1e-7) == nil)
        let none: [Int32] = [-1, -1, -100, -5]
        d = [Float](repeating: 3, count: rows * cols)
        #expect(crossEntropy(logits: logits, targets: none, rows: rows, cols: cols, dLogits: &d) == 0)
        #expect(d.allSatisfy { $0 == 0 })
    }
}

// MARK: - LayerNorm

@Suite("Layer norm kernels")
struct LayerNormKernelTests {
    @Test("layerNormForward and layerNormBackward match their references",
          arguments: zip(pointwiseShapeRows + [64], pointwiseShapeCols + [520]))
    func reference(rows: Int, cols: Int) {
        var rng = PointwiseTestRNG(seed: 101 + UInt64(cols))
        let n = rows * cols
        let x = rng.normals(n, scale: 2).map { $0 + 0.5 }
        let gamma = rng.normals(cols).map { 1 + 0.2 * $0 }, beta = rng.normals(cols, scale: 0.1)
        let dy = rng.normals(n)
        var y = [Float](repeating: 0, count: n), yRef = y
        var mean = [Float](repeating: 0, count: rows), rstd = mean, meanRef = mean, rstdRef = mean
        layerNormForward(x, gamma: gamma, beta: beta, &y, mean: &mean, rstd: &rstd, rows: rows, cols: cols, epsilon: 1e-5)
        layerNormForwardReference(x, gamma: gamma, beta: beta, &yRef, mean: &meanRef, rstd: &rstdRef,
                                  rows: rows, cols: cols, epsilon: 1e-5)
        #expect(pointwiseMismatch(y, yRef, relative: 1e-5, absolute: 2e-6) == nil)
        #expect(pointwiseMismatch(mean, meanRef, relative: 1e-5, absolute: 1e-6) == nil)
        #expect(pointwiseMismatch(rstd, rstdRef, relative: 1e-5, absolute: 0) == nil)

        var dx = [Float](repeating: 0, count: n), dxRef = dx
        let startGamma = rng.normals(cols), startBeta = rng.normals(cols)   // dGamma/dBeta accumulate
        var dGamma = startGamma, dBeta = startBeta, dGammaRef = startGamma, dBetaRef = startBeta
        layerNormBackward(dy: dy, x: x, gamma: gamma, mean: mean, rstd: rstd, dx: &dx,
                          dGamma: &dGamma, dBeta: &dBeta, rows: rows, cols: cols)
        layerNormBackwardReference(dy: dy, x: x, gamma: gamma, mean: mean, rstd: rstd, dx: &dxRef,
                                   dGamma: &dGammaRef, dBeta: &dBetaRef, rows: rows, cols: cols)
        let scale = Double(rstd.max() ?? 1)
        #expect(pointwiseMismatch(dx, dxRef, relative: 1e-4, absolute: 1e-5 * scale) == nil)
        #expect(pointwiseMismatch(dGamma, dGammaRef, relative: 1e-5, absolute: 1e-5 * Double(rows).squareRoot()) == nil)
        #expect(pointwiseMismatch(dBeta, dBetaRef, relative: 1e-5, absolute: 1e-5 * Double(rows).squareRoot()) == nil)
    }

    @Test("layerNormBackward matches finite differences of layer norm")
    func finiteDifferences() {
        let rows = 4, cols = 9, eps = 1e-5
        var rng = PointwiseTestRNG(seed: 111)
        let x = rng.normals(rows * cols), gamma = rng.normals(cols).map { 1 + 0.3 * $0 }
        let beta = rng.normals(cols, scale: 0.1), w = rng.normals(rows * cols)
        var y = [Float](repeating: 0, count: rows * cols), mean = [Float](repeating: 0, count: rows), rstd = mean
        layerNormForward(x, gamma: gamma, beta: beta, &y, mean: &mean, rstd: &rstd, rows: rows, cols: cols, epsilon: Float(eps))
        var dx = y, dGamma = [Float](repeating: 0, count: cols), dBeta = dGamma
        layerNormBackward(dy: w, x: x, gamma: gamma, mean: mean, rstd: rstd, dx: &dx,   // L = Σ w ⊙ y
                          dGamma: &dGamma, dBeta: &dBeta, rows: rows, cols: cols)
        let xd = x.map(Double.init), gd = gamma.map(Double.init), bd = beta.map(Double.init)
        let fdX = pointwiseFiniteDifferences(xd) {
            pointwiseDot(layerNormDouble($0, gamma: gd, beta: bd, rows: rows, cols: cols, epsilon: eps), w)
        }
        let fdGamma = pointwiseFiniteDifferences(gd) {
            pointwiseDot(layerNormDouble(xd, gamma: $0, beta: bd, rows: rows, cols: cols, epsilon: eps), w)
        }
        let fdBeta = pointwiseFiniteDifferences(bd) {
            pointwiseDot(layerNormDouble(xd, gamma: gd, beta: $0, rows: rows, cols: cols, epsilon: eps), w)
        }
        #expect(pointwiseMismatch(dx, fdX, relative: 1e-4, absolute: 1e-5) == nil)
        #expect(pointwiseMismatch(dGamma, fdGamma, relative: 1e-4, absolute: 1e-5) == nil)
        #expect(pointwiseMismatch(dBeta, fdBeta, relative: 1e-4, absolute: 1e-5) == nil)
    }
}
