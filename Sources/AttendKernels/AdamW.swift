// AdamW: Adam with decoupled weight decay (Loshchilov & Hutter 2019, "Decoupled Weight Decay
// Regularization"), following torch.optim.AdamW's single-tensor implementation.
import Foundation

/// Lane-wise √v for v ≥ 0 (stdlib `squareRoot()` on SIMD is scalarised into libm calls).
///
/// Two Newton steps on 1/√v from the bit-trick guess, then one FMA-corrected step on √v,
/// which gives Float accuracy (within about 1 ulp). Inputs below 2⁻¹⁰⁰ are scaled by 2¹⁰⁰
/// first (and the root by 2⁻⁵⁰ after) so subnormals stay accurate; √0 = 0 and √∞ = ∞.
@_transparent   // see the inlining note in Activations.swift
func adamWSquareRoot(_ v: SIMD16<Float>) -> SIMD16<Float> {
    let one = SIMD16<Float>(repeating: 1)
    let tiny = v .< SIMD16(repeating: 0x1p-100)
    let w = v * one.replacing(with: 0x1p100, where: tiny)
    // Guess from max(w, least normal) so w = 0 gives a finite y (and then s = w·y = 0).
    let guessInput = pointwiseMax(w, SIMD16(repeating: .leastNormalMagnitude))
    let bits = SIMD16<Int32>(repeating: 0x5F37_5A86) &- (unsafeBitCast(guessInput, to: SIMD16<Int32>.self) &>> 1)
    var y = unsafeBitCast(bits, to: SIMD16<Float>.self)
    let halfW = guessInput * 0.5
    let threeHalves = SIMD16<Float>(repeating: 1.5)
    y = y * threeHalves.addingProduct(-halfW, y * y)
    y = y * threeHalves.addingProduct(-halfW, y * y)
    let s = w * y
    let residual = w.addingProduct(-s, s)                 // w − s², exact-ish via FMA
    let root = s.addingProduct(y * 0.5, residual)         // s + r/(2√w)
    return (root * one.replacing(with: 0x1p-50, where: tiny)).replacing(with: .infinity, where: v .== .infinity)
}

/// A Float hyperparameter widened to the shortest decimal that rounds to it (0.999 → 0.999,
/// not 0.99900001287), so 1 − β is computed in Double from the value the caller wrote, as
/// PyTorch does with its Python-float hyperparameters.
func adamWDecimal(_ x: Float) -> Double {
    Double(x.description) ?? Double(x)
}

/// One AdamW step on a flat parameter buffer, exactly as torch.optim.AdamW computes it.
///
/// With t = `step` (1-based), for each i in 0..<count:
/// p ← p·(1 − lr·λ);  m ← m + (1 − β₁)(g − m);  v ← β₂·v + (1 − β₂)·g²;
/// p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε).
/// That is p −= lr·m̂/(√v̂ + ε) with m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ), evaluated in PyTorch's
/// order (√v/√(1 − β₂ᵗ) + ε, then `addcdiv` with lr/(1 − β₁ᵗ)); the m update is PyTorch's `lerp`.
/// Scalars (1 − lr·λ, 1 − β, the bias corrections, lr/(1 − β₁ᵗ)) are computed in Double from the
/// shortest decimal of each Float hyperparameter (so β₂ = 0.999 gives 1 − β₂ = 0.001 as in
/// PyTorch), then rounded to Float. p, g, m, v all have `count` entries; m and v start at zero.
public func adamWUpdate(parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
                        firstMoment m: UnsafeMutablePointer<Float>, secondMoment v: UnsafeMutablePointer<Float>,
                        count: Int, learningRate lr: Float, beta1: Float, beta2: Float,
                        epsilon: Float, weightDecay: Float, step: Int) {
    precondition(step >= 1, "adamWUpdate: step is 1-based")
    let lrD = adamWDecimal(lr), beta1D = adamWDecimal(beta1), beta2D = adamWDecimal(beta2)
    let decay = Float(1 - lrD * adamWDecimal(weightDecay))
    let weight = Float(1 - beta1D)                                         // lerp weight
    let oneMinusBeta2 = Float(1 - beta2D)
    let correction1 = 1 - Foundation.pow(beta1D, Double(step))
    let correction2 = 1 - Foundation.pow(beta2D, Double(step))
    let stepSize = Float(lrD / correction1)
    let correction2Root = Float(correction2.squareRoot())
    let vDecay = SIMD16<Float>(repeating: decay), vWeight = SIMD16<Float>(repeating: weight)
    let vOneMinusWeight = SIMD16<Float>(repeating: 1 - weight)
    let vBeta2 = SIMD16<Float>(repeating: beta2), vOneMinusBeta2 = SIMD16<Float>(repeating: oneMinusBeta2)
    let vStep = SIMD16<Float>(repeating: -stepSize), vRoot = SIMD16<Float>(repeating: correction2Root)
    let vEps = SIMD16<Float>(repeating: epsilon)
    let lerpFromStart = weight < 0.5
    parallelChunks(count, work: count * 16) { range in
        var i = range.lowerBound
        while i < range.upperBound {
            let lanes = min(16, range.upperBound - i)
            let full = lanes == 16
            let pv = full ? PointwiseLanes.load(p + i) : PointwiseLanes.loadPartial(p + i, lanes, pad: 0)
            let gv = full ? PointwiseLanes.load(g + i) : PointwiseLanes.loadPartial(g + i, lanes, pad: 0)
            var mv = full ? PointwiseLanes.load(m + i) : PointwiseLanes.loadPartial(m + i, lanes, pad: 0)
            var vv = full ? PointwiseLanes.load(v + i) : PointwiseLanes.loadPartial(v + i, lanes, pad: 0)
            // param.mul_(1 - lr * weight_decay)
            var pn = pv * vDecay
            // exp_avg.lerp_(grad, 1 - beta1): PyTorch's two-sided lerp formula
            mv = lerpFromStart ? mv.addingProduct(vWeight, gv - mv)
                               : gv.addingProduct(-(gv - mv), vOneMinusWeight)
            // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
            vv = (vv * vBeta2).addingProduct(gv * vOneMinusBeta2, gv)
            // denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
            let denom = adamWSquareRoot(vv) / vRoot + vEps
            // param.addcdiv_(exp_avg, denom, value=-step_size)
            pn = pn.addingProduct(vStep, mv / denom)
            if full {
                PointwiseLanes.store(pn, p + i)
                PointwiseLanes.store(mv, m + i)
                PointwiseLanes.store(vv, v + i)
            } else {
                PointwiseLanes.storePartial(pn, p + i, lanes)
                PointwiseLanes.storePartial(mv, m + i, lanes)
                PointwiseLanes.storePartial(vv, v + i, lanes)
            }
            i += lanes
        }
    }
}

/// Scalar Double AdamW step written straight from the formula; the reference for `adamWUpdate`.
///
/// p −= lr·λ·p; m = β₁m + (1 − β₁)g; v = β₂v + (1 − β₂)g²;
/// p −= (lr/(1 − β₁ᵗ))·m/(√v/√(1 − β₂ᵗ) + ε), i.e. lr·m̂/(√v̂ + ε) with m̂ = m/(1 − β₁ᵗ),
/// v̂ = v/(1 − β₂ᵗ); hyperparameters widened to Double as in `adamWUpdate`; all buffers have
/// `count` entries.
public func adamWUpdateReference(parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
                                 firstMoment m: UnsafeMutablePointer<Float>, secondMoment v: UnsafeMutablePointer<Float>,
                                 count: Int, learningRate lr: Float, beta1: Float, beta2: Float,
                                 epsilon: Float, weightDecay: Float, step: Int) {
    let lr = adamWDecimal(lr), b1 = adamWDecimal(beta1), b2 = adamWDecimal(beta2)
    let eps = Double(epsilon), wd = adamWDecimal(weightDecay)
    let c1 = 1 - Foundation.pow(b1, Double(step)), c2 = 1 - Foundation.pow(b2, Double(step))
    for i in 0..<count {
        var pi = Double(p[i])
        let gi = Double(g[i])
        pi -= lr * wd * pi
        let mi = b1 * Double(m[i]) + (1 - b1) * gi
        let vi = b2 * Double(v[i]) + (1 - b2) * gi * gi
        pi -= (lr / c1) * mi / (vi.squareRoot() / c2.squareRoot() + eps)
        p[i] = Float(pi)
        m[i] = Float(mi)
        v[i] = Float(vi)
    }
}
