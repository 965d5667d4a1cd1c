import AttendModels
import AttendNN
import Foundation

/// The runner's forecast of a run's FLOPs, time and memory, made before the run from its spec alone.
///
/// FLOPs count multiply–adds as 2. Time = FLOPs ÷ (measured FMA peak × an efficiency per kind of work);
/// the efficiencies are rough priors for this project's kernels on a 2-core CPU (set from a first
/// quick-scale run on a shared machine), and the report sets the forecast beside the measurement so
/// their error is visible. Each experiment task forecasts its own runs with the helpers here.
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

    /// The forecast for `run`, made by its experiment's task.
    public func estimate(_ run: RunSpec) -> Estimate { run.experiment.settings.estimate(run, with: self) }

    /// A forecast from FLOPs done at `efficiency` of peak, plus fixed `overhead` seconds and `bytes` above the baseline.
    func forecast(flops: Double, efficiency: Double, bytes: Double, overhead: Double) -> Estimate {
        Estimate(seconds: flops / (max(peakGFLOPs, 1) * 1e9 * efficiency) + overhead, bytes: baseBytes + bytes, flops: flops)
    }

    /// Non-embedding parameters of one block: QKV + output (4C²) and the feed-forward (2·C·hidden).
    static func blockParameters(modelDim: Int, hiddenDim: Int) -> Double {
        let c = Double(modelDim)
        return 4 * c * c + 2 * c * Double(hiddenDim)
    }

    /// The cost the mechanism of `spec` states for sequences of `length` with `heads` heads of `headDim`.
    static func attentionCost(_ spec: AttentionSpec, length: Int, heads: Int, headDim: Int) -> AttentionCost {
        spec.cost(length: max(length, 1), heads: heads, headDim: headDim)
    }

    /// Forward FLOPs of attention mixing for one sequence of length t per layer (causal).
    static func attentionForward(_ spec: AttentionSpec, t: Double, c: Double, headDim: Double) -> Double {
        let heads = Int((c / headDim).rounded())
        return t * attentionCost(spec, length: Int(t.rounded()), heads: heads, headDim: Int(headDim.rounded())).flopsPerToken
    }

    /// FLOPs of forward+backward (≈ 3× forward) for `sequences` sequences of `length` through a decoder-only model.
    static func trainingFLOPs(_ m: ModelConfig, length: Int, sequences: Double) -> Double {
        let c = Double(m.modelDim), l = Double(m.numLayers), t = Double(length)
        let dense = 2 * (l * blockParameters(modelDim: m.modelDim, hiddenDim: m.hiddenDim) + Double(m.vocabSize) * c) * t
        let mix = l * attentionForward(m.attentionSpec, t: t, c: c, headDim: c / Double(m.numHeads))
        return 3 * sequences * (dense + mix)
    }

    /// The forecast of training a decoder-only model (`steps` batches of `batchSize` sequences of `length`,
    /// plus evaluations of `evalSequences` sequences each).
    func training(_ m: ModelConfig, length: Int, steps: Int, batchSize: Int, evaluations: Int, evalSequences: Int) -> Estimate {
        let flops = Estimator.trainingFLOPs(m, length: length, sequences: Double(steps * batchSize))
            + Estimator.trainingFLOPs(m, length: length, sequences: Double(evaluations * evalSequences)) / 3
        let c = Double(m.modelDim), l = Double(m.numLayers)
        var bytes = 16 * (l * Estimator.blockParameters(modelDim: m.modelDim, hiddenDim: m.hiddenDim) + Double(m.vocabSize + length) * c)
        bytes += Double(batchSize * length) * (c * l * 20 + Double(m.vocabSize) * 2) * 4
        // Calibrated on the full linear-attention and expressive-power runs (AMD EPYC Zen 4, 2 threads, quiet): width-256
        // character and copy models ran at ~0.5–0.6 of the FMA peak by this FLOP count (forecasts at 0.2 were 3–3.7×
        // high), widths 32–96 at ~0.4–0.6 (forecasts at 0.08 were 5–8× high); the new values stay slightly pessimistic.
        return forecast(flops: flops, efficiency: m.modelDim >= 128 ? 0.5 : 0.3, bytes: bytes, overhead: 0.05 + Double(steps) * 1e-3)
    }
}
