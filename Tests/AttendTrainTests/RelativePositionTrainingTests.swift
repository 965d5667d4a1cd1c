import Attend
import AttendTestSupport
import Foundation
import Testing

/// Text of period-2 segments: 32 characters "ababab…" per segment, a new random pair (a ≠ b) of the
/// letters a…h each time. Inside a segment the next character is the one before the current one;
/// a model that cannot look back sees only the current letter, whose partner is any of the other
/// 7, so its loss is at least ln 7 ≈ 1.95 there.
func periodTwoText(segments: Int, seed: UInt64) -> String {
    var rng = RandomGenerator(seed: seed)
    let letters = Array("abcdefgh")
    var text = ""
    for _ in 0..<segments {
        let a = Int(rng.next() % 8)
        let b = (a + 1 + Int(rng.next() % 7)) % 8
        text += String(repeating: String([letters[a], letters[b]]), count: 16)
    }
    return text
}

/// Text of 48-character segments, each with its own key letter K from a…h: every character is K or
/// "." with probability ½. After a ".", the next character is K half the time, and only the past
/// tells which letter K is: attention that merely averages over recent positions finds it.
func keyLetterText(segments: Int, seed: UInt64) -> String {
    var rng = RandomGenerator(seed: seed)
    let letters = Array("abcdefgh")
    var text = ""
    for _ in 0..<segments {
        let key = letters[Int(rng.next() % 8)]
        for _ in 0..<48 { text.append(rng.next() % 2 == 0 ? key : ".") }
    }
    return text
}

/// The cross-entropy of the best model that sees only the current token (the bigram conditional
/// entropy H(next | current) of `tokens`, in nats) — what a model whose attention is broken can reach.
func contextFreeEntropy(_ tokens: [Int32], vocab: Int) -> Double {
    var pairs = [Double](repeating: 0, count: vocab * vocab), firsts = [Double](repeating: 0, count: vocab)
    for (a, b) in zip(tokens, tokens.dropFirst()) { pairs[Int(a) * vocab + Int(b)] += 1; firsts[Int(a)] += 1 }
    let total = Double(tokens.count - 1)
    var h = 0.0
    for a in 0..<vocab { for b in 0..<vocab where pairs[a * vocab + b] > 0 {
        h -= pairs[a * vocab + b] / total * Foundation.log(pairs[a * vocab + b] / firsts[a])
    } }
    return h
}

@Suite("Relative positions end to end", .serialized)
struct RelativePositionTrainingTests {
    @Test("a tiny dot-product-free model (log-type bias, no position table) beats every context-blind model")
    func dotProductFreeLearns() throws {
        let dataset = try TextDataset(text: keyLetterText(segments: 200, seed: 11))
        let bound = contextFreeEntropy(dataset.train, vocab: dataset.tokenizer.vocabSize)  // ≈ 1.21 nats
        var config = tinyConfig(vocab: dataset.tokenizer.vocabSize, steps: 150, lr: 1e-2)
        config.model.numLayers = 1
        config.model.positions = .none
        config.model.positionBias = .logType
        config.model.dotProduct = false
        let trainer = try Trainer(config: config, dataset: dataset, run: nil)
        try trainer.run()
        let last = Double(trainer.losses.suffix(10).reduce(0, +) / 10)
        #expect(bound > 1.1)
        #expect(last < bound - 0.15, "mean loss of the last 10 steps is \(last); a context-blind model reaches at best \(bound)")
    }
}

@Suite("Relative positions on the command line", .serialized, .tags(.slow), .slowSuite)
struct RelativePositionCommandLineTests {
    @Test("attend train with a position bias (and dot-product-free), then attend generate from the checkpoint",
          arguments: [["--position-bias", "alibi"],
                      ["--position-bias", "log-type", "--dot-product", "false", "--positions", "none"],
                      ["--position-bias", "t5", "--position-buckets", "8", "--position-max-distance", "16"]])
    func trainThenGenerate(flags: [String]) throws {
        let text = temporaryFolder("relpos-text").appendingPathComponent("text.txt")
        try Data(periodTwoText(segments: 40, seed: 3).utf8).write(to: text)
        let run = temporaryFolder("relpos-run")
        let trained = try AttendProcess.run(["train", "--preset", "tiny", "--data", text.path, "--out", run.path,
                                             "--max-steps", "6", "--eval-interval", "3", "--eval-batches", "1", "--quiet"] + flags)
        #expect(trained.status == 0, "\(trained.output)")
        let config = try String(contentsOf: run.appendingPathComponent("config.json"), encoding: .utf8)
        #expect(config.contains(flags[1]), "\(config)")
        let sample = try AttendProcess.run(["generate", "--checkpoint", run.path, "--prompt", "abab", "--tokens", "40", "--seed", "2"])
        #expect(sample.status == 0, "\(sample.output)")
        #expect(sample.output.count >= 44)
    }

    @Test("impossible combinations give one clear error line", arguments: [
        (["--position-bias", "alibi", "--attention", "linear"], "--attention softmax"),
        (["--dot-product", "false"], "--position-bias"),
        (["--position-bias", "t5-bidirectional"], "use t5"),
        (["--position-bias", "sideways"], "position-bias"),
        (["--attention", "linear-favor", "--favor-features", "0"], "favorFeatures"),
    ])
    func errors(flags: [String], expected: String) throws {
        let text = temporaryFolder("relpos-text").appendingPathComponent("text.txt")
        try Data(periodTwoText(segments: 40, seed: 3).utf8).write(to: text)
        let result = try AttendProcess.run(["train", "--preset", "tiny", "--data", text.path, "--out", temporaryFolder("relpos-err").path] + flags)
        #expect(result.status != 0)
        #expect(result.output.contains(expected), "\(result.output)")
        #expect(!result.output.contains("Fatal error") && !result.output.contains("Backtrac"), "\(result.output)")
    }
}
