import AttendKernels

/// Affine maps and matrix products with gradients.
extension Tensor {
    /// Arithmetic of `linear`'s three matrix products (y = x·Wᵀ, dx = dy·W, dW = dyᵀ·x): fp32
    /// (default), or bfloat16 operands with fp32 accumulation (`gemmBFloat16`) — PyTorch's CPU bf16
    /// autocast for `nn.Linear`, with fp32 master weights and fp32 gradients. Process-wide, like
    /// `Threading.count`: the trainers set it from their run's `precision` (an fp32 run sets fp32).
    /// Attention kernels, norms, losses and the optimizer always run in fp32.
    nonisolated(unsafe) public static var linearPrecision: MatrixPrecision = .fp32

    /// One of `linear`'s products in `linearPrecision` (bf16 only where the CPU has AVX512-BF16).
    @inline(__always)
    static func linearProduct(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                              a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                              beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if linearPrecision == .bf16 && m > 4 {
            gemmBFloat16(transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
                         beta: beta, c: c, ldc: ldc)
        } else {
            gemm(transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
                 beta: beta, c: c, ldc: ldc)
        }
    }

    /// y = x·Wᵀ + b over the last dimension, as `torch.nn.functional.linear`.
    ///
    /// x: [..., inFeatures], weight: [outFeatures, inFeatures], bias: [outFeatures] → [..., outFeatures].
    public static func linear(_ x: Tensor, weight: Tensor, bias: Tensor? = nil) -> Tensor {
        precondition(weight.rank == 2, "linear weight must be 2-D, got \(weight.shape)")
        let (outF, inF) = (weight.shape[0], weight.shape[1])
        precondition(x.shape.last == inF, "linear expects last dimension \(inF), got \(x.shape)")
        let rows = x.count / max(inF, 1)
        let out = Tensor(uninitializedShape: Array(x.shape.dropLast()) + [outF])
        linearProduct(transA: false, transB: true, m: rows, n: outF, k: inF,
                      a: x.pointer, lda: inF, b: weight.pointer, ldb: inF, c: out.pointer, ldc: outF)
        if let bias {
            precondition(bias.shape == [outF], "linear bias must be [\(outF)], got \(bias.shape)")
            addRowBias(out.pointer, bias: bias.pointer, out.pointer, rows: rows, cols: outF)
        }
        let biasNeeds = bias.map { needsGrad($0) } ?? false
        if needsGrad(x, weight) || biasNeeds {
            out.record { g in
                // y = x·Wᵀ  →  dx = dy·W,  dW = dyᵀ·x,  db = Σ_rows dy
                x.accumulateGrad { gx, beta in
                    linearProduct(transA: false, transB: false, m: rows, n: inF, k: outF,
                                  a: g.pointer, lda: outF, b: weight.pointer, ldb: inF, beta: beta, c: gx, ldc: inF)
                }
                weight.accumulateGrad { gw, beta in
                    linearProduct(transA: true, transB: false, m: outF, n: inF, k: rows,
                                  a: g.pointer, lda: outF, b: x.pointer, ldb: inF, beta: beta, c: gw, ldc: inF)
                }
                bias?.accumulateGrad { gb, beta in
                    if beta == 0 { gb.update(repeating: 0, count: outF) }
                    accumulateColumnSums(g.pointer, rows: rows, cols: outF, into: gb)
                }
            }
        }
        return out
    }

    /// Matrix product over the last two dimensions: [..., M, K] · [..., K, N] → [..., M, N].
    ///
    /// `other` may be 2-D (shared by every leading index) or have the same leading dimensions.
    public func matmul(_ other: Tensor) -> Tensor {
        precondition(rank >= 2 && other.rank >= 2, "matmul needs rank ≥ 2, got \(shape) and \(other.shape)")
        let (m, k) = (shape[rank - 2], shape[rank - 1])
        let (k2, n) = (other.shape[other.rank - 2], other.shape[other.rank - 1])
        precondition(k == k2, "matmul inner dimensions differ: \(shape) · \(other.shape)")
        let batch = count / max(m * k, 1)
        let shared = other.rank == 2
        precondition(shared || other.count / max(k * n, 1) == batch, "matmul batch dimensions differ: \(shape) · \(other.shape)")
        let a = self, b = other
        let out = Tensor(uninitializedShape: Array(shape.dropLast()) + [n])
        if shared {
            gemm(transA: false, transB: false, m: batch * m, n: n, k: k, a: a.pointer, lda: k, b: b.pointer, ldb: n, c: out.pointer, ldc: n)
        } else {
            gemmBatched(batch: batch, transA: false, transB: false, m: m, n: n, k: k,
                        a: a.pointer, lda: k, strideA: m * k, b: b.pointer, ldb: n, strideB: k * n,
                        c: out.pointer, ldc: n, strideC: m * n)
        }
        if Tensor.needsGrad(a, b) {
            out.record { g in
                // C = A·B  →  dA = dC·Bᵀ,  dB = Aᵀ·dC
                a.accumulateGrad { ga, beta in
                    if shared {
                        gemm(transA: false, transB: true, m: batch * m, n: k, k: n, a: g.pointer, lda: n, b: b.pointer, ldb: n, beta: beta, c: ga, ldc: k)
                    } else {
                        gemmBatched(batch: batch, transA: false, transB: true, m: m, n: k, k: n,
                                    a: g.pointer, lda: n, strideA: m * n, b: b.pointer, ldb: n, strideB: k * n,
                                    beta: beta, c: ga, ldc: k, strideC: m * k)
                    }
                }
                b.accumulateGrad { gb, beta in
                    if shared {
                        gemm(transA: true, transB: false, m: k, n: n, k: batch * m, a: a.pointer, lda: k, b: g.pointer, ldb: n, beta: beta, c: gb, ldc: n)
                    } else {
                        gemmBatched(batch: batch, transA: true, transB: false, m: k, n: n, k: m,
                                    a: a.pointer, lda: k, strideA: m * k, b: g.pointer, ldb: n, strideB: m * n,
                                    beta: beta, c: gb, ldc: n, strideC: k * n)
                    }
                }
            }
        }
        return out
    }
}
