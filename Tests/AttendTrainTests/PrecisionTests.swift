import Attend
import AttendTestSupport
import Foundation
import Testing

/// `--precision bf16` end to end through the `attend` binary (the precision is process-wide, so
/// these runs stay out of the test process).
@Suite("bfloat16 training precision", .serialized, .tags(.slow), .slowSuite)
struct PrecisionTests {
    let text = cliTextFile("bf16-text")

    /// Trains the tiny preset for 100 steps; returns the run folder, the output and every logged
    /// loss (train losses at steps 50 and 100, then the final validation loss).
    func train(_ precision: String?, steps: Int = 100, environment: [String: String] = [:]) throws -> (run: URL, output: String, losses: [Float]) {
        let run = temporaryFolder("bf16-run")
        var args = ["train", "--preset", "tiny", "--data", text.path, "--max-steps", "\(steps)", "--eval-interval", "\(steps / 2)",
                    "--out", run.path, "--quiet"]
        if let precision { args += ["--precision", precision] }
        let r = try AttendProcess.run(args, environment: environment)
        #expect(r.status == 0, "attend train failed: \(r.output)")
        let losses = try runMetrics(run).flatMap { [$0.loss, $0.validationLoss].compactMap { $0 } }
        return (run, r.output, losses)
    }

    @Test("bf16 training learns as fp32 does (final validation loss within 0.05, both far below the uniform ln 30 = 3.40), differs in the bits where the CPU has AVX512-BF16, and is recorded in config.json")
    func bf16TracksFP32() throws {
        let fp32 = try train(nil)
        let bf16 = try train("bf16")
        let config = try String(contentsOf: bf16.run.appendingPathComponent("config.json"), encoding: .utf8)
        #expect(config.contains("\"precision\" : \"bf16\"") || config.contains("\"precision\":\"bf16\""), "config.json: \(config)")
        let (a, b) = (try #require(fp32.losses.last), try #require(bf16.losses.last))
        #expect(fp32.losses.count == bf16.losses.count && fp32.losses.count >= 3)
        #expect(a < 2.6 && b < 2.6, "did not learn: final validation loss fp32 \(a), bf16 \(b)")
        #expect(abs(a - b) < 0.05, "final train loss fp32 \(a) vs bf16 \(b)")
        if BFloat16Support.available {
            #expect(fp32.losses != bf16.losses, "bf16 losses are bit-identical to fp32: the bf16 products did not run")
            #expect(bf16.output.contains("bf16 matrix products"))
        }
    }

    @Test("without AVX512-BF16 (forced with ATTEND_BF16=off) --precision bf16 prints one notice and trains exactly as fp32")
    func fallbackIsFP32() throws {
        let fp32 = try train(nil, steps: 20)
        let fallback = try train("bf16", steps: 20, environment: ["ATTEND_BF16": "off"])
        let notices = fallback.output.split(separator: "\n").filter { $0.contains("no AVX512-BF16") }
        #expect(notices.count == 1, "output: \(fallback.output)")
        #expect(fallback.losses == fp32.losses)
    }

    @Test("config.json files written before the precision field read as fp32; bf16 round-trips")
    func oldConfigsReadAsFP32() throws {
        let old = #"{"batchSize":12,"maxSteps":2000,"learningRate":0.001,"minLearningRate":0.0001,"warmupSteps":100,"decaySteps":2000,"weightDecay":0.1,"beta1":0.9,"beta2":0.99,"epsilon":1e-08,"gradClip":1,"evalInterval":250,"evalBatches":20,"checkpointInterval":250,"seed":1337}"#
        let decoded = try JSONDecoder().decode(TrainConfig.self, from: Data(old.utf8))
        #expect(decoded == TrainConfig())
        #expect(decoded.precision == .fp32)
        var bf16 = TrainConfig()
        bf16.precision = .bf16
        bf16.maxSteps = 77
        #expect(try JSONDecoder().decode(TrainConfig.self, from: JSONEncoder().encode(bf16)) == bf16)
        let translation = try JSONDecoder().decode(TranslationTrainConfig.self, from: JSONEncoder().encode(TranslationTrainConfig()))
        #expect(translation.precision == nil)
    }

    @Test("a bad --precision value is refused with the accepted values")
    func badValue() throws {
        let r = try AttendProcess.run(["train", "--preset", "tiny", "--data", text.path, "--precision", "fp16",
                                       "--out", temporaryFolder("bf16-bad").path])
        #expect(r.status != 0)
        #expect(r.output.contains("fp32") && r.output.contains("bf16"), "output: \(r.output)")
    }
}
