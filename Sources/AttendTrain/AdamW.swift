import AttendKernels
import AttendTensor

/// Adam with decoupled weight decay (Loshchilov & Hutter, 2019), as `torch.optim.AdamW`.
///
/// Decay applies only to the parameters named in `decayed` (nanoGPT: matrices and embeddings, not
/// biases or norm gains). Moments are kept per parameter in the same order as `parameters`.
public final class AdamW {
    /// The parameters updated, with their names; the order of the moments and of `stateTensors`.
    public let parameters: [(name: String, tensor: Tensor)]
    /// Names of the parameters that receive weight decay; the others get none.
    public let decayed: Set<String>
    /// Step size α of the next update (a schedule may change it between steps).
    public var learningRate: Float
    /// Decay rate β₁ of the first-moment (mean) estimate.
    public var beta1: Float
    /// Decay rate β₂ of the second-moment (uncentred variance) estimate.
    public var beta2: Float
    /// Added to √v̂ in the denominator of the update, for numerical stability.
    public var epsilon: Float
    /// Decoupled decay λ: each update first scales a decayed parameter by 1 − α·λ.
    public var weightDecay: Float
    /// Number of updates applied so far (the bias-correction step count).
    public private(set) var step = 0
    private var firstMoments: [Tensor]
    private var secondMoments: [Tensor]

    /// An optimizer for `parameters` with zero moments and step count 0; the defaults are `torch.optim.AdamW`'s.
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
