import Foundation

/// Minimal SVG line charts drawn by the project itself (no plotting dependency), for benchmarks and
/// reports: one polyline with markers per series, optional log axes, tick labels and a legend.
public enum SVGPlot {
    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    /// An SVG document plotting each named series of (x, y) points; non-positive values are dropped on log axes.
    /// `dashed` series (e.g. fitted lines) are drawn as dashed lines without markers.
    public static func lines(_ series: [String: [(Double, Double)]], title: String, xLabel: String, yLabel: String,
                             logX: Bool = false, logY: Bool = false, width: Double = 640, height: Double = 420,
                             dashed: Set<String> = []) -> String {
        let names = series.keys.sorted()
        func tx(_ v: Double) -> Double? { logX ? (v > 0 ? log10(v) : nil) : v }
        func ty(_ v: Double) -> Double? { logY ? (v > 0 ? log10(v) : nil) : v }
        let points = names.map { name in series[name]!.compactMap { p -> (Double, Double)? in
            guard let x = tx(p.0), let y = ty(p.1), x.isFinite, y.isFinite else { return nil }
            return (x, y)
        } }
        let xs = points.flatMap { $0.map(\.0) }, ys = points.flatMap { $0.map(\.1) }
        var (x0, x1) = (xs.min() ?? 0, xs.max() ?? 1), (y0, y1) = (ys.min() ?? 0, ys.max() ?? 1)
        if x1 - x0 < 1e-12 { x0 -= 0.5; x1 += 0.5 }
        if y1 - y0 < 1e-12 { y0 -= 0.5; y1 += 0.5 }
        let pad = (y1 - y0) * 0.05
        y0 -= pad; y1 += pad
        let (left, right, top, bottom) = (70.0, width - 170, 40.0, height - 50)
        func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * (right - left) }
        func py(_ y: Double) -> Double { bottom - (y - y0) / (y1 - y0) * (bottom - top) }
        func label(_ v: Double, log: Bool) -> String {
            let value = log ? pow(10, v) : v
            if abs(value) >= 1000 || (abs(value) < 0.01 && value != 0) { return String(format: "%.3g", value) }
            return String(format: "%.4g", value)
        }
        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(Int(width / 2))" y="22" text-anchor="middle" font-size="15">\(escape(title))</text>
        <line x1="\(left)" y1="\(bottom)" x2="\(right)" y2="\(bottom)" stroke="black"/>
        <line x1="\(left)" y1="\(top)" x2="\(left)" y2="\(bottom)" stroke="black"/>
        <text x="\(Int((left + right) / 2))" y="\(Int(height - 12))" text-anchor="middle">\(escape(xLabel))\(logX ? " (log)" : "")</text>
        <text x="16" y="\(Int((top + bottom) / 2))" text-anchor="middle" transform="rotate(-90 16 \(Int((top + bottom) / 2)))">\(escape(yLabel))\(logY ? " (log)" : "")</text>

        """
        for i in 0...4 {
            let fx = x0 + (x1 - x0) * Double(i) / 4, fy = y0 + (y1 - y0) * Double(i) / 4
            svg += "<text x=\"\(px(fx))\" y=\"\(bottom + 16)\" text-anchor=\"middle\">\(label(fx, log: logX))</text>\n"
            svg += "<text x=\"\(left - 6)\" y=\"\(py(fy) + 4)\" text-anchor=\"end\">\(label(fy, log: logY))</text>\n"
            svg += "<line x1=\"\(left)\" y1=\"\(py(fy))\" x2=\"\(right)\" y2=\"\(py(fy))\" stroke=\"#ddd\"/>\n"
        }
        for (i, name) in names.enumerated() {
            let color = palette[i % palette.count]
            let pts = points[i].sorted { $0.0 < $1.0 }
            let dash = dashed.contains(name) ? " stroke-dasharray=\"6 4\"" : ""
            if pts.count > 1 {
                svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"\(dash) points=\"\(pts.map { "\(px($0.0)),\(py($0.1))" }.joined(separator: " "))\"/>\n"
            }
            if dash.isEmpty { for p in pts { svg += "<circle cx=\"\(px(p.0))\" cy=\"\(py(p.1))\" r=\"3\" fill=\"\(color)\"/>\n" } }
            let ly = top + 18 * Double(i)
            svg += "<line x1=\"\(right + 12)\" y1=\"\(ly)\" x2=\"\(right + 32)\" y2=\"\(ly)\" stroke=\"\(color)\" stroke-width=\"2\"\(dash)/>"
            svg += "<text x=\"\(right + 38)\" y=\"\(ly + 4)\">\(escape(name))</text>\n"
        }
        return svg + "</svg>\n"
    }

    /// An SVG bar chart: one group per category, one bar per series within each group (missing values
    /// leave a gap); `logY` draws bar heights on a log axis (values must be positive).
    public static func bars(categories: [String], series: [(name: String, values: [Double?])], title: String, yLabel: String,
                            logY: Bool = false, width: Double = 640, height: Double = 420) -> String {
        let (left, right, top, bottom) = (70.0, width - 170, 40.0, height - 70)
        let all = series.flatMap { $0.values.compactMap { $0 } }.filter { $0.isFinite && (!logY || $0 > 0) }
        func ty(_ v: Double) -> Double { logY ? log10(v) : v }
        var y0 = logY ? floor(ty(all.min() ?? 1)) : min(0, all.min() ?? 0)
        var y1 = logY ? ceil(ty(all.max() ?? 10)) : (all.max() ?? 1) * 1.08
        if y1 - y0 < 1e-12 { y0 -= 0.5; y1 += 0.5 }
        func py(_ v: Double) -> Double { bottom - (ty(v) - y0) / (y1 - y0) * (bottom - top) }
        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(Int(width / 2))" y="22" text-anchor="middle" font-size="15">\(escape(title))</text>
        <line x1="\(left)" y1="\(bottom)" x2="\(right)" y2="\(bottom)" stroke="black"/>
        <line x1="\(left)" y1="\(top)" x2="\(left)" y2="\(bottom)" stroke="black"/>
        <text x="16" y="\(Int((top + bottom) / 2))" text-anchor="middle" transform="rotate(-90 16 \(Int((top + bottom) / 2)))">\(escape(yLabel))\(logY ? " (log)" : "")</text>

        """
        for i in 0...4 {
            let f = y0 + (y1 - y0) * Double(i) / 4
            let value = logY ? pow(10, f) : f
            let y = bottom - Double(i) / 4 * (bottom - top)
            svg += "<text x=\"\(left - 6)\" y=\"\(y + 4)\" text-anchor=\"end\">\(String(format: "%.3g", value))</text>\n"
            svg += "<line x1=\"\(left)\" y1=\"\(y)\" x2=\"\(right)\" y2=\"\(y)\" stroke=\"#ddd\"/>\n"
        }
        let groupWidth = (right - left) / Double(max(categories.count, 1))
        let barWidth = groupWidth * 0.8 / Double(max(series.count, 1))
        for (g, category) in categories.enumerated() {
            let gx = left + groupWidth * Double(g)
            svg += "<text x=\"\(gx + groupWidth / 2)\" y=\"\(bottom + 16)\" text-anchor=\"middle\">\(escape(category))</text>\n"
            for (s, entry) in series.enumerated() {
                guard g < entry.values.count, let v = entry.values[g], v.isFinite, !logY || v > 0 else { continue }
                let x = gx + groupWidth * 0.1 + barWidth * Double(s)
                let base = logY ? bottom : py(0), yv = py(v)
                svg += "<rect x=\"\(x)\" y=\"\(min(yv, base))\" width=\"\(barWidth)\" height=\"\(abs(base - yv))\" fill=\"\(palette[s % palette.count])\"/>\n"
            }
        }
        for (s, entry) in series.enumerated() {
            let ly = top + 18 * Double(s)
            svg += "<rect x=\"\(right + 12)\" y=\"\(ly - 6)\" width=\"20\" height=\"12\" fill=\"\(palette[s % palette.count])\"/>"
            svg += "<text x=\"\(right + 38)\" y=\"\(ly + 4)\">\(escape(entry.name))</text>\n"
        }
        return svg + "</svg>\n"
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
