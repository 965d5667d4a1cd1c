import AttendTensor

/// Fully connected layer y = x·Wᵀ + b, weight [outFeatures, inFeatures] as in PyTorch.
public final class Linear: Module {
    /// Weight W [outFeatures, inFeatures].
    public let weight: Tensor
    /// Bias b [outFeatures]; nil when built with `bias: false`.
    public let bias: Tensor?

    /// Weights drawn from N(0, std²), bias zero (GPT-2 / nanoGPT initialisation).
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, std: Float = 0.02, rng: inout RandomGenerator) {
        weight = Tensor.normal([outFeatures, inFeatures], std: std, rng: &rng, requiresGrad: true)
        self.bias = bias ? Tensor.zeros([outFeatures], requiresGrad: true) : nil
    }

    public var parameters: [(name: String, tensor: Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// x [..., inFeatures] → [..., outFeatures].
    public func callAsFunction(_ x: Tensor) -> Tensor { Tensor.linear(x, weight: weight, bias: bias) }
}
