// Tests for the pointwise kernels (elementwise, reductions, exp, activations, AdamW), each fast
// kernel against its scalar `…Reference` twin on odd sizes, backward kernels against central
// finite differences, plus exp saturation and a hand-worked AdamW example. The row kernels
// (softmax, cross-entropy, layer norm) are in RowKernelTests.swift; both share the helpers here.
import Foundation
import Testing
import AttendKernels
import AttendTensor

// MARK: - Helpers shared by the kernel test files (prefixed names, to stay clear of other files)

/// SplitMix64 (Steele, Lea & Flood 2014): a tiny seeded generator for deterministic test data.
struct PointwiseTestRNG {
    /// The project's SplitMix64 generator underneath.
    var base: RandomGenerator
    init(seed: UInt64) { base = RandomGenerator(seed: seed) }
    mutating func next() -> UInt64 { base.next() }

    /// Uniform Double in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    mutating func uniform(_ lo: Float, _ hi: Float) -> Float { lo + (hi - lo) * Float(unit()) }

    /// Standard normal by Box–Muller.
    mutating func normal() -> Float {
        let u1 = max(unit(), 1e-300), u2 = unit()
        return Float((-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2))
    }

    mutating func normals(_ n: Int, scale: Float = 1) -> [Float] { (0..<n).map { _ in scale * normal() } }
    mutating func uniforms(_ n: Int, _ lo: Float, _ hi: Float) -> [Float] { (0..<n).map { _ in uniform(lo, hi) } }
}

/// The first index where |actual − expected| > absolute + relative·|expected| (or where exactly
/// one is NaN), described for a failure message; nil when all entries are close.
func pointwiseMismatch(_ actual: [Float], _ expected: [Float],
                               relative: Double, absolute: Double) -> String? {
    if actual.count != expected.count { return "count \(actual.count) ≠ \(expected.count)" }
    for i in actual.indices {
        let a = Double(actual[i]), e = Double(expected[i])
        if a.isNaN || e.isNaN {
            if a.isNaN != e.isNaN { return "[\(i)]: \(a) vs \(e)" }
            continue
        }
        if a == e { continue }   // includes equal infinities
        if !(abs(a - e) <= absolute + relative * abs(e)) { return "[\(i)]: \(a) vs \(e) (diff \(abs(a - e)))" }
    }
    return nil
}

func pointwiseMismatch(_ actual: [Float], _ expected: [Double],
                               relative: Double, absolute: Double) -> String? {
    pointwiseMismatch(actual, expected.map { Float($0) }, relative: relative, absolute: absolute)
}

/// Central finite differences of a scalar Double function at `x`: ∂f/∂x_i ≈ (f(x + h e_i) − f(x − h e_i)) / 2h.
func pointwiseFiniteDifferences(_ x: [Double], h: Double = 1e-5, _ f: ([Double]) -> Double) -> [Double] {
    var g = [Double](repeating: 0, count: x.count)
    var xp = x
    for i in x.indices {
        xp[i] = x[i] + h
        let fp = f(xp)
        xp[i] = x[i] - h
        let fm = f(xp)
        xp[i] = x[i]
        g[i] = (fp - fm) / (2 * h)
    }
    return g
}

let pointwiseCounts = [1, 7, 13, 17, 129, 1000]
let pointwiseShapeRows = [1, 7, 33, 5]
let pointwiseShapeCols = [1, 13, 65, 129]

// Double activations, used only as the functions the finite differences differentiate.

fileprivate func geluDouble(_ x: Double) -> Double {
    0.5 * x * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x)))
}
fileprivate func siluDouble(_ x: Double) -> Double { x / (1 + Foundation.exp(-x)) }
fileprivate func reluDouble(_ x: Double) -> Double { max(x, 0) }

// MARK: - Elementwise and reductions

@Suite("Elementwise and reduction kernels")
struct ElementwiseKernelTests {
    @Test("add, multiply, scale and axpy match plain loops", arguments: pointwiseCounts + [300_001])
    func elementwise(count n: Int) {
        var rng = PointwiseTestRNG(seed: UInt64(n))
        let a = rng.normals(n), b = rng.normals(n)
        var out = [Float](repeating: 0, count: n)
        add(a, b, &out, count: n)
        #expect(out == zip(a, b).map { $0 + $1 })
        multiply(a, b, &out, count: n)
        #expect(out == zip(a, b).map { $0 * $1 })
        scale(a, by: -1.5, &out, count: n)
        #expect(out == a.map { $0 * -1.5 })
        var y = b
        axpy(0.25, a, &y, count: n)
        #expect(pointwiseMismatch(y, zip(a, b).map { $1 + 0.25 * $0 }, relative: 1e-6, absolute: 1e-7) == nil)
    }

    @Test("add works in place (out aliases a)")
    func addInPlace() {
        var rng = PointwiseTestRNG(seed: 3)
        var a = rng.normals(37)
        let b = rng.normals(37)
        let expected = zip(a, b).map { $0 + $1 }
        a.withUnsafeMutableBufferPointer { p in add(p.baseAddress!, b, p.baseAddress!, count: 37) }
        #expect(a == expected)
    }

    @Test("addRowBias adds the bias to every row", arguments: zip(pointwiseShapeRows, pointwiseShapeCols))
    func rowBias(rows: Int, cols: Int) {
        var rng = PointwiseTestRNG(seed: UInt64(rows * 1000 + cols))
        let x = rng.normals(rows * cols), bias = rng.normals(cols)
        var out = [Float](repeating: 0, count: rows * cols)
        addRowBias(x, bias: bias, &out, rows: rows, cols: cols)
        #expect(out == (0..<(rows * cols)).map { x[$0] + bias[$0 % cols] })
    }

    @Test("sum and sumOfSquares match their Double references", arguments: pointwiseCounts + [10_000])
    func sums(count n: Int) {
        var rng = PointwiseTestRNG(seed: 11 + UInt64(n))
        let x = rng.normals(n)
        let scaleOfSum = Double(x.reduce(0) { $0 + abs($1) })
        let s = sum(x, count: n), sRef = sumReference(x, count: n)
        #expect(abs(Double(s) - Double(sRef)) <= 1e-6 * scaleOfSum)
        let q = sumOfSquares(x, count: n), qRef = sumOfSquaresReference(x, count: n)
        #expect(abs(Double(q) - Double(qRef)) <= 1e-6 * Double(qRef))
        #expect(sum(x, count: 0) == 0 && sumOfSquares(x, count: 0) == 0)
    }

    @Test("accumulateColumnSums adds column sums to what is there",
          arguments: zip(pointwiseShapeRows + [3, 40], pointwiseShapeCols + [200, 700]))
    func columnSums(rows: Int, cols: Int) {
        var rng = PointwiseTestRNG(seed: 21 + UInt64(cols))
        let x = rng.normals(rows * cols)
        let start = rng.normals(cols)
        var out = start, ref = start
        accumulateColumnSums(x, rows: rows, cols: cols, into: &out)
        accumulateColumnSumsReference(x, rows: rows, cols: cols, into: &ref)
        #expect(pointwiseMismatch(out, ref, relative: 1e-5, absolute: 1e-5) == nil)
    }
}

// MARK: - exp

@Suite("Vectorised exp")
struct FastExpKernelTests {
    @Test("fastExp is within 2e-7 relative of exp over [−87, 88]")
    func accuracy() {
        let n = 1 << 15
        var worst = 0.0, worstX: Float = 0
        var i = 0
        while i < n {
            var x = SIMD16<Float>()
            for l in 0..<16 { x[l] = -87 + 175 * Float(i + l) / Float(n) }
            let y = fastExp(x), ref = fastExpReference(x)
            for l in 0..<16 {
                let exact = Foundation.exp(Double(x[l]))
                let e = abs(Double(y[l]) - exact) / exact
                if e > worst { worst = e; worstX = x[l] }
                #expect(abs(Double(y[l]) - Double(ref[l])) <= 2.5e-7 * Double(ref[l]))
            }
            i += 16
        }
        #expect(worst <= 2e-7, "worst relative error \(worst) at x = \(worstX)")
        #expect(fastExp(SIMD16(repeating: 0)) == SIMD16(repeating: 1))
    }

    @Test("fastExp saturates to +∞ and 0, is gradual in the subnormal range, and keeps NaN")
    func saturation() {
        let big: [Float] = [88.73, 88.8, 89, 100, 1000, 1e30, .infinity, .greatestFiniteMagnitude]
        let small: [Float] = [-104, -104.5, -110, -1000, -1e30, -.infinity, -.greatestFiniteMagnitude]
        var x = SIMD16<Float>(repeating: 0)
        for (l, v) in big.enumerated() { x[l] = v }
        for (l, v) in small.enumerated() { x[8 + l] = v }
        x[15] = .nan
        let y = fastExp(x)
        for l in 0..<big.count { #expect(y[l] == .infinity, "exp(\(x[l])) = \(y[l])") }
        for l in 0..<small.count { #expect(y[8 + l] == 0, "exp(\(x[8 + l])) = \(y[8 + l])") }
        #expect(y[15].isNaN)
        // Just below overflow and across the subnormal range.
        var z = SIMD16<Float>()
        for l in 0..<16 { z[l] = l == 0 ? 88.72 : -87.3 - Float(l) * (103.9 - 87.3) / 15 }
        let w = fastExp(z), ref = fastExpReference(z)
        for l in 0..<16 {
            #expect(abs(Double(w[l]) - Double(ref[l])) <= 2e-7 * Double(ref[l]) + 1.5e-45,
                    "exp(\(z[l])) = \(w[l]) vs \(ref[l])")
        }
    }
}

// MARK: - Activations

@Suite("Activation kernels")
struct ActivationKernelTests {
    enum Activation: String, CaseIterable, Sendable { case gelu, relu, silu }

    fileprivate static func forward(_ a: Activation, _ x: [Float], fast: Bool) -> [Float] {
        var y = [Float](repeating: 0, count: x.count)
        switch (a, fast) {
        case (.gelu, true): geluForward(x, &y, count: x.count)
        case (.gelu, false): geluForwardReference(x, &y, count: x.count)
        case (.relu, true): reluForward(x, &y, count: x.count)
        case (.relu, false): reluForwardReference(x, &y, count: x.count)
        case (.silu, true): siluForward(x, &y, count: x.count)
        case (.silu, false): siluForwardReference(x, &y, count: x.count)
        }
        return y
    }

    fileprivate static func backward(_ a: Activation, _ x: [Float], _ dy: [Float], fast: Bool) -> [Float] {
        var dx = [Float](repeating: 0, count: x.count)
        switch (a, fast) {
        case (.gelu, true): geluBackward(x: x, dy: dy, dx: &dx, count: x.count)
        case (.gelu, false): geluBackwardReference(x: x, dy: dy, dx: &dx, count: x.count)
        case (.relu, true): reluBackward(x: x, dy: dy, dx: &dx, count: x.count)
        case (.relu, false): reluBackwardReference(x: x, dy: dy, dx: &dx, count: x.count)
        case (.silu, true): siluBackward(x: x, dy: dy, dx: &dx, count: x.count)
        case (.silu, false): siluBackwardReference(x: x, dy: dy, dx: &dx, count: x.count)
        }
        return dx
    }

    fileprivate static func double(_ a: Activation) -> (Double) -> Double {
        switch a {
        case .gelu: geluDouble
        case .relu: reluDouble
        case .silu: siluDouble
        }
    }

    @Test("forward and backward match their references", arguments: Activation.allCases, pointwiseCounts)
    func reference(activation: Activation, count n: Int) {
        var rng = PointwiseTestRNG(seed: 121 + UInt64(n))
        let x = rng.uniforms(n, -8, 8), dy = rng.normals(n)
        #expect(pointwiseMismatch(Self.forward(activation, x, fast: true), Self.forward(activation, x, fast: false),
                              relative: 1e-5, absolute: 1e-7) == nil)
        #expect(pointwiseMismatch(Self.backward(activation, x, dy, fast: true), Self.backward(activation, x, dy, fast: false),
                              relative: 1e-5, absolute: 1e-7) == nil)
    }

    @Test("backward matches finite differences of the forward", arguments: Activation.allCases)
    func finiteDifferences(activation: Activation) {
        var rng = PointwiseTestRNG(seed: 131)
        // Keep ReLU's inputs away from its kink at 0.
        let x = rng.uniforms(40, -5, 5).map { abs($0) < 0.01 ? $0 + 0.1 : $0 }
        let dy = rng.normals(40)
        let dx = Self.backward(activation, x, dy, fast: true)
        let f = Self.double(activation)
        let fd = x.indices.map { i in
            let v = Double(x[i]), h = 1e-5
            return Double(dy[i]) * (f(v + h) - f(v - h)) / (2 * h)
        }
        #expect(pointwiseMismatch(dx, fd, relative: 1e-4, absolute: 1e-6) == nil)
    }

    @Test("extreme inputs give finite, saturated values", arguments: Activation.allCases)
    func extremes(activation: Activation) {
        let x: [Float] = [-1e30, -1e4, -200, -90, -30, -12, 12, 30, 90, 200, 1e4, 1e30, 0, -0.0, 1e-30, -1e-30, 3]
        let dy = [Float](repeating: 1, count: x.count)
        let y = Self.forward(activation, x, fast: true), yRef = Self.forward(activation, x, fast: false)
        let dx = Self.backward(activation, x, dy, fast: true), dxRef = Self.backward(activation, x, dy, fast: false)
        #expect(y.allSatisfy { $0.isFinite } && dx.allSatisfy { $0.isFinite })
        #expect(pointwiseMismatch(y, yRef, relative: 1e-5, absolute: 1e-30) == nil)
        #expect(pointwiseMismatch(dx, dxRef, relative: 1e-5, absolute: 1e-30) == nil)
        #expect(Self.forward(activation, [.nan], fast: true)[0].isNaN)
    }
}

// MARK: - AdamW

@Suite("AdamW kernel")
struct AdamWKernelTests {
    @Test("two AdamW steps match PyTorch's formula worked by hand")
    func twoSteps() {
        // lr 0.1, β₁ 0.9, β₂ 0.999, ε 1e-8, weight decay 0.01; p₀ = 1, g₁ = 0.5, g₂ = −0.25.
        // Step 1: p = 1·(1 − 0.001) = 0.999; m = 0.05; v = 0.00025;
        //         p −= (0.1/0.1)·0.05/(√0.00025/√0.001 + 1e-8) = 0.1/(1 + 2e-8) → p = 0.899000002.
        // Step 2: p = 0.899000002·0.999 = 0.898101002; m = 0.9·0.05 − 0.1·0.25 = 0.02;
        //         v = 0.999·0.00025 + 0.001·0.0625 = 0.00031225;
        //         p −= (0.1/0.19)·0.02/(√0.00031225/√0.001999 + 1e-8) = 0.026633703 → p = 0.871467299.
        var p: [Float] = [1], m: [Float] = [0], v: [Float] = [0]
        adamWUpdate(parameters: &p, gradients: [0.5], firstMoment: &m, secondMoment: &v, count: 1,
                    learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01, step: 1)
        #expect(abs(p[0] - 0.899000002) < 2e-7 && abs(m[0] - 0.05) < 1e-8 && abs(v[0] - 0.00025) < 1e-10)
        adamWUpdate(parameters: &p, gradients: [-0.25], firstMoment: &m, secondMoment: &v, count: 1,
                    learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01, step: 2)
        #expect(abs(p[0] - 0.871467299) < 3e-7, "p = \(p[0])")
        #expect(abs(m[0] - 0.02) < 1e-8 && abs(v[0] - 0.00031225) < 1e-10)
    }

    @Test("with ε = 0 the first step is exactly −lr·sign(g), for gradients from 1e-17 to 1e18")
    func squareRootRange() {
        // Step 1 from p = m = v = 0: m = 0.1g, v = 0.001g², so m̂/√v̂ = g/|g|; this isolates the
        // vectorised square root (including its path for v < 2⁻¹⁰⁰).
        let n = 37
        let g: [Float] = (0..<n).map { i in
            let magnitude = Foundation.pow(10.0, -17.0 + 35.0 * Double(i) / Double(n - 1))
            return Float(i % 2 == 0 ? magnitude : -magnitude)
        }
        var p = [Float](repeating: 0, count: n), m = p, v = p
        adamWUpdate(parameters: &p, gradients: g, firstMoment: &m, secondMoment: &v, count: n,
                    learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 0, weightDecay: 0.1, step: 1)
        #expect(pointwiseMismatch(p, g.map { $0 > 0 ? -0.01 : 0.01 }, relative: 1e-6, absolute: 0) == nil)
    }

    @Test("adamWUpdate matches its reference over three steps",
          arguments: pointwiseCounts, [Float(0.9), 0.3])
    func reference(count n: Int, beta1: Float) {
        var rng = PointwiseTestRNG(seed: 141 + UInt64(n))
        var p = rng.normals(n), m = [Float](repeating: 0, count: n), v = m
        var pRef = p, mRef = m, vRef = v
        // Each element's gradients have their own magnitude (10⁻⁴…10², and some exact zeros),
        // which exercises the vectorised square root over a wide range.
        let magnitude = (0..<n).map { i in i % 11 == 0 ? Float(0) : Float(Foundation.pow(10, Double(i % 7) - 4)) }
        for step in 1...3 {
            let g = magnitude.map { $0 * rng.normal() }
            adamWUpdate(parameters: &p, gradients: g, firstMoment: &m, secondMoment: &v, count: n,
                        learningRate: 1e-3, beta1: beta1, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.1, step: step)
            adamWUpdateReference(parameters: &pRef, gradients: g, firstMoment: &mRef, secondMoment: &vRef, count: n,
                                 learningRate: 1e-3, beta1: beta1, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.1, step: step)
        }
        #expect(pointwiseMismatch(p, pRef, relative: 1e-6, absolute: 1e-8) == nil)
        // m can nearly cancel (gradients of mixed sign), so its error scales with the gradient size.
        for i in 0..<n {
            #expect(abs(Double(m[i]) - Double(mRef[i])) <= 1e-5 * abs(Double(mRef[i])) + 1e-6 * Double(magnitude[i]))
        }
        #expect(pointwiseMismatch(v, vRef, relative: 1e-5, absolute: 1e-30) == nil)
    }
}
