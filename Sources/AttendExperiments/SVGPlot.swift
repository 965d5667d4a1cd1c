import AttendNN
import Foundation

/// SVG charts drawn by the project itself (no plotting dependency), for benchmarks and reports: line
/// charts, bar charts and dot plots with error bars. Ticks are round numbers (1, 2, 5 × 10ᵏ; decades on
/// log axes); an attention kind has one colour in every figure; markers differ by series so that a line
/// hidden under another still shows; margins and legends are sized from their text, so nothing is cut
/// off or overlaps (`textWidth` is the width model the layout and its tests share); reference lines
/// mark chance levels and thresholds.
public enum SVGPlot {
    /// A horizontal (line and bar charts) or vertical (dot plots) reference line: a chance level, a floor, a threshold.
    public struct Reference: Sendable {
        /// Text drawn next to the line, e.g. "chance".
        public var label: String
        /// Where the line is drawn, in data units of the value axis.
        public var value: Double
        /// A reference line labelled `label` at `value`.
        public init(_ label: String, _ value: Double) { self.label = label; self.value = value }
    }

    /// A dot-plot entry: the mean of some samples with its spread.
    public struct Interval: Sendable {
        /// Mean of the finite samples: where the dot is drawn.
        public var mean: Double
        /// Smallest finite sample: the left end of the error bar.
        public var low: Double
        /// Largest finite sample: the right end of the error bar.
        public var high: Double
        /// The finite samples, each drawn as a small circle.
        public var samples: [Double]
        /// The mean, minimum and maximum of `samples` (nil if none is finite).
        public init?(_ samples: [Double]) {
            let v = samples.filter(\.isFinite)
            guard !v.isEmpty else { return nil }
            mean = v.reduce(0, +) / Double(v.count); low = v.min()!; high = v.max()!; self.samples = v
        }
    }

    /// Colour-blind-safe colours (Okabe–Ito, then Tableau's remaining hues).
    static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#8C564B", "#7F7F7F", "#BCBD22"]
    static let fontSize = 12.0, titleSize = 15.0, rowHeight = 18.0

    /// Width of `text` at `size` px in the charts' sans-serif font, as the layout assumes it: 0.6 em per
    /// character is at least the advance width of every glyph the charts use except a few wide capitals.
    public static func textWidth(_ text: String, size: Double = 12) -> Double { Double(text.count) * size * 0.6 }

    /// The attention kind a series name starts with (`linear`, `linear (recurrent state)`, `softmax seed 2`), if any.
    static func kindPrefix(_ name: String) -> String? {
        AttentionKind.allCases.map(\.rawValue).sorted { $0.count > $1.count }
            .first { name == $0 || name.hasPrefix($0 + " ") || name.hasPrefix($0 + ",") }
    }

    /// The preferred colour of a series: its attention kind's own colour when the name starts with a kind,
    /// otherwise one derived from the name.
    static func preferredColor(_ name: String) -> Int {
        if let kind = kindPrefix(name), let index = AttentionKind.allCases.firstIndex(where: { $0.rawValue == kind }) {
            return index % palette.count
        }
        var hash: UInt64 = 0xcbf29ce484222325
        for b in name.utf8 { hash = (hash ^ UInt64(b)) &* 0x100000001b3 }
        return Int(hash % UInt64(palette.count))
    }

    /// Colours for the series of one figure. Series are grouped by attention kind (`softmax seed 1` and
    /// `softmax seed 2` are one group; they differ by marker) or, without a kind, by name; each group takes
    /// its preferred colour unless a group before it has it (then the next free one), so a kind keeps its
    /// colour across figures and different groups differ. A dashed series (a fit) takes the colour of the
    /// series its name extends (`linear fit s=1.15` → `linear`).
    public static func colors(_ names: [String], dashed: Set<String> = []) -> [String] {
        func group(_ name: String) -> String { kindPrefix(name).map { "kind:" + $0 } ?? name }
        var used = Set<Int>(), byGroup: [String: Int] = [:], out: [String] = []
        for name in names where !dashed.contains(name) && byGroup[group(name)] == nil {
            var c = preferredColor(name)
            if used.count < palette.count { while used.contains(c) { c = (c + 1) % palette.count } }
            used.insert(c)
            byGroup[group(name)] = c
        }
        for name in names {
            if !dashed.contains(name) { out.append(palette[byGroup[group(name)]!]); continue }
            let owner = names.filter { !dashed.contains($0) && name.hasPrefix($0 + " ") }.max { $0.count < $1.count }
            out.append(palette[owner.map { byGroup[group($0)]! } ?? preferredColor(name)])
        }
        return out
    }

    /// Round tick values covering [lo, hi]: multiples of 1, 2 or 5 × 10ᵏ (about `target` of them) on a
    /// linear axis; powers of ten on a log axis (with 2 and 5 between when the range is under two decades).
    /// Values are in data units (not logarithms).
    public static func ticks(_ lo: Double, _ hi: Double, log: Bool, target: Int = 5) -> [Double] {
        guard lo.isFinite, hi.isFinite, hi >= lo else { return [] }
        if log {
            guard lo > 0 else { return [] }
            let a = Int(floor(log10(lo) + 1e-9)), b = Int(ceil(log10(hi) - 1e-9))
            func inside(_ v: Double) -> Bool { v >= lo * 0.999 && v <= hi * 1.001 }
            let decades = (a...max(a, b)).map { pow(10, Double($0)) }.filter(inside)
            if decades.count >= 3 {
                let stride = max(1, Int(ceil(Double(decades.count) / Double(target + 1))))
                return decades.enumerated().filter { $0.offset % stride == 0 }.map(\.element)
            }
            let subdivided = (a...max(a, b)).flatMap { e in [1.0, 2, 5].map { $0 * pow(10, Double(e)) } }.filter(inside)
            if subdivided.count >= 2 { return subdivided }
            return ticks(lo, hi, log: false, target: 3)
        }
        let span = max(hi - lo, abs(hi) * 1e-9, 1e-12)
        let raw = span / Double(max(target, 1))
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw * 0.999 }!
        let first = ceil(lo / step - 1e-9), last = floor(hi / step + 1e-9)
        return stride(from: first, through: last, by: 1).map { ($0 * step * 1e9).rounded() / 1e9 }
    }

    /// A tick label: integers plainly (with k/M for thousands and millions), other values with the
    /// fewest decimals that show them, very small or large values in scientific form.
    public static func format(_ v: Double) -> String {
        if v == 0 { return "0" }
        let a = abs(v)
        if a >= 1e6 && a < 1e9, (v / 1e6).rounded() == v / 1e6 || a >= 1e7 { return trimmed(v / 1e6) + "M" }
        if a >= 1e4 && a < 1e6 { return trimmed(v / 1e3) + "k" }
        if a >= 1e9 || a < 1e-3 { return String(format: "%.0e", v).replacingOccurrences(of: "e+0", with: "e").replacingOccurrences(of: "e-0", with: "e-") }
        return trimmed(v)
    }

    /// The figure in German: the words SVGPlot adds itself (" (log scale)", " (off the axis)") and decimal commas in numeric labels
    /// (`decimalComma`). Titles, axis names and legends come from the caller, already in the report's language.
    public static func german(_ svg: String) -> String {
        decimalComma(svg.replacingOccurrences(of: " (log scale)</text>", with: " (logarithmisch)</text>")
            .replacingOccurrences(of: " (off the axis)", with: " (außerhalb der Achse)"))
    }

    /// The figure with German decimal commas in its numeric labels (ticks such as `2.5` or `1.5k` become `2,5`, `1,5k`);
    /// other text, such as legends and titles, is left alone.
    public static func decimalComma(_ svg: String) -> String {
        svg.replacing(#/>(-?[0-9]+)\.([0-9]+)([kM]?)</text>/#) { m in ">\(m.1),\(m.2)\(m.3)</text>" }
    }

    static func trimmed(_ v: Double) -> String {
        for decimals in 0...4 {
            let s = String(format: "%.\(decimals)f", v)
            if abs((Double(s) ?? v) - v) <= abs(v) * 1e-6 { return s }
        }
        return String(format: "%.4g", v)
    }

    /// Whether values spanning [lo, hi] read better on a log axis (all positive, ≥ 50× apart).
    static func wantsLog(_ values: [Double]) -> Bool {
        let v = values.filter(\.isFinite)
        guard let lo = v.min(), let hi = v.max(), lo > 0 else { return false }
        return hi / lo >= 50
    }

    static func header(_ width: Double, _ height: Double, _ title: String) -> String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="DejaVu Sans, Arial, sans-serif" font-size="\(Int(fontSize))">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(r(width / 2))" y="24" text-anchor="middle" font-size="\(Int(titleSize))">\(escape(title))</text>

        """
    }

    static func r(_ v: Double) -> String { String(format: "%.1f", v) }
    /// ` fill-opacity="…"` for a lighter fill, nothing at full opacity.
    static func opacity(_ o: Double) -> String { o < 1 ? " fill-opacity=\"\(o)\"" : "" }

    static func marker(_ index: Int, _ x: Double, _ y: Double, _ color: String) -> String {
        switch index % 4 {
        case 0: return "<circle cx=\"\(r(x))\" cy=\"\(r(y))\" r=\"3.5\" fill=\"\(color)\"/>\n"
        case 1: return "<rect x=\"\(r(x - 3.5))\" y=\"\(r(y - 3.5))\" width=\"7\" height=\"7\" fill=\"\(color)\"/>\n"
        case 2: return "<polygon points=\"\(r(x)),\(r(y - 4.5)) \(r(x + 4)),\(r(y + 3)) \(r(x - 4)),\(r(y + 3))\" fill=\"\(color)\"/>\n"
        default: return "<polygon points=\"\(r(x)),\(r(y - 4.5)) \(r(x + 4.5)),\(r(y)) \(r(x)),\(r(y + 4.5)) \(r(x - 4.5)),\(r(y))\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\"/>\n"
        }
    }

    /// Marker shapes for series of these colours: series i takes shape i mod 4 unless an earlier series of the same
    /// colour has it, then the next free one — so more series than palette colours stay distinguishable.
    public static func markerShapes(_ colors: [String]) -> [Int] {
        var used = Set<String>(), out: [Int] = []
        for (i, c) in colors.enumerated() {
            var m = i % 4
            for k in 0..<4 where !used.contains("\(c) \((i + k) % 4)") { m = (i + k) % 4; break }
            used.insert("\(c) \(m)")
            out.append(m)
        }
        return out
    }

    /// A legend at (x, top): one row per entry (markers of `shapes`, else of each entry's index); returns the SVG.
    static func legend(_ names: [String], _ colors: [String], x: Double, top: Double, dashed: Set<String> = [], box: Bool = false,
                       opacities: [Double] = [], shapes: [Int]? = nil) -> String {
        var svg = ""
        for (i, name) in names.enumerated() {
            let y = top + rowHeight * Double(i)
            if box {
                svg += "<rect x=\"\(r(x))\" y=\"\(r(y - 6))\" width=\"20\" height=\"12\" fill=\"\(colors[i])\"\(opacity(i < opacities.count ? opacities[i] : 1))/>"
            } else {
                svg += "<line x1=\"\(r(x))\" y1=\"\(r(y))\" x2=\"\(r(x + 20))\" y2=\"\(r(y))\" stroke=\"\(colors[i])\" stroke-width=\"2\"\(dashed.contains(name) ? " stroke-dasharray=\"6 4\"" : "")/>"
                if !dashed.contains(name) { svg += marker(shapes?[i] ?? i, x + 10, y, colors[i]) }
            }
            svg += "<text x=\"\(r(x + 26))\" y=\"\(r(y + 4))\">\(escape(name))</text>\n"
        }
        return svg
    }

    /// Axis frame, value ticks and grid, axis titles; returns the SVG. `py` maps a data value to y.
    static func frame(left: Double, right: Double, top: Double, bottom: Double, width: Double, height: Double,
                      yTicks: [Double], py: (Double) -> Double, xLabel: String, yLabel: String) -> String {
        var svg = "<line x1=\"\(r(left))\" y1=\"\(r(bottom))\" x2=\"\(r(right))\" y2=\"\(r(bottom))\" stroke=\"black\"/>\n"
        svg += "<line x1=\"\(r(left))\" y1=\"\(r(top))\" x2=\"\(r(left))\" y2=\"\(r(bottom))\" stroke=\"black\"/>\n"
        for t in yTicks {
            let y = py(t)
            svg += "<line x1=\"\(r(left))\" y1=\"\(r(y))\" x2=\"\(r(right))\" y2=\"\(r(y))\" stroke=\"#e4e4e4\"/>"
            svg += "<text x=\"\(r(left - 6))\" y=\"\(r(y + 4))\" text-anchor=\"end\">\(format(t))</text>\n"
        }
        if !xLabel.isEmpty { svg += "<text x=\"\(r((left + right) / 2))\" y=\"\(r(height - 10))\" text-anchor=\"middle\">\(escape(xLabel))</text>\n" }
        let mid = (top + bottom) / 2
        svg += "<text x=\"16\" y=\"\(r(mid))\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(r(mid)))\">\(escape(yLabel))</text>\n"
        return svg
    }

    /// Horizontal reference lines with their labels inside the plot's right end (labels pushed apart when close).
    static func referenceLines(_ refs: [Reference], left: Double, right: Double, top: Double, bottom: Double, py: (Double) -> Double) -> String {
        var svg = "", lastLabelY = -Double.infinity
        for ref in refs.sorted(by: { py($0.value) > py($1.value) }) {
            let y = py(ref.value)
            guard y.isFinite, y >= top - 0.5, y <= bottom + 0.5 else { continue }
            svg += "<line x1=\"\(r(left))\" y1=\"\(r(y))\" x2=\"\(r(right))\" y2=\"\(r(y))\" stroke=\"#555\" stroke-dasharray=\"3 3\"/>\n"
            var ly = y - 4
            if lastLabelY.isFinite && lastLabelY - ly < rowHeight { ly = lastLabelY - rowHeight }
            ly = max(ly, top + fontSize)
            svg += "<text x=\"\(r(right - 4))\" y=\"\(r(ly))\" text-anchor=\"end\" fill=\"#444\">\(escape(ref.label))</text>\n"
            lastLabelY = ly
        }
        return svg
    }

    /// A line chart of each named series of (x, y) points. `logX`/`logY` nil chooses a log axis when the
    /// values span ≥ 50×; non-positive values are dropped on log axes. `dashed` series (fits) are drawn
    /// dashed without markers; `references` are horizontal lines (chance, floors, thresholds).
    public static func lines(_ series: [String: [(Double, Double)]], title: String, xLabel: String, yLabel: String,
                             logX: Bool? = nil, logY: Bool? = nil, width: Double = 720, height: Double = 440,
                             dashed: Set<String> = [], references: [Reference] = []) -> String {
        let names = series.keys.sorted()
        let allX = names.flatMap { series[$0]!.map(\.0) }, allY = names.flatMap { series[$0]!.map(\.1) } + references.map(\.value)
        let lx = logX ?? wantsLog(allX), ly = logY ?? wantsLog(allY)
        func tx(_ v: Double) -> Double? { lx ? (v > 0 ? log10(v) : nil) : v }
        func ty(_ v: Double) -> Double? { ly ? (v > 0 ? log10(v) : nil) : v }
        let points = names.map { name in series[name]!.compactMap { p -> (Double, Double)? in
            guard let x = tx(p.0), let y = ty(p.1), x.isFinite, y.isFinite else { return nil }
            return (x, y)
        }.sorted { $0.0 < $1.0 } }
        let xs = points.flatMap { $0.map(\.0) }
        let ys = points.flatMap { $0.map(\.1) } + references.compactMap { ty($0.value) }
        var (x0, x1) = (xs.min() ?? 0, xs.max() ?? 1), (y0, y1) = (ys.min() ?? 0, ys.max() ?? 1)
        if x1 - x0 < 1e-12 { x0 -= 0.5; x1 += 0.5 }
        if y1 - y0 < 1e-12 { y0 -= 0.5; y1 += 0.5 }
        let yPad = (y1 - y0) * 0.06
        y0 -= yPad; y1 += yPad
        if !ly, (ys.min() ?? 0) >= 0, y0 < 0 { y0 = 0 }
        let xTicks = ticks(lx ? pow(10, x0) : x0, lx ? pow(10, x1) : x1, log: lx, target: 6)
        let yTicks = ticks(ly ? pow(10, y0) : y0, ly ? pow(10, y1) : y1, log: ly, target: 5)
        let colors = colors(names, dashed: dashed), shapes = markerShapes(colors)
        // A series that coincides with an earlier one (same x values, every y within 1 %) is drawn on top of it; its
        // legend entry says so ("b (≈ a)"), since the earlier line then shows only as a border.
        let sortedSeries = names.map { series[$0]!.sorted { $0.0 < $1.0 } }
        func coincide(_ a: [(Double, Double)], _ b: [(Double, Double)]) -> Bool {
            a.count == b.count && a.count > 1 && zip(a, b).allSatisfy { p, q in
                p.0 == q.0 && abs(p.1 - q.1) <= 0.01 * max(abs(p.1), abs(q.1))
            }
        }
        let legendNames = names.enumerated().map { i, name -> String in
            guard !dashed.contains(name), let j = (0..<i).first(where: { !dashed.contains(names[$0]) && coincide(sortedSeries[$0], sortedSeries[i]) }) else { return name }
            return "\(name) (≈ \(names[j]))"
        }
        let legendWidth = names.isEmpty ? 0 : 26 + (legendNames.map { textWidth($0) }.max() ?? 0) + 16
        let left = 30 + (yTicks.map { textWidth(format($0)) }.max() ?? 20) + 10
        var width = width, height = height
        if width - left - legendWidth < 360 { width = left + legendWidth + 360 }
        let top = 44.0
        height = max(height, top + rowHeight * Double(names.count) + 60)
        let right = width - legendWidth - 12, bottom = height - 50
        func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * (right - left) }
        func py(_ y: Double) -> Double { bottom - (y - y0) / (y1 - y0) * (bottom - top) }
        func pyData(_ v: Double) -> Double { ty(v).map(py) ?? .nan }
        var svg = header(width, height, title)
        svg += frame(left: left, right: right, top: top, bottom: bottom, width: width, height: height, yTicks: yTicks, py: pyData,
                     xLabel: xLabel + (lx ? " (log scale)" : ""), yLabel: yLabel + (ly ? " (log scale)" : ""))
        // x tick labels, thinned until they do not touch.
        var shown = xTicks
        func crowded(_ t: [Double]) -> Bool {
            zip(t, t.dropFirst()).contains { a, b in
                px(tx(b)!) - px(tx(a)!) < (textWidth(format(a)) + textWidth(format(b))) / 2 + 8
            }
        }
        while shown.count > 2 && crowded(shown) { shown = shown.enumerated().filter { $0.offset % 2 == 0 }.map(\.element) }
        for t in shown {
            guard let v = tx(t) else { continue }
            svg += "<line x1=\"\(r(px(v)))\" y1=\"\(r(bottom))\" x2=\"\(r(px(v)))\" y2=\"\(r(bottom + 4))\" stroke=\"black\"/>"
            svg += "<text x=\"\(r(px(v)))\" y=\"\(r(bottom + 17))\" text-anchor=\"middle\">\(format(t))</text>\n"
        }
        svg += referenceLines(references, left: left, right: right, top: top, bottom: bottom, py: pyData)
        // Earlier series are drawn wider, so a series hidden under a later one still shows as a border.
        let solid = names.filter { !dashed.contains($0) }.count
        for (i, name) in names.enumerated() {
            let pts = points[i], dash = dashed.contains(name)
            let rank = names[..<i].filter { !dashed.contains($0) }.count
            let widthOfLine = dash ? 2 : 2 + 3 * Double(solid - 1 - rank) / Double(max(solid - 1, 1))
            if pts.count > 1 {
                svg += "<polyline fill=\"none\" stroke=\"\(colors[i])\" stroke-width=\"\(r(widthOfLine))\"\(dash ? " stroke-dasharray=\"6 4\"" : "") points=\"\(pts.map { "\(r(px($0.0))),\(r(py($0.1)))" }.joined(separator: " "))\"/>\n"
            }
            if !dash { for p in pts { svg += marker(shapes[i], px(p.0), py(p.1), colors[i]) } }
        }
        svg += legend(legendNames, colors, x: right + 16, top: top + 6, dashed: dashed, shapes: shapes)  // dashed series keep their names
        return svg + "</svg>\n"
    }

    /// A bar chart: one group per category, one bar per series within each group (missing values leave a
    /// gap). `logY` nil chooses a log axis when values span ≥ 50×. Category labels that would touch are
    /// dropped to a second row.
    public static func bars(categories: [String], series: [(name: String, values: [Double?])], title: String, yLabel: String,
                            logY: Bool? = nil, width: Double = 720, height: Double = 440, references: [Reference] = []) -> String {
        let all = series.flatMap { $0.values.compactMap { $0 } }.filter(\.isFinite)
        let ly = logY ?? wantsLog(all)
        let values = all.filter { !ly || $0 > 0 } + references.map(\.value).filter { !ly || $0 > 0 }
        func ty(_ v: Double) -> Double { ly ? log10(v) : v }
        var y0 = ly ? floor(ty(values.min() ?? 1)) : min(0, values.min() ?? 0)
        var y1 = ly ? ceil(ty(values.max() ?? 10)) : (values.max() ?? 1) * 1.1
        if y1 - y0 < 1e-12 { y0 -= 0.5; y1 += 0.5 }
        let yTicks = ticks(ly ? pow(10, y0) : y0, ly ? pow(10, y1) : y1, log: ly, target: 5)
        if let last = yTicks.last, !ly { y1 = max(y1, last) }
        let names = series.map(\.name), colors = colors(names)
        // Series of one kind share its colour (a cached and a recomputing softmax): later ones are drawn lighter.
        let opacities = colors.indices.map { i in [1.0, 0.5, 0.3][min(colors[..<i].filter { $0 == colors[i] }.count, 2)] }
        let legendWidth = names.isEmpty ? 0 : 26 + (names.map { textWidth($0) }.max() ?? 0) + 16
        let left = 30 + (yTicks.map { textWidth(format($0)) }.max() ?? 20) + 10
        var width = width
        if width - left - legendWidth < 360 { width = left + legendWidth + 360 }
        let top = 44.0, height = max(height, top + rowHeight * Double(names.count) + 80)
        let right = width - legendWidth - 12, bottom = height - 60
        func py(_ v: Double) -> Double { bottom - (ty(v) - y0) / (y1 - y0) * (bottom - top) }
        var svg = header(width, height, title)
        svg += frame(left: left, right: right, top: top, bottom: bottom, width: width, height: height, yTicks: yTicks, py: py,
                     xLabel: "", yLabel: yLabel + (ly ? " (log scale)" : ""))
        let groupWidth = (right - left) / Double(max(categories.count, 1))
        let barWidth = groupWidth * 0.8 / Double(max(series.count, 1))
        let twoRows = categories.contains { textWidth($0) > groupWidth - 6 }
        for (g, category) in categories.enumerated() {
            let gx = left + groupWidth * Double(g)
            let row = twoRows ? Double(g % 2) : 0
            svg += "<text x=\"\(r(gx + groupWidth / 2))\" y=\"\(r(bottom + 17 + row * 16))\" text-anchor=\"middle\">\(escape(category))</text>\n"
            for (s, entry) in series.enumerated() {
                guard g < entry.values.count, let v = entry.values[g], v.isFinite, !ly || v > 0 else { continue }
                let x = gx + groupWidth * 0.1 + barWidth * Double(s)
                let base = ly ? bottom : py(0), yv = py(v)
                svg += "<rect x=\"\(r(x))\" y=\"\(r(min(yv, base)))\" width=\"\(r(barWidth))\" height=\"\(r(abs(base - yv)))\" fill=\"\(colors[s])\"\(opacity(opacities[s]))/>\n"
            }
        }
        svg += referenceLines(references, left: left, right: right, top: top, bottom: bottom, py: py)
        svg += legend(names, colors, x: right + 16, top: top + 6, box: true, opacities: opacities)
        return svg + "</svg>\n"
    }

    /// A dot plot: one row per label with its mean (marker), its spread (a bar from low to high) and each
    /// sample (small open circles), on a value axis that spans the data rather than starting at zero, so
    /// small differences stay visible; `references` are vertical lines (chance, floors, thresholds).
    public static func dots(_ rows: [(label: String, value: Interval?)], title: String, xLabel: String,
                            logX: Bool? = nil, width: Double = 720, references: [Reference] = []) -> String {
        let data = rows.compactMap(\.value).flatMap { [$0.low, $0.high] + $0.samples }
        // A reference far from the data (a control at 0.4 BLEU beside variants at 29–38) would squeeze the dots into a
        // sliver of the axis, or force a log scale, and hide the differences the chart is for: it is named below the
        // axis instead ("off the axis"). Far: more than three data spans beyond the data, on the data's own scale.
        let (references, offAxis) = split(references, near: data, log: logX ?? wantsLog(data))
        let values = data + references.map(\.value)
        let lx = logX ?? wantsLog(values)
        func tx(_ v: Double) -> Double? { lx ? (v > 0 ? log10(v) : nil) : v }
        let xs = values.compactMap(tx)
        var (x0, x1) = (xs.min() ?? 0, xs.max() ?? 1)
        if x1 - x0 < 1e-12 { x0 -= 0.5; x1 += 0.5 }
        let pad = (x1 - x0) * 0.08
        x0 -= pad; x1 += pad
        let xTicks = ticks(lx ? pow(10, x0) : x0, lx ? pow(10, x1) : x1, log: lx, target: 5)
        let labelWidth = rows.map { textWidth($0.label) }.max() ?? 0
        let left = labelWidth + 24, right = max(width, left + 360) - 24
        let width = right + 24
        let top = 44.0, bottom = top + rowHeight * 1.4 * Double(max(rows.count, 1)) + 10
        let height = bottom + 50 + rowHeight * Double(references.count + offAxis.count)
        func px(_ v: Double) -> Double { left + ((tx(v) ?? x0) - x0) / (x1 - x0) * (right - left) }
        var svg = header(width, height, title)
        svg += "<line x1=\"\(r(left))\" y1=\"\(r(bottom))\" x2=\"\(r(right))\" y2=\"\(r(bottom))\" stroke=\"black\"/>\n"
        var shown = xTicks
        while shown.count > 2 && zip(shown, shown.dropFirst()).contains(where: { px($1) - px($0) < (textWidth(format($0)) + textWidth(format($1))) / 2 + 8 }) {
            shown = shown.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        }
        for t in shown {
            svg += "<line x1=\"\(r(px(t)))\" y1=\"\(r(top))\" x2=\"\(r(px(t)))\" y2=\"\(r(bottom))\" stroke=\"#e4e4e4\"/>"
            svg += "<text x=\"\(r(px(t)))\" y=\"\(r(bottom + 17))\" text-anchor=\"middle\">\(format(t))</text>\n"
        }
        svg += "<text x=\"\(r((left + right) / 2))\" y=\"\(r(bottom + 40))\" text-anchor=\"middle\">\(escape(xLabel + (lx ? " (log scale)" : "")))</text>\n"
        let colors = colors(rows.map(\.label))
        for (i, row) in rows.enumerated() {
            let y = top + rowHeight * 1.4 * (Double(i) + 0.5)
            svg += "<text x=\"\(r(left - 8))\" y=\"\(r(y + 4))\" text-anchor=\"end\">\(escape(row.label))</text>\n"
            guard let v = row.value else { continue }
            svg += "<line x1=\"\(r(px(v.low)))\" y1=\"\(r(y))\" x2=\"\(r(px(v.high)))\" y2=\"\(r(y))\" stroke=\"\(colors[i])\" stroke-width=\"3\" opacity=\"0.5\"/>\n"
            for s in v.samples { svg += "<circle cx=\"\(r(px(s)))\" cy=\"\(r(y))\" r=\"3\" fill=\"none\" stroke=\"\(colors[i])\"/>\n" }
            svg += marker(0, px(v.mean), y, colors[i])
        }
        for (k, ref) in references.enumerated() {
            let x = px(ref.value)
            guard x >= left - 0.5, x <= right + 0.5 else { continue }
            svg += "<line x1=\"\(r(x))\" y1=\"\(r(top))\" x2=\"\(r(x))\" y2=\"\(r(bottom))\" stroke=\"#555\" stroke-dasharray=\"3 3\"/>\n"
            let ly = bottom + 40 + rowHeight * Double(k + 1)
            let anchor = x < (left + right) / 2 ? "start" : "end"
            svg += "<text x=\"\(r(x))\" y=\"\(r(ly))\" text-anchor=\"\(anchor)\" fill=\"#444\">\(escape(ref.label))</text>\n"
        }
        for (k, ref) in offAxis.enumerated() {
            let ly = bottom + 40 + rowHeight * Double(references.count + k + 1)
            let below = ref.value < (data.min() ?? 0)
            svg += "<text x=\"\(r(below ? left : right))\" y=\"\(r(ly))\" text-anchor=\"\(below ? "start" : "end")\" fill=\"#444\">"
            svg += "\(below ? "◂ " : "")\(escape(ref.label)) (off the axis)\(below ? "" : " ▸")</text>\n"
        }
        return svg + "</svg>\n"
    }

    /// `references` split into those near enough to `data` to draw and those to name below the axis: a reference
    /// more than three spans of the data beyond it (on a log scale, in decades; a non-positive one on a log scale).
    public static func split(_ references: [Reference], near data: [Double], log: Bool) -> (near: [Reference], far: [Reference]) {
        func t(_ v: Double) -> Double? { log ? (v > 0 ? log10(v) : nil) : v }
        let d = data.compactMap(t).filter(\.isFinite)
        guard let lo = d.min(), let hi = d.max() else { return (references, []) }
        let reach = 3 * max(hi - lo, log ? 0.05 : abs(hi) * 0.02, 1e-12)
        var near: [Reference] = [], far: [Reference] = []
        for ref in references {
            if let v = t(ref.value), v >= lo - reach, v <= hi + reach { near.append(ref) } else { far.append(ref) }
        }
        return (near, far)
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
