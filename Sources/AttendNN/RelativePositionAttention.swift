import AttendKernels
import AttendTensor

/// Softmax attention with a relative-position bias: softmax(scale·Q·Kᵀ + R + mask)·V with R from a
/// `RelativePositionBias`, through the fused flash kernels (T5, ALiBi, Wang & E 2024).
///
/// Q, K may have width 0 (dot-product-free attention: scores from R alone). The recurrent form is a
/// key–value cache plus the bias row of the new position, so `step` equals row t of the causal
/// parallel form.
public struct RelativePositionAttention: AttentionMechanism {
    /// The bias module (holds the learned parameters).
    public let bias: RelativePositionBias

    /// Attention biased by `bias` (whose parameters stay owned by the layer that holds it).
    public init(bias: RelativePositionBias) { self.bias = bias }

    /// Parallel form: Q, K [B, H, T|S, Dk], V [B, H, S, Dv] → [B, H, T, Dv], with R by lag
    /// [H, T + S − 1] built once per call.
    public func callAsFunction(queries: Tensor, keys: Tensor, values: Tensor, mask: AttentionMask) -> Tensor {
        let r = bias.lagBias(queryLength: queries.shape[2], keyLength: keys.shape[2])
        return Tensor.flashAttention(queries: queries, keys: keys, values: values, bias: r, mask: mask)
    }

    /// An empty cache with room for 16 positions (it doubles as needed).
    public func initialState(batch: Int, heads: Int, keyDim: Int, valueDim: Int) -> KeyValueCache {
        KeyValueCache(rows: batch * heads, keyDim: keyDim, valueDim: valueDim)
    }

    /// Appends key and value [B, H, Dk|Dv], attends with bias row `length` over the cache: [B, H, Dv].
    public func step(query: Tensor, key: Tensor, value: Tensor, state: inout KeyValueCache) -> Tensor {
        let (b, h, dk, dv) = (query.shape[0], query.shape[1], query.shape[2], value.shape[2])
        state.append(key: key, value: value)
        let row = bias.row(position: state.length - 1)  // [H, length]
        let out = Tensor(uninitializedShape: [b, h, dv])
        decodeAttentionStep(query: query.pointer, keys: state.keys.pointer, values: state.values.pointer, output: out.pointer,
                            batchHeads: b * h, length: state.length, capacity: state.capacity, headDim: dk,
                            scale: dk == 0 ? 0 : 1 / Float(dk).squareRoot(), valueDim: dv, bias: row.pointer, headsPerBatch: h)
        return out
    }

    public func reorder(_ state: inout KeyValueCache, rows: [Int]) { state.reorder(rows: rows) }

    /// Bidirectional biases (T5's bidirectional buckets) have no causal reading and so no recurrent form.
    public var capabilities: AttentionCapabilities {
        .init(causal: true, recurrent: !bias.kind.isBidirectionalOnly, padding: true, fixedSizeState: false)
    }

    /// Softmax attention's cost plus the bias row added to every score.
    public func cost(length: Int, heads: Int, headDim: Int) -> AttentionCost {
        var cost = SoftmaxAttention.cost(length: length, heads: heads, headDim: headDim)
        cost.flopsPerToken += Double(length * heads) / 2
        cost.stepFLOPs += Double(length * heads)
        return cost
    }
}
