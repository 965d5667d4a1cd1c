import Attend
import AttendTestSupport
import Foundation
import Testing

@Suite("Studies over any configuration: variants, grids and seeds of either model family")
struct SweepTests {
    func experiments(_ json: String) throws -> [Experiment] { try Study.decodeScaleFile(json, file: "tiny.json") }

    func error(_ json: String) -> SpecError? {
        do { _ = try experiments(json); return nil } catch { return error as? SpecError }
    }

    static let copyBase = #""task": "copy", "maxSymbols": 3, "model": {"numLayers": 1, "numHeads": 2, "modelDim": 16}, "training": {"batchSize": 4, "steps": 4, "learningRate": 0.003, "evalInterval": 2, "evalBatches": 1}"#

    @Test("a heads × FFN-width grid is a few lines of JSON: every combination × seed, each with its own configuration")
    func grid() throws {
        let e = try #require(try experiments(#"{"experiments": [{"name": "grid", \#(Self.copyBase), "grid": {"model.numHeads": [1, 2, 4], "model.hiddenDim": [32, 64]}, "seeds": [1, 2]}]}"#).first)
        let runs = e.runs()
        #expect(runs.count == 3 * 2 * 2)
        #expect(Set(runs.map(\.id)).count == runs.count)
        #expect(runs.contains { $0.id == "grid/model.hiddenDim=64,model.numHeads=4,seed=2" })
        #expect(Set(runs.map(\.fingerprint)).count == runs.count)
        // Two seeds of one grid point share everything but the seed in their id.
        let a = runs.filter { $0.parameters["model.numHeads"] == "4" && $0.parameters["model.hiddenDim"] == "64" }
        #expect(a.count == 2)
    }

    @Test("kinds, grid values and named variants cross; a variant patches any field of the model or training object")
    func variantsCross() throws {
        let e = try #require(try experiments(#"{"experiments": [{"name": "v", \#(Self.copyBase), "kinds": ["softmax", "linear"], "grid": {"training.learningRate": [0.001, 0.003]}, "variants": [{"name": "pre"}, {"name": "post", "model": {"normPlacement": "post", "dropout": 0.1}, "training": {"warmupSteps": 2}}]}]}"#).first)
        #expect(e.runs().count == 2 * 2 * 2)
        #expect(e.runs().contains { $0.id == "v/kind=linear,seed=1,training.learningRate=0.001,variant=post" })
        // The stored form round-trips through the strict decoder.
        let data = try JSONEncoder().encode(e)
        #expect(try JSONDecoder().decode(Experiment.self, from: data) == e)
    }

    @Test("mistakes in grids and variants name the field", arguments: [
        (#""grid": {"model.numHeads": [2, 3]}"#, "experiments[0].grid.model.numHeads", "model.numHeads: must divide modelDim"),
        (#""grid": {"model.numHead": [2]}"#, "experiments[0].grid.model.numHead", "model.<key> or training.<key>"),
        (#""grid": {"model.numHeads": []}"#, "experiments[0].grid.model.numHeads", "non-empty list"),
        (#""variants": [{"name": "x", "model": {"numHead": 2}}]"#, "experiments[0].variants[0].model.numHead", "unknown key"),
        (#""variants": [{"name": "x", "model": {"normPlacement": "middle"}}]"#, "experiments[0].variants[0].model.normPlacement", "middle"),
        (#""variants": [{"name": "x", "training": {"learningRate": -1}}]"#, "experiments[0].variants[0].training.learningRate", "positive number"),
        (#""variants": [{"name": "x"}, {"name": "x"}]"#, "experiments[0].variants[1].name", "used twice"),
        (#""variants": [{"name": "x", "optimizer": "sgd"}]"#, "experiments[0].variants[0].optimizer", "name, model, training"),
    ])
    func errors(fragment: String, field: String, message: String) throws {
        let e = try #require(error(#"{"experiments": [{"name": "s", \#(Self.copyBase), \#(fragment)}]}"#))
        #expect(e.field == field, "\(e)")
        #expect(e.message.contains(message), "\(e)")
    }

    @Test("the encoder–decoder family takes its own keys; kinds belong to the decoder-only tasks")
    func encoderDecoderKeys() throws {
        let base = #""task": "seq2seq", "problem": "reverse", "examples": 8, "maxDigits": 3, "model": {"modelDim": 16, "numHeads": 2, "numEncoderLayers": 1, "numDecoderLayers": 1}, "training": {"maxSteps": 2, "evalInterval": 1}"#
        let e = try #require(error(#"{"experiments": [{"name": "s", \#(base), "kinds": ["linear"]}]}"#))
        #expect(e.field == "experiments[0].kinds" || e.message.contains("unknown key"), "\(e)")
        let bad = try #require(error(#"{"experiments": [{"name": "s", \#(base), "variants": [{"name": "x", "model": {"encoderAttention": "correlation"}}]}]}"#))
        #expect(bad.field.hasPrefix("experiments[0].variants[0].model"), "\(bad)")
        #expect(try experiments(#"{"experiments": [{"name": "s", \#(base), "grid": {"model.decoderAttention": ["softmax", "linear"]}}]}"#)[0].runs().count == 2)
        // Table 3 rows (B) and (E): the key width (optional, unset by default) and learned positions are model keys.
        let table3 = try experiments(#"{"experiments": [{"name": "s", \#(base), "grid": {"model.keyDim": [4, 16]}, "variants": [{"name": "sinusoid"}, {"name": "learned", "model": {"positions": "learned"}}]}]}"#)[0]
        #expect(table3.runs().count == 4)
        let badKey = try #require(error(#"{"experiments": [{"name": "s", \#(base), "grid": {"model.keyDim": [0]}}]}"#))
        #expect(badKey.field == "experiments[0].grid.model.keyDim" && badKey.message.contains("positive"), "\(badKey)")
    }

    /// A study with three sweeps: a heads × FFN-width grid, pre- vs post-LN, and an encoder–decoder with
    /// softmax or linear decoder self-attention, run end to end at tiny scale.
    static let study: (root: URL, out: URL, summary: Runner.Summary) = {
        let root = temporaryFolder("sweep-root")
        let folder = root.appendingPathComponent("Experiments/sweeps")
        try! FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let study = #"{"name": "sweeps", "title": "Sweeps", "paper": {"title": "p", "authors": "a", "venue": "v", "url": "u"}, "claims": [{"id": "1", "title": "post-LN trains", "statement": "s", "paper": "p", "checks": [{"metric": {"type": "value", "a": {"experiment": "norm", "measure": "finalEvalLoss", "where": {"variant": "post-ln"}}}, "atMost": 100}]}]}"#
        let tiny = #"""
        {"experiments": [
          {"name": "grid", "task": "copy", "maxSymbols": 3, "model": {"numLayers": 1, "numHeads": 2, "modelDim": 16}, "training": {"batchSize": 4, "steps": 3, "learningRate": 0.003, "evalInterval": 3, "evalBatches": 1}, "grid": {"model.numHeads": [1, 2], "model.hiddenDim": [16, 32]}},
          {"name": "norm", "task": "copy", "maxSymbols": 3, "model": {"numLayers": 1, "numHeads": 2, "modelDim": 16}, "training": {"batchSize": 4, "steps": 3, "learningRate": 0.003, "evalInterval": 3, "evalBatches": 1}, "variants": [{"name": "pre-ln"}, {"name": "post-ln", "model": {"normPlacement": "post"}}]},
          {"name": "encdec", "task": "seq2seq", "problem": "reverse", "examples": 16, "maxDigits": 3, "validationExamples": 8, "model": {"modelDim": 16, "numHeads": 2, "numEncoderLayers": 1, "numDecoderLayers": 1, "hiddenDim": 32, "dropout": 0}, "training": {"batchTokens": 64, "maxSteps": 3, "warmupSteps": 2, "evalInterval": 3}, "variants": [{"name": "softmax"}, {"name": "linear-decoder", "model": {"decoderAttention": "linear"}}]}
        ]}
        """#
        try! Data(study.utf8).write(to: folder.appendingPathComponent("study.json"))
        try! Data(tiny.utf8).write(to: folder.appendingPathComponent("tiny.json"))
        let out = temporaryFolder("sweep-out")
        let (summary, _) = try! Replication.replicate(study: "sweeps", scale: .tiny, root: root, out: out)
        return (root, out, summary)
    }()

    @Test("a study over several model fields of both families runs end to end, and each variant trains its own configuration")
    func runsEndToEnd() throws {
        let (_, out, summary) = Self.study
        #expect(summary.ran == 4 + 2 + 2)
        let records = try ResultsStore(folder: out).records()
        func record(_ id: String) throws -> RunRecord { try #require(records.first { $0.id == id }, "\(id)") }
        for r in records { #expect(r.values["finalEvalLoss"]?.isFinite == true, "\(r.id)") }
        // FFN width 32 vs 16 at width 16, one layer, no biases: 2·16·16 more weights, at either head count.
        for heads in ["1", "2"] {
            let wide = try record("grid/model.hiddenDim=32,model.numHeads=\(heads),seed=1").values["parameters"]
            let narrow = try record("grid/model.hiddenDim=16,model.numHeads=\(heads),seed=1").values["parameters"]
            #expect(wide! - narrow! == 2 * 16 * 16)
        }
        // Head count changes the computation, not the parameters.
        let h1 = try record("grid/model.hiddenDim=16,model.numHeads=1,seed=1"), h2 = try record("grid/model.hiddenDim=16,model.numHeads=2,seed=1")
        #expect(h1.values["parameters"] == h2.values["parameters"])
        #expect(h1.values["finalEvalLoss"] != h2.values["finalEvalLoss"])
        // Post-LN is another model than pre-LN from the same seed.
        let pre = try record("norm/seed=1,variant=pre-ln"), post = try record("norm/seed=1,variant=post-ln")
        #expect(pre.values["finalEvalLoss"] != post.values["finalEvalLoss"])
        // The encoder–decoder variant: same parameters, another decoder mechanism, another loss.
        let soft = try record("encdec/seed=1,variant=softmax"), linear = try record("encdec/seed=1,variant=linear-decoder")
        #expect(soft.values["parameters"] == linear.values["parameters"])
        #expect(soft.values["finalEvalLoss"] != linear.values["finalEvalLoss"])
        #expect(soft.values["exactMatch"].map { (0...1).contains($0) } == true)
        let md = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(md.contains("| encdec | seq2seq | encoder softmax, decoder softmax, cross softmax | 1+1 |"))
        #expect(md.contains("variant `post-ln`"))
        #expect(md.contains("| hiddenDim=32, numHeads=2 | 1 |"))
        #expect(md.contains("| post-ln | 1 |"))
    }
}

@Suite("A study's training run cut off mid-way continues from its checkpoint", .serialized)
struct StudyRunResumeTests {
    /// One copy experiment (3 evaluations) and one encoder–decoder experiment, so both loops are covered.
    static let root: URL = {
        let root = temporaryFolder("resume-root")
        let folder = root.appendingPathComponent("Experiments/resume")
        try! FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let study = #"{"name": "resume", "title": "Resume", "paper": {"title": "p", "authors": "a", "venue": "v", "url": "u"}, "claims": [{"id": "1", "title": "t", "statement": "s", "paper": "p", "checks": [{"metric": {"type": "value", "a": {"experiment": "copy", "measure": "finalEvalLoss"}}, "atMost": 100}]}]}"#
        let tiny = #"{"experiments": [{"name": "copy", "task": "copy", "maxSymbols": 4, "minSymbols": 2, "model": {"numLayers": 1, "numHeads": 2, "modelDim": 16}, "training": {"batchSize": 4, "steps": 6, "learningRate": 0.003, "evalInterval": 2, "evalBatches": 1}}, {"name": "encdec", "task": "seq2seq", "problem": "reverse", "examples": 16, "maxDigits": 3, "validationExamples": 8, "model": {"modelDim": 16, "numHeads": 2, "numEncoderLayers": 1, "numDecoderLayers": 1, "hiddenDim": 32, "dropout": 0.1}, "training": {"batchTokens": 64, "maxSteps": 4, "warmupSteps": 2, "evalInterval": 2}}]}"#
        try! Data(study.utf8).write(to: folder.appendingPathComponent("study.json"))
        try! Data(tiny.utf8).write(to: folder.appendingPathComponent("tiny.json"))
        return root
    }()

    func runner(_ out: URL) throws -> Runner {
        let study = try Study.load(folder: Self.root.appendingPathComponent("Experiments/resume"), scale: .tiny)
        return Runner(study: study, store: ResultsStore(folder: out), root: Self.root)
    }

    @Test("stopped after a few steps, then run again: the same values and curves as an uninterrupted run, bit for bit")
    func resumeIsExact() throws {
        let straight = temporaryFolder("straight"), cut = temporaryFolder("cut")
        try runner(straight).run()
        var first = try runner(cut)
        first.stopAfterSteps = 3
        let paused = try first.run()
        #expect(paused.paused != nil && paused.ran == 0)
        #expect(try ResultsStore(folder: cut).records().isEmpty)
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: cut.appendingPathComponent("checkpoints").path)
        #expect(checkpoints.count == 1)
        // Three more steps finish the copy run (6) and stop the encoder–decoder run at step 3 of 4.
        var second = try runner(cut)
        second.stopAfterSteps = 3
        let again = try second.run()
        #expect(again.ran == 1 && again.paused != nil)
        #expect(try runner(cut).run().paused == nil)
        // Both runs of the cut sweep continued from a checkpoint, and their records say so (the report marks their times).
        #expect(try ResultsStore(folder: straight).records().map(\.resumed) == [nil, nil])
        #expect(try ResultsStore(folder: cut).records().map(\.resumed) == [true, true])
        let study = try runner(cut).study
        let report = Report(study: study, records: try ResultsStore(folder: cut).records()).render().markdown
        #expect(report.contains(" ↻ |") && report.contains("↻ Resumed from its last checkpoint"))
        #expect(!Report(study: study, records: try ResultsStore(folder: straight).records()).render().markdown.contains("↻"))
        let a = try ResultsStore(folder: straight).records().map(\.withoutTimings), b = try ResultsStore(folder: cut).records().map(\.withoutTimings)
        #expect(a.count == 2 && b.count == 2)
        for (x, y) in zip(a, b) {
            #expect(x.values == y.values, "\(x.id)")
            #expect(x.curves == y.curves, "\(x.id)")
        }
        #expect(b.first { $0.experiment == "copy" }?.values["copyAccuracy"].map { (0...1).contains($0) } == true)
        // Finished runs leave no checkpoints behind; git ignores the folder meanwhile.
        #expect((try? FileManager.default.contentsOfDirectory(atPath: cut.appendingPathComponent("checkpoints").path))?.isEmpty ?? true)
        #expect(try String(contentsOf: cut.appendingPathComponent(".gitignore"), encoding: .utf8).contains("checkpoints/"))
    }
}

@Suite("A study's records name the commit the runner started from")
struct RunnerCommitTests {
    @Test("the checkout moving on during a sweep (a commit while it runs) does not change the commit its records name")
    func commitFromTheStart() throws {
        let root = temporaryFolder("commit-root")
        try FileManager.default.createSymbolicLink(at: root.appendingPathComponent("Experiments"),
                                                   withDestinationURL: StudyRunResumeTests.root.appendingPathComponent("Experiments"))
        let git = root.appendingPathComponent(".git")
        try FileManager.default.createDirectory(at: git, withIntermediateDirectories: true)
        let started = "0123456789abcdef0123456789abcdef01234567", later = "fedcba9876543210fedcba9876543210fedcba98"
        try Data((started + "\n").utf8).write(to: git.appendingPathComponent("HEAD"))
        let study = try Study.load(folder: root.appendingPathComponent("Experiments/resume"), scale: .tiny)
        let out = temporaryFolder("commit-out")
        let runner = Runner(study: study, store: ResultsStore(folder: out), root: root)
        try Data((later + "\n").utf8).write(to: git.appendingPathComponent("HEAD"))
        try runner.run()
        let records = try ResultsStore(folder: out).records()
        #expect(records.count == 2)
        for r in records { #expect(r.commit == String(started.prefix(12)), "\(r.id)") }
    }
}
