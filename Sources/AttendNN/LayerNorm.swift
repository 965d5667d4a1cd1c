import AttendTensor

/// Layer normalisation over the last dimension with learned scale (and optional shift).
public final class LayerNorm: Module {
    /// Learned scale γ [dim], initialised to ones.
    public let weight: Tensor
    /// Learned shift β [dim], initialised to zeros; nil when built with `bias: false`.
    public let bias: Tensor?
    /// Added to the variance before the square root, for numerical stability.
    public let epsilon: Float

    /// A layer norm over a last dimension of size `dim`, with a shift when `bias` is true.
    public init(_ dim: Int, bias: Bool = true, epsilon: Float = 1e-5) {
        weight = Tensor(repeating: 1, shape: [dim], requiresGrad: true)
        self.bias = bias ? Tensor.zeros([dim], requiresGrad: true) : nil
        self.epsilon = epsilon
    }

    public var parameters: [(name: String, tensor: Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// x [..., dim] normalised over its last dimension, then scaled and shifted (same shape).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        Tensor.layerNorm(x, gamma: weight, beta: bias, epsilon: epsilon)
    }
}
