import AttendNN
import Foundation

/// The runner's forecast of a run's FLOPs, time and memory, made before the run from its spec alone.
///
/// FLOPs count multiply–adds as 2. Time = FLOPs ÷ (measured FMA peak × an efficiency per kind of work);
/// the efficiencies are rough priors for this project's kernels on a 2-core CPU (set from a first
/// quick-scale run on a shared machine), and the report sets the forecast beside the measurement so
/// their error is visible.
public struct Estimator: Sendable {
    /// Measured FMA peak of this machine, GFLOP/s (all threads).
    public var peakGFLOPs: Double
    /// Resident bytes of the process before the run (libraries, data already loaded).
    public var baseBytes: Double

    /// An estimator for a machine with the given peak and baseline memory.
    public init(peakGFLOPs: Double, baseBytes: Double) {
        self.peakGFLOPs = peakGFLOPs
        self.baseBytes = baseBytes
    }

    /// Non-embedding parameters of one block: QKV + output (4C²) and the feed-forward (2·C·hidden).
    static func blockParameters(_ m: ModelShape) -> Double {
        let c = Double(m.modelDim)
        return 4 * c * c + 2 * c * Double(m.hiddenDim ?? 4 * m.modelDim)
    }

    /// The cost the mechanism of `kind` states for sequences of `length` with `heads` heads of `headDim`.
    static func attentionCost(_ kind: AttentionKind, length: Int, heads: Int, headDim: Int) -> AttentionCost {
        AttentionSpec(kind: kind).cost(length: max(length, 1), heads: heads, headDim: headDim)
    }

    /// Forward FLOPs of attention mixing for one sequence of length t per layer (causal).
    static func attentionForward(_ kind: AttentionKind, t: Double, c: Double, headDim: Double) -> Double {
        let heads = Int((c / headDim).rounded())
        return t * attentionCost(kind, length: Int(t.rounded()), heads: heads, headDim: Int(headDim.rounded())).flopsPerToken
    }

    /// FLOPs of forward+backward (≈ 3× forward) for `tokens` tokens in sequences of `length`.
    static func trainingFLOPs(_ m: ModelShape, kind: AttentionKind, vocab: Int, length: Int, sequences: Double) -> Double {
        let c = Double(m.modelDim), l = Double(m.numLayers), t = Double(length)
        let dense = 2 * (l * blockParameters(m) + Double(vocab) * c) * t
        let mix = l * attentionForward(kind, t: t, c: c, headDim: c / Double(m.numHeads))
        return 3 * sequences * (dense + mix)
    }

    /// The forecast for `run` (`vocab` is the task's vocabulary where the spec does not fix it).
    public func estimate(_ run: RunSpec, vocab: Int) -> Estimate {
        let e = run.experiment, kind = run.kind
        var flops = 0.0, efficiency = 0.2, bytes = baseBytes, overhead = 0.05
        switch e.task {
        case .attentionScaling:
            let t = Double(run.int("length")), bh = Double(e.batch * e.heads), d = Double(e.headDim)
            let cost = Estimator.attentionCost(kind, length: run.int("length"), heads: e.heads, headDim: e.headDim)
            flops = Double(e.batch) * t * cost.flopsPerToken * 3.5 * Double(e.repeats + 1)
            efficiency = cost.efficiency
            bytes += Double(e.batch) * cost.workingBytes
            bytes += 12 * bh * t * d * 4
        case .generation:
            let m = e.model!, c = Double(m.modelDim), l = Double(m.numLayers), n = Double(run.int("tokens"))
            let b = Double(run.int("batch")), d = c / Double(m.numHeads)
            let perToken = 2 * (l * Estimator.blockParameters(m) + Double(vocab) * c)
            let parameterBytes = 4 * (l * Estimator.blockParameters(m) + Double(vocab + run.int("tokens") + 1) * c)
            bytes += parameterBytes
            if run.parameters["cache"] == CacheMode.recompute.rawValue {
                // measuredPrefixes forward passes at evenly spaced prefix lengths up to n.
                let k = Double(e.measuredPrefixes)
                for i in 1...e.measuredPrefixes {
                    let p = n * Double(i) / k
                    flops += b * (perToken * p + l * attentionForwardGeneric(kind, p, c, d))
                }
                efficiency = 0.25
                bytes += b * n * c * 4 * 12
            } else {
                // A step at the mean position n/2; the state at the end, ×2 for the cache's spare capacity.
                let heads = m.numHeads, headDim = m.modelDim / m.numHeads
                let mix = l * Estimator.attentionCost(kind, length: run.int("tokens") / 2, heads: heads, headDim: headDim).stepFLOPs
                flops = b * n * (perToken + mix)
                efficiency = b >= 16 ? 0.03 : 0.012
                bytes += b * l * Estimator.attentionCost(kind, length: run.int("tokens"), heads: heads, headDim: headDim).stateBytes * 2
                overhead += n * 1e-4
            }
        case .copy, .pixels, .charLM:
            let m = e.model!, t = e.training!
            let length = e.task == .copy ? 2 * e.maxSymbols + 1 : e.task == .pixels ? 196 : e.contextLength
            let evals = Double(t.steps / t.evalInterval + 2) * Double(t.evalBatches) * Double(t.batchSize)
            flops = Estimator.trainingFLOPs(m, kind: kind, vocab: vocab, length: length, sequences: Double(t.steps * t.batchSize))
                + Estimator.trainingFLOPs(m, kind: kind, vocab: vocab, length: length, sequences: evals) / 3
            efficiency = m.modelDim >= 128 ? 0.2 : 0.08
            let c = Double(m.modelDim), l = Double(m.numLayers)
            bytes += 16 * (l * Estimator.blockParameters(m) + Double(vocab + length) * c)
            bytes += Double(t.batchSize * length) * (c * l * 20 + Double(vocab) * 2) * 4
            overhead += Double(t.steps) * 2e-3
        }
        let seconds = flops / (max(peakGFLOPs, 1) * 1e9 * efficiency) + overhead
        return Estimate(seconds: seconds, bytes: bytes, flops: flops)
    }

    private func attentionForwardGeneric(_ kind: AttentionKind, _ t: Double, _ c: Double, _ d: Double) -> Double {
        Estimator.attentionForward(kind, t: t, c: c, headDim: d)
    }
}
