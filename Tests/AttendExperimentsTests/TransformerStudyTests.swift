import Attend
import AttendTestSupport
import Foundation
import Testing

@Suite("The transformer study (Vaswani et al. 2017, Table 3) as specs")
struct TransformerSpecTests {
    static let folder = packageRoot.appendingPathComponent("Experiments/transformer")
    static let variants = ["heads-1", "heads-double", "heads-quadruple", "key-half", "key-quarter", "width-half", "width-double",
                           "ffn-half", "ffn-double", "dropout-0", "smoothing-0", "learned-positions", "pre-ln", "linear-encoder",
                           "linear-decoder", "linear-cross", "relative-positions"]

    @Test("loads at every scale with the baseline (3 seeds) and the 17 variants; the stored form round-trips", arguments: Scale.allCases)
    func loads(scale: Scale) throws {
        let study = try Study.load(folder: Self.folder, scale: scale)
        #expect(study.claims.map(\.id) == ["A1", "A2", "B", "C", "D1", "D2", "E", "F", "G", "X1", "X2", "X3"])
        #expect(study.experiments.map(\.name) == ["baseline", "ablations"])
        #expect(study.runs.count == 3 + Self.variants.count)
        let variants = study.runs.filter { $0.experiment.name == "ablations" }.compactMap { $0.parameters["variant"] }
        #expect(variants == Self.variants)
        #expect(try JSONDecoder().decode(Study.self, from: JSONEncoder().encode(study)) == study)
        // Every claim's selectors name an experiment and (where given) a variant of this scale.
        for claim in study.claims {
            for check in claim.checks + claim.requires {
                for s in check.metric.selectors + (check.spread.map { [$0] } ?? []) {
                    #expect(study.experiments.contains { $0.name == s.experiment }, "claim \(claim.id): \(s.experiment)")
                    if let v = s.where["variant"] { #expect(Self.variants.contains(v), "claim \(claim.id): \(v)") }
                }
            }
        }
    }

    @Test("the full scale: base d_model 128, 4 heads of 32, d_ff 512, 3+3 layers; variants 2,000 updates, the baseline 6,000 with its values at 2,000")
    func fullScale() throws {
        let study = try Study.load(folder: Self.folder, scale: .full)
        let baseline = try #require(study.experiments.first { $0.name == "baseline" }).json
        let ablations = try #require(study.experiments.first { $0.name == "ablations" }).json
        for e in [baseline, ablations] {
            #expect(e.value(at: ["model", "modelDim"]) == .int(128) && e.value(at: ["model", "numHeads"]) == .int(4))
            #expect(e.value(at: ["model", "hiddenDim"]) == .int(512) && e.value(at: ["model", "numEncoderLayers"]) == .int(3))
            #expect(e.value(at: ["budgetSteps"]) == .int(2000) && e.value(at: ["vocabSize"]) == .int(8000))
            #expect(e.value(at: ["beamSize"]) == .int(4) && e.value(at: ["averageLast"]) == .int(5))
        }
        #expect(baseline.value(at: ["training", "maxSteps"]) == .int(6000) && baseline.value(at: ["seeds"]) == .array([.int(1), .int(2), .int(3)]))
        #expect(ablations.value(at: ["training", "maxSteps"]) == .int(2000))
        #expect(baseline.value(at: ["test"]) == .bool(true) && baseline.value(at: ["training", "evalBleu"]) == .int(1))
        // Heads at constant computation: d_k = d_v = d_model / h comes from numHeads alone.
        #expect(ablations.value(at: ["variants"])?.description.contains(#"{"model":{"numHeads":1},"name":"heads-1"}"#) == true)
        // The paper's Table 3 numbers beside ours (checked against the paper's table).
        #expect(baseline.value(at: ["paper", "base", "perplexity"]) == .double(4.92) && baseline.value(at: ["paper", "base", "bleu"]) == .double(25.8))
        for (variant, ppl, bleu) in [("heads-1", 5.29, 24.9), ("key-quarter", 5.16, 25.1), ("width-half", 5.75, 24.5), ("width-double", 4.66, 26.0),
                                     ("ffn-half", 5.12, 25.4), ("ffn-double", 4.75, 26.2), ("dropout-0", 5.77, 24.6), ("smoothing-0", 4.67, 25.3),
                                     ("learned-positions", 4.92, 25.7)] {
            #expect(ablations.value(at: ["paper", variant, "perplexity"]).flatMap { Double($0.description) } == ppl, "\(variant)")
            #expect(ablations.value(at: ["paper", variant, "bleu"]).flatMap { Double($0.description) } == bleu, "\(variant)")
        }
    }

    @Test("a budget the checkpoints cannot average at, or beyond the run, is refused naming the field")
    func badBudget() throws {
        let json = """
        {"experiments": [{"name": "x", "task": "translation", "data": "Data/tatoeba-spa-eng", "sourceLanguage": "en", "targetLanguage": "es",
          "vocabSize": 300, "maxLength": 64, "averageInterval": 2, "averageLast": 2, "budgetSteps": 3,
          "model": {"modelDim": 16, "numHeads": 2, "numEncoderLayers": 1, "numDecoderLayers": 1, "hiddenDim": 32},
          "training": {"batchTokens": 256, "maxSteps": 8, "warmupSteps": 2, "evalInterval": 4}}]}
        """
        do { _ = try Study.decodeScaleFile(json, file: "bad.json"); Issue.record("expected an error") } catch let e as SpecError {
            #expect(e.field.contains("budgetSteps") && e.message.contains("multiple of averageInterval"), "\(e.field): \(e.message)")
        }
        let interval = json.replacingOccurrences(of: "\"budgetSteps\": 3", with: "\"budgetSteps\": 4").replacingOccurrences(of: "\"averageInterval\": 2", with: "\"averageInterval\": 3")
        do { _ = try Study.decodeScaleFile(interval, file: "bad.json"); Issue.record("expected an error") } catch let e as SpecError {
            #expect(e.field.contains("averageInterval") && e.message.contains("must divide"), "\(e.field): \(e.message)")
        }
    }
}

@Suite("The transformer study end to end", .serialized, .tags(.slow), .slowSuite)
struct TransformerStudyTests {
    @Test("replicate transformer --scale tiny stores BLEU, perplexity, averaging, the budget evaluation and the controls, and writes both reports")
    func tinyStudy() throws {
        let out = temporaryFolder("transformer-tiny")
        _ = try Replication.replicate(study: "transformer", scale: .tiny, root: packageRoot, out: out)
        let store = ResultsStore(folder: out)
        let study = try store.loadStudy()
        let records = try store.records()
        #expect(records.count == study.runs.count && records.count == 20)
        for r in records {
            for key in ["finalEvalLoss", "perplexity", "bleuGreedy", "bleuBeam", "bleuGreedyMulti", "bleuBeamMulti", "averagedEvalLoss",
                        "averagedPerplexity", "averagedBleuBeam", "budgetEvalLoss", "budgetPerplexity", "budgetBleuBeam", "budgetAveragedBleuBeam",
                        "unigramNats", "bigramNats", "copySourceBleu", "parameters"] {
                #expect(r.values[key]?.isFinite == true, "\(r.id) lacks \(key)")
            }
            for key in ["bleuGreedy", "bleuBeam", "bleuBeamMulti", "averagedBleuBeam", "copySourceBleu"] {
                #expect((0...100).contains(r.values[key]!), "\(r.id) \(key) = \(r.values[key]!)")
            }
            #expect(abs(r.values["perplexity"]! - exp(r.values["finalEvalLoss"]!)) < 1e-9)
            #expect(r.values["averagedCheckpoints"] == 2)
            // Controls from the data: a source-blind bigram beats a unigram.
            #expect(r.values["unigramNats"]! > r.values["bigramNats"]!)
            #expect((r.timings["tokensPerSecond"] ?? 0) > 0)
        }
        for r in records where r.experiment == "baseline" {
            // The full evaluation at the budget (step 2) is the model of step 2: its loss is the curve's point there.
            let atBudget = try #require(r.curves["evalLoss"]?.first { $0[0] == 2 })
            #expect(abs(r.values["budgetEvalLoss"]! - atBudget[1]) < 1e-6, "\(r.id)")
            #expect(r.values["budgetEvalLoss"] != r.values["finalEvalLoss"])
            // BLEU during training and the test split.
            #expect(r.curves["bleu"]?.map { $0[0] } == [2, 4])
            #expect(r.timingCurves["bleuByTime"]?.count == 2)
            for key in ["testBleuGreedy", "testBleuBeam", "testBleuBeamMulti", "testAveragedBleuBeam"] {
                #expect(r.values[key].map { (0...100).contains($0) } == true, "\(r.id) lacks \(key)")
            }
        }
        for r in records where r.experiment == "ablations" {
            // At the budget, the budget values are the final ones.
            #expect(r.values["budgetBleuBeam"] == r.values["bleuBeam"] && r.values["budgetEvalLoss"] == r.values["finalEvalLoss"])
        }
        let md = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        let de = try String(contentsOf: out.appendingPathComponent("report.de.md"), encoding: .utf8)
        for claim in study.claims {
            #expect(md.contains("Claim \(claim.id): \(claim.title) — **\(Verdict.decide(claim, records: records).rawValue)**"))
            #expect(de.contains(claim.titleDe!))
        }
        // The German report's title and data lines are German too.
        #expect(de.hasPrefix("# Replikationsbericht: \(try #require(study.titleDe))\n"))
        #expect(de.contains("der Trainingsteil (die ersten 300 Paare)") && !de.contains("pairs)"))
        #expect(md.contains("paper: perplexity / BLEU") && md.contains("5.29 / 24.9"))
        #expect(md.contains("Control: copying the source sentence scores"))
        // The ablations' chart sets the variants beside the baseline's three seeds at the same update.
        let chart = try String(contentsOf: out.appendingPathComponent("ablations-final.svg"), encoding: .utf8)
        #expect(chart.contains(">baseline at update 2 (3 seeds)<"))
        let chartDe = try String(contentsOf: out.appendingPathComponent("ablations-final.de.svg"), encoding: .utf8)
        #expect(chartDe.contains(">baseline bei Update 2 (3 Seeds)<"))
        // …and the ablations' table starts with the baseline's seeds read at that update (its budget values, not its final ones).
        for r in records where r.experiment == "baseline" {
            let v = r.values, n = { (k: String) in v[k].map(Report.number) ?? "missing \(k)" }
            let row = "| baseline at update 2 | \(r.parameters["seed"]!) | \(n("parameters")) | \(n("budgetPerplexity")) | \(n("budgetBleuGreedy")) | \(n("budgetBleuBeam")) | \(n("budgetBleuBeamMulti")) | \(n("budgetAveragedPerplexity")) | \(n("budgetAveragedBleuBeam")) | 4.92 / 25.8 |"
            #expect(md.contains(row), "\(row)")
            #expect(de.contains("| baseline bei Update 2 | \(r.parameters["seed"]!) |"))
        }
        #expect(md.components(separatedBy: "| baseline at update 2 |").count == 4)
        let baselineChart = try String(contentsOf: out.appendingPathComponent("baseline-final.svg"), encoding: .utf8)
        #expect(!baselineChart.contains("at update"))
        // The baseline's BLEU and loss against wall-clock, with the controls on the loss chart; none for the ablations.
        let lossTime = try String(contentsOf: out.appendingPathComponent("baseline-loss-time.svg"), encoding: .utf8)
        #expect(lossTime.contains("validation cross-entropy against training time") && lossTime.contains("target bigram control"))
        #expect(md.contains("(baseline-bleu-time.svg)") && md.contains("(baseline-loss-time.svg)") && !md.contains("ablations-loss-time"))
        #expect(de.contains("(baseline-loss-time.de.svg)"))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("vocabularies").path))
    }
}

@Suite("A translation run is the prefix of a longer one, and its budget evaluation survives a cut", .serialized, .tags(.slow), .slowSuite)
struct TranslationBudgetTests {
    /// Two experiments with the same model and seed: `long` trains 4 steps and is evaluated in full at step 2,
    /// `short` trains 2 steps. Data is the bundled corpus, linked into a scratch package root.
    static let root: URL = {
        let root = temporaryFolder("budget-root")
        let folder = root.appendingPathComponent("Experiments/budget")
        try! FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try! FileManager.default.createSymbolicLink(at: root.appendingPathComponent("Data"), withDestinationURL: packageRoot.appendingPathComponent("Data"))
        let study = #"{"name": "budget", "title": "Budget", "paper": {"title": "p", "authors": "a", "venue": "v", "url": "u"}, "claims": [{"id": "1", "title": "t", "statement": "s", "paper": "p", "checks": [{"metric": {"type": "value", "a": {"experiment": "long", "measure": "budgetBleuBeam"}}, "atMost": 100}]}]}"#
        func experiment(_ name: String, steps: Int) -> String {
            #"{"name": "\#(name)", "task": "translation", "data": "Data/tatoeba-spa-eng", "sourceLanguage": "en", "targetLanguage": "es", "vocabSize": 300, "maxLength": 64, "trainExamples": 200, "validationExamples": 8, "averageInterval": 1, "averageLast": 2, "budgetSteps": 2, "model": {"modelDim": 16, "numHeads": 2, "numEncoderLayers": 1, "numDecoderLayers": 1, "hiddenDim": 32}, "training": {"batchTokens": 256, "maxSteps": \#(steps), "warmupSteps": 2, "evalInterval": 2}}"#
        }
        let tiny = #"{"experiments": [\#(experiment("long", steps: 4)), \#(experiment("short", steps: 2))]}"#
        try! Data(study.utf8).write(to: folder.appendingPathComponent("study.json"))
        try! Data(tiny.utf8).write(to: folder.appendingPathComponent("tiny.json"))
        return root
    }()

    func runner(_ out: URL) throws -> Runner {
        let study = try Study.load(folder: Self.root.appendingPathComponent("Experiments/budget"), scale: .tiny)
        return Runner(study: study, store: ResultsStore(folder: out), root: Self.root)
    }

    @Test("the longer run's evaluation at the budget equals the shorter run's final evaluation, bit for bit, also when cut around the budget")
    func prefix() throws {
        let straight = temporaryFolder("budget-straight"), cut = temporaryFolder("budget-cut")
        try runner(straight).run()
        let records = try ResultsStore(folder: straight).records()
        let long = try #require(records.first { $0.experiment == "long" }), short = try #require(records.first { $0.experiment == "short" })
        for key in ["budgetEvalLoss", "budgetBleuGreedy", "budgetBleuBeam", "budgetAveragedEvalLoss", "budgetAveragedBleuBeam", "budgetBleuBeamMulti"] {
            #expect(long.values[key] != nil && long.values[key] == short.values[key], "\(key): \(String(describing: long.values[key])) vs \(String(describing: short.values[key]))")
        }
        #expect(long.values["finalEvalLoss"] != long.values["budgetEvalLoss"])
        // Cut after 1, 2 (at the budget, before or after its evaluation is stored) and 3 steps: the same values.
        for _ in 0..<10 {
            var r = try runner(cut)
            r.stopAfterSteps = 1
            if try r.run().paused == nil { break }
        }
        let resumed = try ResultsStore(folder: cut).records()
        #expect(resumed.count == 2)
        for (a, b) in zip(records.sorted { $0.id < $1.id }, resumed.sorted { $0.id < $1.id }) {
            #expect(a.values == b.values, "\(a.id)")
            #expect(a.curves == b.curves, "\(a.id)")
        }
    }
}
