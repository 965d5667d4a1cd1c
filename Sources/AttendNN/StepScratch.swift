import AttendKernels
import AttendTensor

/// Working memory for one generation step through a stack of `TransformerBlock`s.
///
/// A step at batch 1 is a handful of matrix–vector products on 256-wide vectors; building tensors for
/// every intermediate (shape arrays, pooled buffers, reference counts) cost as much as a third of the
/// token. The step instead runs the kernels on these buffers, allocated once per stepper and reused for
/// every token; only the attention core (`AttentionStepper`, whose state differs per kind) sees tensors.
/// With `WeightPrecision.bfloat16` it also holds the bfloat16 copies of the weight matrices.
public final class StepScratch {
    /// Number of sequences B that step together (rows of every buffer).
    public let batch: Int
    /// Width C of the residual stream.
    public let modelDim: Int
    /// Width F of the feed-forward hidden layer.
    public let hiddenDim: Int
    /// [B, C]: a normalised copy of the residual stream.
    let normed: UnsafeMutablePointer<Float>
    /// [B, P]: the fused Q, K, V projection (P = 3C by default, 2·H·d_k + C with a key width d_k; only
    /// V's C columns when dot-product-free), or the cross-attention query (H·d_k columns).
    let projected: UnsafeMutablePointer<Float>
    /// Columns P of `projected` per row: the widest projection a step writes there.
    public let projectionWidth: Int
    /// [B, F]: the feed-forward hidden layer.
    let hidden: UnsafeMutablePointer<Float>
    /// [B] each: layer-norm statistics (unused after the step).
    let mean: UnsafeMutablePointer<Float>
    let rstd: UnsafeMutablePointer<Float>
    /// [C] zeros: the shift of a layer norm without bias.
    let zeros: UnsafeMutablePointer<Float>
    /// Reduced-precision copies of weight matrices, by the identity of their fp32 tensor; a matrix
    /// missing here is read in fp32.
    private var reduced: [ObjectIdentifier: BFloat16Matrix] = [:]

    /// Buffers for `batch` sequences through blocks of width `modelDim` and feed-forward width `hiddenDim` (all ≥ 1);
    /// `projectionWidth` is the widest fused input projection per row (nil: 3·modelDim, the Q, K, V of
    /// heads whose keys are as wide as their values; pass 2·H·d_k + C for layers with key width d_k).
    public init(batch: Int, modelDim: Int, hiddenDim: Int, projectionWidth: Int? = nil) {
        precondition(batch >= 1 && modelDim >= 1 && hiddenDim >= 1, "StepScratch: bad sizes")
        self.batch = batch
        self.modelDim = modelDim
        self.hiddenDim = hiddenDim
        self.projectionWidth = max(projectionWidth ?? 3 * modelDim, modelDim)
        normed = .allocate(capacity: batch * modelDim)
        projected = .allocate(capacity: batch * self.projectionWidth)
        hidden = .allocate(capacity: batch * hiddenDim)
        mean = .allocate(capacity: batch)
        rstd = .allocate(capacity: batch)
        zeros = .allocate(capacity: modelDim)
        zeros.initialize(repeating: 0, count: modelDim)
    }

    /// Reads `matrix` from a bfloat16 copy made now (later changes to the fp32 tensor are not seen).
    public func useBFloat16(for matrix: Tensor) {
        reduced[ObjectIdentifier(matrix)] = BFloat16Matrix(matrix, batch: batch)
    }

    /// y = x·Wᵀ (or y += x·Wᵀ when `accumulate`) for `batch` rows x [B, in] and weight W [out, in], from
    /// the bfloat16 copy of W when there is one.
    public func multiply(_ x: UnsafePointer<Float>, by weight: Tensor, into y: UnsafeMutablePointer<Float>,
                         accumulate: Bool = false) {
        if let copy = reduced[ObjectIdentifier(weight)] {
            copy.multiply(x, rows: batch, into: y, accumulate: accumulate)
        } else {
            let (outF, inF) = (weight.shape[0], weight.shape[1])
            gemm(transA: false, transB: true, m: batch, n: outF, k: inF, a: x, lda: inF, b: weight.pointer, ldb: inF,
                 beta: accumulate ? 1 : 0, c: y, ldc: outF)
        }
    }

    deinit {
        normed.deallocate(); projected.deallocate(); hidden.deallocate()
        mean.deallocate(); rstd.deallocate(); zeros.deallocate()
    }
}

extension Linear {
    /// y = x·Wᵀ + b for the scratch's batch of rows x, written to `y` — or added to it when `accumulate`
    /// (which folds a residual connection into the product).
    public func apply(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, accumulate: Bool = false,
                      scratch: StepScratch) {
        scratch.multiply(x, by: weight, into: y, accumulate: accumulate)
        if let bias { addRowBias(y, bias: bias.pointer, y, rows: scratch.batch, cols: weight.shape[0]) }
    }

    /// Registers this layer's weight matrix for a bfloat16 copy in `scratch` when `precision` asks for it.
    func prepare(_ precision: WeightPrecision, in scratch: StepScratch) {
        if precision == .bfloat16 { scratch.useBFloat16(for: weight) }
    }
}

extension LayerNorm {
    /// Normalises `rows` rows of x into y (y may equal x).
    public func apply(_ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>, scratch: StepScratch) {
        let cols = weight.count
        layerNormForward(x, gamma: weight.pointer, beta: UnsafePointer(bias?.pointer ?? scratch.zeros), y,
                         mean: scratch.mean, rstd: scratch.rstd, rows: rows, cols: cols, epsilon: epsilon)
    }
}

extension Activation {
    /// Applies the activation to `count` values in place.
    public func apply(_ x: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .gelu: geluForward(x, x, count: count)
        case .geluExact: geluExactForward(x, x, count: count)
        case .relu: reluForward(x, x, count: count)
        case .silu: siluForward(x, x, count: count)
        }
    }
}

extension MultiHeadAttention {
    /// One generation step: adds the attention output for the newest positions x [B, C] to `residual`
    /// [B, C]; equal to the last row of the causal parallel form over the whole prefix.
    /// `residual` may alias `x` (x is read only before the output is written).
    public func step(_ x: UnsafePointer<Float>, stepper: AttentionStepper, scratch: StepScratch,
                     addingTo residual: UnsafeMutablePointer<Float>) {
        let (b, c) = (scratch.batch, scratch.modelDim)
        let keyWidth = numHeads * keyDim
        let width = 2 * keyWidth + c
        precondition(width <= scratch.projectionWidth, "StepScratch holds \(scratch.projectionWidth) projected columns, the layer needs \(width)")
        qkv.apply(x, into: scratch.projected, scratch: scratch)
        // Q, K [B, H, d_k] and V [B, H, d_v]: at one position the head split is a slice of each row (no transpose).
        func part(from start: Int, width count: Int) -> Tensor {
            let t = Tensor(uninitializedShape: [b, numHeads, count / numHeads])
            for r in 0..<b { (t.pointer + r * count).update(from: scratch.projected + r * width + start, count: count) }
            return t
        }
        let mixed = stepper(query: part(from: 0, width: keyWidth), key: part(from: keyWidth, width: keyWidth),
                            value: part(from: 2 * keyWidth, width: c))
        output.apply(mixed.pointer, into: residual, accumulate: true, scratch: scratch)
    }
}

extension TransformerBlock {
    /// One generation step for the newest positions, updating the residual stream x [B, C] in place
    /// (inference; dropout off). Equal to the last row of the parallel form over the whole prefix.
    public func step(_ x: UnsafeMutablePointer<Float>, stepper: AttentionStepper, scratch: StepScratch) {
        let b = scratch.batch
        let (c, f) = (scratch.modelDim, scratch.hiddenDim)
        precondition(feedForward.up.weight.shape == [f, c], "StepScratch sized for hidden \(f), width \(c)")
        switch placement {
        case .pre:
            // x += attn(LN₁(x)); x += FFN(LN₂(x))
            norm1.apply(x, rows: b, into: scratch.normed, scratch: scratch)
            attention.step(scratch.normed, stepper: stepper, scratch: scratch, addingTo: x)
            norm2.apply(x, rows: b, into: scratch.normed, scratch: scratch)
            feedForward.step(scratch.normed, addingTo: x, scratch: scratch)
        case .post:
            // x = LN₁(x + attn(x)); x = LN₂(x + FFN(x))
            attention.step(x, stepper: stepper, scratch: scratch, addingTo: x)
            norm1.apply(x, rows: b, into: x, scratch: scratch)
            feedForward.step(x, addingTo: x, scratch: scratch)
            norm2.apply(x, rows: b, into: x, scratch: scratch)
        }
    }

    /// Registers the block's weight matrices for `precision` in `scratch`.
    public func prepareStep(_ precision: WeightPrecision, in scratch: StepScratch) {
        for layer in [attention.qkv, attention.output, feedForward.up, feedForward.down] { layer.prepare(precision, in: scratch) }
    }
}

extension FeedForward {
    /// residual += W₂·act(W₁·x + b₁) + b₂ for the scratch's batch of rows (`residual` may alias x).
    public func step(_ x: UnsafePointer<Float>, addingTo residual: UnsafeMutablePointer<Float>, scratch: StepScratch) {
        let b = scratch.batch
        up.apply(x, into: scratch.hidden, scratch: scratch)
        activation.apply(scratch.hidden, count: b * scratch.hiddenDim)
        down.apply(scratch.hidden, into: residual, accumulate: true, scratch: scratch)
    }
}
