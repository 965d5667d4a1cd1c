import Attend
import AttendTestSupport
import Foundation
import Testing

/// A `RegressionTask` at test scale: fresh batches of `batch` sequences, `steps` AdamW steps at `learningRate`.
func regressionTask(_ data: MemoryRegressionData, _ model: RegressionTransformerConfig, steps: Int, batch: Int = 32,
                    learningRate: Float = 0.01, seed: UInt64 = 4) throws -> RegressionTask {
    var t = TrainConfig()
    t.batchSize = batch
    t.maxSteps = steps
    t.decaySteps = steps
    t.warmupSteps = 10
    t.learningRate = learningRate
    t.minLearningRate = learningRate / 10
    t.weightDecay = 0
    t.evalInterval = max(steps / 2, 1)
    t.checkpointInterval = 1000
    t.seed = seed
    return try RegressionTask(model: model, training: t, data: data, validationSequences: 200)
}

@Suite("Wang & E regression training", .serialized, .tags(.slow), .slowSuite)
struct RegressionTrainingTests {
    @Test("4a at T = 16: a 1-layer DP-free log-type model with H = 1 learns ρ(τ) = τ^−0.5 (relative MSE ≤ 0.01; stuck at p = 1: 0.069, attention-free: 0.70)")
    func learnsPowerDecay() throws {
        let data = try MemoryRegressionData(target: .powerDecay, length: 16)
        let task = try regressionTask(data, .init(numHeads: 1, modelDim: 4, hiddenDim: 0, positionBias: .logType), steps: 400)
        let loop = try TrainingLoop(task: task, run: nil)
        try loop.run()
        let controls = task.controls
        let relative = RegressionTask.meanSquaredError(loop.model, task.validation) / controls.constant
        #expect(relative <= 0.01, "relative MSE \(relative)")
        #expect(controls.lastTokenOnly / controls.constant > 0.6, "the attention-free control should stay near 0.70")
        let p = exp(try #require(loop.model.attention[0].positionBias?.weight)[flat: 0])
        #expect(abs(p - 0.5) < 0.1, "learned p = \(p), the construction's 0.5")
    }

    @Test("2b at T = 16, positions 14, 15, 16: a DP-free lin-type model with H = 2 gets well below the attention-free control (relative MSE ≤ 0.45 vs 2/3)")
    func learnsSparseSum() throws {
        let data = try MemoryRegressionData(target: .sparseSum, length: 16, positions: [14, 15, 16])
        let task = try regressionTask(data, .init(numHeads: 2, modelDim: 8, hiddenDim: 0, positionBias: .linType), steps: 400)
        let loop = try TrainingLoop(task: task, run: nil)
        try loop.run()
        let controls = task.controls
        let relative = RegressionTask.meanSquaredError(loop.model, task.validation) / controls.constant
        #expect(abs(controls.lastTokenOnly / controls.constant - 2.0 / 3) < 0.05, "x_T explains a third of the variance")
        #expect(relative <= 0.45, "relative MSE \(relative)")
    }

    @Test("resume is bit-exact for the regression task (DP and a 2-layer model)")
    func resume() throws {
        let data = try MemoryRegressionData(target: .adaptiveMemory, length: 8)
        try expectExactResume("regression-dp", steps: 8) {
            try regressionTask(data, .init(numHeads: 2, modelDim: 4, hiddenDim: 3, dotProduct: true, positionBias: .logType), steps: 8, batch: 6)
        }
        try expectExactResume("regression-2-layer", steps: 8) {
            try regressionTask(data, .init(numLayers: 2, numHeads: 2, modelDim: 4, hiddenDim: 3, dotProduct: true, positionBias: .linType), steps: 8, batch: 6)
        }
    }
}
