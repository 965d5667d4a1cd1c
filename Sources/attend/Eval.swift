import ArgumentParser
import Attend
import Foundation

/// `attend eval`: a character language model's loss, perplexity and bits per character on any text.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Loss (nats/token), perplexity and bits per character of a trained checkpoint on a text file.",
        discussion: HelpExamples.discussion("eval", """
        The text is read with the run's own character vocabulary and cut into consecutive, non-overlapping \
        windows of the model's context length; every character after the first is predicted once. This is \
        the loss of the whole text, not the training loop's estimate from random windows.
        """))

    /// What to do with characters the run's vocabulary lacks.
    enum UnknownPolicy: String, ExpressibleByArgument, CaseIterable {
        case error, skip
    }

    @Option(help: "Run folder or checkpoint folder written by `attend train`.") var checkpoint: String
    @Option(help: "Text file to evaluate (UTF-8).") var data: String
    @Option(help: "Windows per forward pass.") var batchSize: Int = 8
    @Option(help: "Predict at most this many tokens (from the start of the text).") var maxTokens: Int?
    @Option(help: "Characters outside the run's vocabulary: error (stop, naming the first) or skip (drop them and count them).")
    var unknown: UnknownPolicy = .error
    @Flag(help: "Print the result as one JSON object.") var json = false

    func validate() throws {
        if batchSize < 1 { throw ValidationError("--batch-size must be ≥ 1, got \(batchSize)") }
        if let maxTokens, maxTokens < 1 { throw ValidationError("--max-tokens must be ≥ 1, got \(maxTokens)") }
    }

    func run() throws {
        try reportingErrors {
            let folder = try Checkpoint.resolve(checkpoint)
            let (model, state) = try Checkpoint.loadModel(folder)
            guard let bytes = FileManager.default.contents(atPath: data) else { throw DataError.missingFile(data) }
            let text = String(decoding: bytes, as: UTF8.self)
            let (ids, skipped) = try encode(text, with: state.tokenizer)
            guard ids.count >= 2 else {
                throw CommandError("\(data) has \(ids.count) known character(s); evaluation needs at least 2 (one to read, one to predict)")
            }
            if skipped > 0 { writeError("skipped \(skipped) characters outside the run's vocabulary\n") }
            let started = Date()
            let result = TextEvaluation.evaluate(model, tokens: ids, batchSize: batchSize, maxTokens: maxTokens) { done, total in
                let seconds = Date().timeIntervalSince(started)
                let rate = seconds > 0 ? Double(done) / seconds : 0
                writeError(String(format: "\reval: %d/%d tokens (%.0f%%), %.0f tokens/s", done, total, 100 * Double(done) / Double(total), rate))
            }
            writeError("\n")
            let step = state.step
            if json {
                let object: [String: Any] = [
                    "checkpoint": folder.path, "step": step, "data": data, "tokens": result.tokens,
                    "loss": result.loss, "perplexity": result.perplexity, "bitsPerCharacter": result.bitsPerToken,
                    "skippedCharacters": skipped, "contextLength": model.config.contextLength,
                ]
                let encoded = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                print(String(decoding: encoded, as: UTF8.self))
            } else {
                print("checkpoint: \(folder.path) (step \(step))")
                print("data: \(data), \(result.tokens) tokens predicted in windows of \(model.config.contextLength)")
                print(String(format: "loss: %.4f nats/token", result.loss))
                print(String(format: "perplexity: %.4f", result.perplexity))
                print(String(format: "bits per character: %.4f", result.bitsPerToken))
            }
        }
    }

    /// Token ids of `text` under the run's vocabulary, and how many characters `--unknown skip` dropped.
    func encode(_ text: String, with tokenizer: CharTokenizer) throws -> (ids: [Int32], skipped: Int) {
        var ids: [Int32] = []
        ids.reserveCapacity(text.count)
        var skipped = 0, line = 1, column = 0
        for ch in text {
            column += 1
            if let id = tokenizer.id(of: ch) {
                ids.append(id)
            } else if unknown == .skip {
                skipped += 1
            } else {
                throw CommandError("\(data), line \(line), column \(column): character \(String(reflecting: String(ch))) is not in the run's vocabulary of \(tokenizer.vocabSize) characters; pass --unknown skip to drop such characters, or evaluate a text in the run's alphabet")
            }
            if ch.isNewline { line += 1; column = 0 }
        }
        return (ids, skipped)
    }
}
