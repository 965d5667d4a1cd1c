import AttendData
import AttendModels
import AttendNN
import AttendTensor
import Foundation

/// A language model's loss on a whole text (`attend eval`): every token after the first is
/// predicted exactly once, in consecutive non-overlapping windows.
///
/// Window w reads inputs x[wT ..< wT + T] and predicts targets x[wT + 1 ... wT + T] (T = contextLength);
/// the last window may be shorter (its missing targets are −1, ignored by the loss). Each window starts
/// with an empty context, so the first tokens of a window are predicted from little history: the number
/// is a little higher than a sliding-window estimate would give. It differs from the training loop's
/// evaluation (`LanguageModelTask.evaluate`), which averages `evalBatches` batches of windows at random
/// offsets (with repeats and gaps) — an estimate of the same quantity, not the loss of the whole text.
public struct TextEvaluation: Codable, Equatable, Sendable {
    /// Tokens predicted (the text's tokens minus one, or `maxTokens`).
    public var tokens: Int
    /// Mean cross-entropy in nats per token.
    public var loss: Double
    /// exp(loss).
    public var perplexity: Double { Foundation.exp(loss) }
    /// loss / ln 2: bits per token (per character for a character vocabulary).
    public var bitsPerToken: Double { loss / Foundation.log(2) }

    /// A result of `tokens` predictions with mean loss `loss` (nats).
    public init(tokens: Int, loss: Double) {
        self.tokens = tokens
        self.loss = loss
    }

    /// The windows over `tokens` as batches of at most `batchSize` rows of `contextLength` positions,
    /// in text order, predicting at most `maxTokens` targets (nil = all `tokens.count − 1`).
    public static func windows(_ tokens: [Int32], contextLength: Int, batchSize: Int, maxTokens: Int? = nil) -> [SequenceBatch] {
        precondition(contextLength > 0 && batchSize > 0, "windows need a positive contextLength and batchSize")
        let predicted = min(max(tokens.count - 1, 0), maxTokens ?? .max)
        let windowCount = (predicted + contextLength - 1) / contextLength
        var batches: [SequenceBatch] = []
        var w = 0
        while w < windowCount {
            let rows = min(batchSize, windowCount - w)
            var inputs = [Int32](repeating: 0, count: rows * contextLength)
            var targets = [Int32](repeating: -1, count: rows * contextLength)
            for r in 0..<rows {
                let start = (w + r) * contextLength
                let length = min(contextLength, predicted - start)
                for t in 0..<length {
                    inputs[r * contextLength + t] = tokens[start + t]
                    targets[r * contextLength + t] = tokens[start + t + 1]
                }
            }
            batches.append(SequenceBatch(inputs: inputs, targets: targets, batch: rows, length: contextLength))
            w += rows
        }
        return batches
    }

    /// Evaluates `model` on `tokens` (ids within its vocabulary) in the windows of `windows(…)`, without
    /// dropout; `progress(done, total)` is called after each batch with the targets predicted so far.
    public static func evaluate(_ model: DecoderOnly, tokens: [Int32], batchSize: Int, maxTokens: Int? = nil,
                                progress: (Int, Int) -> Void = { _, _ in }) -> TextEvaluation {
        let batches = windows(tokens, contextLength: model.config.contextLength, batchSize: batchSize, maxTokens: maxTokens)
        let total = batches.reduce(0) { $0 + $1.countedTargets }
        var nats = 0.0, done = 0
        withoutGradients {
            for b in batches {
                let counted = b.countedTargets
                let mean = model.loss(inputs: b.inputs, targets: b.targets, batch: b.batch, length: b.length,
                                      context: ForwardContext(training: false)).item
                nats += Double(mean) * Double(counted)
                done += counted
                progress(done, total)
            }
        }
        return TextEvaluation(tokens: total, loss: total > 0 ? nats / Double(total) : 0)
    }
}
