import Attend
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

@Suite("Relative positions end to end", .serialized)
struct RelativePositionTrainingTests {
    @Test("a tiny dot-product-free model (no position table) with a learned bias learns period-2 text far below the context-free ln 7",
          arguments: [PositionBias.logType, .linType])
    func dotProductFreeLearns(kind: PositionBias) throws {
        let dataset = try TextDataset(text: periodTwoText(segments: 300, seed: 11))
        var config = tinyConfig(vocab: dataset.tokenizer.vocabSize, steps: 150, lr: 1e-2)
        config.model.positions = .none
        config.model.positionBias = kind
        config.model.dotProduct = false
        let trainer = try Trainer(config: config, dataset: dataset, run: nil)
        try trainer.run()
        let last = trainer.losses.suffix(10).reduce(0, +) / 10
        #expect(trainer.losses.first! > 1.9)
        #expect(last < 1.0, "mean loss of the last 10 steps is \(last) (context-free bound ≈ 1.95)")
    }
}
