import Foundation

/// Linear warm-up then cosine decay to a floor, exactly nanoGPT's `get_lr(it)` (0-based step):
/// lr·(it+1)/(warmup+1) while it < warmup; minLearningRate after decaySteps; cosine in between.
public struct WarmupCosineSchedule: Codable, Equatable, Sendable {
    /// Peak learning rate, reached at the end of the warm-up.
    public var learningRate: Float
    /// Floor the cosine decays to, kept after `decaySteps`.
    public var minLearningRate: Float
    /// Steps of linear warm-up.
    public var warmupSteps: Int
    /// Step at which the cosine decay ends (counted from step 0, warm-up included).
    public var decaySteps: Int

    /// A schedule warming up to `learningRate` over `warmupSteps` steps and decaying to `minLearningRate` at step `decaySteps`.
    public init(learningRate: Float, minLearningRate: Float, warmupSteps: Int, decaySteps: Int) {
        self.learningRate = learningRate
        self.minLearningRate = minLearningRate
        self.warmupSteps = warmupSteps
        self.decaySteps = decaySteps
    }

    /// Learning rate for 0-based step `it`.
    public func callAsFunction(_ it: Int) -> Float {
        if it < warmupSteps { return learningRate * Float(it + 1) / Float(warmupSteps + 1) }
        if it > decaySteps { return minLearningRate }
        let ratio = Double(it - warmupSteps) / Double(max(decaySteps - warmupSteps, 1))
        let coefficient = 0.5 * (1 + cos(Double.pi * ratio))
        return minLearningRate + Float(coefficient) * (learningRate - minLearningRate)
    }
}
