import Attend
import AttendTestSupport
import Foundation
import Testing

/// Runs the built `attend` executable (it sits beside the test bundle in the build folder).
struct AttendProcess {
    static var executable: URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        if dir.lastPathComponent.hasSuffix(".xctest") { dir = dir.deletingLastPathComponent() }
        return dir.appendingPathComponent("attend")
    }

    /// Starts `attend args…`; output goes to files so pipes never fill up.
    static func start(_ args: [String], log: URL, environment: [String: String] = [:], directory: URL? = nil) throws -> Process {
        let p = Process()
        p.executableURL = executable
        p.arguments = args
        if let directory { p.currentDirectoryURL = directory }
        if !environment.isEmpty {
            p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        return p
    }

    /// Runs to completion; returns exit status and combined output.
    static func run(_ args: [String], environment: [String: String] = [:], directory: URL? = nil) throws -> (status: Int32, output: String) {
        let log = temporaryFolder("cli").appendingPathComponent("log.txt")
        let p = try start(args, log: log, environment: environment, directory: directory)
        p.waitUntilExit()
        return (p.terminationStatus, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }
}

@Suite("Command line", .serialized, .tags(.slow), .slowSuite)
struct CommandLineTests {
    let text = cliTextFile("text")

    @Test("attend train killed with SIGKILL resumes from its last checkpoint with the run's own settings (no flags repeated) and matches an uninterrupted run")
    func killAndResume() throws {
        // A non-default learning rate: the resumed run must take it from config.json.
        let common = ["train", "--preset", "tiny", "--data", text.path, "--max-steps", "150", "--checkpoint-interval", "5",
                      "--eval-interval", "50", "--eval-batches", "2", "--learning-rate", "2e-3", "--quiet"]
        let whole = temporaryFolder("whole")
        let reference = try AttendProcess.run(common + ["--out", whole.path])
        #expect(reference.status == 0, "\(reference.output)")

        let run = temporaryFolder("killed")
        let log = run.appendingPathComponent("log.txt")
        let p = try AttendProcess.start(common + ["--out", run.path], log: log)
        // Kill it once a checkpoint past step 20 exists.
        let deadline = Date().addingTimeInterval(300)
        while Date() < deadline {
            if let state = try? Checkpoint.loadState(try Checkpoint.resolve(run.path)), state.step >= 20 { break }
            usleep(20_000)
        }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(p.terminationReason == .uncaughtSignal)
        let killedAt = try Checkpoint.loadState(try Checkpoint.resolve(run.path)).step
        #expect(killedAt >= 20 && killedAt < 150)

        let resumed = try AttendProcess.run(["train", "--out", run.path, "--resume", "--quiet"])
        #expect(resumed.status == 0, "\(resumed.output)")
        #expect(resumed.output.contains("resumed from checkpoint at step"))
        #expect(try Checkpoint.loadState(try Checkpoint.resolve(run.path)).step == 150)
        // Same seed ⇒ the resumed run logs exactly the losses of the uninterrupted one.
        let a = try runMetrics(run), b = try runMetrics(whole)
        #expect(a.map(\.step) == b.map(\.step))
        #expect(a.map(\.loss) == b.map(\.loss))
        #expect(a.map(\.validationLoss) == b.map(\.validationLoss))
        // No temporary (half-written) checkpoint folders remain.
        let entries = try FileManager.default.contentsOfDirectory(atPath: Checkpoint.folder(run: run).path)
        #expect(!entries.contains { $0.hasPrefix(".") }, "\(entries)")

        let sample = try AttendProcess.run(["generate", "--checkpoint", run.path, "--prompt", "All", "--tokens", "20", "--seed", "3"])
        #expect(sample.status == 0, "\(sample.output)")
        #expect(sample.output.count >= 23)
        let low = try AttendProcess.run(["generate", "--checkpoint", run.path, "--prompt", "All", "--tokens", "20", "--weights", "bf16"])
        #expect(low.status == 0, "\(low.output)")
        #expect(low.output.count >= 23)
    }

    @Test("user mistakes give one clear error line and no stack trace", arguments: [
        (["train", "--data", "/nonexistent.txt"], "does not exist"),
        (["train", "--preset", "tiny", "--num-heads", "3"], "numHeads"),
        (["train", "--preset", "tiny", "--model-dim", "0"], "modelDim"),
        (["train", "--preset", "tiny", "--model-dim", "-5"], "modelDim: must be a positive integer, got -5"),
        (["train", "--preset", "tiny", "--max-steps", "-3"], "maxSteps"),
        (["train", "--data", "/usr/bin/env"], "not UTF-8 text"),
        (["train", "--preset", "tiny", "--batch-size=-2"], "batchSize"),
        (["train", "--preset", "tiny", "--context-length", "100000"], "context"),
        (["train", "--preset", "nope"], "preset"),
        (["train", "--preset", "tiny", "--attention", "magic"], "attention"),
        (["generate", "--checkpoint", "/nonexistent-run"], "no checkpoint"),
        (["generate", "--checkpoint", "/nonexistent-run", "--weights", "fp16"], "weights"),
    ])
    func errors(args: [String], expected: String) throws {
        var args = args
        if args[0] == "train" && !args.contains("--data") { args += ["--data", text.path] }
        if args[0] == "train" { args += ["--out", temporaryFolder("err").path] }
        let result = try AttendProcess.run(args)
        #expect(result.status != 0)
        #expect(result.output.lowercased().contains(expected.lowercased()), "\(result.output)")
        #expect(!result.output.contains("Fatal error") && !result.output.contains("Backtrac"), "\(result.output)")
    }

    @Test("an empty data file and a corrupt checkpoint are reported clearly")
    func emptyAndCorrupt() throws {
        let empty = temporaryFolder("empty").appendingPathComponent("e.txt")
        FileManager.default.createFile(atPath: empty.path, contents: Data())
        let r1 = try AttendProcess.run(["train", "--data", empty.path, "--out", temporaryFolder("e").path])
        #expect(r1.status == 1 && r1.output.contains("is empty"))

        let run = temporaryFolder("corrupt")
        let ok = try AttendProcess.run(["train", "--preset", "tiny", "--data", text.path, "--out", run.path, "--max-steps", "5", "--quiet"])
        #expect(ok.status == 0, "\(ok.output)")
        let weights = try Checkpoint.resolve(run.path).appendingPathComponent("model.safetensors")
        let data = try Data(contentsOf: weights)
        try data.prefix(100).write(to: weights)
        let r2 = try AttendProcess.run(["generate", "--checkpoint", run.path])
        #expect(r2.status == 1 && r2.output.contains("damaged"), "\(r2.output)")
        #expect(!r2.output.contains("Fatal error"))
    }

    @Test("--bytes trains on a binary file (refused without it), and generate writes raw bytes")
    func bytesMode() throws {
        var raw: [UInt8] = []
        for i in 0..<3000 { raw.append(UInt8(truncatingIfNeeded: (i * 7) % 251)); if i % 50 == 0 { raw += [0, 0xFF, 13, 10] } }
        let file = temporaryFolder("bytes").appendingPathComponent("blob.bin")
        try Data(raw).write(to: file)
        let refused = try AttendProcess.run(["train", "--preset", "tiny", "--data", file.path, "--out", temporaryFolder("bytes-refused").path])
        #expect(refused.status == 1 && refused.output.contains("--bytes"), "\(refused.output)")
        let run = temporaryFolder("bytes-run")
        let ok = try AttendProcess.run(["train", "--preset", "tiny", "--data", file.path, "--bytes", "--max-steps", "3", "--out", run.path, "--quiet"])
        #expect(ok.status == 0, "\(ok.output)")
        let config = try JSONDecoder().decode(RunConfig.self, from: Data(contentsOf: run.appendingPathComponent("config.json")))
        #expect(config.dataFormat == .bytes && config.model.vocabSize == Set(raw).count)
        // Generated bytes: stdout is the prompt, then 40 raw bytes, then a newline.
        let log = temporaryFolder("bytes-gen").appendingPathComponent("out.bin")
        let p = try AttendProcess.start(["generate", "--checkpoint", run.path, "--prompt", "A", "--tokens", "40", "--seed", "2"], log: log)
        p.waitUntilExit()
        let out = try Data(contentsOf: log)
        #expect(p.terminationStatus == 0)
        #expect(out.count == 1 + 40 + 1, "\(out.count) bytes")
        #expect(out.dropFirst().dropLast().allSatisfy { Set(raw).contains($0) })
    }
}
