import AttendModels
import AttendNN
import AttendTensor
import Foundation

/// How a generation run keeps its past: the mechanism's recurrent state (linear attention's (S, Z),
/// softmax's key–value cache) or none (the whole prefix is recomputed for every token).
public enum CacheMode: String, Codable, CaseIterable, Sendable {
    /// `state`: each new token updates the mechanism's recurrent state (or key–value cache);
    /// `recompute`: no state is kept and the whole prefix is run again for every new token.
    case state, recompute
}

/// One (attention kind, cache mode) pair of a generation experiment.
public struct GenerationVariant: Codable, Equatable, Sendable {
    /// Attention mechanism.
    public var kind: AttentionKind
    /// Recurrent state or recomputation.
    public var cache: CacheMode

    public init(from decoder: Decoder) throws {
        let c = try StrictContainer(decoder, allowed: ["kind", "cache"])
        kind = AttentionKind(rawValue: try c.choice("kind", from: AttentionKind.allCases.map(\.rawValue)))!
        cache = CacheMode(rawValue: try c.choice("cache", from: CacheMode.allCases.map(\.rawValue)))!
    }
}

/// `generation`: autoregressive generation speed of a random-weight decoder — one run per
/// (kind, cache) variant × tokens × batch.
struct GenerationExperiment: ExperimentTask {
    static let name = "generation"
    static let measuresSpeed = true
    static let keys = ["variants", "tokens", "batches", "model", "window", "measuredPrefixes"]
    static let listKeys = ["variants", "tokens", "batches"]

    /// (kind, cache) pairs compared.
    var variants: [GenerationVariant]
    /// Tokens generated per sequence.
    var tokens: [Int]
    /// Sequences generated at once.
    var batches: [Int]
    /// Model shape (random weights, vocabulary 256).
    var model: ModelShape
    /// Tokens per timing window (with state).
    var window: Int
    /// Without a cache: prefix lengths timed (evenly spaced).
    var measuredPrefixes: Int

    static let vocab = 256

    init(_ c: StrictContainer) throws {
        variants = try c("variants")
        if variants.isEmpty { throw c.invalid("variants", "must list at least one {kind, cache} pair") }
        tokens = try c.positiveList("tokens")
        batches = try c.positiveList("batches")
        model = try c("model")
        window = c.has("window") ? try c.positive("window") : 16
        measuredPrefixes = c.has("measuredPrefixes") ? try c.positive("measuredPrefixes") : 4
        if measuredPrefixes < 2 { throw c.invalid("measuredPrefixes", "must be at least 2, got \(measuredPrefixes)") }
    }

    func encode(to c: inout KeyedEncodingContainer<AnyKey>) throws {
        try c.encode(variants, forKey: AnyKey("variants"))
        try c.encode(tokens, forKey: AnyKey("tokens"))
        try c.encode(batches, forKey: AnyKey("batches"))
        try c.encode(model, forKey: AnyKey("model"))
        try c.encode(window, forKey: AnyKey("window"))
        try c.encode(measuredPrefixes, forKey: AnyKey("measuredPrefixes"))
    }

    func runs() -> [[String: String]] {
        variants.flatMap { v in tokens.flatMap { n in batches.map { b in
            ["kind": v.kind.rawValue, "cache": v.cache.rawValue, "tokens": "\(n)", "batch": "\(b)"] } } }
    }

    var blockParameters: Double { Estimator.blockParameters(modelDim: model.modelDim, hiddenDim: model.hiddenDim ?? 4 * model.modelDim) }

    func estimate(_ run: RunSpec, with estimator: Estimator) -> Estimate {
        let m = model, c = Double(m.modelDim), l = Double(m.numLayers), n = Double(run.int("tokens"))
        let b = Double(run.int("batch")), d = c / Double(m.numHeads), spec = AttentionSpec(kind: run.kind)
        let perToken = 2 * (l * blockParameters + Double(Self.vocab) * c)
        var bytes = 4 * (l * blockParameters + Double(Self.vocab + run.int("tokens") + 1) * c)
        var flops = 0.0, efficiency: Double, overhead = 0.05
        if run.parameters["cache"] == CacheMode.recompute.rawValue {
            // measuredPrefixes forward passes at evenly spaced prefix lengths up to n.
            for i in 1...measuredPrefixes {
                let p = n * Double(i) / Double(measuredPrefixes)
                flops += b * (perToken * p + l * Estimator.attentionForward(spec, t: p, c: c, headDim: d))
            }
            efficiency = 0.25
            bytes += b * n * c * 4 * 12
        } else {
            // A step at the mean position n/2; the state at the end, ×2 for the cache's spare capacity.
            let heads = m.numHeads, headDim = m.modelDim / m.numHeads
            let mix = l * Estimator.attentionCost(spec, length: run.int("tokens") / 2, heads: heads, headDim: headDim).stepFLOPs
            flops = b * n * (perToken + mix)
            efficiency = b >= 16 ? 0.03 : 0.012
            bytes += b * l * Estimator.attentionCost(spec, length: run.int("tokens"), heads: heads, headDim: headDim).stateBytes * 2
            overhead += n * 1e-4
        }
        return estimator.forecast(flops: flops, efficiency: efficiency, bytes: bytes, overhead: overhead)
    }

    func execute(_ run: RunSpec, in context: RunContext, record r: inout RunRecord) throws {
        let m = model
        let n = run.int("tokens"), b = run.int("batch")
        var rng = RandomGenerator(seed: 2)
        let config = ModelConfig(vocabSize: Self.vocab, contextLength: n + 1, modelDim: m.modelDim, numHeads: m.numHeads,
                                 numLayers: m.numLayers, hiddenDim: m.hiddenDim, attention: run.kind)
        let model = try DecoderOnly(config, rng: &rng)
        let totalMs: Double
        var series: [(Double, Double)]
        if run.parameters["cache"] == CacheMode.recompute.rawValue {
            // Measure a forward pass over the prefix at a few lengths; the sum over all positions is
            // interpolated (an estimate from measured tokens, stated as such in the report).
            let k = measuredPrefixes
            series = (1...k).map { i in
                let p = max(1, n * i / k)
                return (Double(p), AttentionTiming.recomputeToken(model: model, batch: b, prefix: p))
            }
            totalMs = AttentionTiming.integrate(series, tokens: n)
            r.values["estimatedFromPrefixes"] = Double(k)
        } else {
            series = try AttentionTiming.generateWithState(model: model, batch: b, tokens: n, window: min(window, n))
            totalMs = series.enumerated().reduce(0) { acc, p in
                let start = p.offset == 0 ? 0 : series[p.offset - 1].0
                return acc + p.element.1 * (p.element.0 - start)
            }
        }
        r.timingCurves["msPerToken"] = series.map { [$0.0, $0.1] }
        r.timings["totalSeconds"] = totalMs / 1000
        r.timings["msPerToken"] = totalMs / Double(n)
        r.timings["tokensPerSecond"] = Double(n * b) / (totalMs / 1000)
        r.timings["sequencesPerSecond"] = Double(b) / (totalMs / 1000)
        // Per-token cost constancy: median cost of the last quarter of the windows over the median of the
        // first quarter (window 0 holds warm-up and is skipped); medians resist timing noise.
        if series.count >= 2 {
            func median(_ v: [Double]) -> Double { let s = v.sorted(); return s[s.count / 2] }
            let costs = series.map(\.1), skip = series.count >= 3 ? 1 : 0
            let quarter = max(1, (costs.count - skip) / 4)
            r.timings["lastOverEarlyCost"] = median(Array(costs.suffix(quarter))) / median(Array(costs[skip..<(skip + quarter)]))
        }
    }

    func modelCells(_ w: ReportWords) -> String {
        "\(variants.map { "\($0.kind.rawValue) (\($0.cache.rawValue))" }.joined(separator: ", ")) | \(model.numLayers) | \(model.numHeads) | \(model.modelDim) | \(w.number(Double(model.numLayers) * blockParameters))"
    }

    func dataLine(_ name: String, _ w: ReportWords) -> String {
        w.f("random weights (seed 2), vocabulary %@ (pixel values), greedy decoding; %@ tokens per sequence, batch %@.", "\(Self.vocab)",
            tokens.map(String.init).joined(separator: ", "), batches.map(String.init).joined(separator: ", "))
    }

    func section(_ e: Experiment, records rs: [RunRecord], figures: inout [String: String], _ w: ReportWords) -> String {
        func capabilities(_ r: RunRecord) -> AttentionCapabilities? { AttentionKind(rawValue: r.parameters["kind"] ?? "")?.capabilities }
        func label(_ r: RunRecord) -> String { "\(r.parameters["kind"] ?? "?") (\(w(r.parameters["cache"] == "recompute" ? "no cache, recompute" : capabilities(r)?.stateName ?? "?")))" }
        var md = "| \(w("variant")) | \(w("tokens")) | \(w("batch")) | \(w("total s")) | \(w("ms/token step")) | \(w("tokens/s")) | \(w("sequences/s")) | \(w("per-token cost, last ÷ first quarter (medians)")) | \(w("time ÷ linear (recurrent) time")) |\n|---|---|---|---|---|---|---|---|---|\n"
        for n in tokens {
            for b in batches {
                let group = rs.filter { $0.parameters["tokens"] == "\(n)" && $0.parameters["batch"] == "\(b)" }
                let linear = group.first { capabilities($0)?.fixedSizeState == true && $0.parameters["cache"] == "state" }?.timings["totalSeconds"]
                for r in group {
                    let total = r.timings["totalSeconds"] ?? .nan
                    let est = r.parameters["cache"] == "recompute" ? " " + w.f("(estimated from %@ measured prefixes)", "\(measuredPrefixes)") : ""
                    md += "| \(label(r))\(est) | \(n) | \(b) | \(w.number(total)) | \(w.number(r.timings["msPerToken"] ?? .nan)) | \(w.number(r.timings["tokensPerSecond"] ?? .nan)) | \(w.number(r.timings["sequencesPerSecond"] ?? .nan)) | \(r.parameters["cache"] == "state" ? w.number(r.timings["lastOverEarlyCost"] ?? .nan) : "—") | \(linear.map { w.number(total / $0) + "×" } ?? "—") |\n"
                }
            }
        }
        // Per-token cost against position (batch = the first batch size), and sequences/s bars.
        for n in tokens {
            var series: [String: [(Double, Double)]] = [:]
            for r in rs where r.parameters["tokens"] == "\(n)" && r.parameters["batch"] == "\(batches[0])" {
                series[label(r)] = (r.timingCurves["msPerToken"] ?? []).map { ($0[0], $0[1]) }
            }
            let name = "\(e.name)-per-token-\(n).svg"
            figures[name] = SVGPlot.lines(series, title: w.f("Cost of each generated token, %@ tokens, batch %@", "\(n)", "\(batches[0])"), xLabel: w("position"), yLabel: w("ms per step"), logY: true)
            md += "\n![\(w("per-token cost"))](\(name))"
        }
        var categories: [String] = []
        for n in tokens { for b in batches { categories.append("\(n) tok, b\(b)") } }
        let labels = Array(Set(rs.map(label))).sorted()
        let bars = labels.map { v in
            (name: v, values: tokens.flatMap { n in batches.map { b in
                rs.first { label($0) == v && $0.parameters["tokens"] == "\(n)" && $0.parameters["batch"] == "\(b)" }?.timings["sequencesPerSecond"] } })
        }
        let barName = "\(e.name)-throughput.svg"
        figures[barName] = SVGPlot.bars(categories: categories, series: bars, title: w("Generated sequences per second"), yLabel: w("sequences/s"), logY: true)
        md += "\n![\(w("throughput"))](\(barName))\n\n"
        return md
    }
}
