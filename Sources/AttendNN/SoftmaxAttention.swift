import AttendKernels
import AttendTensor

/// Scaled dot-product softmax attention, softmax(Q·Kᵀ/√D)·V (Vaswani et al., 2017), through the fused
/// flash kernels (causal and key-padding masks in the kernel); its recurrent form is a key–value cache.
public struct SoftmaxAttention: AttentionMechanism {
    /// Softmax attention; it has no settings and no parameters.
    public init() {}

    public func callAsFunction(queries: Tensor, keys: Tensor, values: Tensor, mask: AttentionMask) -> Tensor {
        Tensor.flashAttention(queries: queries, keys: keys, values: values, mask: mask)
    }

    /// An empty cache of keys [B·H, ·, Dk] and values [B·H, ·, Dv] (the widths may differ: d_k ≠ d_v).
    public func initialState(batch: Int, heads: Int, keyDim: Int, valueDim: Int) -> KeyValueCache {
        KeyValueCache(rows: batch * heads, keyDim: keyDim, valueDim: valueDim)
    }

    /// Appends key [B, H, Dk] and value [B, H, Dv] and attends with the query [B, H, Dk] over the cache,
    /// scale 1/√Dk → [B, H, Dv].
    public func step(query: Tensor, key: Tensor, value: Tensor, state: inout KeyValueCache) -> Tensor {
        let (b, h, dk, dv) = (query.shape[0], query.shape[1], query.shape[2], value.shape[2])
        state.append(key: key, value: value)
        let out = Tensor(uninitializedShape: [b, h, dv])
        decodeAttentionStep(query: query.pointer, keys: state.keys.pointer, values: state.values.pointer, output: out.pointer,
                            batchHeads: b * h, length: state.length, capacity: state.capacity, headDim: dk,
                            scale: 1 / Float(dk).squareRoot(), valueDim: dv)
        return out
    }

    public func reorder(_ state: inout KeyValueCache, rows: [Int]) { state.reorder(rows: rows) }

    /// One query [B, H, D] over the encoder's keys and values [B, H, S, D] with the one-query decode
    /// kernel, sequence b reading its first `keyLengths[b]` keys (no tensors built but the output).
    public func attend(query: Tensor, memory: KeyValueMemory) -> Tensor {
        let (b, h, d) = (query.shape[0], query.shape[1], query.shape[2])
        let (s, dv) = (memory.keys.shape[2], memory.values.shape[3])
        let out = Tensor(uninitializedShape: [b, h, dv])
        for row in 0..<b {
            decodeAttentionStep(query: query.pointer + row * h * d, keys: memory.keys.pointer + row * h * s * d,
                                values: memory.values.pointer + row * h * s * dv, output: out.pointer + row * h * dv,
                                batchHeads: h, length: min(Int(memory.keyLengths[row]), s), capacity: s, headDim: d,
                                scale: 1 / Float(d).squareRoot(), valueDim: dv)
        }
        return out
    }

    public var capabilities: AttentionCapabilities { .init(causal: true, recurrent: true, padding: true, fixedSizeState: false) }

    /// Causal forward: Q·Kᵀ and A·V over t/2 keys on average, 2·2·(T/2)·D per head and token; a step at
    /// position T reads T keys and values (4·T·D); the cache holds T keys and values.
    public func cost(length: Int, heads: Int, headDim: Int) -> AttentionCost {
        Self.cost(length: length, heads: heads, headDim: headDim)
    }

    /// The cost of softmax attention over a key–value cache (shared by the mechanisms built on it).
    static func cost(length: Int, heads: Int, headDim: Int) -> AttentionCost {
        let (t, hd) = (Double(length), Double(heads * headDim))
        return AttentionCost(flopsPerToken: 2 * t * hd, stepFLOPs: 4 * t * hd,
                             stateBytes: KeyValueCache.bytes(positions: length, rows: heads, keyDim: headDim, valueDim: headDim),
                             efficiency: 0.15)
    }
}
