import AttendKernels

/// Neural-network ops with fused kernels: normalisation, activations, softmax, losses, dropout, attention.
extension Tensor {
    /// Layer normalisation over the last dimension (Ba et al., 2016): y = (x − μ)/√(σ² + ε)·γ + β.
    ///
    /// x: [..., C]; gamma: [C]; beta: [C] or nil (no bias, as nanoGPT's `bias=False`).
    public static func layerNorm(_ x: Tensor, gamma: Tensor, beta: Tensor?, epsilon: Float = 1e-5) -> Tensor {
        let cols = x.shape.last ?? 1
        precondition(gamma.shape == [cols], "layerNorm gamma must be [\(cols)], got \(gamma.shape)")
        let rows = x.count / max(cols, 1)
        let out = Tensor(uninitializedShape: x.shape)
        let mean = Tensor(uninitializedShape: [rows]), rstd = Tensor(uninitializedShape: [rows])
        let zeroBeta = beta == nil ? Tensor.zeros([cols]) : nil
        layerNormForward(x.pointer, gamma: gamma.pointer, beta: (beta ?? zeroBeta!).pointer, out.pointer,
                         mean: mean.pointer, rstd: rstd.pointer, rows: rows, cols: cols, epsilon: epsilon)
        let betaNeeds = beta.map { needsGrad($0) } ?? false
        if needsGrad(x, gamma) || betaNeeds {
            out.record { g in
                let dx = Tensor(uninitializedShape: x.shape)
                let dGamma = Tensor.zeros([cols]), dBeta = Tensor.zeros([cols])
                layerNormBackward(dy: g.pointer, x: x.pointer, gamma: gamma.pointer, mean: mean.pointer, rstd: rstd.pointer,
                                  dx: dx.pointer, dGamma: dGamma.pointer, dBeta: dBeta.pointer, rows: rows, cols: cols)
                x.accumulateGrad(taking: dx)
                gamma.accumulateGrad(taking: dGamma)
                beta?.accumulateGrad(taking: dBeta)
            }
        }
        return out
    }

    /// Applies a pointwise activation given its forward and backward kernels.
    private func pointwise(_ forward: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void,
                           _ backward: @escaping (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void) -> Tensor {
        let out = Tensor(uninitializedShape: shape)
        forward(pointer, out.pointer, count)
        if Tensor.needsGrad(self) {
            out.record { g in
                // y = f(x)  →  dx += f'(x)·dy
                self.accumulateGrad { gx, beta in
                    if beta == 0 { backward(self.pointer, g.pointer, gx, self.count) }
                    else {
                        let tmp = Tensor(uninitializedShape: self.shape)
                        backward(self.pointer, g.pointer, tmp.pointer, self.count)
                        add(gx, tmp.pointer, gx, count: self.count)
                    }
                }
            }
        }
        return out
    }

    /// GELU, GPT-2's tanh form: 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))) (Hendrycks & Gimpel, 2016).
    public func gelu() -> Tensor {
        pointwise({ geluForward($0, $1, count: $2) }, { geluBackward(x: $0, dy: $1, dx: $2, count: $3) })
    }

    /// GELU, exact form (PyTorch's `nn.GELU()`, nanoGPT): 0.5·x·(1 + erf(x/√2)) (Hendrycks & Gimpel, 2016).
    public func geluExact() -> Tensor {
        pointwise({ geluExactForward($0, $1, count: $2) }, { geluExactBackward(x: $0, dy: $1, dx: $2, count: $3) })
    }

    /// ReLU: max(x, 0).
    public func relu() -> Tensor {
        pointwise({ reluForward($0, $1, count: $2) }, { reluBackward(x: $0, dy: $1, dx: $2, count: $3) })
    }

    /// SiLU (swish): x·σ(x).
    public func silu() -> Tensor {
        pointwise({ siluForward($0, $1, count: $2) }, { siluBackward(x: $0, dy: $1, dx: $2, count: $3) })
    }

    /// Softmax over the last dimension.
    public func softmax() -> Tensor {
        let cols = shape.last ?? 1, rows = count / max(cols, 1)
        let out = Tensor(uninitializedShape: shape)
        softmaxRows(pointer, out.pointer, rows: rows, cols: cols)
        if Tensor.needsGrad(self) {
            out.record { g in
                // y = softmax(x)  →  dx = y ⊙ (dy − Σ dy·y)
                let dx = Tensor(uninitializedShape: self.shape)
                softmaxRowsBackward(y: out.pointer, dy: g.pointer, dx: dx.pointer, rows: rows, cols: cols)
                self.accumulateGrad(taking: dx)
            }
        }
        return out
    }

    /// Log-softmax over the last dimension.
    public func logSoftmax() -> Tensor {
        let cols = shape.last ?? 1, rows = count / max(cols, 1)
        let out = Tensor(uninitializedShape: shape)
        logSoftmaxRows(pointer, out.pointer, rows: rows, cols: cols)
        if Tensor.needsGrad(self) {
            out.record { g in
                // y = x − logΣexp(x)  →  dx = dy − softmax(x)·Σ dy
                let dx = Tensor(uninitializedShape: self.shape)
                for r in 0..<rows {
                    let gy = g.pointer + r * cols, y = out.pointer + r * cols, d = dx.pointer + r * cols
                    var total: Float = 0
                    for c in 0..<cols { total += gy[c] }
                    for c in 0..<cols { d[c] = gy[c] - _expf(y[c]) * total }
                }
                self.accumulateGrad(taking: dx)
            }
        }
        return out
    }

    /// Mean cross-entropy of `logits` [..., V] against integer `targets` (one per row; −1 = ignore),
    /// fused with log-softmax as `F.cross_entropy`. Returns a scalar tensor of shape [].
    public static func crossEntropy(logits: Tensor, targets: [Int32]) -> Tensor {
        let cols = logits.shape.last ?? 1, rows = logits.count / max(cols, 1)
        precondition(targets.count == rows, "crossEntropy: \(targets.count) targets for \(rows) rows")
        precondition(targets.allSatisfy { $0 < Int32(cols) }, "crossEntropy: target outside \(cols) classes")
        return fusedLoss(logits: logits, targets: targets) { t, dLogits in
            AttendKernels.crossEntropy(logits: logits.pointer, targets: t, rows: rows, cols: cols, dLogits: dLogits)
        }
    }

    /// The shape shared by the fused losses from logits: `kernel(targets, dLogits)` returns the mean
    /// loss and, when logits need a gradient, writes dL/dz into `dLogits`; the pullback scales it by
    /// the incoming dL and hands the buffer to `logits`. Returns a scalar tensor of shape [].
    static func fusedLoss(logits: Tensor, targets: [Int32],
                          _ kernel: (UnsafePointer<Int32>, UnsafeMutablePointer<Float>?) -> Float) -> Tensor {
        let recording = needsGrad(logits)
        let dLogits = recording ? Tensor(uninitializedShape: logits.shape) : nil
        let loss = targets.withUnsafeBufferPointer { kernel($0.baseAddress!, dLogits?.pointer) }
        let out = Tensor(repeating: loss, shape: [])
        if recording, let dLogits {
            out.record { g in
                // dz = (softmax(z) − target distribution)/n · dL
                let s = g.pointer[0]
                if s != 1 { scale(dLogits.pointer, by: s, dLogits.pointer, count: dLogits.count) }
                logits.accumulateGrad(taking: dLogits)
            }
        }
        return out
    }

    /// Inverted dropout: zeroes each element with probability `p` and scales the rest by 1/(1−p).
    /// Draws from `rng`; identity when `p == 0`.
    public func dropout(_ p: Float, rng: inout RandomGenerator) -> Tensor {
        precondition(p >= 0 && p < 1, "dropout probability must be in [0, 1), got \(p)")
        if p == 0 { return self }
        let mask = Tensor(uninitializedShape: shape)
        let keep = 1 / (1 - p)
        for i in 0..<count { mask.pointer[i] = rng.nextUniform() < p ? 0 : keep }
        return self * mask
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) func _expf(_ x: Float) -> Float { Glibc.expf(x) }
#else
import Foundation
@inline(__always) func _expf(_ x: Float) -> Float { Foundation.expf(x) }
#endif
