import Attend
import AttendTestSupport
import Foundation
import Testing

@Suite("The expressive-power study (Wang & E) as specs")
struct ExpressivePowerSpecTests {
    static let folder = packageRoot.appendingPathComponent("Experiments/expressive-power")

    @Test("loads at every scale; every claim (1a–4b, II, far) names experiments of that scale; the stored form round-trips", arguments: Scale.allCases)
    func loads(scale: Scale) throws {
        let study = try Study.load(folder: Self.folder, scale: scale)
        #expect(study.claims.map(\.id) == ["1a", "1b", "2a", "2b", "3a", "3b", "4a", "4b", "II", "far"])
        #expect(Set(study.runs.map(\.id)).count == study.runs.count)
        #expect(try JSONDecoder().decode(Study.self, from: JSONEncoder().encode(study)) == study)
    }

    @Test("the full scale runs the synthetic targets at the paper's T = 1000, batch 100, 10,000 steps, with 3 seeds per cell; 1b–3a with a bias per lag")
    func fullScale() throws {
        let study = try Study.load(folder: Self.folder, scale: .full)
        for e in study.experiments where e.task == "memory-regression" && e.name != "adaptive" {
            #expect(e.json.value(at: ["length"]) == .int(1000), "\(e.name)")
            #expect(e.json.value(at: ["training", "batchSize"]) == .int(100) && e.json.value(at: ["training", "steps"]) == .int(10000), "\(e.name)")
        }
        for e in study.experiments { #expect(e.json.value(at: ["seeds"]) == .array([.int(1), .int(2), .int(3)]), "\(e.name)") }
        // 1b–3a: a learned bias per lag (every lag its own T5 bucket); 'far': the same target with the log-type bias.
        for name in ["readout", "sparse-sum", "sparse-readout"] {
            let e = try #require(study.experiments.first { $0.name == name })
            #expect(e.json.value(at: ["model", "positionBias"]) == .string("t5") && e.json.value(at: ["model", "positionBuckets"]) == .int(2000)
                    && e.json.value(at: ["model", "positionMaxDistance"]) == .int(1001), "\(name)")
        }
        let far = try #require(study.experiments.first { $0.name == "sparse-sum-log-type" })
        #expect(far.json.value(at: ["model", "positionBias"]) == .string("log-type") && far.json.value(at: ["target"]) == .string("sparse-sum"))
    }

    @Test("a memory position outside the sequence is refused, naming the field and the range")
    func badPositions() throws {
        let json = """
        {"experiments": [{"name": "x", "task": "memory-regression", "target": "sparse-sum", "length": 50,
          "model": {"numHeads": 1, "modelDim": 4}, "training": {"batchSize": 2, "steps": 1, "learningRate": 0.001, "evalInterval": 1, "evalBatches": 1}}]}
        """
        do { _ = try Study.decodeScaleFile(json, file: "bad.json"); Issue.record("expected an error") } catch let e as SpecError {
            #expect(e.field.contains("length") && e.message.contains("outside the sequence 1…50"), "\(e.field): \(e.message)")
        }
        let heads = json.replacingOccurrences(of: "\"length\": 50", with: "\"length\": 100").replacingOccurrences(of: "\"numHeads\": 1", with: "\"numHeads\": -1")
        do { _ = try Study.decodeScaleFile(heads, file: "bad.json"); Issue.record("expected an error") } catch let e as SpecError {
            #expect(e.field.contains("numHeads"), "\(e.field): \(e.message)")
        }
    }
}

@Suite("The expressive-power study end to end", .serialized, .tags(.slow), .slowSuite)
struct ExpressivePowerReplicationTests {
    @Test("replicate expressive-power --scale tiny stores every run with its controls and writes both reports with a verdict per claim")
    func tiny() throws {
        let out = temporaryFolder("expressive-power-tiny")
        let (summary, _) = try Replication.replicate(study: "expressive-power", scale: .tiny, root: packageRoot, out: out)
        let study = try ResultsStore(folder: out).loadStudy()
        let records = try ResultsStore(folder: out).records()
        #expect(summary.ran == study.runs.count && records.count == study.runs.count)
        for r in records where r.task == "memory-regression" {
            #expect(r.values["finalEvalLoss"]?.isFinite == true && r.values["constantMSE"].map { $0 > 0 } == true, "\(r.id)")
            #expect(r.values["lastTokenMSE"].map { $0 <= r.values["constantMSE"]! + 1e-9 } == true, "\(r.id)")
        }
        let md = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        for claim in study.claims {
            #expect(md.contains("Claim \(claim.id): \(claim.title) — **\(Verdict.decide(claim, records: records).rawValue)**"))
        }
        #expect(md.contains("0.802") && md.contains("5.3e-4"))  // the paper's numbers are quoted
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("report.de.md").path))
    }
}
