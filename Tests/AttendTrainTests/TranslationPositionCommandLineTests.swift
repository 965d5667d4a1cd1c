import Attend
import AttendTestSupport
import Foundation
import Testing

@Suite("Translation command line: relative positions", .serialized, .tags(.slow), .slowSuite)
struct TranslationPositionCommandLineTests {
    static let tinyFlags = ["--task", "copy", "--task-length", "3", "--examples", "200", "--model-dim", "16", "--num-heads", "2",
                            "--num-layers", "1", "--hidden-dim", "32", "--max-length", "12", "--batch-tokens", "200",
                            "--max-steps", "2", "--eval-interval", "2", "--quiet"]

    @Test("--position-bias, --dot-product and --positions reach the encoder–decoder, its checkpoint and attend translate")
    func flagsEndToEnd() throws {
        let run = temporaryFolder("translation-positions")
        let (status, output) = try AttendProcess.run(["train"] + Self.tinyFlags + [
            "--position-bias", "t5", "--position-buckets", "8", "--position-max-distance", "12", "--dot-product", "false",
            "--positions", "none", "--out", run.path])
        #expect(status == 0, "\(output)")
        #expect(output.contains("t5 self-attention bias") && output.contains("dot-product-free") && output.contains("none positions"), "\(output)")
        let (model, state) = try TranslationCheckpoint.loadModel(try Checkpoint.resolve(run.path))
        #expect(state.step == 2)
        #expect(model.config.positionBias == .t5 && !model.config.dotProduct && model.config.positions == .none)
        #expect(model.config.positionBuckets == 8 && model.config.positionMaxDistance == 12)
        #expect(model.positions == nil)
        #expect(model.encoderBlocks[0].attention.positionBias?.kind == .t5Bidirectional)
        #expect(model.decoderBlocks[0].selfAttention.positionBias?.kind == .t5)
        // Two Adam steps moved the (zero-initialised) T5 tables: they were trained and saved.
        let table = model.namedParameters().first { $0.name == "encoder.0.attention.positionBias.table" }!.tensor
        #expect(table.scalars.contains { $0 != 0 })
        let input = run.appendingPathComponent("in.txt")
        try Data("1 2 3\n4 5\n".utf8).write(to: input)
        let translated = try AttendProcess.run(["translate", "--checkpoint", run.path, "--input", input.path, "--beam", "2",
                                                "--max-extra-length", "2", "--output", run.appendingPathComponent("out.txt").path])
        #expect(translated.status == 0, "\(translated.output)")
        let lines = try String(contentsOf: run.appendingPathComponent("out.txt"), encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3)  // two sentences and the final newline
    }

    @Test("invalid combinations are refused with the config's message, not a crash")
    func refused() throws {
        let run = temporaryFolder("translation-positions-bad")
        for (flags, expected) in [(["--position-bias", "alibi", "--encoder-attention", "linear"], "--encoder-attention softmax"),
                                  (["--positions", "learned"], "sinusoidal"),
                                  (["--dot-product", "false"], "--position-bias"),
                                  (["--position-bias", "t5-bidirectional"], "use t5")] {
            let (status, output) = try AttendProcess.run(["train"] + Self.tinyFlags + flags + ["--out", run.path])
            #expect(status != 0, "\(flags)")
            #expect(output.contains(expected) && !output.contains("Fatal error"), "\(flags): \(output)")
        }
    }
}
