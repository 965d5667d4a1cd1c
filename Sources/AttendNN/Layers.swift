import AttendTensor

/// Fully connected layer y = x·Wᵀ + b, weight [outFeatures, inFeatures] as in PyTorch.
public final class Linear: Module {
    public let weight: Tensor
    public let bias: Tensor?

    /// Weights drawn from N(0, std²), bias zero (GPT-2 / nanoGPT initialisation).
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, std: Float = 0.02, rng: inout RandomGenerator) {
        weight = Tensor.normal([outFeatures, inFeatures], std: std, rng: &rng, requiresGrad: true)
        self.bias = bias ? Tensor.zeros([outFeatures], requiresGrad: true) : nil
    }

    public var parameters: [(name: String, tensor: Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { Tensor.linear(x, weight: weight, bias: bias) }
}

/// Lookup table of learned vectors, weight [count, dim].
public final class Embedding: Module {
    public let weight: Tensor

    public init(_ count: Int, _ dim: Int, std: Float = 0.02, rng: inout RandomGenerator) {
        weight = Tensor.normal([count, dim], std: std, rng: &rng, requiresGrad: true)
    }

    public var parameters: [(name: String, tensor: Tensor)] { [("weight", weight)] }

    /// Rows for `ids` laid out as `shape` → [shape..., dim].
    public func callAsFunction(_ ids: [Int32], shape: [Int]) -> Tensor {
        Tensor.embedding(ids, shape: shape, table: weight)
    }
}

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

/// Pointwise non-linearity used in the feed-forward network.
public enum Activation: String, Codable, CaseIterable, Sendable {
    case gelu, relu, silu

    public func callAsFunction(_ x: Tensor) -> Tensor {
        switch self {
        case .gelu: return x.gelu()
        case .relu: return x.relu()
        case .silu: return x.silu()
        }
    }
}

/// Position-wise feed-forward network FFN(x) = W₂·act(W₁·x + b₁) + b₂ (Vaswani et al., 2017, §3.3).
public final class FeedForward: Module {
    public let up: Linear
    public let down: Linear
    public let activation: Activation

    public init(modelDim: Int, hiddenDim: Int, activation: Activation, bias: Bool, outputStd: Float, rng: inout RandomGenerator) {
        up = Linear(modelDim, hiddenDim, bias: bias, rng: &rng)
        down = Linear(hiddenDim, modelDim, bias: bias, std: outputStd, rng: &rng)
        self.activation = activation
    }

    public var children: [(name: String, module: any Module)] { [("up", up), ("down", down)] }

    public func callAsFunction(_ x: Tensor) -> Tensor { down(activation(up(x))) }
}
