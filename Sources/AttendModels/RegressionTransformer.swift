import AttendNN
import AttendTensor
import Foundation

/// The model of Wang & E's synthetic experiments (NeurIPS 2024, §2 and §5): scalar tokens, no LayerNorm,
/// causal attention with a relative-position bias, a ReLU feed-forward read-out; trained by squared loss
/// on one scalar read at the last position.
///
/// Codable with the keys of a study's `model` object; `hiddenDim` is the paper's FFN width m (0: no FFN),
/// `numHeads` 0 is an attention-free control, `headDim` defaults to max(1, modelDim / numHeads).
public struct RegressionTransformerConfig: Codable, Equatable, Sendable {
    /// L: attention (+ FFN) layers.
    public var numLayers: Int
    /// H: heads per attention layer (0: no attention at all — the attention-free control).
    public var numHeads: Int
    /// D: width of the residual stream.
    public var modelDim: Int
    /// Width of each head's query, key and value (default max(1, D / H)).
    public var headDim: Int?
    /// m: width of the two-layer ReLU FFNs and of the read-out (0: no FFN, linear read-out).
    public var hiddenDim: Int
    /// Dot product on (softmax of scale·q·k + R) or off ("DP-free": W_Q = W_K = 0, scores = R).
    public var dotProduct: Bool
    /// The relative-position bias R = p_h·φ(τ) (log-type, lin-type; T5 buckets, ALiBi or none also work).
    public var positionBias: PositionBias
    /// T5 bucket count (default 32); with `positionMaxDistance` > buckets / 2 ≥ T every lag gets its own learned
    /// bias per head, a position bias that can single out one lag.
    public var positionBuckets: Int?
    /// Lag where T5's log-spaced buckets end (default 128).
    public var positionMaxDistance: Int?

    /// A configuration; DP-free with log-type bias unless given.
    public init(numLayers: Int = 1, numHeads: Int, modelDim: Int, headDim: Int? = nil, hiddenDim: Int = 0,
                dotProduct: Bool = false, positionBias: PositionBias = .logType) {
        self.numLayers = numLayers; self.numHeads = numHeads; self.modelDim = modelDim; self.headDim = headDim
        self.hiddenDim = hiddenDim; self.dotProduct = dotProduct; self.positionBias = positionBias
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case numLayers, numHeads, modelDim, headDim, hiddenDim, dotProduct, positionBias, positionBuckets, positionMaxDistance }

    /// The keys a spec's model object may set.
    public static let keys = CodingKeys.allCases.map(\.rawValue)

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        numLayers = try c.decodeIfPresent(Int.self, forKey: .numLayers) ?? 1
        numHeads = try c.decode(Int.self, forKey: .numHeads)
        modelDim = try c.decode(Int.self, forKey: .modelDim)
        headDim = try c.decodeIfPresent(Int.self, forKey: .headDim)
        hiddenDim = try c.decodeIfPresent(Int.self, forKey: .hiddenDim) ?? 0
        dotProduct = try c.decodeIfPresent(Bool.self, forKey: .dotProduct) ?? false
        positionBias = try c.decodeIfPresent(PositionBias.self, forKey: .positionBias) ?? .logType
        positionBuckets = try c.decodeIfPresent(Int.self, forKey: .positionBuckets)
        positionMaxDistance = try c.decodeIfPresent(Int.self, forKey: .positionMaxDistance)
    }

    /// The T5 bucket count and the lag where its log-spaced buckets end, as used.
    public var resolvedBuckets: (buckets: Int, maxDistance: Int) { (positionBuckets ?? 32, positionMaxDistance ?? 128) }

    /// The head width in use.
    public var resolvedHeadDim: Int { headDim ?? max(1, modelDim / max(numHeads, 1)) }

    /// Checks sizes; the error names the field and what is allowed.
    public func validate() throws {
        for (name, value, least) in [("numLayers", numLayers, 1), ("numHeads", numHeads, 0), ("modelDim", modelDim, 1),
                                     ("headDim", resolvedHeadDim, 1), ("hiddenDim", hiddenDim, 0)] where value < least {
            throw ConfigError.invalid(field: name, message: "must be an integer ≥ \(least), got \(value)")
        }
        let weights = Double(numLayers) * (4 * Double(numHeads) * Double(resolvedHeadDim) * Double(modelDim) + 2 * Double(modelDim) * Double(hiddenDim))
        if weights * 16 > Double(ProcessInfo.processInfo.physicalMemory) {
            throw ConfigError.invalid(field: "modelDim", message: String(format: "the model's ~%.3g weights (with gradients and AdamW moments, 16 bytes each) would not fit in this machine's memory; choose smaller numLayers, numHeads, headDim, modelDim or hiddenDim", weights))
        }
        if positionBias.isBidirectionalOnly {
            throw ConfigError.invalid(field: "positionBias", message: "the regression model is causal; choose log-type, lin-type, t5, alibi or none")
        }
        if positionBuckets != nil || positionMaxDistance != nil {
            let (buckets, maxDistance) = resolvedBuckets
            if positionBias != .t5 {
                throw ConfigError.invalid(field: positionBuckets != nil ? "positionBuckets" : "positionMaxDistance", message: "only T5 buckets have a bucket count and a maximum distance; set positionBias to t5 or drop the field")
            }
            if buckets < 4 || buckets > 1 << 16 { throw ConfigError.invalid(field: "positionBuckets", message: "must be an integer from 4 to 65536, got \(buckets)") }
            if maxDistance <= buckets / 2 || maxDistance > 1 << 20 {
                throw ConfigError.invalid(field: "positionMaxDistance", message: "must exceed positionBuckets / 2 = \(buckets / 2) (lags below it are exact) and be at most 2^20, got \(maxDistance)")
            }
        }
        if numHeads > 0 && !dotProduct && positionBias == .none {
            throw ConfigError.invalid(field: "positionBias", message: "DP-free attention without a position bias is a plain average; choose log-type or lin-type (or set dotProduct true)")
        }
    }
}

/// One attention layer of `RegressionTransformer`: W_Q, W_K (absent DP-free), W_V [H·d, D] and W_O [D, H·d],
/// no biases, plus the relative-position bias module (`positionBias.logScale` ρ [H], p_h = exp(ρ_h)).
public final class RegressionAttention: Module {
    /// H.
    public let numHeads: Int
    /// d: the width of each head's query, key and value.
    public let headDim: Int
    /// W_Q [H·d, D] (nil DP-free).
    public let query: Linear?
    /// W_K [H·d, D] (nil DP-free).
    public let key: Linear?
    /// W_V [H·d, D].
    public let value: Linear
    /// W_O [D, H·d].
    public let output: Linear
    /// R_h(τ) = p_h·φ(τ) (nil when the configuration has no position bias).
    public let positionBias: RelativePositionBias?

    init(_ c: RegressionTransformerConfig, rng: inout RandomGenerator) {
        numHeads = c.numHeads
        headDim = c.resolvedHeadDim
        let d = Float(c.modelDim), width = c.numHeads * headDim
        query = c.dotProduct ? Linear(c.modelDim, width, bias: false, std: 1 / d.squareRoot(), rng: &rng) : nil
        key = c.dotProduct ? Linear(c.modelDim, width, bias: false, std: 1 / d.squareRoot(), rng: &rng) : nil
        value = Linear(c.modelDim, width, bias: false, std: 1 / d.squareRoot(), rng: &rng)
        output = Linear(width, c.modelDim, bias: false, std: 1 / Float(width).squareRoot(), rng: &rng)
        positionBias = c.positionBias == .none ? nil
            : RelativePositionBias(kind: c.positionBias, numHeads: c.numHeads, buckets: c.resolvedBuckets.buckets, maxDistance: c.resolvedBuckets.maxDistance)
        if c.positionBias == .logType && c.numHeads > 1, let rho = positionBias?.weight {
            // Spread the heads' log-type scales geometrically, p_h = 2^(1 − 5(h − 1)/(H − 1)) from 2 to 1/16, so the
            // heads start with different memory kernels τ^−p_h (identical kernels would move together).
            for h in 0..<c.numHeads { rho[flat: h] = Float(Foundation.log(2.0)) * (1 - 5 * Float(h) / Float(c.numHeads - 1)) }
        }
    }

    public var children: [(name: String, module: any Module)] {
        (query.map { [("query", $0 as any Module)] } ?? []) + (key.map { [("key", $0 as any Module)] } ?? [])
            + [("value", value), ("output", output)] + (positionBias.map { [("positionBias", $0 as any Module)] } ?? [])
    }

    var scale: Float { 1 / Float(headDim).squareRoot() }

    /// R by lag for `queries` queries at the end of `keys` keys: [H, queries + keys − 1].
    func bias(queries: Int, keys: Int) -> Tensor? { positionBias?.lagBias(queryLength: queries, keyLength: keys) }

    /// Heads [B, H, T, d] of projection `p` of x [B, T, D] (width 0 when `p` is nil: DP-free).
    func heads(_ p: Linear?, _ x: Tensor) -> Tensor {
        guard let p else { return Tensor.zeros([x.shape[0], numHeads, x.shape[1], 0]) }
        return p(x).splitHeads(numHeads: numHeads)
    }

    /// Causal attention over every position (the straightforward form): x [B, T, D] → [B, T, D].
    public func full(_ x: Tensor) -> Tensor {
        let t = x.shape[1]
        let o = Tensor.flashAttention(queries: heads(query, x), keys: heads(key, x), values: heads(value, x),
                                      bias: bias(queries: t, keys: t), mask: .causal, scale: query == nil ? 0 : scale)
        return output(o.mergeHeads())
    }

    /// The last query row only: x [B, T, D] → the attention output at position T − 1, [B, D]. O(H·T·d) per sequence.
    public func lastRow(_ x: Tensor) -> Tensor {
        let (b, t) = (x.shape[0], x.shape[1])
        let last = x.sliced((t - 1)..<t, along: 1)
        let o = Tensor.flashAttention(queries: heads(query, last), keys: heads(key, x), values: heads(value, x),
                                      bias: bias(queries: 1, keys: t), mask: AttentionMask(causal: false), scale: query == nil ? 0 : scale)
        return output(o.mergeHeads()).reshaped([b, output.weight.shape[0]])
    }
}

/// Wang & E's Transformer for sequence modelling (NeurIPS 2024, eq. 2–4 and §5): scalar tokens x_s embedded as
/// x⁽⁰⁾_s = W_E x_s + b_E ∈ ℝ^D; L layers of X ← X + Attn(X), X ← X + FFN(X) (two-layer ReLU of width m;
/// none when m = 0); no LayerNorm; causal multi-head attention with relative bias R_h(t, s) = p_h·φ(τ),
/// 1-based lags τ = t − s + 1; DP: softmax(scale·q·k + R), DP-free: softmax(R). The last layer's FFN is the
/// read-out, without residual: ŷ = w₂ᵀ ReLU(W₁ h + b₁) + b₂ on the last position's stream h; with m = 0 the
/// read-out is linear, ŷ = wᵀ h + b.
///
/// `callAsFunction` computes only what the loss needs — the last query row of the last layer:
/// for L = 1 the attention input is affine in the scalar x_s, so (with u = W_V W_E, c = W_V b_E and
/// k_s = (W_K W_E) x_s + W_K b_E) head h's scores on the last row are α_h·x_s + const + R_h(τ) with
/// α_h = scale·q_h·(W_K W_E)_h (the constant cancels in the softmax), z_h = Σ_s a_h(s) x_s, and the head outputs
/// W_O^h(u_h z_h + c_h) (Σ_s a_h(s) = 1) — O(H·T) per sequence; DP-free, a_h does not depend on x and z = X·aᵀ
/// is one product. For L ≥ 2 the earlier layers run in full (flash attention) and the last one for its last row.
/// `reference` is the straightforward computation of every row, which tests compare against.
public final class RegressionTransformer: Module {
    /// The model's configuration (validated).
    public let config: RegressionTransformerConfig
    /// W_E [D, 1], b_E [D].
    public let embed: Linear
    /// One attention per layer (empty when numHeads is 0).
    public let attention: [RegressionAttention]
    /// FFNs of layers 1 … L − 1 (with residual; empty when m = 0).
    public let feedForward: [FeedForward]
    /// The read-out: W₁ [m, D] (or w [1, D] when m = 0).
    public let readoutUp: Linear
    /// w₂ [1, m] (nil when m = 0).
    public let readoutDown: Linear?

    /// A model with He/LeCun-scaled normal weights (W_E ~ N(0, 1); Q, K, V ~ N(0, 1/D); W_O ~ N(0, 1/(H·d));
    /// ReLU layers N(0, 2/fan-in), the last layers N(0, 1/fan-in)), zero biases, and the bias module's start
    /// (log-type p_h = 1, lin-type p_h = ALiBi slopes).
    public init(_ config: RegressionTransformerConfig, rng: inout RandomGenerator) throws {
        try config.validate()
        self.config = config
        let d = config.modelDim, m = config.hiddenDim
        embed = Linear(1, d, std: 1, rng: &rng)
        var attention: [RegressionAttention] = [], feedForward: [FeedForward] = []
        for layer in 0..<config.numLayers {
            if config.numHeads > 0 { attention.append(RegressionAttention(config, rng: &rng)) }
            if m > 0 && layer < config.numLayers - 1 {
                let f = FeedForward(modelDim: d, hiddenDim: m, activation: .relu, bias: true, outputStd: 1 / Float(m).squareRoot(), rng: &rng)
                f.up.weight.copyValues(from: Tensor.normal([m, d], std: (2 / Float(d)).squareRoot(), rng: &rng))
                feedForward.append(f)
            }
        }
        self.attention = attention
        self.feedForward = feedForward
        if m > 0 {
            readoutUp = Linear(d, m, std: (2 / Float(d)).squareRoot(), rng: &rng)
            readoutDown = Linear(m, 1, std: 1 / Float(m).squareRoot(), rng: &rng)
        } else {
            readoutUp = Linear(d, 1, std: 1 / Float(d).squareRoot(), rng: &rng)
            readoutDown = nil
        }
    }

    public var children: [(name: String, module: any Module)] {
        var out: [(name: String, module: any Module)] = [("embed", embed)]
        for (i, a) in attention.enumerated() { out.append(("layers.\(i).attention", a)) }
        for (i, f) in feedForward.enumerated() { out.append(("layers.\(i).feedForward", f)) }
        out.append(("readout.up", readoutUp))
        if let readoutDown { out.append(("readout.down", readoutDown)) }
        return out
    }

    /// The read-out's output bias (b₂, or b of the linear read-out): the prediction's offset.
    public var outputBias: Tensor { (readoutDown ?? readoutUp).bias! }

    /// Names of the weights AdamW decays: matrices, not the position bias.
    public func decayedParameterNames() -> Set<String> {
        Set(namedParameters().filter { $0.tensor.rank >= 2 && !$0.name.contains(".positionBias.") }.map(\.name))
    }

    /// ŷ [B] from the last position's stream h [B, D].
    func readout(_ h: Tensor) -> Tensor {
        let y = readoutDown.map { $0(readoutUp(h).relu()) } ?? readoutUp(h)
        return y.reshaped([h.shape[0]])
    }

    /// Predictions ŷ [B] for inputs x [B, T] (row-major `inputs`, x_s at index s − 1), last query row only.
    public func callAsFunction(_ inputs: [Float], batch: Int, length: Int) -> Tensor {
        if config.numLayers == 1 { return readout(firstLayerLastRow(inputs, batch: batch, length: length)) }
        var x = embed(Tensor(inputs, shape: [batch, length, 1]))
        for layer in 0..<(config.numLayers - 1) { x = block(layer, x) }
        let last = x.sliced((length - 1)..<length, along: 1).reshaped([batch, config.modelDim])
        return readout(attention.isEmpty ? last : last + attention[config.numLayers - 1].lastRow(x))
    }

    /// The straightforward computation: every layer over every position (T×T attention), then the read-out at t = T.
    public func reference(_ inputs: [Float], batch: Int, length: Int) -> Tensor {
        var x = embed(Tensor(inputs, shape: [batch, length, 1]))
        for layer in 0..<(config.numLayers - 1) { x = block(layer, x) }
        if !attention.isEmpty { x = x + attention[config.numLayers - 1].full(x) }
        return readout(x.sliced((length - 1)..<length, along: 1).reshaped([batch, config.modelDim]))
    }

    /// Layer `layer` (not the last) over all positions: X + Attn(X), then X + FFN(X).
    func block(_ layer: Int, _ input: Tensor) -> Tensor {
        var x = input
        if !attention.isEmpty { x = x + attention[layer].full(x) }
        if !feedForward.isEmpty { x = x + feedForward[layer](x) }
        return x
    }

    /// The first (only) layer's residual stream at t = T, [B, D], in O(H·T) per sequence (see the type's comment).
    func firstLayerLastRow(_ inputs: [Float], batch b: Int, length t: Int) -> Tensor {
        var lastInputs = [Float](repeating: 0, count: b)
        for i in 0..<b { lastInputs[i] = inputs[i * t + t - 1] }
        let x0 = embed(Tensor(lastInputs, shape: [b, 1]))                      // x⁽⁰⁾_T = W_E x_T + b_E, [B, D]
        guard let a = attention.first else { return x0 }
        let h = a.numHeads, width = h * a.headDim, d = config.modelDim
        // Inputs in lag order: column e holds the key at position T − 1 − e (lag e), matching R by lag [H, T].
        var reversed = [Float](repeating: 0, count: b * t)
        for i in 0..<b { for e in 0..<t { reversed[i * t + e] = inputs[i * t + t - 1 - e] } }
        let xs = Tensor(reversed, shape: [b, t])
        let r = a.bias(queries: 1, keys: t) ?? Tensor.zeros([h, t])          // R_h(τ = e + 1), [H, T]
        let embedRow = embed.weight.reshaped([1, d])                         // W_Eᵀ, [1, D]
        let z: Tensor                                                        // z_h = Σ_s a_h(s) x_s, [B, H]
        if let query = a.query, let key = a.key {
            let q = query(x0)                                                // [B, H·d]
            let keyScale = blockRows(Tensor.linear(embedRow, weight: key.weight).reshaped([width]), heads: h)  // (W_K W_E)_h, [H, H·d]
            let alpha = Tensor.linear(q, weight: keyScale) * a.scale         // α_h = scale·q_h·(W_K W_E)_h, [B, H]
            let scores = alpha.reshaped([b, h, 1]).matmul(xs.reshaped([b, 1, t])) + r   // α_h x_s + R_h, [B, H, T]
            z = scores.softmax().matmul(xs.reshaped([b, t, 1])).reshaped([b, h])
        } else {
            z = xs.matmul(r.softmax().transposedLastTwo())                   // a_h shared by the batch: [B, T]·[T, H]
        }
        let u = Tensor.linear(embedRow, weight: a.value.weight).reshaped([width])                   // W_V W_E, [H·d]
        let c = Tensor.linear(embed.bias!.reshaped([1, d]), weight: a.value.weight)                 // W_V b_E, [1, H·d]
        let perHead = Tensor.linear(blockRows(u, heads: h), weight: a.output.weight)               // W_O^h (W_V W_E)_h, [H, D]
        let constant = Tensor.linear(c, weight: a.output.weight).reshaped([d])                      // Σ_h W_O^h (W_V b_E)_h, [D]
        return x0 + (z.matmul(perHead) + constant)
    }

    /// The block-diagonal [H, H·d] matrix whose row h holds v's h-th chunk of d entries (zeros elsewhere).
    func blockRows(_ v: Tensor, heads h: Int) -> Tensor {
        let width = v.count, d = width / h
        var mask = [Float](repeating: 0, count: h * width)
        for i in 0..<h { for j in 0..<d { mask[i * width + i * d + j] = 1 } }
        return (Tensor.zeros([h, width]) + v) * Tensor(mask, shape: [h, width])
    }

    /// Mean squared error of the predictions on `inputs` against `targets`, a scalar tensor.
    public func loss(inputs: [Float], targets: [Float], batch: Int, length: Int) -> Tensor {
        let error = self(inputs, batch: batch, length: length) - Tensor(targets, shape: [batch])
        return (error * error).mean()
    }
}
