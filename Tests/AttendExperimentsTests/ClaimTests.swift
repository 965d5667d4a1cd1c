import Attend
import Foundation
import Testing

func record(_ experiment: String, _ parameters: [String: String], values: [String: Double] = [:], timings: [String: Double] = [:]) -> RunRecord {
    RunRecord(id: experiment + "/" + parameters.keys.sorted().map { "\($0)=\(parameters[$0]!)" }.joined(separator: ","),
              experiment: experiment, task: "copy", parameters: parameters, fingerprint: "f", values: values, timings: timings,
              curves: [:], timingCurves: [:], estimate: Estimate(seconds: 0, bytes: 0, flops: 0), wallSeconds: 0,
              peakResidentBytes: 0, flops: 0, machine: "", finishedAt: "")
}

func claim(_ json: String) throws -> Claim { try JSONDecoder().decode(Claim.self, from: Data(json.utf8)) }

@Suite("Claims and verdicts")
struct ClaimTests {
    @Test("log-log fit recovers the exponent of a power law")
    func slopeFit() throws {
        let quadratic = [128.0, 256, 512, 1024].map { ($0, 3 * $0 * $0) }
        let fit = try #require(Metric.logLogFit(quadratic))
        #expect(abs(fit.slope - 2) < 1e-9)
        #expect(abs(exp(fit.intercept) - 3) < 1e-6)
        // A constant overhead bends the small-T end; the upper half of the range sees the asymptote.
        let withOverhead = [16.0, 32, 64, 128, 256, 512, 1024, 2048, 4096].map { ($0, 5000 + 0.01 * $0 * $0) }
        let all = try #require(Metric.logLogFit(withOverhead)), upper = try #require(Metric.upperHalfSlope(withOverhead))
        #expect(upper.from == 256)
        #expect(upper.slope > all.slope)
        #expect(upper.slope > 1.2 && upper.slope < 2)
        #expect(Metric.logLogFit([(1, 1)]) == nil)
    }

    @Test("table numbers: 3–4 significant digits, and a value just below 1 does not print as an exact 1")
    func tableNumbers() {
        #expect(Report.number(0.9996238) == "0.9996")
        #expect(Report.number(-0.99971) == "-0.9997")
        #expect(Report.number(0.9994) == "0.999")
        #expect(Report.number(1) == "1")
        #expect(Report.number(0.0477) == "0.0477")
        #expect(Report.number(2562.19) == "2562")
        #expect(Report.number(25.83) == "25.8")
        #expect(Report.number(1.2e-4) == "0.00012")
        #expect(Report.number(.nan) == "—")
        #expect(ReportWords(language: .de).number(0.9996238) == "0,9996")
    }

    let ratioClaim = #"{"id": "c", "title": "t", "statement": "s", "paper": "p", "checks": [{"metric": {"type": "ratio", "a": {"experiment": "e", "measure": "loss", "where": {"kind": "linear"}}, "b": {"experiment": "e", "measure": "loss", "where": {"kind": "softmax"}}}, "atMost": 1.1, "margin": 0.02}], "requires": [{"metric": {"type": "value", "a": {"experiment": "e", "measure": "loss", "where": {"kind": "softmax"}}}, "atMost": 2}]}"#

    @Test("verdicts follow from the numbers", arguments: [
        (1.0, 1.05, Verdict.supported),
        (1.0, 1.5, Verdict.notSupported),
        (1.0, 1.11, Verdict.inconclusive),   // within the margin of 1.1
        (3.0, 3.0, Verdict.inconclusive),    // precondition failed: softmax did not learn
    ])
    func verdicts(softmax: Double, linear: Double, expected: Verdict) throws {
        let c = try claim(ratioClaim)
        let records = [record("e", ["kind": "softmax", "seed": "1"], values: ["loss": softmax]),
                       record("e", ["kind": "linear", "seed": "1"], values: ["loss": linear])]
        #expect(Verdict.decide(c, records: records) == expected)
    }

    @Test("a missing run makes a claim inconclusive; seeds are averaged")
    func missingAndSeeds() throws {
        let c = try claim(ratioClaim)
        #expect(Verdict.decide(c, records: [record("e", ["kind": "softmax", "seed": "1"], values: ["loss": 1])]) == .inconclusive)
        let seeds = [record("e", ["kind": "softmax", "seed": "1"], values: ["loss": 1]), record("e", ["kind": "softmax", "seed": "2"], values: ["loss": 3]),
                     record("e", ["kind": "linear", "seed": "1"], values: ["loss": 2.1])]
        #expect(abs((c.checks[0].metric.evaluate(seeds) ?? 0) - 1.05) < 1e-12)
    }

    @Test("slope metrics read x from the run parameters")
    func slopeMetric() throws {
        let c = try claim(#"{"id": "c", "title": "t", "statement": "s", "paper": "p", "checks": [{"metric": {"type": "slope", "a": {"experiment": "s", "measure": "ms", "where": {"kind": "softmax"}}, "x": "length"}, "atLeast": 1.7}]}"#)
        let quadratic = [64, 128, 256, 512].map { record("s", ["kind": "softmax", "length": "\($0)"], timings: ["ms": Double($0 * $0)]) }
        let linear = [64, 128, 256, 512].map { record("s", ["kind": "softmax", "length": "\($0)"], timings: ["ms": Double($0)]) }
        #expect(Verdict.decide(c, records: quadratic) == .supported)
        #expect(Verdict.decide(c, records: linear) == .notSupported)
    }

    @Test("copy-task batches hide everything but the copied symbols from the loss")
    func copyTask() {
        let task = CopyTask(maxSymbols: 5, symbols: 10)
        var rng = RandomGenerator(seed: 3)
        let b = task.batch(8, rng: &rng)
        #expect(b.inputs.count == 8 * 11 && b.length == 11)
        for row in 0..<8 {
            let x = Array(b.inputs[(row * 11)..<((row + 1) * 11)]), y = Array(b.targets[(row * 11)..<((row + 1) * 11)])
            let n = x.firstIndex(of: 0)!
            #expect(n >= 1 && n <= 5)
            #expect(y.filter { $0 >= 0 } == Array(x[0..<n]))          // targets are exactly the copied symbols
            #expect(y[0..<n].allSatisfy { $0 == -1 })                   // no loss on the random prefix
        }
    }

    @Test("shards split the runs deterministically and cover each run once")
    func shardAssignment() throws {
        let study = try Study.load(folder: packageRoot.appendingPathComponent("Experiments/linear-attention"), scale: .full)
        let runs = study.runs
        let flops = runs.map { Estimator(peakGFLOPs: 1, baseBytes: 0).estimate($0).flops }
        let owner = Runner.assign(runs, flops: flops, shards: 3)
        #expect(owner == Runner.assign(runs, flops: flops, shards: 3))
        #expect(Set(owner) == [0, 1, 2])
        var load = [0.0, 0, 0]
        for (i, s) in owner.enumerated() { load[s] += flops[i] }
        #expect(load.max()! <= load.reduce(0, +) / 3 + flops.max()!)  // list-scheduling bound
    }
}

@Suite("Controls and seed spread in verdicts")
struct ControlTests {
    @Test("gap = (control − a) / (control − baseline): 1 at the baseline, 0 at the control")
    func gapMetric() throws {
        let records = [record("lm", ["kind": "softmax", "seed": "1"], values: ["loss": 1.5]),
                       record("lm", ["kind": "linear", "seed": "1"], values: ["loss": 1.8]),
                       record("lm", ["kind": "none", "seed": "1"], values: ["loss": 2.5])]
        let c = try claim(#"{"id": "1", "title": "t", "statement": "s", "paper": "p", "checks": [{"metric": {"type": "gap", "a": {"experiment": "lm", "measure": "loss", "where": {"kind": "linear"}}, "b": {"experiment": "lm", "measure": "loss", "where": {"kind": "softmax"}}, "c": {"experiment": "lm", "measure": "loss", "where": {"kind": "none"}}}, "atLeast": 0.9}]}"#)
        let v = try #require(c.checks[0].metric.evaluate(records))
        #expect(abs(v - 0.7) < 1e-12)
        #expect(Verdict.decide(c, records: records) == .notSupported)
        let noControl = try? claim(#"{"id": "1", "title": "t", "statement": "s", "paper": "p", "checks": [{"metric": {"type": "gap", "a": {"experiment": "lm", "measure": "loss"}, "b": {"experiment": "lm", "measure": "loss"}}, "atLeast": 0.9}]}"#)
        #expect(noControl == nil)
    }

    @Test("seeds on both sides of a threshold make a check too close to call; seeds on one side decide it")
    func seedSpread() throws {
        let c = try claim(#"{"id": "1", "title": "t", "statement": "s", "paper": "p", "checks": [{"metric": {"type": "difference", "a": {"experiment": "lm", "measure": "loss", "where": {"kind": "linear"}}, "b": {"experiment": "lm", "measure": "loss", "where": {"kind": "softmax"}}}, "atMost": 0.1}]}"#)
        func records(_ linear: [Double]) -> [RunRecord] {
            linear.enumerated().flatMap { i, l in
                [record("lm", ["kind": "softmax", "seed": "\(i)"], values: ["loss": 2.0]), record("lm", ["kind": "linear", "seed": "\(i)"], values: ["loss": l])]
            }
        }
        // Mean difference 0.05 passes, but seed 2 alone (0.2) fails: too close to call.
        #expect(c.checks[0].evaluate(records([2.0, 1.95, 2.2])).outcome == .close)
        #expect(Verdict.decide(c, records: records([2.0, 1.95, 2.2])) == .inconclusive)
        #expect(Verdict.decide(c, records: records([2.0, 1.95, 2.05])) == .supported)
        #expect(Verdict.decide(c, records: records([2.3, 2.25, 2.2])) == .notSupported)
        let perSeed = c.checks[0].metric.perSeed(records([2.0, 1.95, 2.2])).sorted()
        #expect(perSeed.count == 3 && zip(perSeed, [-0.05, 0, 0.2]).allSatisfy { abs($0 - $1) < 1e-12 })
        // A control without a seed parameter joins every seed.
        let floor = record("lm", ["kind": "bigram"], values: ["loss": 2.4])
        let gap = try claim(#"{"id": "1", "title": "t", "statement": "s", "paper": "p", "checks": [{"metric": {"type": "gap", "a": {"experiment": "lm", "measure": "loss", "where": {"kind": "linear"}}, "b": {"experiment": "lm", "measure": "loss", "where": {"kind": "softmax"}}, "c": {"experiment": "lm", "measure": "loss", "where": {"kind": "bigram"}}}, "atLeast": 0.5}]}"#)
        #expect(gap.checks[0].metric.perSeed(records([2.0, 2.2]) + [floor]).map { ($0 * 1e9).rounded() / 1e9 } == [1, 0.5])
    }
}

@Suite("Checks against a baseline's seed spread")
struct SpreadCheckTests {
    /// A one-seed variant compared with a three-seed baseline: BLEU(variant) − BLEU(base) ≤ 0, ± max(0.3, spread).
    let spreadClaim = #"{"id": "s", "title": "t", "statement": "s", "paper": "p", "checks": [{"metric": {"type": "difference", "a": {"experiment": "ablations", "measure": "bleu", "where": {"variant": "v"}}, "b": {"experiment": "baseline", "measure": "bleu"}}, "atMost": 0, "margin": 0.3, "spread": {"experiment": "baseline", "measure": "bleu"}}]}"#

    func records(base: [Double], variant: Double) -> [RunRecord] {
        base.enumerated().map { record("baseline", ["seed": "\($0.offset + 1)"], values: ["bleu": $0.element]) }
            + [record("ablations", ["variant": "v", "seed": "1"], values: ["bleu": variant])]
    }

    @Test("a difference inside the baseline's spread over seeds is too close to call; outside it, decided", arguments: [
        ([20.0, 21.0, 22.0], 19.5, Verdict.inconclusive),   // −1.5 within the spread 2.0
        ([20.0, 21.0, 22.0], 18.5, Verdict.supported),      // −2.5 beyond it
        ([20.0, 21.0, 22.0], 23.5, Verdict.notSupported),   // +2.5 beyond it
        ([21.0, 21.1, 21.2], 20.85, Verdict.inconclusive),  // −0.25: the margin 0.3 exceeds the spread 0.2
        ([21.0, 21.1, 21.2], 20.6, Verdict.supported),      // −0.5
    ])
    func spread(base: [Double], variant: Double, expected: Verdict) throws {
        let c = try claim(spreadClaim)
        let rs = records(base: base, variant: variant)
        #expect(abs(try #require(c.checks[0].seedSpread(rs)) - (base.max()! - base.min()!)) < 1e-12)
        #expect(Verdict.decide(c, records: rs) == expected)
        // The threshold text names the spread's measure.
        #expect(c.checks[0].thresholdText(ReportWords(language: .en)).contains("seed spread of bleu [baseline]"))
    }

    @Test("an unknown key in a check is refused, naming it")
    func unknownKey() throws {
        let bad = spreadClaim.replacingOccurrences(of: #""spread":"#, with: #""sprad":"#)
        #expect(throws: DecodingError.self) { _ = try claim(bad) }
    }
}

@Suite("The overview's number per claim")
struct DecisiveCheckTests {
    @Test("the overview shows the check that decides the verdict — a failed check before a close one — and the rule says that order")
    func decisiveCheck() throws {
        var study = try ResultsStore(folder: TinyRun.folder).loadStudy()
        study.claims = [try claim(#"{"id": "9", "title": "t", "statement": "s", "paper": "p", "checks": [{"metric": {"type": "value", "a": {"experiment": "copy", "measure": "m1"}}, "atMost": 1.0, "margin": 0.1}, {"metric": {"type": "value", "a": {"experiment": "copy", "measure": "m2"}}, "atMost": 1.0}]}"#)]
        let r = record("copy", ["kind": "softmax", "seed": "1"], values: ["m1": 1.05, "m2": 7])
        #expect(Verdict.decide(study.claims[0], records: [r]) == .notSupported)
        let md = Report(study: study, records: [r]).render().markdown
        #expect(md.contains("- **Claim 9** (t): 7 ≤ 1 (fail) → **not supported**"), "\(md.split(separator: "\n").filter { $0.contains("Claim 9") })")
        #expect(md.contains("otherwise any failed check ⇒ not supported; otherwise a value within the margin"))
        // No failed check: the close one is shown and the verdict is inconclusive.
        let close = record("copy", ["kind": "softmax", "seed": "1"], values: ["m1": 1.05, "m2": 1])
        #expect(Report(study: study, records: [close]).render().markdown.contains("- **Claim 9** (t): 1.05 ≤ 1 (± 0.1 too close to call) (close) → **inconclusive**"))
    }
}
