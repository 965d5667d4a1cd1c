import AttendTensor
import Testing

/// Shared finite-difference gradient checker: L = Σ w ⊙ f(inputs) with fixed random w; every
/// analytic ∂L/∂input (from `backward()`) is compared with the central difference
/// (L(x + ε) − L(x − ε)) / 2ε on up to `maxChecks` elements per input.
public func checkGradients(_ inputs: [Tensor], epsilon: Float = 1e-2, tolerance: Float = 2e-2, maxChecks: Int = 24,
                           sourceLocation: SourceLocation = #_sourceLocation, _ f: ([Tensor]) -> Tensor) {
    for x in inputs { x.requiresGrad = true; x.grad = nil }
    Tape.current.reset()
    let out = f(inputs)
    var rng = RandomGenerator(seed: 99)
    let w = Tensor.uniform(out.shape, low: -1, high: 1, rng: &rng)
    let loss = (out * w).sum()
    loss.backward()
    let analytic = inputs.map { $0.grad?.scalars ?? [Float](repeating: 0, count: $0.count) }
    func lossValue() -> Double {
        withoutGradients {
            let o = f(inputs)
            var acc = 0.0
            for i in 0..<o.count { acc += Double(o[flat: i]) * Double(w[flat: i]) }
            return acc
        }
    }
    for (n, x) in inputs.enumerated() {
        let stride = max(1, x.count / maxChecks)
        for j in Swift.stride(from: 0, to: x.count, by: stride) {
            let saved = x[flat: j]
            x[flat: j] = saved + epsilon
            let plus = lossValue()
            x[flat: j] = saved - epsilon
            let minus = lossValue()
            x[flat: j] = saved
            let numeric = Float((plus - minus) / Double(2 * epsilon))
            let a = analytic[n][j]
            #expect(abs(a - numeric) <= tolerance * max(1, abs(numeric)),
                    "input \(n) element \(j): analytic \(a) vs numeric \(numeric)", sourceLocation: sourceLocation)
        }
    }
    for x in inputs { x.grad = nil }
}
