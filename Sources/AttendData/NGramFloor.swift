import Foundation

/// A count n-gram model with add-k smoothing: the floor a sequence model must beat to show it uses
/// context (order 1: unigram, no context at all; order 2: the previous token only). Each sequence
/// starts with `order − 1` start symbols (id `vocabSize`), so contexts never cross sequence boundaries.
public struct NGramFloor: Sendable {
    /// Tokens of context plus one.
    public let order: Int
    /// Token ids are 0..<vocabSize.
    public let vocabSize: Int
    /// Pseudo-count added to every (context, token) pair.
    public let smoothing: Double
    private var counts: [Int: [Int32]] = [:]
    private var totals: [Int: Int] = [:]

    /// Counts the n-grams of `sequences`.
    public init(order: Int, vocabSize: Int, sequences: [[Int32]], smoothing: Double = 1) {
        precondition(order >= 1 && vocabSize >= 1 && smoothing > 0, "order ≥ 1, vocabSize ≥ 1 and smoothing > 0")
        self.order = order; self.vocabSize = vocabSize; self.smoothing = smoothing
        for s in sequences {
            forEachPrediction(s) { context, token in
                counts[context, default: [Int32](repeating: 0, count: vocabSize)][token] += 1
                totals[context, default: 0] += 1
            }
        }
    }

    /// Calls `body(context index, next token)` for every position of `sequence`.
    private func forEachPrediction(_ sequence: [Int32], _ body: (Int, Int) -> Void) {
        var window = [Int](repeating: vocabSize, count: order - 1)
        for t in sequence {
            var context = 0
            for c in window { context = context * (vocabSize + 1) + c }
            body(context, Int(t))
            if order > 1 { window.removeFirst(); window.append(Int(t)) }
        }
    }

    /// Mean cross-entropy in nats per token of `sequences` under the model.
    public func crossEntropy(_ sequences: [[Int32]]) -> Double {
        var total = 0.0, n = 0
        let k = smoothing, v = Double(vocabSize)
        for s in sequences {
            forEachPrediction(s) { context, token in
                let count = Double(counts[context]?[token] ?? 0), all = Double(totals[context] ?? 0)
                total -= Foundation.log((count + k) / (all + k * v))
                n += 1
            }
        }
        return total / Double(max(n, 1))
    }
}
