import AttendData
import Foundation
import Testing

@Suite("N-gram floors")
struct NGramFloorTests {
    @Test("unigram cross-entropy is the entropy of the token frequencies (add-k smoothing aside)")
    func unigram() {
        let seq: [Int32] = Array(repeating: 0, count: 500) + Array(repeating: 1, count: 300) + Array(repeating: 2, count: 200)
        let model = NGramFloor(order: 1, vocabSize: 3, sequences: [seq], smoothing: 1e-9)
        let entropy = -[0.5, 0.3, 0.2].reduce(0) { $0 + $1 * log($1) }
        #expect(abs(model.crossEntropy([seq]) - entropy) < 1e-9)
    }

    @Test("a bigram model predicts a deterministic successor almost exactly; a unigram model cannot")
    func bigram() {
        let seq: [Int32] = (0..<3000).map { Int32($0 % 5) }  // 0 1 2 3 4 0 1 …
        let bigram = NGramFloor(order: 2, vocabSize: 5, sequences: [seq], smoothing: 0.01)
        let unigram = NGramFloor(order: 1, vocabSize: 5, sequences: [seq], smoothing: 0.01)
        #expect(bigram.crossEntropy([seq]) < 0.01)
        #expect(abs(unigram.crossEntropy([seq]) - log(5)) < 1e-3)
        // Contexts do not cross sequences: the first token of each sequence is predicted from the start symbol.
        let starts = NGramFloor(order: 2, vocabSize: 5, sequences: [[1, 2], [1, 3]], smoothing: 1e-9)
        #expect(abs(starts.crossEntropy([[1]]) - 0) < 1e-6)
        #expect(abs(starts.crossEntropy([[1, 2]]) - log(2) / 2) < 1e-6)
    }

    @Test("add-k smoothing gives unseen pairs (k) / (n + k·V)")
    func smoothing() {
        let model = NGramFloor(order: 1, vocabSize: 4, sequences: [[0, 0, 0, 0, 0, 0]], smoothing: 1)
        #expect(abs(model.crossEntropy([[3]]) + log(1.0 / 10)) < 1e-12)
    }
}
