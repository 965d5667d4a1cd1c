import AttendModels
import AttendNN
import AttendTensor
import Foundation

/// Timing of attention mechanisms and of generation, shared by `attend bench attention` and the
/// experiment runner.
public enum AttentionTiming {
    /// Best forward+backward time (ms) of one causal attention call on [batch, heads, length, headDim]
    /// tensors, and the peak tensor memory (bytes) it holds (BufferPool's live peak on the first call).
    /// `materialized` times the textbook softmax attention that materialises the T×T probabilities
    /// (`Tensor.scaledDotProductAttention`) instead of the kind's mechanism (`kind` is then only a label).
    public static func forwardBackward(kind: AttentionKind, batch: Int = 1, heads: Int = 8, length t: Int, headDim: Int = 64,
                                       repeats: Int? = nil, materialized: Bool = false) -> (milliseconds: Double, peakTensorBytes: Double) {
        var rng = RandomGenerator(seed: 1)
        let shape = [batch, heads, t, headDim]
        let q = Tensor.normal(shape, rng: &rng, requiresGrad: true), k = Tensor.normal(shape, rng: &rng, requiresGrad: true)
        let v = Tensor.normal(shape, rng: &rng, requiresGrad: true)
        let seed = Tensor(repeating: 1, shape: shape)
        let mechanism = AttentionSpec(kind: kind).makeMechanism()
        func attend() -> Tensor {
            materialized ? Tensor.scaledDotProductAttention(queries: q, keys: k, values: v, mask: .causal)
                         : mechanism.callAsFunction(queries: q, keys: k, values: v, mask: .causal)
        }
        // First call: fresh buffers, so the pool's peak counts exactly what forward+backward holds.
        BufferPool.shared.drain()
        let base = BufferPool.shared.liveBytes
        BufferPool.shared.resetPeak()
        attend().backward(seed: seed)
        let peak = BufferPool.shared.peakLiveBytes - base
        for x in [q, k, v] { x.grad = nil }
        // Timed calls reuse the pooled buffers, as every training step after the first does.
        var best = Double.infinity
        for _ in 0..<(repeats ?? (t >= 8192 ? 2 : 3)) {
            let start = DispatchTime.now().uptimeNanoseconds
            attend().backward(seed: seed)
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-6)
            for x in [q, k, v] { x.grad = nil }
        }
        return (best, Double(peak))
    }

    /// Mean milliseconds per generated token (all `batch` sequences advance one position) after `context`
    /// positions, with the mechanism's recurrent state, for a 4-layer width-256 model (bench shape).
    public static func generationStep(kind: AttentionKind, batch: Int, context: Int, tokens: Int,
                                      precision: WeightPrecision = .float32) throws -> Double {
        var rng = RandomGenerator(seed: 2)
        let config = ModelConfig(vocabSize: 256, contextLength: context + tokens + 1, modelDim: 256, numHeads: 8, numLayers: 4, attention: kind)
        let model = try DecoderOnly(config, rng: &rng)
        return try withoutGradients {
            let stepper = try model.makeStepper(batch: batch, precision: precision)
            let ids = [Int32](repeating: 7, count: batch)
            for _ in 0..<context { _ = stepper.step(ids) }
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<tokens { _ = stepper.step(ids) }
            return Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-6 / Double(tokens)
        }
    }

    /// Generates `tokens` positions for `batch` sequences with the recurrent state, timing every
    /// `window` tokens; returns [(position at the window's end, ms per token in the window)].
    public static func generateWithState(model: DecoderOnly, batch: Int, tokens: Int, window: Int) throws -> [(Double, Double)] {
        try withoutGradients {
            let stepper = try model.makeStepper(batch: batch)
            var ids = [Int32](repeating: 0, count: batch)
            var series: [(Double, Double)] = []
            var position = 0
            while position < tokens {
                let n = min(window, tokens - position)
                let start = DispatchTime.now().uptimeNanoseconds
                for _ in 0..<n {
                    let logits = stepper.step(ids)
                    ids = greedy(logits, batch: batch)
                }
                position += n
                series.append((Double(position), Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-6 / Double(n)))
            }
            return series
        }
    }

    /// Time (ms) of one token generated without a cache: a forward pass over the whole prefix of
    /// length `prefix` for `batch` sequences (only the last row's logits are used).
    public static func recomputeToken(model: DecoderOnly, batch: Int, prefix: Int) -> Double {
        withoutGradients {
            let ids = [Int32](repeating: 3, count: batch * prefix)
            let context = ForwardContext(training: false, rng: RandomGenerator(seed: 0))
            let start = DispatchTime.now().uptimeNanoseconds
            _ = model(ids, batch: batch, length: prefix, context: context)
            return Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-6
        }
    }

    /// Most likely next token of each sequence.
    static func greedy(_ logits: [Float], batch: Int) -> [Int32] {
        let vocab = logits.count / batch
        return (0..<batch).map { b in
            var best = 0
            for v in 1..<vocab where logits[b * vocab + v] > logits[b * vocab + best] { best = v }
            return Int32(best)
        }
    }

    /// Total milliseconds to generate positions 1…`tokens` given per-token times measured at some prefix
    /// lengths: piecewise-linear interpolation between the measured points (flat beyond them), summed.
    public static func integrate(_ measured: [(Double, Double)], tokens: Int) -> Double {
        let p = measured.sorted { $0.0 < $1.0 }
        guard let first = p.first, let last = p.last else { return .nan }
        var total = 0.0
        var j = 0
        for t in 1...max(tokens, 1) {
            let x = Double(t)
            if x <= first.0 { total += first.1; continue }
            if x >= last.0 { total += last.1; continue }
            while p[j + 1].0 < x { j += 1 }
            let (x0, y0) = p[j], (x1, y1) = p[j + 1]
            total += y0 + (y1 - y0) * (x - x0) / (x1 - x0)
        }
        return total
    }
}
