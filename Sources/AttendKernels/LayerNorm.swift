// Layer normalisation over the last dimension (Ba, Kiros & Hinton 2016), forward and backward.
import Foundation

/// Normalises each row of x to zero mean and unit variance, then scales and shifts it.
///
/// μ_r = (1/C) Σ_c x[r, c], σ²_r = (1/C) Σ_c (x[r, c] − μ_r)² (biased, as in PyTorch),
/// rstd_r = 1/√(σ²_r + ε), y[r, c] = (x[r, c] − μ_r)·rstd_r·γ[c] + β[c].
/// x and y are rows×cols (y may alias x), γ and β have cols entries, mean and rstd receive
/// rows entries for the backward pass.
public func layerNormForward(_ x: UnsafePointer<Float>, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
                             _ y: UnsafeMutablePointer<Float>,
                             mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>,
                             rows: Int, cols: Int, epsilon: Float) {
    parallelChunks(rows, work: rows * cols * rowWorkPerElement) { range in
        for r in range {
            let xr = x + r * cols, yr = y + r * cols
            // Two passes (mean, then squared deviations) for accuracy.
            var acc = SIMD16<Float>()
            var c = 0
            while c + 16 <= cols { acc += PointwiseLanes.load(xr + c); c += 16 }
            var s = PointwiseLanes.sum(acc)
            while c < cols { s += xr[c]; c += 1 }
            let mu = s / Float(cols)
            let vmu = SIMD16<Float>(repeating: mu)
            acc = SIMD16<Float>()
            c = 0
            while c + 16 <= cols { let d = PointwiseLanes.load(xr + c) - vmu; acc = acc.addingProduct(d, d); c += 16 }
            var ss = PointwiseLanes.sum(acc)
            while c < cols { let d = xr[c] - mu; ss += d * d; c += 1 }
            let rs = 1 / (ss / Float(cols) + epsilon).squareRoot()
            mean[r] = mu
            rstd[r] = rs
            let vrs = SIMD16<Float>(repeating: rs)
            c = 0
            while c + 16 <= cols {
                let xhat = (PointwiseLanes.load(xr + c) - vmu) * vrs
                PointwiseLanes.store(PointwiseLanes.load(beta + c).addingProduct(xhat, PointwiseLanes.load(gamma + c)), yr + c)
                c += 16
            }
            while c < cols { yr[c] = beta[c].addingProduct((xr[c] - mu) * rs, gamma[c]); c += 1 }
        }
    }
}

/// Scalar Double layer norm forward; the reference for `layerNormForward`.
///
/// Same contract: y = (x − μ)·rstd·γ + β per row, with mean and rstd written; rows×cols.
public func layerNormForwardReference(_ x: UnsafePointer<Float>, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
                                      _ y: UnsafeMutablePointer<Float>,
                                      mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>,
                                      rows: Int, cols: Int, epsilon: Float) {
    for r in 0..<rows {
        var s: Double = 0
        for c in 0..<cols { s += Double(x[r * cols + c]) }
        let mu = s / Double(cols)
        var v: Double = 0
        for c in 0..<cols { let d = Double(x[r * cols + c]) - mu; v += d * d }
        let rs = 1 / (v / Double(cols) + Double(epsilon)).squareRoot()
        mean[r] = Float(mu)
        rstd[r] = Float(rs)
        for c in 0..<cols {
            y[r * cols + c] = Float((Double(x[r * cols + c]) - mu) * rs * Double(gamma[c]) + Double(beta[c]))
        }
    }
}

/// Most row chunks `layerNormBackward` splits into, each with private dγ/dβ partials.
let layerNormBackwardChunks = 16

/// Backward of `layerNormForward`, using the mean and rstd it saved.
///
/// Differentiating y = x̂·γ + β with x̂ = (x − μ)·rstd:
/// dβ[c] += Σ_r dy[r, c];  dγ[c] += Σ_r dy[r, c]·x̂[r, c];
/// dx[r, c] = rstd_r·(g[r, c] − mean_c g[r, :] − x̂[r, c]·mean_c(g[r, :]·x̂[r, :])), g = dy·γ.
/// dx (rows×cols) is overwritten and may alias dy; dGamma and dBeta (cols) are accumulated.
/// Rows are split into at most 16 chunks (by shape only, not by thread count), each summing
/// into private dγ/dβ partials that are added in chunk order, so there are no races and the
/// result does not depend on the thread count.
public func layerNormBackward(dy: UnsafePointer<Float>, x: UnsafePointer<Float>, gamma: UnsafePointer<Float>,
                              mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
                              dx: UnsafeMutablePointer<Float>,
                              dGamma: UnsafeMutablePointer<Float>, dBeta: UnsafeMutablePointer<Float>,
                              rows: Int, cols: Int) {
    let work = rows * cols * rowWorkPerElement
    let chunks = work < Threading.minParallelWork ? min(rows, 1) : min(rows, layerNormBackwardChunks)
    guard chunks > 0, cols > 0 else { return }
    // partials[k] holds chunk k's dγ (cols) followed by its dβ (cols).
    let partials = UnsafeMutablePointer<Float>.allocate(capacity: chunks * 2 * cols)
    partials.initialize(repeating: 0, count: chunks * 2 * cols)
    defer { partials.deallocate() }
    let invCols = 1 / Float(cols)
    // Forward: y[r, c] = x̂[r, c]·γ[c] + β[c], x̂[r, c] = (x[r, c] − μ_r)·rstd_r.
    parallelChunks(chunks, work: work) { chunkRange in
        for k in chunkRange {
            let pg = partials + k * 2 * cols, pb = pg + cols
            for r in (rows * k / chunks)..<(rows * (k + 1) / chunks) {
                let xr = x + r * cols, dyr = dy + r * cols, dxr = dx + r * cols
                let vmu = SIMD16<Float>(repeating: mean[r]), vrs = SIMD16<Float>(repeating: rstd[r])
                // Pass 1: Σ g, Σ g·x̂, and the parameter-gradient partials.
                var sumG = SIMD16<Float>(), sumGX = SIMD16<Float>()
                var c = 0
                while c < cols {
                    let lanes = min(16, cols - c)
                    let full = lanes == 16
                    let d = full ? PointwiseLanes.load(dyr + c) : PointwiseLanes.loadPartial(dyr + c, lanes, pad: 0)
                    let xv = full ? PointwiseLanes.load(xr + c) : PointwiseLanes.loadPartial(xr + c, lanes, pad: 0)
                    let gm = full ? PointwiseLanes.load(gamma + c) : PointwiseLanes.loadPartial(gamma + c, lanes, pad: 0)
                    let xhat = (xv - vmu) * vrs
                    let g = d * gm
                    sumG += g
                    sumGX = sumGX.addingProduct(g, xhat)
                    if full {
                        PointwiseLanes.store(PointwiseLanes.load(pg + c).addingProduct(d, xhat), pg + c)
                        PointwiseLanes.store(PointwiseLanes.load(pb + c) + d, pb + c)
                    } else {
                        for j in 0..<lanes { pg[c + j] = pg[c + j].addingProduct(d[j], xhat[j]); pb[c + j] += d[j] }
                    }
                    c += lanes
                }
                let meanG = SIMD16<Float>(repeating: PointwiseLanes.sum(sumG) * invCols)
                let meanGX = SIMD16<Float>(repeating: PointwiseLanes.sum(sumGX) * invCols)
                // Pass 2: dx = rstd·(g − mean(g) − x̂·mean(g·x̂)).
                c = 0
                while c < cols {
                    let lanes = min(16, cols - c)
                    let full = lanes == 16
                    let d = full ? PointwiseLanes.load(dyr + c) : PointwiseLanes.loadPartial(dyr + c, lanes, pad: 0)
                    let xv = full ? PointwiseLanes.load(xr + c) : PointwiseLanes.loadPartial(xr + c, lanes, pad: 0)
                    let gm = full ? PointwiseLanes.load(gamma + c) : PointwiseLanes.loadPartial(gamma + c, lanes, pad: 0)
                    let xhat = (xv - vmu) * vrs
                    let v = (d * gm - meanG - xhat * meanGX) * vrs
                    if full { PointwiseLanes.store(v, dxr + c) } else { PointwiseLanes.storePartial(v, dxr + c, lanes) }
                    c += lanes
                }
            }
        }
    }
    for k in 0..<chunks {
        let pg = partials + k * 2 * cols, pb = pg + cols
        add(dGamma, pg, dGamma, count: cols)
        add(dBeta, pb, dBeta, count: cols)
    }
}

/// Scalar Double layer norm backward; the reference for `layerNormBackward`.
///
/// Same contract: dx overwritten, dGamma and dBeta accumulated; rows×cols.
public func layerNormBackwardReference(dy: UnsafePointer<Float>, x: UnsafePointer<Float>, gamma: UnsafePointer<Float>,
                                       mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
                                       dx: UnsafeMutablePointer<Float>,
                                       dGamma: UnsafeMutablePointer<Float>, dBeta: UnsafeMutablePointer<Float>,
                                       rows: Int, cols: Int) {
    var dg = [Double](repeating: 0, count: cols), db = [Double](repeating: 0, count: cols)
    for r in 0..<rows {
        let mu = Double(mean[r]), rs = Double(rstd[r])
        var sumG: Double = 0, sumGX: Double = 0
        for c in 0..<cols {
            let d = Double(dy[r * cols + c])
            let xhat = (Double(x[r * cols + c]) - mu) * rs
            let g = d * Double(gamma[c])
            sumG += g
            sumGX += g * xhat
            dg[c] += d * xhat
            db[c] += d
        }
        let meanG = sumG / Double(cols), meanGX = sumGX / Double(cols)
        for c in 0..<cols {
            let xhat = (Double(x[r * cols + c]) - mu) * rs
            let g = Double(dy[r * cols + c]) * Double(gamma[c])
            dx[r * cols + c] = Float((g - meanG - xhat * meanGX) * rs)
        }
    }
    for c in 0..<cols {
        dGamma[c] = Float(Double(dGamma[c]) + dg[c])
        dBeta[c] = Float(Double(dBeta[c]) + db[c])
    }
}
