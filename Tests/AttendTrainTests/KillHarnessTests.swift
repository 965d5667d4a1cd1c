import Attend
import AttendTestSupport
import Foundation
import Testing

/// The kill-at-random harness: `attend train` (character LM and an encoder–decoder task) and
/// `attend replicate` are killed with SIGKILL at random moments — mid-step, mid-checkpoint, mid-record —
/// and resumed each time; after every kill each file in the run folder must read back, and the finished
/// run must equal an uninterrupted one bit for bit. CI runs 3 kills per command; `ATTEND_KILL_HARNESS=long`
/// runs 20 (`ATTEND_KILL_HARNESS=long swift test --filter KillHarnessTests`).
@Suite("Kill at random moments, resume, compare", .serialized, .tags(.slow), .slowSuite)
struct KillHarnessTests {
    static let long = ProcessInfo.processInfo.environment["ATTEND_KILL_HARNESS"] == "long"
    static let kills = long ? 20 : 3

    /// Starts `first` (then `again` after each kill), each time killing the process with SIGKILL once
    /// `progress()` has grown past its value at the start plus a random 0–3, after a random 0–40 ms more;
    /// after each kill `check()` must pass. Returns the number of kills that hit a running process.
    func killRepeatedly(first: [String], again: [String], directory: URL? = nil, log: URL, rng: inout RandomGenerator,
                        progress: () -> Int, check: () throws -> Void) throws -> Int {
        var kills = 0
        var args = first
        while kills < Self.kills {
            let start = progress()
            let target = start + 1 + rng.nextInt(below: 3)
            let p = try AttendProcess.start(args, log: log, directory: directory)
            let deadline = Date().addingTimeInterval(300)
            while p.isRunning && progress() < target && Date() < deadline { usleep(2_000) }
            usleep(UInt32(rng.nextInt(below: 40_000)))
            if p.isRunning {
                kill(p.processIdentifier, SIGKILL)
                p.waitUntilExit()
                if p.terminationReason == .uncaughtSignal { kills += 1 }
            } else {
                p.waitUntilExit()
            }
            let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if p.terminationReason == .exit {
                #expect(p.terminationStatus == 0, "\(args.joined(separator: " ")): \(output)")
                if p.terminationStatus != 0 { return kills }
                break  // finished before the kill: the run is too short for more kills
            }
            try check()
            args = again
        }
        return kills
    }

    /// Every line of metrics.jsonl is a whole record.
    func checkMetrics(_ run: URL) throws {
        guard let text = try? String(contentsOf: run.appendingPathComponent("metrics.jsonl"), encoding: .utf8) else { return }
        for line in text.split(separator: "\n") { _ = try JSONDecoder().decode(MetricsRecord.self, from: Data(line.utf8)) }
        #expect(text.isEmpty || text.hasSuffix("\n"), "metrics.jsonl ends mid-line")
    }

    /// No temporary folder or file is left next to the checkpoints after a finished run.
    func checkNoLeftovers(_ run: URL) throws {
        let entries = try FileManager.default.contentsOfDirectory(atPath: Checkpoint.folder(run: run).path)
        #expect(!entries.contains { $0.hasPrefix(".") || $0.contains("tmp") }, "\(entries)")
    }

    func checkpointStep(_ run: URL) -> Int {
        (try? Checkpoint.resolve(run.path)).flatMap { try? JSONDecoder().decode(StepProbe.self, from: Data(contentsOf: $0.appendingPathComponent("state.json"))).step } ?? 0
    }

    struct StepProbe: Decodable { var step: Int }

    /// Runs `args` to the end once (the reference), then again with kills and resumes; after each kill
    /// `readBack(run)` must read the run's config and latest checkpoint. The finished run must log the
    /// reference's losses and hold its weights, bit for bit.
    func killTrainRun(_ args: [String], name: String, seed: UInt64, readBack: (URL) throws -> Void) throws {
        let whole = temporaryFolder("kill-\(name)-whole")
        let reference = try AttendProcess.run(args + ["--out", whole.path])
        #expect(reference.status == 0, "\(reference.output)")

        let run = temporaryFolder("kill-\(name)-run")
        var rng = RandomGenerator(seed: seed)
        let kills = try killRepeatedly(first: args + ["--out", run.path], again: ["train", "--out", run.path, "--resume", "--quiet"],
                                       log: run.appendingPathComponent("log.txt"), rng: &rng, progress: { checkpointStep(run) }) {
            try readBack(run)
            try checkMetrics(run)
        }
        #expect(kills == Self.kills, "only \(kills) kills landed")
        let finish = try AttendProcess.run(["train", "--out", run.path, "--resume", "--quiet"])
        #expect(finish.status == 0, "\(finish.output)")
        let a = try runMetrics(run), b = try runMetrics(whole)
        #expect(a.map(\.step) == b.map(\.step) && a.map(\.loss) == b.map(\.loss) && a.map(\.validationLoss) == b.map(\.validationLoss))
        let wa = try Safetensors.read(try Checkpoint.resolve(run.path).appendingPathComponent("model.safetensors")).tensors
        let wb = try Safetensors.read(try Checkpoint.resolve(whole.path).appendingPathComponent("model.safetensors")).tensors
        #expect(wa.keys.sorted() == wb.keys.sorted() && wa.allSatisfy { $0.value.scalars == wb[$0.key]?.scalars })
        try checkNoLeftovers(run)
    }

    @Test("character LM: SIGKILL at random moments; every checkpoint and log line reads back; the resumed run equals an uninterrupted one")
    func languageModel() throws {
        let text = cliTextFile("kill-lm")
        let steps = 6 * Self.kills + 12
        try killTrainRun(["train", "--preset", "tiny", "--data", text.path, "--max-steps", "\(steps)", "--checkpoint-interval", "1",
                          "--eval-interval", "5", "--eval-batches", "1", "--learning-rate", "2e-3", "--quiet"], name: "lm", seed: 11) { run in
            _ = try JSONDecoder().decode(RunConfig.self, from: Data(contentsOf: run.appendingPathComponent("config.json")))
            if let c = try? Checkpoint.resolve(run.path) { _ = try Checkpoint.loadModel(c) }
        }
    }

    @Test("encoder–decoder (synthetic reverse task): SIGKILL at random moments; the resumed run equals an uninterrupted one")
    func encoderDecoder() throws {
        let steps = 6 * Self.kills + 12
        try killTrainRun(["train", "--task", "reverse", "--examples", "200", "--task-length", "4", "--model-dim", "32", "--hidden-dim", "64",
                          "--max-steps", "\(steps)", "--checkpoint-interval", "1", "--eval-interval", "\(steps / 2)", "--quiet"],
                         name: "ed", seed: 12) { run in
            _ = try JSONDecoder().decode(TranslationRunConfig.self, from: Data(contentsOf: run.appendingPathComponent("config.json")))
            if let c = try? Checkpoint.resolve(run.path) { _ = try TranslationCheckpoint.loadModel(c) }
        }
    }

    @Test("attend replicate: SIGKILL at random moments between and inside runs; results.jsonl stays whole and ends equal to an uninterrupted sweep")
    func replicate() throws {
        let root = temporaryFolder("kill-study-root")
        let folder = root.appendingPathComponent("Experiments/killed")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let study = #"{"name": "killed", "title": "Kill harness", "paper": {"title": "p", "authors": "a", "venue": "v", "url": "u"}, "claims": [{"id": "1", "title": "t", "statement": "s", "paper": "p", "checks": [{"metric": {"type": "value", "a": {"experiment": "copy", "measure": "finalEvalLoss"}}, "atMost": 100}]}]}"#
        let seeds = (1...(3 * Self.kills + 2)).map(String.init).joined(separator: ", ")
        let tiny = #"{"experiments": [{"name": "copy", "task": "copy", "maxSymbols": 4, "minSymbols": 2, "seeds": [\#(seeds)], "model": {"numLayers": 1, "numHeads": 2, "modelDim": 16}, "training": {"batchSize": 4, "steps": 8, "learningRate": 0.003, "evalInterval": 4, "evalBatches": 1}}]}"#
        try Data(study.utf8).write(to: folder.appendingPathComponent("study.json"))
        try Data(tiny.utf8).write(to: folder.appendingPathComponent("tiny.json"))
        let whole = root.appendingPathComponent("whole"), cut = root.appendingPathComponent("cut")
        let reference = try AttendProcess.run(["replicate", "killed", "--scale", "tiny", "--out", whole.path], directory: root)
        #expect(reference.status == 0, "\(reference.output)")

        func records(_ out: URL) throws -> [RunRecord] { try ResultsStore(folder: out).records() }
        var rng = RandomGenerator(seed: 13)
        let args = ["replicate", "killed", "--scale", "tiny", "--out", cut.path]
        let kills = try killRepeatedly(first: args, again: args, directory: root, log: root.appendingPathComponent("log.txt"), rng: &rng,
                                       progress: { (try? records(cut).count) ?? 0 }) {
            _ = try records(cut)  // every stored line decodes
        }
        #expect(kills == Self.kills, "only \(kills) kills landed")
        let finish = try AttendProcess.run(args, directory: root)
        #expect(finish.status == 0, "\(finish.output)")
        let a = try records(cut).map(\.withoutTimings).sorted { $0.id < $1.id }
        let b = try records(whole).map(\.withoutTimings).sorted { $0.id < $1.id }
        #expect(a.count == b.count && a.count == 3 * Self.kills + 2)
        #expect(a.map(\.id) == b.map(\.id))
        for (x, y) in zip(a, b) { #expect(x.values == y.values && x.curves == y.curves, "\(x.id)") }
    }
}
