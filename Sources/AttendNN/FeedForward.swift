import AttendTensor

/// Pointwise non-linearity used in the feed-forward network.
public enum Activation: String, Codable, CaseIterable, Sendable {
    /// GELU, tanh approximation (GPT-2's form; Hugging Face `gelu_new`).
    case gelu
    /// GELU, exact erf form (PyTorch `nn.GELU()`, nanoGPT; Hugging Face `gelu`).
    case geluExact = "gelu-exact"
    /// max(x, 0).
    case relu
    /// x·σ(x).
    case silu

    /// The non-linearity applied elementwise to `x` (same shape).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        switch self {
        case .gelu: return x.gelu()
        case .geluExact: return x.geluExact()
        case .relu: return x.relu()
        case .silu: return x.silu()
        }
    }
}

/// Position-wise feed-forward network FFN(x) = W₂·act(W₁·x + b₁) + b₂ (Vaswani et al., 2017, §3.3).
public final class FeedForward: Module {
    /// First projection W₁ (modelDim → hiddenDim).
    public let up: Linear
    /// Second projection W₂ (hiddenDim → modelDim), initialised with `outputStd`.
    public let down: Linear
    /// The non-linearity between the two projections.
    public let activation: Activation

    /// A network of inner width `hiddenDim`, weights drawn from `rng`: `up` with std 0.02, `down` with `outputStd`;
    /// `bias` adds biases to both projections.
    public init(modelDim: Int, hiddenDim: Int, activation: Activation, bias: Bool, outputStd: Float, rng: inout RandomGenerator) {
        up = Linear(modelDim, hiddenDim, bias: bias, rng: &rng)
        down = Linear(hiddenDim, modelDim, bias: bias, std: outputStd, rng: &rng)
        self.activation = activation
    }

    public var children: [(name: String, module: any Module)] { [("up", up), ("down", down)] }

    /// x [..., modelDim] → [..., modelDim].
    public func callAsFunction(_ x: Tensor) -> Tensor { down(activation(up(x))) }
}
