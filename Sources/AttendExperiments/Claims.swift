import Foundation

/// A claim of the paper with the checks that decide it; its verdict is computed from stored results.
public struct Claim: Codable, Equatable, Sendable {
    /// Short label, e.g. "1".
    public var id: String
    /// One-line name of the claim.
    public var title: String
    /// The claim in the report's words.
    public var statement: String
    /// What the paper reports (quoted in the report).
    public var paper: String
    /// All must pass for "supported".
    public var checks: [Check]
    /// Preconditions (e.g. "softmax learned the task"); a failed one makes the verdict inconclusive.
    public var requires: [Check]
    /// Reported under "Additional results" instead of "Results".
    public var additional: Bool
    /// German title, statement and account of the paper (`--language de`); quotations stay in the paper's words.
    public var titleDe: String?
    /// The statement in German, used by `statement(_:)` for `.de`; nil means the English `statement` is used.
    public var statementDe: String?
    /// The account of what the paper reports in German, used by `paper(_:)` for `.de`; nil means the English `paper` is used.
    public var paperDe: String?
    /// Where the paper says it (section, table or figure), printed with the quote.
    public var source: String?
    /// `source` in German (`Tabelle 3`, `Abb. 2`), used by `source(_:)` for `.de`; nil means the English `source` is used.
    public var sourceDe: String?

    public init(from decoder: Decoder) throws {
        let c = try StrictContainer(decoder, allowed: ["id", "title", "statement", "paper", "checks", "requires", "additional",
                                                       "titleDe", "statementDe", "paperDe", "source", "sourceDe"])
        id = try c("id"); title = try c("title"); statement = try c("statement"); paper = try c("paper")
        titleDe = try c.optional("titleDe"); statementDe = try c.optional("statementDe"); paperDe = try c.optional("paperDe")
        source = try c.optional("source"); sourceDe = try c.optional("sourceDe")
        checks = try c("checks")
        if checks.isEmpty { throw c.invalid("checks", "must list at least one check") }
        requires = try c.optional("requires") ?? []
        additional = try c.optional("additional") ?? false
    }
}

extension Claim {
    /// The title in `language`.
    public func title(_ language: Report.Language) -> String { language == .de ? (titleDe ?? title) : title }
    /// The statement in `language`.
    public func statement(_ language: Report.Language) -> String { language == .de ? (statementDe ?? statement) : statement }
    /// What the paper reports, in `language`.
    public func paper(_ language: Report.Language) -> String { language == .de ? (paperDe ?? paper) : paper }
    /// Where the paper says it, in `language`.
    public func source(_ language: Report.Language) -> String? { language == .de ? (sourceDe ?? source) : source }
}

/// Picks stored runs: those of `experiment` whose parameters equal every entry of `where`, and one measure of them.
public struct Selector: Codable, Equatable, Sendable {
    /// Name of the experiment whose runs are read.
    public var experiment: String
    /// Key in the runs' `values` or `timings`.
    public var measure: String
    /// Run parameters that must match exactly (e.g. kind, tokens, batch).
    public var `where`: [String: String]

    public init(from decoder: Decoder) throws {
        let c = try StrictContainer(decoder, allowed: ["experiment", "measure", "where"])
        experiment = try c("experiment"); measure = try c("measure")
        `where` = try c.optional("where") ?? [:]
    }

    func matches(_ r: RunRecord) -> Bool {
        r.experiment == experiment && `where`.allSatisfy { r.parameters[$0.key] == $0.value }
    }

    /// Mean of the measure over matching runs (seeds), nil if none has it.
    func mean(_ records: [RunRecord]) -> Double? {
        let v = records.filter(matches).compactMap { $0.measure(measure) }.filter(\.isFinite)
        return v.isEmpty ? nil : v.reduce(0, +) / Double(v.count)
    }

    var label: String {
        let w = `where`.keys.sorted().map { "\($0)=\(`where`[$0]!)" }.joined(separator: ", ")
        return "\(measure) [\(experiment)\(w.isEmpty ? "" : ": " + w)]"
    }
}

/// A number computed from stored results.
public struct Metric: Codable, Equatable, Sendable {
    /// `value` (a), `ratio` (a / b), `difference` (a − b), `slope` (log-log slope of a against parameter `x`
    /// over the upper half of the measured x range, i.e. x ≥ √(min·max)), or `gap` ((c − a) / (c − b): the
    /// share of the gap between a control c — a model a broken one would match — and a baseline b that a
    /// closes; 1 = as good as the baseline, 0 = no better than the control).
    public enum Kind: String, Codable, CaseIterable, Sendable { /** The combination named by the case: `value` (a), `ratio` (a / b), `difference` (a − b), `slope` (log-log slope of a against `x`) or `gap` ((c − a) / (c − b)); see ``Metric/Kind``. */ case value, ratio, difference, slope, gap }
    /// How the selected numbers are combined.
    public var type: Kind
    /// The (first) selected measure.
    public var a: Selector
    /// The second measure of a ratio or difference.
    public var b: Selector?
    /// The control of a gap.
    public var c: Selector?
    /// The run parameter used as x by a slope (e.g. "length").
    public var x: String?

    public init(from decoder: Decoder) throws {
        let c0 = try StrictContainer(decoder, allowed: ["type", "a", "b", "c", "x"])
        type = Kind(rawValue: try c0.choice("type", from: Kind.allCases.map(\.rawValue)))!
        a = try c0("a")
        switch type {
        case .value:
            for k in ["b", "c", "x"] where c0.has(k) { throw c0.invalid(k, "not used by a 'value' metric (only 'a')") }
        case .ratio, .difference:
            b = try c0("b")
            for k in ["c", "x"] where c0.has(k) { throw c0.invalid(k, "not used by a '\(type.rawValue)' metric (only 'a' and 'b')") }
        case .slope:
            x = try c0("x")
            for k in ["b", "c"] where c0.has(k) { throw c0.invalid(k, "not used by a 'slope' metric (only 'a' and 'x')") }
        case .gap:
            b = try c0("b"); c = try c0("c")
            if c0.has("x") { throw c0.invalid("x", "not used by a 'gap' metric (only 'a', 'b' and 'c')") }
        }
    }

    /// Every selector the metric reads (a, then b and c when present).
    public var selectors: [Selector] { [a] + (b.map { [$0] } ?? []) + (c.map { [$0] } ?? []) }

    /// The metric's value, or nil when the results lack the runs it needs.
    public func evaluate(_ records: [RunRecord]) -> Double? {
        switch type {
        case .value: return a.mean(records)
        case .ratio:
            guard let p = a.mean(records), let q = b!.mean(records), q != 0 else { return nil }
            return p / q
        case .difference:
            guard let p = a.mean(records), let q = b!.mean(records) else { return nil }
            return p - q
        case .slope:
            return Metric.upperHalfSlope(points(records))?.slope
        case .gap:
            guard let p = a.mean(records), let q = b!.mean(records), let control = c!.mean(records), control != q else { return nil }
            return (control - p) / (control - q)
        }
    }

    /// The metric computed seed by seed (runs with the same `seed` parameter; runs without one, such as
    /// data floors, join every seed): empty when fewer than two seeds are stored.
    public func perSeed(_ records: [RunRecord]) -> [Double] {
        let seeds = Set(records.filter { r in selectors.contains { $0.matches(r) } }.compactMap { $0.parameters["seed"] })
        guard seeds.count >= 2 else { return [] }
        return seeds.sorted().compactMap { s in
            evaluate(records.filter { $0.parameters["seed"] == nil || $0.parameters["seed"] == s })
        }.filter(\.isFinite)
    }

    /// (x, mean measure) points of a slope metric, sorted by x.
    public func points(_ records: [RunRecord]) -> [(Double, Double)] {
        var groups: [Double: [Double]] = [:]
        for r in records where a.matches(r) {
            if let xs = r.parameters[x ?? ""], let xv = Double(xs), let y = r.measure(a.measure), y.isFinite, y > 0 { groups[xv, default: []].append(y) }
        }
        return groups.keys.sorted().map { ($0, groups[$0]!.reduce(0, +) / Double(groups[$0]!.count)) }
    }

    /// Least-squares fit of log y = slope · log x + intercept (natural logs).
    public static func logLogFit(_ points: [(Double, Double)]) -> (slope: Double, intercept: Double)? {
        let p = points.filter { $0.0 > 0 && $0.1 > 0 }
        guard p.count >= 2 else { return nil }
        let xs = p.map { log($0.0) }, ys = p.map { log($0.1) }
        let mx = xs.reduce(0, +) / Double(xs.count), my = ys.reduce(0, +) / Double(ys.count)
        var sxy = 0.0, sxx = 0.0
        for (x, y) in zip(xs, ys) { sxy += (x - mx) * (y - my); sxx += (x - mx) * (x - mx) }
        guard sxx > 0 else { return nil }
        let slope = sxy / sxx
        return (slope, my - slope * mx)
    }

    /// The fit over the points with x ≥ √(min x · max x) (the upper half on a log axis), where the
    /// asymptotic cost dominates fixed overheads; falls back to all points if fewer than two remain.
    public static func upperHalfSlope(_ points: [(Double, Double)]) -> (slope: Double, intercept: Double, from: Double)? {
        guard let lo = points.map(\.0).min(), let hi = points.map(\.0).max() else { return nil }
        let mid = (lo * hi).squareRoot()
        let upper = points.filter { $0.0 >= mid * (1 - 1e-9) }
        let use = upper.count >= 2 ? upper : points
        return logLogFit(use).map { ($0.slope, $0.intercept, use.map(\.0).min()!) }
    }

    /// Human-readable description of the metric (English).
    public var label: String { label(ReportWords(language: .en)) }

    /// Human-readable description of the metric in `w`'s language.
    public func label(_ w: ReportWords) -> String {
        switch type {
        case .value: return a.label
        case .ratio: return "\(a.label) ÷ \(b!.label)"
        case .difference: return "\(a.label) − \(b!.label)"
        case .slope: return w.f("log-log slope of %@ vs %@ (upper half of the %@ range)", a.label, x ?? "?", x ?? "?")
        case .gap: return w.f("share of the gap from control %@ to %@ closed by %@", c!.label, b!.label, a.label)
        }
    }
}

/// A metric compared with a threshold: `atMost` or `atLeast` (exactly one). Values within `margin` of
/// the threshold, or whose seeds fall on both sides of it, are too close to call and make the claim
/// inconclusive.
public struct Check: Codable, Equatable, Sendable {
    /// The number checked.
    public var metric: Metric
    /// Upper threshold (passes when metric ≤ atMost).
    public var atMost: Double?
    /// Lower threshold (passes when metric ≥ atLeast).
    public var atLeast: Double?
    /// Half-width of the too-close-to-call band around the threshold.
    public var margin: Double
    /// A measure whose spread over its runs (max − min over seeds, e.g. the baseline's BLEU over 3 seeds)
    /// widens the band: a value within max(margin, spread) of the threshold is too close to call. For a
    /// comparison of a one-seed variant with a baseline run with several seeds.
    public var spread: Selector?

    public init(from decoder: Decoder) throws {
        let c = try StrictContainer(decoder, allowed: ["metric", "atMost", "atLeast", "margin", "spread"])
        metric = try c("metric")
        atMost = try c.optional("atMost"); atLeast = try c.optional("atLeast")
        if (atMost == nil) == (atLeast == nil) { throw c.invalid("atMost", "give exactly one of atMost and atLeast") }
        margin = try c.optional("margin") ?? 0
        if !(margin >= 0) { throw c.invalid("margin", "must be ≥ 0, got \(margin)") }
        spread = try c.optional("spread")
    }

    /// The spread (max − min) of `spread`'s measure over its runs; nil without a `spread` or with fewer than two runs.
    public func seedSpread(_ records: [RunRecord]) -> Double? {
        guard let spread else { return nil }
        let v = records.filter(spread.matches).compactMap { $0.measure(spread.measure) }.filter(\.isFinite)
        guard v.count >= 2 else { return nil }
        return v.max()! - v.min()!
    }

    /// Outcome of a check.
    public enum Outcome: String, Codable, Sendable { /** `pass`: the value meets the threshold; `fail`: it does not; `close`: too close to call (within the margin, or seeds on both sides of the threshold); `missing`: the results lack the runs the metric needs, or its value is not finite. */ case pass, fail, close, missing }

    /// The metric's value and whether it passes: within the margin of the threshold, or with seeds on
    /// both sides of it, the check is too close to call.
    public func evaluate(_ records: [RunRecord]) -> (value: Double?, outcome: Outcome) {
        guard let v = metric.evaluate(records), v.isFinite else { return (nil, .missing) }
        let threshold = atMost ?? atLeast!
        if abs(v - threshold) <= max(margin, seedSpread(records) ?? 0) { return (v, .close) }
        func passes(_ x: Double) -> Bool { atMost != nil ? x <= threshold : x >= threshold }
        let seeds = metric.perSeed(records)
        if !seeds.isEmpty && seeds.contains(where: passes) && seeds.contains(where: { !passes($0) }) { return (v, .close) }
        return (v, passes(v) ? .pass : .fail)
    }

    /// The threshold ("≤ 1.3", "≥ 10", with the margin) in the words of a report.
    public func thresholdText(_ w: ReportWords) -> String {
        let t = atMost.map { "≤ \(w.number($0))" } ?? "≥ \(w.number(atLeast!))"
        if let spread {
            return "\(t) " + w.f("(± max(%@, the seed spread of %@) too close to call)", w.number(margin), spread.label)
        }
        return margin > 0 ? "\(t) " + w.f("(± %@ too close to call)", w.number(margin)) : t
    }
}

/// A claim's verdict at the scale that was run.
public enum Verdict: String, Codable, Sendable {
    /// `supported`: every precondition and check passed. `notSupported` (raw value "not supported"): a check
    /// failed, with no number missing and no precondition failed. `inconclusive`: a number is missing, a
    /// precondition did not pass, or a check was too close to call.
    case supported, notSupported = "not supported", inconclusive

    /// Decides a claim: a missing number, a failed precondition or a value too close to its threshold ⇒
    /// inconclusive; otherwise any failed check ⇒ not supported; all passed ⇒ supported.
    public static func decide(_ claim: Claim, records: [RunRecord]) -> Verdict {
        guard let d = decisive(claim, records: records) else { return .supported }
        if d.precondition { return .inconclusive }
        switch d.outcome {
        case .missing, .close: return .inconclusive
        case .fail: return .notSupported
        case .pass: return .supported
        }
    }

    /// The check that decides a claim's verdict, in the order `decide` applies them: the first precondition that did
    /// not pass, else the first missing check, else the first failed one, else the first close one; nil when all passed.
    public static func decisive(_ claim: Claim, records: [RunRecord]) -> (check: Check, precondition: Bool, outcome: Check.Outcome)? {
        if let pre = claim.requires.lazy.map({ ($0, $0.evaluate(records).outcome) }).first(where: { $0.1 != .pass }) {
            return (pre.0, true, pre.1)
        }
        let outcomes = claim.checks.map { ($0, $0.evaluate(records).outcome) }
        for wanted in [Check.Outcome.missing, .fail, .close] {
            if let c = outcomes.first(where: { $0.1 == wanted }) { return (c.0, false, c.1) }
        }
        return nil
    }
}
