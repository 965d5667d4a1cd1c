import AttendKernels

/// Elementwise arithmetic with gradients.
extension Tensor {
    /// Elementwise sum. `b` may have the same shape or a suffix of `a`'s shape (broadcast over the
    /// leading dimensions, e.g. positions [T, C] added to activations [B, T, C]).
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        if a.shape == b.shape {
            let out = Tensor(uninitializedShape: a.shape)
            add(a.pointer, b.pointer, out.pointer, count: a.count)
            if needsGrad(a, b) {
                out.record { g in
                    a.accumulateGrad(g.pointer)
                    b.accumulateGrad(g.pointer)
                }
            }
            return out
        }
        precondition(b.rank <= a.rank && Array(a.shape.suffix(b.rank)) == b.shape,
                     "cannot broadcast \(b.shape) onto \(a.shape)")
        let rows = a.count / max(b.count, 1), cols = b.count
        let out = Tensor(uninitializedShape: a.shape)
        addRowBias(a.pointer, bias: b.pointer, out.pointer, rows: rows, cols: cols)
        if needsGrad(a, b) {
            out.record { g in
                a.accumulateGrad(g.pointer)
                b.accumulateGrad { gb, beta in
                    if beta == 0 { gb.update(repeating: 0, count: cols) }
                    accumulateColumnSums(g.pointer, rows: rows, cols: cols, into: gb)
                }
            }
        }
        return out
    }

    /// Elementwise difference (same shapes).
    public static func - (a: Tensor, b: Tensor) -> Tensor { a + b * -1 }

    /// Elementwise product (same shapes).
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        precondition(a.shape == b.shape, "multiply needs equal shapes, got \(a.shape) and \(b.shape)")
        let out = Tensor(uninitializedShape: a.shape)
        multiply(a.pointer, b.pointer, out.pointer, count: a.count)
        if needsGrad(a, b) {
            out.record { g in
                // out = a * b  →  da += g * b, db += g * a
                let tmp = Tensor(uninitializedShape: a.shape)
                if a.requiresGrad { multiply(g.pointer, b.pointer, tmp.pointer, count: a.count); a.accumulateGrad(tmp.pointer) }
                if b.requiresGrad { multiply(g.pointer, a.pointer, tmp.pointer, count: a.count); b.accumulateGrad(tmp.pointer) }
            }
        }
        return out
    }

    /// Multiplies every element by a constant.
    public static func * (a: Tensor, s: Float) -> Tensor {
        let out = Tensor(uninitializedShape: a.shape)
        scale(a.pointer, by: s, out.pointer, count: a.count)
        if needsGrad(a) {
            out.record { g in
                // out = s * a  →  da += s * g
                a.accumulateGrad { ga, beta in
                    if beta == 0 { scale(g.pointer, by: s, ga, count: a.count) } else { axpy(s, g.pointer, ga, count: a.count) }
                }
            }
        }
        return out
    }

    /// Sum of all elements, as a one-element tensor of shape [].
    public func sum() -> Tensor {
        let out = Tensor(repeating: AttendKernels.sum(pointer, count: count), shape: [])
        if Tensor.needsGrad(self) {
            out.record { g in
                // out = Σ x  →  dx += g
                let gv = g.pointer[0]
                self.accumulateGrad { gx, beta in
                    if beta == 0 { gx.update(repeating: gv, count: self.count) }
                    else { for i in 0..<self.count { gx[i] += gv } }
                }
            }
        }
        return out
    }

    /// Mean of all elements, shape [].
    public func mean() -> Tensor { sum() * (1 / Float(max(count, 1))) }
}
