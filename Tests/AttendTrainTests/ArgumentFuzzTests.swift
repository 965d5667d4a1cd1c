import Attend
import AttendTestSupport
import Foundation
import Testing

/// `attend train` with random flags and hostile values (negative, zero, huge, NaN, empty, paths that
/// do not exist, NUL bytes): each invocation ends within its time limit with status 0 or an error
/// line — never a crash, a hang or an out-of-memory kill.
@Suite("Fuzzed command lines", .serialized, .tags(.slow), .slowSuite)
struct ArgumentFuzzTests {
    static let flags = ["--model-dim", "--num-heads", "--num-layers", "--hidden-dim", "--context-length", "--dropout", "--batch-size",
                        "--batch-tokens", "--learning-rate", "--warmup-steps", "--decay-steps", "--attention", "--position-bias",
                        "--precision", "--seed", "--weight-decay", "--grad-clip", "--task", "--examples", "--task-length", "--config",
                        "--vocab-size", "--norm-placement", "--activation", "--positions", "--label-smoothing", "--favor-features",
                        "--time-limit", "--eval-interval", "--checkpoint-interval", "--max-length", "--data", "--beta1", "--keep-checkpoints"]
    static let values = ["-1", "0", "1", "3", "7", "64", "1e40", "nan", "-inf", "", "x", "linear", "softmax", "copy", "reverse",
                         "99999999999999999999", "2147483648", "4611686018427387904", "/nonexistent", "--", "é\u{7}", "0.5", "-0"]

    @Test("60 random command lines end with status 0 or one error line, within 90 s each")
    func randomCommandLines() throws {
        let text = cliTextFile("fuzz-args")
        var rng = RandomGenerator(seed: 20261205)
        var statuses: [Int32: Int] = [:]
        for i in 0..<60 {
            var args = ["train", "--preset", "tiny", "--data", text.path]
            for _ in 0..<(1 + rng.nextInt(below: 3)) {
                args += [Self.flags[rng.nextInt(below: Self.flags.count)], Self.values[rng.nextInt(below: Self.values.count)]]
            }
            // Bounded work however the flags combine: few steps, a fresh folder.
            args += ["--max-steps", "2", "--eval-interval", "2", "--quiet", "--out", temporaryFolder("fuzz-args-\(i)").path]
            let log = temporaryFolder("fuzz-args-log").appendingPathComponent("\(i).txt")
            let p = try AttendProcess.start(args, log: log)
            let deadline = Date().addingTimeInterval(90)
            while p.isRunning && Date() < deadline { usleep(20_000) }
            if p.isRunning { p.terminate(); p.waitUntilExit() }
            let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            let described = args.dropFirst(5).joined(separator: " ")
            #expect(p.terminationReason == .exit, "\(described): killed by a signal (crash, hang or OOM)\n\(output)")
            #expect([0, 1, 64].contains(p.terminationStatus), "\(described): status \(p.terminationStatus)\n\(output)")
            #expect(!output.contains("Fatal error") && !output.contains("Backtrace"), "\(described)\n\(output)")
            if p.terminationStatus != 0 { #expect(output.contains("rror"), "\(described): failed without an error message\n\(output)") }
            statuses[p.terminationStatus, default: 0] += 1
        }
        // The fuzzer must reach both outcomes, or it tests nothing.
        #expect((statuses[0] ?? 0) > 0 && (statuses[1, default: 0] + statuses[64, default: 0]) > 0, "\(statuses)")
    }
}
