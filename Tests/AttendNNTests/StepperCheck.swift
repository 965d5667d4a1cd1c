import AttendModels
import AttendNN
import AttendTensor
import Testing

/// Largest |stepper logits − parallel-form logits| over every position of `tokens` (one equal-length
/// row per sequence), feeding one token per sequence per step to a fresh fp32 stepper; also expects the
/// stepper's position to count the steps.
func stepperDeviation(_ model: DecoderOnly, tokens: [[Int32]]) throws -> Float {
    let (batch, length, vocab) = (tokens.count, tokens[0].count, model.config.vocabSize)
    let parallel = withoutGradients {
        model(tokens.flatMap { $0 }, batch: batch, length: length, context: ForwardContext(training: false))
    }
    let stepper = try model.makeStepper(batch: batch)
    var worst: Float = 0
    for t in 0..<length {
        let logits = withoutGradients { stepper.step(tokens.map { $0[t] }) }
        for b in 0..<batch {
            for c in 0..<vocab { worst = max(worst, abs(logits[b * vocab + c] - parallel[flat: (b * length + t) * vocab + c])) }
        }
    }
    #expect(stepper.position == length)
    return worst
}
