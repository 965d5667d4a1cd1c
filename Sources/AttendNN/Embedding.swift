import AttendTensor

/// Lookup table of learned vectors, weight [count, dim].
public final class Embedding: Module {
    /// The table [count, dim]; row i is the vector of id i.
    public let weight: Tensor

    /// A table of `count` vectors of size `dim`, drawn from N(0, std²) with `rng`.
    public init(_ count: Int, _ dim: Int, std: Float = 0.02, rng: inout RandomGenerator) {
        weight = Tensor.normal([count, dim], std: std, rng: &rng, requiresGrad: true)
    }

    public var parameters: [(name: String, tensor: Tensor)] { [("weight", weight)] }

    /// Rows for `ids` laid out as `shape` → [shape..., dim].
    public func callAsFunction(_ ids: [Int32], shape: [Int]) -> Tensor {
        Tensor.embedding(ids, shape: shape, table: weight)
    }
}
