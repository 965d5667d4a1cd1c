import Attend
import AttendTestSupport
import Foundation
import Testing

/// The package root (Experiments/, Data/), found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

@Suite("Study specs")
struct SpecTests {
    func experimentError(_ json: String) -> SpecError? {
        do { _ = try Study.decodeScaleFile(json, file: "quick.json"); return nil } catch { return error as? SpecError }
    }

    @Test("an unknown key names the file, the field path and the allowed keys")
    func unknownKey() throws {
        let e = try #require(experimentError(#"{"experiments": [{"name": "s", "task": "attention-scaling", "kinds": ["linear"], "lengths": [8], "lenghts": [4]}]}"#))
        #expect(e.file == "quick.json")
        #expect(e.field == "experiments[0].lenghts")
        #expect(e.message.contains("unknown key") && e.message.contains("lengths") && e.message.contains("headDim"))
        #expect(e.description.hasPrefix("quick.json: field 'experiments[0].lenghts'"))
    }

    @Test("a key that belongs to another task is rejected")
    func keyOfOtherTask() throws {
        let e = try #require(experimentError(#"{"experiments": [{"name": "s", "task": "attention-scaling", "kinds": ["linear"], "lengths": [8], "training": {}}]}"#))
        #expect(e.field == "experiments[0].training")
    }

    @Test("a missing field is named")
    func missingField() throws {
        let e = try #require(experimentError(#"{"experiments": [{"name": "s", "task": "attention-scaling", "kinds": ["linear"]}]}"#))
        #expect(e.field == "experiments[0].lengths")
        #expect(e.message.contains("missing"))
    }

    @Test("bad values list what is allowed", arguments: [
        (#"{"experiments": [{"name": "s", "task": "attention-scaling", "kinds": ["linaer"], "lengths": [8]}]}"#, "experiments[0].kinds[0]", "softmax, linear"),
        (#"{"experiments": [{"name": "s", "task": "sorting", "kinds": ["linear"]}]}"#, "experiments[0].task", "attention-scaling, generation, copy"),
        (#"{"experiments": [{"name": "s", "task": "attention-scaling", "kinds": ["linear"], "lengths": [0, 8]}]}"#, "experiments[0].lengths", "positive integers"),
        (#"{"experiments": [{"name": "s", "task": "attention-scaling", "kinds": ["linear"], "lengths": "8"}]}"#, "experiments[0].lengths", "a list"),
        (#"{"experiments": [{"name": "g", "task": "generation", "variants": [{"kind": "linear", "cache": "kv"}], "tokens": [4], "batches": [1], "model": {"numLayers": 1, "numHeads": 2, "modelDim": 8}}]}"#, "experiments[0].variants[0].cache", "state, recompute"),
        (#"{"experiments": [{"name": "c", "task": "copy", "kinds": ["linear"], "maxSymbols": 4, "model": {"numLayers": 1, "numHeads": 3, "modelDim": 8}, "training": {"batchSize": 1, "steps": 1, "learningRate": 0.1, "evalInterval": 1, "evalBatches": 1}}]}"#, "experiments[0].model.numHeads", "must divide modelDim"),
        (#"{"experiments": [{"name": "c", "task": "copy", "kinds": ["linear"], "maxSymbols": 4, "model": {"numLayers": 1, "numHeads": 2, "modelDim": 8}, "training": {"batchSize": 1, "steps": 1, "learningRate": -1, "evalInterval": 1, "evalBatches": 1}}]}"#, "experiments[0].training.learningRate", "positive number"),
    ])
    func badValues(json: String, field: String, allowed: String) throws {
        let e = try #require(experimentError(json))
        #expect(e.field == field, "\(e)")
        #expect(e.message.contains(allowed), "\(e)")
    }

    @Test("claims: a check needs exactly one of atMost/atLeast, and a metric type from the list")
    func claimErrors() throws {
        let base = #"{"name": "x", "title": "t", "paper": {"title": "p", "authors": "a", "venue": "v", "url": "u"}, "claims": [{"id": "1", "title": "t", "statement": "s", "paper": "p", "checks": [CHECK]}]}"#
        func error(_ check: String) -> SpecError? {
            do { _ = try Study.decodeStudyFile(base.replacingOccurrences(of: "CHECK", with: check), file: "study.json"); return nil } catch { return error as? SpecError }
        }
        let sel = #"{"experiment": "e", "measure": "m"}"#
        let both = try #require(error(#"{"metric": {"type": "value", "a": \#(sel)}, "atMost": 1, "atLeast": 0}"#))
        #expect(both.field == "claims[0].checks[0].atMost" && both.message.contains("exactly one"))
        let type = try #require(error(#"{"metric": {"type": "mean", "a": \#(sel)}, "atMost": 1}"#))
        #expect(type.field == "claims[0].checks[0].metric.type" && type.message.contains("value, ratio, difference, slope"))
        let noB = try #require(error(#"{"metric": {"type": "ratio", "a": \#(sel)}, "atMost": 1}"#))
        #expect(noB.field == "claims[0].checks[0].metric.b")
        #expect(error(#"{"metric": {"type": "slope", "a": \#(sel), "x": "length"}, "atMost": 1}"#) == nil)
    }

    @Test("a study file that is not JSON, or missing, is reported with its path")
    func unreadableFiles() throws {
        let folder = temporaryFolder("spec")
        do { _ = try Study.load(folder: folder, scale: .quick); Issue.record("expected an error") } catch let e as SpecError {
            #expect(e.file.hasSuffix("study.json") && e.message.contains("not found"))
        }
        try Data("{ not json".utf8).write(to: folder.appendingPathComponent("study.json"))
        do { _ = try Study.load(folder: folder, scale: .quick); Issue.record("expected an error") } catch let e as SpecError {
            #expect(e.message.contains("not valid JSON"))
        }
    }

    @Test("a claim naming an experiment the scale lacks is study.json's error (naming the scale file); a duplicate experiment name is the scale file's")
    func danglingReferences() throws {
        let source = packageRoot.appendingPathComponent("Experiments/linear-attention")
        let folder = temporaryFolder("spec-references")
        let study = try String(contentsOf: source.appendingPathComponent("study.json"), encoding: .utf8)
        let tiny = try String(contentsOf: source.appendingPathComponent("tiny.json"), encoding: .utf8)
        try study.replacingOccurrences(of: "\"experiment\": \"generation\"", with: "\"experiment\": \"feneration\"")
            .write(to: folder.appendingPathComponent("study.json"), atomically: true, encoding: .utf8)
        try tiny.write(to: folder.appendingPathComponent("tiny.json"), atomically: true, encoding: .utf8)
        do { _ = try Study.load(folder: folder, scale: .tiny); Issue.record("expected an error") } catch let e as SpecError {
            #expect(e.file.hasSuffix("study.json") && e.message.contains("'feneration' is not an experiment of \(folder.appendingPathComponent("tiny.json").path)"), "\(e)")
        }
        try study.write(to: folder.appendingPathComponent("study.json"), atomically: true, encoding: .utf8)
        try tiny.replacingOccurrences(of: "\"name\": \"copy\"", with: "\"name\": \"scaling\"")
            .write(to: folder.appendingPathComponent("tiny.json"), atomically: true, encoding: .utf8)
        do { _ = try Study.load(folder: folder, scale: .tiny); Issue.record("expected an error") } catch let e as SpecError {
            #expect(e.file.hasSuffix("tiny.json") && e.message.contains("used twice"), "\(e)")
        }
    }

    @Test("the linear-attention study loads at every scale and its claims name existing experiments", arguments: Scale.allCases)
    func shippedStudy(scale: Scale) throws {
        let study = try Study.load(folder: packageRoot.appendingPathComponent("Experiments/linear-attention"), scale: scale)
        #expect(study.claims.count == 5)
        #expect(Set(study.runs.map(\.id)).count == study.runs.count)
        // Round trip through the stored form (results folders keep the resolved study).
        let data = try JSONEncoder().encode(study)
        #expect(try JSONDecoder().decode(Study.self, from: data) == study)
    }

    @Test("every study's prose is complete in both languages: every section, every claim's title, statement and account of the paper")
    func germanProse() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent("Experiments").path).sorted()
        #expect(names == ["expressive-power", "leviathan", "linear-attention", "transformer"])
        for name in names { try germanProse(name) }
    }

    func germanProse(_ name: String) throws {
        let study = try Study.load(folder: packageRoot.appendingPathComponent("Experiments/\(name)"), scale: .full)
        #expect(Set(study.text.keys) == Set(Study.textKeys), "\(name)")
        // A title of the study's own (not just the paper's title, a name that stays as it is) has a German version.
        #expect(study.title == study.paper.title || (study.titleDe ?? study.title) != study.title, "\(name): titleDe missing")
        for key in study.text.keys.sorted() { #expect(study.textDe?[key]?.isEmpty == false, "\(name): textDe lacks \(key)") }
        for claim in study.claims {
            #expect(claim.titleDe != nil && claim.statementDe != nil && claim.paperDe != nil, "\(name): claim \(claim.id) lacks German")
        }
    }

    @Test("adding a kind keeps the other runs' fingerprints (they are not re-run); changing a setting changes them")
    func fingerprints() throws {
        let study = try Study.load(folder: packageRoot.appendingPathComponent("Experiments/linear-attention"), scale: .quick)
        let e = try #require(study.experiments.first { $0.name == "copy" })
        let before = Dictionary(uniqueKeysWithValues: e.runs().map { ($0.id, $0.fingerprint) })
        let kinds = try #require(e.json.members["kinds"]).elements
        let added = try e.patched(.object(["kinds": .array(kinds + [.string(AttentionKind.linearFavor.rawValue)])]))
        let after = Dictionary(uniqueKeysWithValues: added.runs().map { ($0.id, $0.fingerprint) })
        let seeds = before.keys.filter { $0.contains("kind=softmax") }.count
        #expect(seeds >= 1 && after.count == before.count + seeds)
        for (id, f) in before { #expect(after[id] == f) }
        guard case let .int(steps)? = e.json.value(at: ["training", "steps"]) else { Issue.record("no training.steps"); return }
        let longer = try added.patched(.object(["training": .object(["steps": .int(steps + 1)])]))
        for run in longer.runs() { #expect(before[run.id].map { $0 != run.fingerprint } ?? true) }
    }
}
