import Attend
import AttendTestSupport
import Foundation
import Testing

@Suite("Numerical guards name where NaN/inf appeared")
struct NumericalGuardTests {
    @Test("the first parameter whose gradient holds NaN or inf is named; with finite entries, the largest one's")
    func locatesParameter() throws {
        let loop = try TrainingLoop(task: MemoryRegressionTask(maxSteps: 10), run: nil)
        let parameters = loop.model.namedParameters()
        #expect(parameters.count >= 3)
        for (_, tensor) in parameters { tensor.grad = Tensor(repeating: 0.5, shape: tensor.shape) }
        // All finite: the norm can still overflow (squares above Float.max); the largest entry is blamed.
        parameters[1].tensor.grad!.pointer[0] = 3e20
        #expect(loop.nonFiniteGradient() == parameters[1].name)
        parameters[1].tensor.grad!.pointer[0] = 0.5
        let (name, tensor) = parameters[2]
        let poisoned = Tensor(repeating: 0.5, shape: tensor.shape)
        poisoned.pointer[poisoned.count - 1] = .infinity
        tensor.grad = poisoned
        #expect(loop.nonFiniteGradient() == name)
        parameters[1].tensor.grad!.pointer[0] = .nan
        #expect(loop.nonFiniteGradient() == parameters[1].name)
        for (_, tensor) in parameters { tensor.grad = nil }
    }

    @Test("the message names the step, the parameter, the checkpoint kept and what to try")
    func message() {
        let gradient = TrainError.nonFiniteGradient(step: 7, parameter: "blocks.0.attention.qkv.weight", lastCheckpoint: 5).description
        for part in ["blocks.0.attention.qkv.weight", "step 7", "step 5) is kept", "--learning-rate", "--grad-clip"] {
            #expect(gradient.contains(part), "\(gradient)")
        }
        let loss = TrainError.nonFiniteLoss(step: 3, lastCheckpoint: nil).description
        #expect(loss.contains("step 3") && loss.contains("forward pass") && loss.contains("no checkpoint had been written yet"))
    }
}
