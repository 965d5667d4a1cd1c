import AttendTensor

/// Layer normalisation over the last dimension with learned scale (and optional shift).
public final class LayerNorm: Module {
    public let weight: Tensor
    public let bias: Tensor?
    public let epsilon: Float

    public init(_ dim: Int, bias: Bool = true, epsilon: Float = 1e-5) {
        weight = Tensor(repeating: 1, shape: [dim], requiresGrad: true)
        self.bias = bias ? Tensor.zeros([dim], requiresGrad: true) : nil
        self.epsilon = epsilon
    }

    public var parameters: [(name: String, tensor: Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        Tensor.layerNorm(x, gamma: weight, beta: bias, epsilon: epsilon)
    }
}
