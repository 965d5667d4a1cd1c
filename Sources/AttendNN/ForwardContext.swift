import AttendTensor

/// Per-forward settings shared by every module: training mode (dropout on) and the dropout RNG.
public final class ForwardContext {
    /// Dropout is applied only when true.
    public var training: Bool
    /// Source of dropout masks.
    public var rng: RandomGenerator

    /// A context in training mode (dropout on) or not, drawing dropout masks from `rng`.
    public init(training: Bool, rng: RandomGenerator = RandomGenerator(seed: 0)) {
        self.training = training
        self.rng = rng
    }

    /// Applies dropout with probability `p` in training mode; identity otherwise.
    public func dropout(_ x: Tensor, _ p: Float) -> Tensor {
        guard training, p > 0 else { return x }
        return x.dropout(p, rng: &rng)
    }
}
