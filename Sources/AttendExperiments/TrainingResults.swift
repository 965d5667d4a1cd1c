import Foundation

/// The results part of a training experiment's report section, shared by the training tasks.
enum TrainingResults {
    /// Above this many seed curves a loss chart draws one mean curve per variant instead.
    static let maxSeries = 12

    /// Reference lines for the data's controls stored with the runs (value key → label), from the first run that has each.
    static func floors(_ records: [RunRecord], _ w: ReportWords, _ keys: [String: String]) -> [SVGPlot.Reference] {
        keys.keys.sorted().compactMap { key in
            records.lazy.compactMap { $0.values[key] }.first.map { SVGPlot.Reference("\(w(keys[key]!)) \(w.number($0))", $0) }
        }
    }

    /// The results table, loss curves and per-variant bars of a training experiment.
    /// `extra` is an optional second value per run (name, values key), e.g. test bits/dim; the per-variant chart then
    /// shows it, with `extraReferences` (its controls, in its own units) instead of `references` (the curve's).
    /// `comparison` (a label and its samples, e.g. another experiment's seeds) is drawn as the chart's first row.
    static func section(_ e: Experiment, _ rs: [RunRecord], _ figures: inout [String: String], _ w: ReportWords, curve: String, what: String,
                        extra: (name: String, key: String)? = nil, references: [SVGPlot.Reference] = [],
                        extraReferences: [SVGPlot.Reference] = [], comparison: (label: String, values: [Double])? = nil) -> String {
        var md = "| \(w("variant")) | \(w("seed")) | \(w("final eval loss (nats)")) |\(extra.map { " \(w($0.name)) |" } ?? "") \(w("train tokens/s")) |\n|---|---|---|\(extra == nil ? "" : "---|")---|\n"
        var curves: [String: [(Double, Double)]] = [:]
        let seeds = Set(rs.compactMap { $0.parameters["seed"] })
        var labels: [String] = []
        for r in rs {
            let label = Sweep.label(r.parameters), s = r.parameters["seed"] ?? "?"
            if !labels.contains(label) { labels.append(label) }
            md += "| \(label) | \(s) | \(w.number(r.values["finalEvalLoss"] ?? .nan)) |\(extra.map { " \(w.number(r.values[$0.key] ?? .nan)) |" } ?? "") \(w.number(r.timings["tokensPerSecond"] ?? .nan)) |\n"
            curves[seeds.count > 1 ? "\(label) \(w("seed")) \(s)" : label] = (r.curves[curve] ?? []).map { ($0[0], $0[1]) }
        }
        // Many variants × seeds make an unreadable tangle: then one line per variant, the mean over its seeds at each
        // step (the per-variant chart below keeps every seed's final value and the spread).
        if seeds.count > 1 && curves.count > Self.maxSeries {
            curves = [:]
            for label in labels {
                let runs = rs.filter { Sweep.label($0.parameters) == label }
                var sums: [Double: (sum: Double, count: Int)] = [:]
                for r in runs { for point in r.curves[curve] ?? [] { sums[point[0], default: (0, 0)].sum += point[1]; sums[point[0], default: (0, 0)].count += 1 } }
                curves[w.f("%@ (mean of %@ seeds)", label, "\(runs.count)")] = sums.keys.sorted().map { ($0, sums[$0]!.sum / Double(sums[$0]!.count)) }
            }
        }
        let curveName = "\(e.name)-loss.svg"
        figures[curveName] = SVGPlot.lines(curves, title: w.f("%@: %@ during training", e.name, w(what)), xLabel: w("step"), yLabel: w(what), logX: false, references: references)
        func interval(_ label: String, _ f: (RunRecord) -> Double?) -> SVGPlot.Interval? {
            SVGPlot.Interval(rs.filter { Sweep.label($0.parameters) == label }.compactMap(f))
        }
        let key = extra?.key ?? "finalEvalLoss"
        let barName = "\(e.name)-final.svg"
        let compared = comparison.map { [(label: $0.label, value: SVGPlot.Interval($0.values))] } ?? []
        figures[barName] = SVGPlot.dots(compared + labels.map { l in (l, interval(l) { $0.values[key] }) },
                                        title: w.f("%@: %@ by variant (mean, range over seeds)", e.name, w(extra?.name ?? "final evaluation loss")),
                                        xLabel: w(extra?.name ?? "nats"), references: extra == nil ? references : extraReferences)
        let speedName = "\(e.name)-speed.svg"
        figures[speedName] = SVGPlot.dots(labels.map { l in (l, interval(l) { $0.timings["tokensPerSecond"] }) },
                                          title: w.f("%@: training throughput", e.name), xLabel: w("tokens/s"))
        if !references.isEmpty {
            md += "\n" + w.f("Controls computed from the data (models that use no context, or only the previous token): %@.", references.map(\.label).joined(separator: ", ")) + "\n"
        }
        md += "\n![\(w("loss curves"))](\(curveName))\n![\(w("final"))](\(barName))\n![\(w("speed"))](\(speedName))\n\n"
        return md
    }

}
