import AttendTensor

/// Seeded random tensor, uniform in [−scale, scale).
public func randomTensor(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    return Tensor.uniform(shape, low: -scale, high: scale, rng: &rng)
}
