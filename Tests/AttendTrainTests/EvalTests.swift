import Attend
import AttendTestSupport
import Foundation
import Testing

/// `attend eval` and the generation flags, against a tiny run trained in the test.
@Suite("Evaluation and generation options", .serialized)
struct EvalTests {
    /// A run trained for a few steps on `shortText`, with its dataset.
    static func trainedRun() throws -> (run: URL, dataset: TextDataset, trainer: Trainer) {
        let dataset = try TextDataset(text: shortText)
        let run = temporaryFolder("eval-run")
        let trainer = try Trainer(config: tinyConfig(vocab: dataset.tokenizer.vocabSize, steps: 10), dataset: dataset, run: run)
        try trainer.run()
        return (run, dataset, trainer)
    }

    @Test("windows cover every target exactly once, in text order, with the tail padded by ignored targets")
    func windows() {
        let tokens: [Int32] = Array(0..<23)
        let batches = TextEvaluation.windows(tokens, contextLength: 5, batchSize: 2)
        #expect(batches.map(\.batch) == [2, 2, 1])
        let targets = batches.flatMap(\.targets).filter { $0 >= 0 }
        #expect(targets == Array(1..<23))
        #expect(batches[2].inputs == [20, 21, 0, 0, 0] && batches[2].targets == [21, 22, -1, -1, -1])
        #expect(TextEvaluation.windows(tokens, contextLength: 5, batchSize: 2, maxTokens: 7).flatMap(\.targets).filter { $0 >= 0 } == Array(1...7))
        #expect(TextEvaluation.windows([4], contextLength: 5, batchSize: 2).isEmpty)
    }

    @Test("attend eval on the run's validation text equals the training loop's loss on the same windows, for any batch size")
    func matchesTrainingLoss() throws {
        let (run, dataset, trainer) = try Self.trainedRun()
        let validation = dataset.validation
        let file = run.appendingPathComponent("valid.txt")
        try Data(dataset.tokenizer.decode(validation).utf8).write(to: file)

        // The training loop's loss (the task's loss of the loop's model, no dropout) on each
        // non-overlapping window as its own unpadded batch, weighted by its targets.
        let T = trainer.config.model.contextLength
        var nats = 0.0, count = 0
        for start in stride(from: 0, to: validation.count - 1, by: T) {
            let length = min(T, validation.count - 1 - start)
            let part = SequenceBatch(inputs: Array(validation[start..<(start + length)]),
                                     targets: Array(validation[(start + 1)...(start + length)]), batch: 1, length: length)
            let loss = withoutGradients { trainer.loop.task.loss(of: trainer.model, on: part, context: ForwardContext(training: false)).item }
            nats += Double(loss) * Double(length)
            count += length
        }
        #expect(count == validation.count - 1 && count % T != 0, "the text should end in a partial window")
        let expected = nats / Double(count)

        for batchSize in [1, 3] {
            let r = try AttendProcess.run(["eval", "--checkpoint", run.path, "--data", file.path, "--json", "--batch-size", "\(batchSize)"])
            #expect(r.status == 0, "\(r.output)")
            #expect(r.output.contains("eval: \(count)/\(count) tokens (100%)"))
            let json = try #require(r.output.split(separator: "\n").first { $0.hasPrefix("{") })
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            let loss = try #require(object["loss"] as? Double)
            #expect(object["tokens"] as? Int == count)
            #expect(abs(loss - expected) <= 1e-5 * expected, "attend eval \(loss), training loss on the same windows \(expected)")
            #expect(abs((object["perplexity"] as? Double ?? 0) - Foundation.exp(loss)) < 1e-9 * Foundation.exp(loss))
            #expect(abs((object["bitsPerCharacter"] as? Double ?? 0) - loss / Foundation.log(2)) < 1e-12)
        }
        // The plain report and --max-tokens.
        let plain = try AttendProcess.run(["eval", "--checkpoint", run.path, "--data", file.path, "--max-tokens", "20"])
        #expect(plain.status == 0, "\(plain.output)")
        let direct = TextEvaluation.evaluate(trainer.model, tokens: validation, batchSize: 4, maxTokens: 20)
        #expect(direct.tokens == 20)
        #expect(plain.output.contains(String(format: "loss: %.4f nats/token", direct.loss)), "\(plain.output)")
        #expect(plain.output.contains("bits per character:") && plain.output.contains("perplexity:"))
    }

    @Test("attend eval refuses unknown characters with their position, or skips and counts them with --unknown skip")
    func unknownCharacters() throws {
        let (run, _, _) = try Self.trainedRun()
        let file = run.appendingPathComponent("other.txt")
        try Data("to be, or Zebra to be".utf8).write(to: file)
        let refused = try AttendProcess.run(["eval", "--checkpoint", run.path, "--data", file.path])
        #expect(refused.status == 1)
        #expect(refused.output.contains("error: \(file.path), line 1, column 11: character \"Z\" is not in the run's vocabulary"), "\(refused.output)")
        #expect(refused.output.contains("--unknown skip"))
        #expect(!refused.output.contains("Fatal error"))
        let skipped = try AttendProcess.run(["eval", "--checkpoint", run.path, "--data", file.path, "--unknown", "skip", "--json"])
        #expect(skipped.status == 0, "\(skipped.output)")
        #expect(skipped.output.contains("\"skippedCharacters\":1") && skipped.output.contains("\"tokens\":19"), "\(skipped.output)")
        let missing = try AttendProcess.run(["eval", "--checkpoint", run.path, "--data", "/nonexistent.txt"])
        #expect(missing.status == 1 && missing.output.contains("does not exist"))
    }

    @Test("attend generate: --stop ends the greedy text before the stop string; --num-samples repeats for a seed")
    func generateOptions() throws {
        let (run, _, _) = try Self.trainedRun()
        let base = ["generate", "--checkpoint", run.path, "--prompt", "to", "--tokens", "30"]
        let greedy = try AttendProcess.run(base + ["--temperature", "0"])
        #expect(greedy.status == 0, "\(greedy.output)")
        let generated = String(greedy.output.dropFirst(2).dropLast())  // prompt "to" … final newline
        #expect(generated.count == 30)
        let stop = String(generated.dropFirst(3).prefix(2))
        let expected = "to" + String(generated[..<generated.range(of: stop)!.lowerBound]) + "\n"
        let stopped = try AttendProcess.run(base + ["--temperature", "0", "--stop", stop])
        #expect(stopped.output == expected, "stop \(String(reflecting: stop)) in \(String(reflecting: generated))")

        let sampled = base + ["--num-samples", "3", "--top-p", "0.9", "--min-p", "0.05", "--repetition-penalty", "1.2", "--seed", "4"]
        let a = try AttendProcess.run(sampled), b = try AttendProcess.run(sampled)
        #expect(a.status == 0, "\(a.output)")
        #expect(a.output == b.output)
        #expect(a.output.components(separatedBy: "--- sample ").count == 4)
        #expect(a.output.contains("--- sample 3/3 ---"))
        let bad = try AttendProcess.run(base + ["--top-p", "1.5"])
        #expect(bad.status != 0 && bad.output.contains("--top-p must be in (0, 1]"))
    }

    @Test("attend tokenizer export writes the run's vocabulary as tokenizer.json; attend tokenizer encode reads it back")
    func exportTokenizer() throws {
        let (run, dataset, _) = try Self.trainedRun()
        let out = run.appendingPathComponent("tokenizer.json")
        let r = try AttendProcess.run(["tokenizer", "export", "--checkpoint", run.path, "--out", out.path])
        #expect(r.status == 0, "\(r.output)")
        #expect(try HuggingFaceTokenizer.read(out) == .characters(dataset.tokenizer))
        let text = run.appendingPathComponent("lines.txt")
        try Data("to be\r\nor not\n".utf8).write(to: text)
        let encoded = try AttendProcess.run(["tokenizer", "encode", "--tokenizer", out.path, "--input", text.path])
        let expected = [try dataset.tokenizer.encode("to be"), try dataset.tokenizer.encode("or not")]
            .map { $0.map(String.init).joined(separator: " ") }.joined(separator: "\n") + "\n"
        #expect(encoded.status == 0 && encoded.output == expected, "\(encoded.output)")
        let missing = try AttendProcess.run(["tokenizer", "encode", "--tokenizer", "/nonexistent.json", "--input", text.path])
        #expect(missing.status == 1 && missing.output.contains("cannot read tokenizer file /nonexistent.json"))
    }

    @Test("attend tokenizer export writes a translation run's BPE: the same file attend tokenizer learn makes from its corpus")
    func exportTranslationTokenizer() throws {
        let dir = temporaryFolder("export-bpe")
        let source = dir.appendingPathComponent("s.txt"), target = dir.appendingPathComponent("t.txt")
        try Data(String(repeating: "the cat sat on the mat\nthe dog ate 42 bones\n", count: 10).utf8).write(to: source)
        try Data(String(repeating: "el gato se sentó\nel perro comió 42 huesos\n", count: 10).utf8).write(to: target)
        let run = dir.appendingPathComponent("run")
        let trained = try AttendProcess.run(["train", "--task", "translation", "--source", source.path, "--target", target.path,
                                             "--vocab-size", "300", "--model-dim", "16", "--num-heads", "2", "--max-steps", "1", "--out", run.path])
        #expect(trained.status == 0, "\(trained.output)")
        let exported = dir.appendingPathComponent("run.json"), learned = dir.appendingPathComponent("learned.json")
        #expect(try AttendProcess.run(["tokenizer", "export", "--checkpoint", run.path, "--out", exported.path]).status == 0)
        #expect(try AttendProcess.run(["tokenizer", "learn", "--kind", "bpe", "--vocab-size", "300", "--out", learned.path,
                                       "--input", source.path, target.path]).status == 0)
        #expect(try Data(contentsOf: exported) == Data(contentsOf: learned))
        guard case let .bytePairs(bpe) = try HuggingFaceTokenizer.read(exported) else { Issue.record("not a BPE"); return }
        #expect(bpe.vocabSize == 300)
        #expect(try TranslationCheckpoint.loadState(try Checkpoint.resolve(run.path)).vocabulary == .bpe(bpe))
    }
}
