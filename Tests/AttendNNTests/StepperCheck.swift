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

/// Checks the gradient of a whole model's loss (batch 2, length 4, evaluation mode) against central
/// differences (ε = 1e-2, bound 2e-3 + 2e-2·|numeric|) at the flat indices `indices(count)` of every
/// parameter whose name passes `include`; the model's gradients are zeroed afterwards.
func expectModelGradientMatchesFiniteDifferences(_ m: DecoderOnly, inputs ids: [Int32], targets: [Int32],
                                                 include: (String) -> Bool, indices: (Int) -> [Int]) {
    let ctx = ForwardContext(training: false)
    m.loss(inputs: ids, targets: targets, batch: 2, length: 4, context: ctx).backward()
    for (name, p) in m.namedParameters() where include(name) {
        let g = p.grad!.scalars
        for j in indices(p.count) {
            let saved = p[flat: j], eps: Float = 1e-2
            p[flat: j] = saved + eps
            let plus = withoutGradients { m.loss(inputs: ids, targets: targets, batch: 2, length: 4, context: ctx).item }
            p[flat: j] = saved - eps
            let minus = withoutGradients { m.loss(inputs: ids, targets: targets, batch: 2, length: 4, context: ctx).item }
            p[flat: j] = saved
            let numeric = (plus - minus) / (2 * eps)
            #expect(abs(g[j] - numeric) <= 2e-3 + 2e-2 * abs(numeric), "\(name)[\(j)]: \(g[j]) vs \(numeric)")
        }
    }
    m.zeroGradients()
}
