import AttendNN
import Foundation

/// `attention-scaling`: forward+backward time and peak tensor memory of the attention mechanism alone
/// against sequence length — one run per kind × length on random Q, K, V [batch, heads, T, headDim].
struct AttentionScalingExperiment: ExperimentTask {
    static let name = "attention-scaling"
    static let measuresSpeed = true
    static let keys = ["kinds", "lengths", "batch", "heads", "headDim", "repeats", "materializedLengths"]
    static let listKeys = ["kinds", "lengths", "materializedLengths"]

    /// Attention kinds compared.
    var kinds: [AttentionKind]
    /// Sequence lengths T.
    var lengths: [Int]
    /// Batch B, heads H, head width D.
    var batch, heads, headDim: Int
    /// Timed calls (the best is kept).
    var repeats: Int
    /// Lengths at which softmax attention that materialises the T×T probabilities is also timed (the
    /// textbook form the paper's Fig. 1 compares with; its memory caps the lengths). When given, every
    /// run carries `implementation` = `fused` or `materialized`.
    var materializedLengths: [Int]

    init(_ c: StrictContainer) throws {
        kinds = try decodeKinds(c)
        lengths = try c.positiveList("lengths")
        batch = c.has("batch") ? try c.positive("batch") : 1
        heads = c.has("heads") ? try c.positive("heads") : 8
        headDim = c.has("headDim") ? try c.positive("headDim") : 64
        repeats = c.has("repeats") ? try c.positive("repeats") : 2
        materializedLengths = c.has("materializedLengths") ? try c.positiveList("materializedLengths") : []
    }

    func encode(to c: inout KeyedEncodingContainer<AnyKey>) throws {
        try c.encode(kinds, forKey: AnyKey("kinds"))
        try c.encode(lengths, forKey: AnyKey("lengths"))
        try c.encode(batch, forKey: AnyKey("batch"))
        try c.encode(heads, forKey: AnyKey("heads"))
        try c.encode(headDim, forKey: AnyKey("headDim"))
        try c.encode(repeats, forKey: AnyKey("repeats"))
        if !materializedLengths.isEmpty { try c.encode(materializedLengths, forKey: AnyKey("materializedLengths")) }
    }

    func runs() -> [[String: String]] {
        let fused = kinds.flatMap { k in lengths.map { ["kind": k.rawValue, "length": "\($0)"] } }
        if materializedLengths.isEmpty { return fused }
        return fused.map { $0.merging(["implementation": "fused"]) { a, _ in a } }
            + materializedLengths.map { ["kind": AttentionKind.softmax.rawValue, "length": "\($0)", "implementation": "materialized"] }
    }

    static func isMaterialized(_ parameters: [String: String]) -> Bool { parameters["implementation"] == "materialized" }

    func estimate(_ run: RunSpec, with estimator: Estimator) -> Estimate {
        let t = Double(run.int("length")), bh = Double(batch * heads), d = Double(headDim)
        let cost = Estimator.attentionCost(AttentionSpec(kind: run.kind), length: run.int("length"), heads: heads, headDim: headDim)
        // The materialising form holds the probabilities and their gradient, [B·H, T, T] each, and runs at about a third of the fused speed.
        let materialized = Self.isMaterialized(run.parameters)
        let working = materialized ? 3 * bh * t * t * 4 : Double(batch) * cost.workingBytes
        return estimator.forecast(flops: Double(batch) * t * cost.flopsPerToken * 3.5 * Double(repeats + 1),
                                  efficiency: cost.efficiency / (materialized ? 3 : 1), bytes: working + 12 * bh * t * d * 4, overhead: 0.05)
    }

    func execute(_ run: RunSpec, in context: RunContext, record r: inout RunRecord) throws {
        let (ms, bytes) = AttentionTiming.forwardBackward(kind: run.kind, batch: batch, heads: heads, length: run.int("length"),
                                                          headDim: headDim, repeats: repeats, materialized: Self.isMaterialized(run.parameters))
        r.timings["forwardBackwardMs"] = ms
        r.timings["peakTensorMB"] = bytes / 1e6
    }

    func modelCells(_ w: ReportWords) -> String {
        "\(kinds.map(\.rawValue).joined(separator: ", ")) | — | \(heads) | \(w.f("head dim %@", "\(headDim)")) | \(w.f("— (attention only, batch %@)", "\(batch)"))"
    }

    func dataLine(_ name: String, _ w: ReportWords) -> String {
        w.f("random normal Q, K, V of shape [%@, %@, T, %@], T ∈ {%@}, causal mask.", "\(batch)", "\(heads)", "\(headDim)",
            lengths.map(String.init).joined(separator: ", "))
    }

    /// A run's series name: its kind, or "softmax (materialized)".
    static func series(_ parameters: [String: String]) -> String {
        (parameters["kind"] ?? "?") + (isMaterialized(parameters) ? " (materialized)" : "")
    }

    static func points(_ rs: [RunRecord], kind: String, measure: String) -> [(Double, Double)] {
        rs.filter { series($0.parameters) == kind }.compactMap { r in
            guard let x = Double(r.parameters["length"] ?? ""), let y = r.measure(measure) else { return nil }
            return (x, y)
        }.sorted { $0.0 < $1.0 }
    }

    func section(_ e: Experiment, records rs: [RunRecord], figures: inout [String: String], _ w: ReportWords) -> String {
        let names = kinds.map(\.rawValue) + (materializedLengths.isEmpty ? [] : ["softmax (materialized)"])
        var md = "| T |" + names.map { " \($0) ms | \($0) MB |" }.joined() + "\n|---|" + String(repeating: "---|---|", count: names.count) + "\n"
        for t in Array(Set(lengths + materializedLengths)).sorted() {
            md += "| \(t) |"
            for k in names {
                let r = rs.first { Self.series($0.parameters) == k && $0.parameters["length"] == "\(t)" }
                md += " \(r?.timings["forwardBackwardMs"].map(w.number) ?? "—") | \(r?.timings["peakTensorMB"].map(w.number) ?? "—") |"
            }
            md += "\n"
        }
        md += "\n" + w("Log-log slopes (least squares on ln y = s·ln T + c):") + "\n\n| \(w("kind")) | \(w("time slope, upper half of T")) | \(w("time slope, all T")) | \(w("memory slope, upper half")) | \(w("memory slope, all T")) |\n|---|---|---|---|---|\n"
        var time: [String: [(Double, Double)]] = [:], memory: [String: [(Double, Double)]] = [:], dashed = Set<String>()
        for k in names {
            let tp = Self.points(rs, kind: k, measure: "forwardBackwardMs"), mp = Self.points(rs, kind: k, measure: "peakTensorMB")
            let tu = Metric.upperHalfSlope(tp), ta = Metric.logLogFit(tp), mu = Metric.upperHalfSlope(mp), ma = Metric.logLogFit(mp)
            md += "| \(k) | \(tu.map { w.number($0.slope) + " (T ≥ \(Int($0.from)))" } ?? "—") | \(ta.map { w.number($0.slope) } ?? "—") | \(mu.map { w.number($0.slope) } ?? "—") | \(ma.map { w.number($0.slope) } ?? "—") |\n"
            time[k] = tp; memory[k] = mp
            if let tu {
                let xs = tp.map(\.0).filter { $0 >= tu.from }
                time["\(k) fit s=\(String(format: "%.2f", tu.slope))"] = xs.map { ($0, exp(tu.intercept + tu.slope * log($0))) }
                dashed.insert("\(k) fit s=\(String(format: "%.2f", tu.slope))")
            }
        }
        let timeName = "\(e.name)-time.svg", memoryName = "\(e.name)-memory.svg"
        figures[timeName] = SVGPlot.lines(time, title: w.f("Forward+backward time (B %@, H %@, D %@)", "\(batch)", "\(heads)", "\(headDim)"), xLabel: w("sequence length T"), yLabel: "ms", logX: true, logY: true, dashed: dashed)
        figures[memoryName] = SVGPlot.lines(memory, title: w("Peak tensor memory, forward+backward"), xLabel: w("sequence length T"), yLabel: "MB", logX: true, logY: true)
        md += "\n![\(w("time"))](\(timeName))\n![\(w("memory"))](\(memoryName))\n\n"
        return md
    }
}
