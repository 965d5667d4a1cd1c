import Foundation

/// The learning-rate schedule of "Attention Is All You Need" (Vaswani et al., 2017, eq. 3):
/// lr = scale · modelDim^−0.5 · min(step^−0.5, step · warmup^−1.5) for 1-based `step` — linear
/// warm-up for `warmupSteps` steps, then decay ∝ 1/√step. The peak, at step = warmup, is
/// scale · (modelDim · warmup)^−0.5.
public struct NoamSchedule: Codable, Equatable, Sendable {
    /// Width of the residual stream (the paper's d_model).
    public var modelDim: Int
    /// Steps of linear warm-up (the paper: 4000).
    public var warmupSteps: Int
    /// Multiplier on the whole schedule (1 in the paper).
    public var scale: Float

    /// The schedule for a model of width `modelDim` with `warmupSteps` warm-up steps and an overall `scale`.
    public init(modelDim: Int, warmupSteps: Int, scale: Float = 1) {
        self.modelDim = modelDim
        self.warmupSteps = warmupSteps
        self.scale = scale
    }

    /// Learning rate for 1-based step `step` (step 0 is treated as 1).
    public func callAsFunction(_ step: Int) -> Float {
        let s = Double(max(step, 1)), w = Double(max(warmupSteps, 1))
        return Float(Double(scale) * pow(Double(modelDim), -0.5) * min(pow(s, -0.5), s * pow(w, -1.5)))
    }
}
