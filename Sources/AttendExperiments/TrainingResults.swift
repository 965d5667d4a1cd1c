import Foundation

/// The results part of a training experiment's report section, shared by the training tasks.
enum TrainingResults {
    /// The results table, loss curves and per-variant bars of a training experiment.
    /// `extra` is an optional second value per run (name, values key), e.g. test bits/dim.
    static func section(_ e: Experiment, _ rs: [RunRecord], _ figures: inout [String: String], curve: String, what: String,
                        extra: (name: String, key: String)? = nil) -> String {
        var md = "| variant | seed | final eval loss (nats) |\(extra.map { " \($0.name) |" } ?? "") train tokens/s |\n|---|---|---|\(extra == nil ? "" : "---|")---|\n"
        var curves: [String: [(Double, Double)]] = [:]
        let seeds = Set(rs.compactMap { $0.parameters["seed"] })
        var labels: [String] = []
        for r in rs {
            let label = Sweep.label(r.parameters), s = r.parameters["seed"] ?? "?"
            if !labels.contains(label) { labels.append(label) }
            md += "| \(label) | \(s) | \(Report.number(r.values["finalEvalLoss"] ?? .nan)) |\(extra.map { " \(Report.number(r.values[$0.key] ?? .nan)) |" } ?? "") \(Report.number(r.timings["tokensPerSecond"] ?? .nan)) |\n"
            curves[seeds.count > 1 ? "\(label) seed \(s)" : label] = (r.curves[curve] ?? []).map { ($0[0], $0[1]) }
        }
        let curveName = "\(e.name)-loss.svg"
        figures[curveName] = SVGPlot.lines(curves, title: "\(e.name): \(what) during training", xLabel: "step", yLabel: what)
        func mean(_ label: String, _ f: (RunRecord) -> Double?) -> Double? {
            let v = rs.filter { Sweep.label($0.parameters) == label }.compactMap(f)
            return v.isEmpty ? nil : v.reduce(0, +) / Double(v.count)
        }
        let barName = "\(e.name)-final.svg"
        figures[barName] = SVGPlot.bars(categories: [extra?.name ?? "final eval loss"],
                                        series: labels.map { l in (name: l, values: [mean(l) { r in r.values[extra?.key ?? "finalEvalLoss"] }]) },
                                        title: "\(e.name): final result by variant", yLabel: extra == nil ? "nats" : extra!.name)
        let speedName = "\(e.name)-speed.svg"
        figures[speedName] = SVGPlot.bars(categories: ["training tokens/s"], series: labels.map { l in (name: l, values: [mean(l) { $0.timings["tokensPerSecond"] }]) },
                                          title: "\(e.name): training throughput", yLabel: "tokens/s")
        md += "\n![loss curves](\(curveName))\n![final](\(barName))\n![speed](\(speedName))\n\n"
        return md
    }

}
