import Attend
import AttendTestSupport
import Foundation
import Testing

@Suite("Rotary positions on the command line", .serialized, .tags(.slow), .slowSuite)
struct RotaryCommandLineTests {
    @Test("attend train --rotary true (linear attention, no position table) writes it to config.json; attend generate uses it")
    func languageModel() throws {
        let text = temporaryFolder("rotary-text").appendingPathComponent("text.txt")
        try Data(periodTwoText(segments: 40, seed: 3).utf8).write(to: text)
        let run = temporaryFolder("rotary-run")
        let trained = try AttendProcess.run(["train", "--preset", "tiny", "--data", text.path, "--out", run.path, "--max-steps", "4",
                                             "--eval-interval", "2", "--eval-batches", "1", "--quiet", "--rotary", "true",
                                             "--attention", "linear", "--positions", "none"])
        #expect(trained.status == 0, "\(trained.output)")
        let config = try JSONDecoder().decode(RunConfig.self, from: Data(contentsOf: run.appendingPathComponent("config.json")))
        #expect(config.model.rotary && config.model.attention == .linear && config.model.positions == .none)
        let sample = try AttendProcess.run(["generate", "--checkpoint", run.path, "--prompt", "abab", "--tokens", "20", "--seed", "2"])
        #expect(sample.status == 0, "\(sample.output)")
        #expect(sample.output.count >= 24)
    }

    @Test("attend train --task copy --rotary true reaches the encoder–decoder and attend translate")
    func translation() throws {
        let run = temporaryFolder("rotary-translation")
        let (status, output) = try AttendProcess.run(["train"] + TranslationPositionCommandLineTests.tinyFlags
                                                     + ["--rotary", "true", "--positions", "none", "--out", run.path])
        #expect(status == 0, "\(output)")
        #expect(output.contains("+ rotary") && output.contains("none positions"), "\(output)")
        let (model, _) = try TranslationCheckpoint.loadModel(try Checkpoint.resolve(run.path))
        #expect(model.config.rotary && model.encoderBlocks[0].attention.spec.rotary && !model.decoderBlocks[0].crossAttention.spec.rotary)
        let input = run.appendingPathComponent("in.txt")
        try Data("1 2 3\n4 5\n".utf8).write(to: input)
        let translated = try AttendProcess.run(["translate", "--checkpoint", run.path, "--input", input.path, "--beam", "2",
                                                "--max-extra-length", "2", "--output", run.appendingPathComponent("out.txt").path])
        #expect(translated.status == 0, "\(translated.output)")
        // bf16 weights through beam search.
        let low = try AttendProcess.run(["translate", "--checkpoint", run.path, "--input", input.path, "--beam", "2", "--weights", "bf16",
                                         "--max-extra-length", "2", "--output", run.appendingPathComponent("out-bf16.txt").path])
        #expect(low.status == 0, "\(low.output)")
        let lines = try String(contentsOf: run.appendingPathComponent("out-bf16.txt"), encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3)  // two sentences and the final newline
    }

    @Test("rotary with a kind it cannot rotate is one clear error line")
    func refused() throws {
        let text = temporaryFolder("rotary-text").appendingPathComponent("text.txt")
        try Data(periodTwoText(segments: 40, seed: 3).utf8).write(to: text)
        let result = try AttendProcess.run(["train", "--preset", "tiny", "--data", text.path, "--out", temporaryFolder("rotary-err").path,
                                            "--rotary", "true", "--attention", "correlation"])
        #expect(result.status != 0)
        #expect(result.output.contains("invalid rotary") && result.output.contains("--rotary false"), "\(result.output)")
        #expect(!result.output.contains("Fatal error") && !result.output.contains("Backtrac"), "\(result.output)")
    }
}
