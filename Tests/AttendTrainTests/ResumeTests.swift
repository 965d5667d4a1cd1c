import Attend
import AttendTestSupport
import Foundation
import Testing

/// `--resume` continues a run as it was configured, and SIGINT / SIGTERM stop a run gracefully.
@Suite("Resume and interruption", .serialized, .tags(.slow), .slowSuite)
struct ResumeTests {
    let text = cliTextFile("resume-text")

    /// Waits (polling, at most `seconds`) for `p` to end; false if it is still running.
    func finished(_ p: Process, within seconds: Double = 120) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while p.isRunning && Date() < deadline { usleep(20_000) }
        return !p.isRunning
    }

    /// Waits until the run's log shows that training has started (the data line follows the model's).
    func waitForStart(_ log: URL) {
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, !((try? String(contentsOf: log, encoding: .utf8)) ?? "").contains("data:") { usleep(20_000) }
    }

    func storedConfig(_ run: URL) throws -> RunConfig {
        try JSONDecoder().decode(RunConfig.self, from: Data(contentsOf: run.appendingPathComponent("config.json")))
    }

    @Test("--resume refuses a flag that differs from the stored run (naming it and both values) and accepts a longer --max-steps, noted in metrics.jsonl")
    func refusesChangedSettings() throws {
        let run = temporaryFolder("resume-refuse")
        let first = try AttendProcess.run(["train", "--preset", "tiny", "--data", text.path, "--max-steps", "20",
                                           "--eval-interval", "10", "--learning-rate", "2e-3", "--out", run.path, "--quiet"])
        #expect(first.status == 0, "\(first.output)")
        let changed = try AttendProcess.run(["train", "--out", run.path, "--resume", "--learning-rate", "1e-3", "--num-heads", "4"])
        #expect(changed.status == 1)
        #expect(changed.output.contains("--learning-rate (stored: 0.002, given: 0.001)"), "\(changed.output)")
        #expect(changed.output.contains("--num-heads (stored: 2, given: 4)"), "\(changed.output)")
        #expect(!changed.output.contains("Usage:"))
        #expect(try storedConfig(run).training.learningRate == 2e-3, "a refused resume must not rewrite config.json")

        let longer = try AttendProcess.run(["train", "--out", run.path, "--resume", "--max-steps", "25", "--quiet"])
        #expect(longer.status == 0, "\(longer.output)")
        #expect(try storedConfig(run).training.maxSteps == 25)
        #expect(try storedConfig(run).training.learningRate == 2e-3)
        #expect(try Checkpoint.loadState(try Checkpoint.resolve(run.path)).step == 25)
        let notes = try runMetrics(run).filter { $0.kind == "config" }.compactMap(\.note)
        #expect(notes == ["maxSteps 20 → 25 on resume"])
    }

    @Test("a run folder with a config but no checkpoint restarts that configured run under --resume")
    func resumeWithoutCheckpointRestartsConfiguredRun() throws {
        let run = temporaryFolder("resume-config-only")
        let first = try AttendProcess.run(["train", "--preset", "tiny", "--data", text.path, "--max-steps", "10",
                                           "--eval-interval", "10", "--learning-rate", "3e-3", "--seed", "7",
                                           "--model-dim", "16", "--out", run.path, "--quiet"])
        #expect(first.status == 0, "\(first.output)")
        // As if killed before its first checkpoint: config.json only.
        try FileManager.default.removeItem(at: Checkpoint.folder(run: run))
        try? FileManager.default.removeItem(at: run.appendingPathComponent("metrics.jsonl"))
        let r = try AttendProcess.run(["train", "--out", run.path, "--resume", "--quiet"])
        #expect(r.status == 0, "\(r.output)")
        let stored = try storedConfig(run)
        #expect(stored.training.learningRate == 3e-3 && stored.training.seed == 7 && stored.model.modelDim == 16)
        #expect(r.output.contains("width 16"), "\(r.output)")
        #expect(try Checkpoint.loadState(try Checkpoint.resolve(run.path)).step == 10)
    }

    @Test("SIGINT and SIGTERM finish the step, write a checkpoint, print how to resume and exit 130 / 143; resuming matches an uninterrupted run bit for bit",
          arguments: [SIGINT, SIGTERM])
    func gracefulInterruption(_ signal: Int32) throws {
        let common = ["train", "--preset", "tiny", "--data", text.path, "--max-steps", "60", "--checkpoint-interval", "1000",
                      "--eval-interval", "30", "--eval-batches", "2", "--quiet"]
        let whole = temporaryFolder("interrupt-whole")
        let reference = try AttendProcess.run(common + ["--out", whole.path])
        #expect(reference.status == 0, "\(reference.output)")

        let run = temporaryFolder("interrupted")
        let log = run.appendingPathComponent("log.txt")
        let p = try AttendProcess.start(common + ["--out", run.path], log: log)
        // Interrupt once training is under way (the log names the data once the model is built).
        waitForStart(log)
        usleep(200_000)
        kill(p.processIdentifier, signal)
        #expect(finished(p), "attend train did not stop after \(Interruption.name(signal))")
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(p.terminationReason == .exit)
        #expect(p.terminationStatus == 128 + signal, "\(output)")
        #expect(output.contains("resume with: attend train --out \(run.path) --resume"), "\(output)")
        let stoppedAt = try Checkpoint.loadState(try Checkpoint.resolve(run.path)).step
        #expect(stoppedAt > 0 && stoppedAt < 60, "stopped at \(stoppedAt)")
        #expect(output.contains("stopped after step \(stoppedAt)"), "\(output)")

        let resumed = try AttendProcess.run(["train", "--out", run.path, "--resume", "--quiet"])
        #expect(resumed.status == 0, "\(resumed.output)")
        let a = try runMetrics(run), b = try runMetrics(whole)
        #expect(a.map(\.step) == b.map(\.step))
        #expect(a.map(\.loss) == b.map(\.loss))
        #expect(a.map(\.validationLoss) == b.map(\.validationLoss))
    }

    @Test("a translation-family run (synthetic reverse task) stops gracefully on SIGINT with a checkpoint and the resume command, and resumes from it")
    func translationInterruption() throws {
        let run = temporaryFolder("interrupt-reverse")
        let log = run.appendingPathComponent("log.txt")
        let args = ["train", "--task", "reverse", "--examples", "400", "--task-length", "4", "--max-steps", "100000",
                    "--out", run.path, "--quiet"]
        let p = try AttendProcess.start(args, log: log)
        waitForStart(log)
        usleep(500_000)
        kill(p.processIdentifier, SIGINT)
        #expect(finished(p), "attend train --task reverse did not stop after SIGINT")
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(p.terminationStatus == 130, "\(output)")
        #expect(output.contains("resume with: attend train --out \(run.path) --resume"), "\(output)")
        let stoppedAt = try TranslationCheckpoint.loadState(try Checkpoint.resolve(run.path)).step
        #expect(stoppedAt > 0, "\(output)")
        #expect(output.contains("stopped after step \(stoppedAt)"), "\(output)")
        let resumed = try AttendProcess.run(["train", "--out", run.path, "--resume", "--stop-after", "2"])
        #expect(resumed.status == 0, "\(resumed.output)")
        #expect(try TranslationCheckpoint.loadState(try Checkpoint.resolve(run.path)).step == stoppedAt + 2)
    }

    func storedSeq2SeqConfig(_ run: URL) throws -> TranslationRunConfig {
        try JSONDecoder().decode(TranslationRunConfig.self, from: Data(contentsOf: run.appendingPathComponent("config.json")))
    }

    @Test("an encoder–decoder run resumes with its own task and settings (no flags repeated), refuses a differing flag or --task, accepts a longer --max-steps, and restarts its configured run when it has no checkpoint")
    func seq2seqResumeKeepsSettings() throws {
        let run = temporaryFolder("resume-reverse")
        let args = ["train", "--task", "reverse", "--examples", "200", "--task-length", "4", "--max-steps", "6",
                    "--warmup-steps", "7", "--model-dim", "32", "--hidden-dim", "48", "--eval-interval", "3", "--out", run.path, "--quiet"]
        let first = try AttendProcess.run(args)
        #expect(first.status == 0, "\(first.output)")

        let changed = try AttendProcess.run(["train", "--out", run.path, "--resume", "--warmup-steps", "9", "--max-steps", "8"])
        #expect(changed.status == 1)
        #expect(changed.output.contains("--warmup-steps (stored: 7, given: 9)"), "\(changed.output)")
        #expect(!changed.output.contains("--max-steps ("), "\(changed.output)")
        let otherTask = try AttendProcess.run(["train", "--out", run.path, "--resume", "--task", "copy"])
        #expect(otherTask.status == 1 && otherTask.output.contains("a --task reverse run"), "\(otherTask.output)")
        #expect(try storedSeq2SeqConfig(run).training.warmupSteps == 7, "a refused resume must not rewrite config.json")

        let longer = try AttendProcess.run(["train", "--out", run.path, "--resume", "--max-steps", "8", "--quiet"])
        #expect(longer.status == 0, "\(longer.output)")
        let stored = try storedSeq2SeqConfig(run)
        #expect(stored.task == "reverse" && stored.training.maxSteps == 8 && stored.training.warmupSteps == 7 && stored.model.modelDim == 32)
        #expect(try TranslationCheckpoint.loadState(try Checkpoint.resolve(run.path)).step == 8)

        // As if killed before its first checkpoint: config.json only.
        try FileManager.default.removeItem(at: Checkpoint.folder(run: run))
        try? FileManager.default.removeItem(at: run.appendingPathComponent("metrics.jsonl"))
        let restarted = try AttendProcess.run(["train", "--out", run.path, "--resume"])
        #expect(restarted.status == 0, "\(restarted.output)")
        #expect(restarted.output.contains("width 32, FFN 48"), "\(restarted.output)")
        #expect(try TranslationCheckpoint.loadState(try Checkpoint.resolve(run.path)).step == 8)
    }

    @Test("a second SIGINT exits at once, without waiting for the step or writing the checkpoint message")
    func secondInterruptExitsAtOnce() throws {
        let run = temporaryFolder("interrupt-twice")
        let log = run.appendingPathComponent("log.txt")
        let p = try AttendProcess.start(["train", "--preset", "tiny", "--data", text.path, "--model-dim", "128", "--num-layers", "4",
                                         "--max-steps", "100000", "--out", run.path, "--quiet"], log: log)
        waitForStart(log)
        usleep(300_000)
        kill(p.processIdentifier, SIGINT)
        usleep(20_000)  // two separate deliveries (a second pending SIGINT would merge with the first)
        kill(p.processIdentifier, SIGINT)
        #expect(finished(p, within: 30), "a second SIGINT did not end attend train")
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(p.terminationStatus == 130, "\(output)")
        #expect(!output.contains("stopped after step"), "\(output)")
    }
}
