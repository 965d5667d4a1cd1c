import Attend
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// The geometry of a rendered SVG: canvas size, text boxes (by the width model the layout uses) and
/// every drawn point.
final class FigureGeometry: NSObject, XMLParserDelegate {
    var width = 0.0, height = 0.0
    var texts: [(text: String, box: (x0: Double, y0: Double, x1: Double, y1: Double))] = []
    var points: [(Double, Double)] = []
    private var pending: [String: String]?
    private var content = ""

    init(_ svg: String) {
        super.init()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = self
        precondition(parser.parse(), "not well-formed SVG")
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes a: [String: String]) {
        func d(_ k: String) -> Double { Double(a[k] ?? "") ?? 0 }
        switch name {
        case "svg": width = d("width"); height = d("height")
        case "text": pending = a; content = ""
        case "circle": points += [(d("cx") - d("r"), d("cy") - d("r")), (d("cx") + d("r"), d("cy") + d("r"))]
        case "rect" where a["width"] != "100%": points += [(d("x"), d("y")), (d("x") + d("width"), d("y") + d("height"))]
        case "line": points += [(d("x1"), d("y1")), (d("x2"), d("y2"))]
        case "polyline", "polygon":
            for pair in (a["points"] ?? "").split(separator: " ") {
                let xy = pair.split(separator: ",").compactMap { Double($0) }
                if xy.count == 2 { points.append((xy[0], xy[1])) }
            }
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { if pending != nil { content += string } }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        guard name == "text", let a = pending else { return }
        pending = nil
        let size = Double(a["font-size"] ?? "") ?? 12, w = SVGPlot.textWidth(content, size: size)
        let x = Double(a["x"] ?? "") ?? 0, y = Double(a["y"] ?? "") ?? 0
        if a["transform"]?.hasPrefix("rotate(-90") == true {
            texts.append((content, (x - 0.8 * size, y - w / 2, x + 0.25 * size, y + w / 2)))
            return
        }
        let x0: Double
        switch a["text-anchor"] {
        case "middle": x0 = x - w / 2
        case "end": x0 = x - w
        default: x0 = x
        }
        texts.append((content, (x0, y - 0.8 * size, x0 + w, y + 0.25 * size)))
    }

    /// Problems: anything outside the canvas, overlapping text.
    var problems: [String] {
        var out: [String] = []
        for (t, b) in texts where b.x0 < 0 || b.y0 < 0 || b.x1 > width || b.y1 > height {
            out.append("text '\(t)' \(b) leaves the \(width)×\(height) canvas")
        }
        for (x, y) in points where x < -0.5 || y < -0.5 || x > width + 0.5 || y > height + 0.5 {
            out.append("point (\(x), \(y)) outside the \(width)×\(height) canvas")
        }
        for i in texts.indices {
            for j in texts.indices where j > i {
                let a = texts[i].box, b = texts[j].box
                if a.x0 < b.x1 - 0.5 && b.x0 < a.x1 - 0.5 && a.y0 < b.y1 - 0.5 && b.y0 < a.y1 - 0.5 {
                    out.append("'\(texts[i].text)' overlaps '\(texts[j].text)'")
                }
            }
        }
        return out
    }
}

@Suite("Report figures")
struct FigureTests {
    /// Every figure kind, with long names, log axes chosen automatically, fits and references.
    static let figures: [(String, String)] = {
        let lengths: [Double] = [128, 256, 512, 1024, 2048, 4096, 8192, 16384]
        var scaling: [String: [(Double, Double)]] = [:]
        for (i, k) in ["softmax", "linear", "linear-favor", "correlation"].enumerated() {
            let exponent: Double = i == 0 ? 2 : 1.1
            scaling[k] = lengths.map { t in (t, 0.0004 * pow(t, exponent) * Double(i + 1)) }
        }
        scaling["softmax fit s=1.96"] = lengths.suffix(4).map { t in (t, 0.0004 * t * t) }
        var curves: [String: [(Double, Double)]] = [:]
        for s in 1...3 {
            for k in ["softmax", "linear-relu"] {
                let offset = 0.01 * Double(s)
                curves["\(k) seed \(s)"] = (0...16).map { (i: Int) -> (Double, Double) in
                    let x = Double(i * 50), y: Double = 2.5 - 0.02 * Double(i) - offset
                    return (x, y)
                }
            }
        }
        return [
            ("scaling", SVGPlot.lines(scaling, title: "Forward+backward time (B 1, H 8, D 64)", xLabel: "sequence length T", yLabel: "ms",
                                      dashed: ["softmax fit s=1.96"])),
            ("curves", SVGPlot.lines(curves, title: "copy: loss during training", xLabel: "step", yLabel: "copy-part loss (nats)",
                                     references: [SVGPlot.Reference("chance (uniform over 10 symbols)", log(10)), SVGPlot.Reference("bigram floor", 2.3)])),
            ("bars", SVGPlot.bars(categories: ["784 tok, b1", "784 tok, b8", "3072 tok, b1", "3072 tok, b8", "12288 tokens, batch 64"],
                                  series: [("linear (recurrent state)", [1.7, 2.6, 0.4, 0.7, 0.2]), ("softmax (KV cache)", [1.3, 1.6, 0.2, 0.1, 0.05]),
                                           ("softmax (no cache, recompute)", [0.03, 0.04, 0.002, 0.0017, nil])],
                                  title: "Generated sequences per second", yLabel: "sequences/s")),
            ("dots", SVGPlot.dots([("softmax", SVGPlot.Interval([0.95, 0.96, 0.955])), ("linear", SVGPlot.Interval([1.0, 1.01, 1.02])),
                                   ("hiddenDim=256, numHeads=8, post-ln", SVGPlot.Interval([0.97])), ("missing", nil)],
                                  title: "mnist: test bits/dim by variant (mean, range over seeds)", xLabel: "bits/dim",
                                  references: [SVGPlot.Reference("no-context control 3.1", 3.1), SVGPlot.Reference("threshold 1.05", 1.05)])),
            ("dots-off-axis", SVGPlot.dots(offAxisRows, title: "ablations: BLEU, beam by variant (mean, range over seeds)", xLabel: "BLEU, beam",
                                           references: [SVGPlot.Reference("copying the source 0.441", 0.441), SVGPlot.Reference("threshold 40", 40)])),
        ]
    }()

    static let offAxisRows: [(label: String, value: SVGPlot.Interval?)] = [
        ("baseline at update 2000 (3 seeds)", SVGPlot.Interval([33.5, 34.9, 35.0])), ("width-half", SVGPlot.Interval([29.3])),
        ("width-double", SVGPlot.Interval([37.5])),
    ]

    @Test("more series than palette colours: no two series share both colour and marker shape")
    func manySeries() {
        let names = (1...17).map { "variant-\($0)" }
        let colors = SVGPlot.colors(names), shapes = SVGPlot.markerShapes(colors)
        #expect(Set(colors).count == 10, "the palette has 10 colours")
        #expect(Set(zip(colors, shapes).map { "\($0) \($1)" }).count == 17)
        // Within the palette every series keeps its own colour and the shape of its index, as before.
        #expect(SVGPlot.markerShapes(["a", "b", "c", "d", "e"]) == [0, 1, 2, 3, 0])
        #expect(SVGPlot.markerShapes(["a", "b", "a", "a", "a"]) == [0, 1, 2, 3, 1])
    }

    @Test("a dot chart names a reference far from its dots below the axis instead of stretching the axis to it")
    func farReference() throws {
        let svg = try #require(Self.figures.first { $0.0 == "dots-off-axis" }?.1)
        // The control at 0.44 beside dots at 29–38 would force a log axis from 0.4 and squeeze the dots into its last tenth.
        #expect(!svg.contains("log scale") && svg.contains(">◂ copying the source 0.441 (off the axis)</text>"))
        #expect(svg.components(separatedBy: "stroke-dasharray").count == 2, "only the near reference (40) is drawn")
        let ticks = FigureGeometry(svg).texts.compactMap { Double($0.text) }
        #expect(ticks.count >= 3 && ticks.allSatisfy { (25...45).contains($0) }, "\(ticks)")
        #expect(SVGPlot.german(svg).contains("(außerhalb der Achse)"))
        // The split itself: near references stay on the axis on either side; far ones, and non-positive ones on a log axis, go below it.
        let near = SVGPlot.split([SVGPlot.Reference("a", 20), SVGPlot.Reference("b", 0.441), SVGPlot.Reference("c", 60)], near: [29.3, 37.5], log: false)
        #expect(near.near.map(\.label) == ["a", "c"] && near.far.map(\.label) == ["b"])
        let logged = SVGPlot.split([SVGPlot.Reference("a", 0.5), SVGPlot.Reference("b", -1), SVGPlot.Reference("c", 1e-7)], near: [1, 100], log: true)
        #expect(logged.near.map(\.label) == ["a"] && logged.far.map(\.label) == ["b", "c"])
    }

    @Test("every figure kind keeps its text and marks on the canvas, and no two labels overlap", arguments: figures.map(\.0))
    func geometry(name: String) throws {
        let svg = try #require(Self.figures.first { $0.0 == name }?.1)
        let g = FigureGeometry(svg)
        #expect(g.width > 0 && g.height > 0 && g.texts.count > 5)
        #expect(g.problems.isEmpty, "\(g.problems)")
    }

    @Test("the geometry check sees overlapping labels and marks off the canvas")
    func geometryCheckFails() {
        let svg = #"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"><text x="10" y="20">overlapping label</text><text x="40" y="22">another one</text><circle cx="199" cy="50" r="4"/><text x="150" y="90">cut off at the right edge</text></svg>"#
        let problems = FigureGeometry(svg).problems
        #expect(problems.contains { $0.contains("overlaps") })
        #expect(problems.contains { $0.contains("point") })
        #expect(problems.contains { $0.contains("cut off at the right edge") && $0.contains("leaves") })
    }

    @Test("ticks are round: multiples of 1, 2, 2.5 or 5 × 10^k inside the range; decades on log axes", arguments: [
        (0.2106, 1.64e4, false), (430.5, 1650.0, false), (1.98, 2.55, false), (-3.0, 7.0, false), (0.0, 1.0, false),
        (0.3, 3000.0, true), (120.0, 16384.0, true), (0.8, 1.2, true), (2.0, 30.0, true),
    ])
    func roundTicks(lo: Double, hi: Double, log: Bool) throws {
        let ticks = SVGPlot.ticks(lo, hi, log: log)
        #expect(ticks.count >= 2, "\(ticks)")
        func round(_ v: Double) -> Bool {
            let mantissa = abs(v) / pow(10, floor(log10(abs(v)) + 1e-12))
            return [1, 2, 2.5, 5, 10].contains { abs(mantissa - $0) < 1e-6 }
        }
        for t in ticks { #expect(t >= lo - 1e-9 * abs(lo) - 1e-12 && t <= hi * (1 + 1e-9) + 1e-12, "\(t) outside [\(lo), \(hi)]") }
        if log && ticks.allSatisfy({ [1, 2, 5].contains(($0 / pow(10, floor(log10($0) + 1e-12)) * 1e6).rounded() / 1e6) }) { return }
        // Linear (or a log axis under one decade): a round step, every tick a multiple of it.
        let step = ticks[1] - ticks[0]
        #expect(round(step), "step \(step) of \(ticks)")
        for (a, b) in zip(ticks, ticks.dropFirst()) { #expect(abs(b - a - step) < 1e-9 * max(1, abs(step))) }
        for t in ticks { #expect(abs(t / step - (t / step).rounded()) < 1e-6, "\(t) is not a multiple of \(step)") }
    }

    @Test("tick labels are short and exact")
    func tickLabels() {
        #expect(SVGPlot.format(16000) == "16k" && SVGPlot.format(2_000_000) == "2M" && SVGPlot.format(0.25) == "0.25")
        #expect(SVGPlot.format(1e-5) == "1e-5" && SVGPlot.format(500) == "500" && SVGPlot.format(2.5) == "2.5")
    }

    @Test("German figures write decimal commas in numeric labels and leave other text alone")
    func decimalComma() {
        let svg = SVGPlot.lines(["softmax v1.2": [(0, 2.25), (1, 2.5), (2, 3.0)]], title: "Verlust 0.5 pro Schritt", xLabel: "Schritt", yLabel: "nats")
        let german = SVGPlot.decimalComma(svg)
        let dotted = svg.matches(of: #/>[0-9]+\.[0-9]+</text>/#).count
        #expect(dotted > 0 && german.matches(of: #/>[0-9]+\.[0-9]+</text>/#).isEmpty
                && german.matches(of: #/>[0-9]+,[0-9]+</text>/#).count == dotted)
        #expect(german.contains("softmax v1.2") && german.contains("Verlust 0.5 pro Schritt"))  // legend and title untouched
        #expect(SVGPlot.decimalComma("<text>1.5k</text><text>-0.25</text><text>3</text>") == "<text>1,5k</text><text>-0,25</text><text>3</text>")
        let logPlot = SVGPlot.lines(["linear": [(256, 0.7), (4096, 16)]], title: "Zeit", xLabel: "Sequenzlänge T", yLabel: "ms", logX: true, logY: true)
        #expect(logPlot.contains("(log scale)") && !SVGPlot.german(logPlot).contains("(log scale)") && SVGPlot.german(logPlot).contains("(logarithmisch)"))
    }

    @Test("bars of one kind share its colour and stay apart: the second is drawn lighter, in the legend too")
    func sameKindBars() {
        let svg = SVGPlot.bars(categories: ["784 tok, b1"], series: [("linear (recurrent state)", [2.3]), ("softmax (KV cache)", [1.3]),
                                                                    ("softmax (no cache, recompute)", [0.03])], title: "t", yLabel: "sequences/s")
        #expect(svg.components(separatedBy: "fill-opacity=\"0.5\"").count - 1 == 2)  // the recomputing softmax's bar and legend box
        #expect(!svg.contains("fill-opacity=\"0.3\""))
    }

    @Test("an attention kind has one colour in every figure (its seeds and cache modes share it); a fit takes its series' colour; other series differ")
    func colours() {
        let a = SVGPlot.colors(["linear", "softmax"]), b = SVGPlot.colors(["linear (recurrent state)", "softmax (KV cache)", "softmax (no cache, recompute)"])
        let c = SVGPlot.colors(["correlation", "linear fit s=1.15", "linear", "softmax seed 2"], dashed: ["linear fit s=1.15"])
        #expect(a[0] == b[0] && a[0] == c[2] && c[1] == c[2])
        #expect(a[1] == b[1] && a[1] == c[3])
        #expect(Set(b).count == 2 && b[1] == b[2])  // one kind, one colour (the series differ by marker)
        #expect(Set([c[0], c[2], c[3]]).count == 3)
        let d = SVGPlot.colors(["linear seed 1", "linear seed 2", "softmax seed 1", "softmax seed 2", "base", "post-ln"])
        #expect(d[0] == d[1] && d[2] == d[3] && Set([d[0], d[2], d[4], d[5]]).count == 4)
    }
}

@Suite("Loss charts with many seed curves")
struct MeanCurveTests {
    @Test("above 12 seed curves a loss chart draws one mean curve per variant; the per-seed chart stays below that")
    func meanCurves() throws {
        let study = try ResultsStore(folder: TinyRun.folder).loadStudy()
        func records(seeds: Int) -> [RunRecord] {
            ["softmax", "linear"].flatMap { kind in
                (1...seeds).map { s -> RunRecord in
                    var r = record("copy", ["kind": kind, "seed": "\(s)"], values: ["finalEvalLoss": 1, "copyAccuracy": 0.5, "chanceAccuracy": 0.1])
                    r.curves["evalLoss"] = [[0, Double(10 * s)], [100, Double(s) * (kind == "softmax" ? 1 : 2)]]
                    return r
                }
            }
        }
        let many = try #require(Report(study: study, records: records(seeds: 7)).render().figures["copy-loss.svg"])
        #expect(many.contains("softmax (mean of 7 seeds)") && many.contains("linear (mean of 7 seeds)"))
        #expect(!many.contains("softmax seed 1"))
        let few = try #require(Report(study: study, records: records(seeds: 3)).render().figures["copy-loss.svg"])
        #expect(few.contains("softmax seed 1") && !few.contains("mean of"))
    }
}

@Suite("Coinciding lines")
struct CoincidingLineTests {
    @Test("a series drawn on top of an identical earlier one says so in the legend; a 2 % difference does not")
    func coinciding() {
        let a = [(1.0, 10.0), (2.0, 20.0), (4.0, 40.0)]
        let same = a.map { ($0.0, $0.1 * 1.005) }, apart = a.map { ($0.0, $0.1 * 1.02) }
        let svg = SVGPlot.lines(["linear": a, "linear-relu": same, "softmax": apart], title: "t", xLabel: "x", yLabel: "y")
        #expect(svg.contains(">linear-relu (≈ linear)<"))
        #expect(svg.contains(">softmax<") && !svg.contains("softmax (≈"))
    }
}
