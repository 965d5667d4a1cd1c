import AttendKernels
import AttendTensor

/// Adam with decoupled weight decay (Loshchilov & Hutter, 2019), as `torch.optim.AdamW`.
///
/// Decay applies only to the parameters named in `decayed` (nanoGPT: matrices and embeddings, not
/// biases or norm gains). Moments are kept per parameter in the same order as `parameters`.
public final class AdamW {
    public let parameters: [(name: String, tensor: Tensor)]
    public let decayed: Set<String>
    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    public var weightDecay: Float
    /// Number of updates applied so far (the bias-correction step count).
    public private(set) var step = 0
    private var firstMoments: [Tensor]
    private var secondMoments: [Tensor]

    public init(parameters: [(name: String, tensor: Tensor)], decayed: Set<String>, learningRate: Float,
                beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0.01) {
        self.parameters = parameters
        self.decayed = decayed
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        firstMoments = parameters.map { Tensor.zeros($0.tensor.shape) }
        secondMoments = parameters.map { Tensor.zeros($0.tensor.shape) }
    }

    /// Applies one update to every parameter that has a gradient.
    public func update() {
        step += 1
        for (i, (name, p)) in parameters.enumerated() {
            guard let g = p.grad else { continue }
            adamWUpdate(parameters: p.pointer, gradients: g.pointer, firstMoment: firstMoments[i].pointer,
                        secondMoment: secondMoments[i].pointer, count: p.count, learningRate: learningRate,
                        beta1: beta1, beta2: beta2, epsilon: epsilon,
                        weightDecay: decayed.contains(name) ? weightDecay : 0, step: step)
        }
    }

    /// Moments as named tensors (`firstMoment.<name>`, `secondMoment.<name>`) for checkpoints.
    public var stateTensors: [(name: String, tensor: Tensor)] {
        parameters.indices.flatMap { i in
            [("firstMoment." + parameters[i].name, firstMoments[i]), ("secondMoment." + parameters[i].name, secondMoments[i])]
        }
    }

    /// Restores moments and the step count saved by `stateTensors`.
    public func loadState(_ tensors: [String: Tensor], step: Int) throws {
        for (i, (name, p)) in parameters.enumerated() {
            for (prefix, target) in [("firstMoment.", firstMoments[i]), ("secondMoment.", secondMoments[i])] {
                guard let t = tensors[prefix + name], t.shape == p.shape else {
                    throw CheckpointError.incompatible("optimizer state for '\(name)' is missing or has the wrong shape")
                }
                target.copyValues(from: t)
            }
        }
        self.step = step
    }
}

/// Global L2 norm of all gradients, scaling them down to `maxNorm` when larger (`clip_grad_norm_`).
/// Returns the norm before clipping.
@discardableResult
public func clipGradientNorm(_ parameters: [(name: String, tensor: Tensor)], maxNorm: Float) -> Float {
    var total: Double = 0
    for (_, p) in parameters { if let g = p.grad { total += Double(sumOfSquares(g.pointer, count: g.count)) } }
    let norm = Float(total.squareRoot())
    let coefficient = maxNorm / (norm + 1e-6)
    if maxNorm > 0 && coefficient < 1 {
        for (_, p) in parameters { if let g = p.grad { scale(g.pointer, by: coefficient, g.pointer, count: g.count) } }
    }
    return norm
}
