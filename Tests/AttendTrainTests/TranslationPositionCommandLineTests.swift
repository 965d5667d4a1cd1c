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

    @Test("--key-dim and --positions learned reach the encoder–decoder, its checkpoint and attend translate; --resume refuses changing them")
    func keyDimAndLearnedPositions() throws {
        let run = temporaryFolder("translation-key-dim")
        let (status, output) = try AttendProcess.run(["train"] + Self.tinyFlags + ["--key-dim", "3", "--positions", "learned", "--out", run.path])
        #expect(status == 0, "\(output)")
        #expect(output.contains("key size 3 per head") && output.contains("learned positions"), "\(output)")
        let stored = try JSONDecoder().decode(TranslationRunConfig.self, from: Data(contentsOf: run.appendingPathComponent("config.json")))
        #expect(stored.model.keyDim == 3 && stored.model.positions == .learned)
        let (model, state) = try TranslationCheckpoint.loadModel(try Checkpoint.resolve(run.path))
        #expect(state.step == 2 && model.config.keyDim == 3 && model.config.positions == .learned)
        let shapes = Dictionary(uniqueKeysWithValues: model.namedParameters().map { ($0.name, $0.tensor.shape) })
        #expect(shapes["encoder.0.attention.qkv.weight"] == [28, 16] && shapes["decoder.0.crossAttention.query.weight"] == [6, 16])
        #expect(shapes["encoderPositions.weight"] == [12, 16] && shapes["decoderPositions.weight"] == [12, 16])
        let input = run.appendingPathComponent("in.txt")
        try Data("1 2 3\n4 5\n".utf8).write(to: input)
        let translated = try AttendProcess.run(["translate", "--checkpoint", run.path, "--input", input.path, "--beam", "2",
                                                "--max-extra-length", "2", "--output", run.appendingPathComponent("out.txt").path])
        #expect(translated.status == 0, "\(translated.output)")
        // Resuming with another key width or other positions is refused by name; the same flags resume.
        for (flags, expected) in [(["--key-dim", "4", "--positions", "learned"], "--key-dim (stored: 3, given: 4)"),
                                  (["--key-dim", "3", "--positions", "sinusoidal"], "--positions (stored: learned, given: sinusoidal)")] {
            let r = try AttendProcess.run(["train"] + Self.tinyFlags + flags + ["--out", run.path, "--resume"])
            #expect(r.status == 1 && r.output.contains(expected), "\(flags): \(r.output)")
        }
        let plain = temporaryFolder("translation-no-key-dim")
        #expect(try AttendProcess.run(["train"] + Self.tinyFlags + ["--out", plain.path]).status == 0)
        let r = try AttendProcess.run(["train"] + Self.tinyFlags + ["--key-dim", "8", "--out", plain.path, "--resume"])
        #expect(r.status == 1 && r.output.contains("--key-dim (stored: unset, given: 8)"), "\(r.output)")
        var longer = Self.tinyFlags
        longer[longer.firstIndex(of: "--max-steps")! + 1] = "3"
        let again = try AttendProcess.run(["train"] + longer + ["--key-dim", "3", "--positions", "learned", "--out", run.path, "--resume"])
        #expect(again.status == 0, "\(again.output)")
        #expect(try TranslationCheckpoint.loadState(try Checkpoint.resolve(run.path)).step == 3)
    }

    @Test("invalid combinations are refused with the config's message, not a crash")
    func refused() throws {
        let run = temporaryFolder("translation-positions-bad")
        for (flags, expected) in [(["--position-bias", "alibi", "--encoder-attention", "linear"], "--encoder-attention softmax"),
                                  (["--key-dim", "0"], "invalid keyDim: must be a positive integer"),
                                  (["--key-dim", "3", "--rotary", "true"], "invalid keyDim: must be even"),
                                  (["--dot-product", "false"], "--position-bias"),
                                  (["--position-bias", "t5-bidirectional"], "use t5")] {
            let (status, output) = try AttendProcess.run(["train"] + Self.tinyFlags + flags + ["--out", run.path])
            #expect(status != 0, "\(flags)")
            #expect(output.contains(expected) && !output.contains("Fatal error"), "\(flags): \(output)")
        }
    }
}
