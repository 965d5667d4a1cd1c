import AttendKernels

/// Shape manipulation with gradients: reshape, permute, slice, concatenate, embedding lookup.
extension Tensor {
    /// Same elements with a new shape (a view: no copy). One dimension may be -1 (inferred).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var dims = newShape
        if let i = dims.firstIndex(of: -1) {
            let known = dims.enumerated().filter { $0.offset != i }.map(\.element).reduce(1, *)
            precondition(known > 0 && count % known == 0, "cannot reshape \(shape) to \(newShape)")
            dims[i] = count / known
        }
        precondition(dims.reduce(1, *) == count, "cannot reshape \(shape) (\(count) elements) to \(newShape)")
        let out = Tensor(shape: dims, sharing: storage)
        if Tensor.needsGrad(self) {
            out.record { g in self.accumulateGrad(g.pointer) }
        }
        return out
    }

    /// Reorders dimensions: output dimension i is input dimension `order[i]` (copies), like `torch.permute`.
    public func permuted(_ order: [Int]) -> Tensor {
        precondition(order.sorted() == Array(0..<rank), "permutation \(order) is not valid for rank \(rank)")
        let out = Tensor(uninitializedShape: order.map { shape[$0] })
        Tensor.permuteCopy(from: pointer, shape: shape, order: order, to: out.pointer, inverse: false)
        if Tensor.needsGrad(self) {
            out.record { g in
                let back = Tensor(uninitializedShape: self.shape)
                Tensor.permuteCopy(from: g.pointer, shape: self.shape, order: order, to: back.pointer, inverse: true)
                self.accumulateGrad(taking: back)
            }
        }
        return out
    }

    /// Swaps the last two dimensions.
    public func transposedLastTwo() -> Tensor {
        var order = Array(0..<rank)
        order.swapAt(rank - 1, rank - 2)
        return permuted(order)
    }

    /// Copies `src` (shape `shape`) permuted by `order` into `dst`; with `inverse`, `src` is laid out
    /// in the permuted shape and `dst` in `shape` (the gradient direction).
    static func permuteCopy(from src: UnsafePointer<Float>, shape: [Int], order: [Int],
                            to dst: UnsafeMutablePointer<Float>, inverse: Bool) {
        let r = shape.count
        var inStrides = [Int](repeating: 1, count: r)
        for i in stride(from: r - 2, through: 0, by: -1) { inStrides[i] = inStrides[i + 1] * shape[i + 1] }
        let outShape = order.map { shape[$0] }
        let strideOfOut = order.map { inStrides[$0] }  // input stride walked by each output dim
        let total = shape.reduce(1, *)
        if total == 0 { return }
        // Innermost run: contiguous when the last output dim is the last input dim.
        let inner = order.last == r - 1 ? outShape[r - 1] : 1
        let outerDims = inner > 1 ? r - 1 : r
        var index = [Int](repeating: 0, count: max(outerDims, 1))
        var o = 0
        while o < total {
            var offset = 0
            for d in 0..<outerDims { offset += index[d] * strideOfOut[d] }
            if inverse { (dst + offset).update(from: src + o, count: inner) }
            else { (dst + o).update(from: src + offset, count: inner) }
            o += inner
            var d = outerDims - 1
            while d >= 0 {
                index[d] += 1
                if index[d] < outShape[d] { break }
                index[d] = 0
                d -= 1
            }
        }
    }

    /// Elements `range` along dimension `dim` (copies), like `x.narrow(dim, start, length)`.
    public func sliced(_ range: Range<Int>, along dim: Int) -> Tensor {
        precondition(dim >= 0 && dim < rank && range.lowerBound >= 0 && range.upperBound <= shape[dim],
                     "slice \(range) out of bounds for dimension \(dim) of \(shape)")
        let outer = shape[..<dim].reduce(1, *)
        let inner = shape[(dim + 1)...].reduce(1, *)
        var newShape = shape
        newShape[dim] = range.count
        let out = Tensor(uninitializedShape: newShape)
        let runIn = shape[dim] * inner, runOut = range.count * inner
        for o in 0..<outer {
            (out.pointer + o * runOut).update(from: pointer + o * runIn + range.lowerBound * inner, count: runOut)
        }
        if Tensor.needsGrad(self) {
            out.record { g in
                self.accumulateGrad { gx, beta in
                    if beta == 0 { gx.update(repeating: 0, count: self.count) }
                    for o in 0..<outer {
                        let d = gx + o * runIn + range.lowerBound * inner
                        add(d, g.pointer + o * runOut, d, count: runOut)
                    }
                }
            }
        }
        return out
    }

    /// Joins tensors along dimension `dim` (all other dimensions equal), like `torch.cat`.
    public static func concatenate(_ parts: [Tensor], along dim: Int) -> Tensor {
        precondition(!parts.isEmpty, "concatenate needs at least one tensor")
        let first = parts[0].shape
        for p in parts {
            precondition(p.rank == first.count && (0..<p.rank).allSatisfy { $0 == dim || p.shape[$0] == first[$0] },
                         "concatenate along \(dim): shapes \(parts.map(\.shape)) differ elsewhere")
        }
        let outer = first[..<dim].reduce(1, *)
        let inner = first[(dim + 1)...].reduce(1, *)
        var newShape = first
        newShape[dim] = parts.reduce(0) { $0 + $1.shape[dim] }
        let out = Tensor(uninitializedShape: newShape)
        let runOut = newShape[dim] * inner
        var start = 0
        var starts: [Int] = []
        for p in parts {
            starts.append(start)
            let run = p.shape[dim] * inner
            for o in 0..<outer { (out.pointer + o * runOut + start).update(from: p.pointer + o * run, count: run) }
            start += run
        }
        if parts.contains(where: { needsGrad($0) }) {
            out.record { g in
                for (p, s) in zip(parts, starts) {
                    let run = p.shape[dim] * inner
                    p.accumulateGrad { gp, beta in
                        for o in 0..<outer {
                            let src = g.pointer + o * runOut + s
                            if beta == 0 { (gp + o * run).update(from: src, count: run) } else { add(gp + o * run, src, gp + o * run, count: run) }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Rows of `table` [vocab, dim] picked by `indices` → [indices.shape..., dim], like `nn.Embedding`.
    /// The gradient scatters-adds into the picked rows.
    public static func embedding(_ indices: [Int32], shape indexShape: [Int], table: Tensor) -> Tensor {
        precondition(table.rank == 2, "embedding table must be 2-D, got \(table.shape)")
        precondition(indices.count == indexShape.reduce(1, *), "\(indices.count) indices for shape \(indexShape)")
        let (vocab, dim) = (table.shape[0], table.shape[1])
        let out = Tensor(uninitializedShape: indexShape + [dim])
        for (i, id) in indices.enumerated() {
            precondition(id >= 0 && Int(id) < vocab, "token id \(id) outside vocabulary of \(vocab)")
            (out.pointer + i * dim).update(from: table.pointer + Int(id) * dim, count: dim)
        }
        if needsGrad(table) {
            out.record { g in
                table.accumulateGrad { gt, beta in
                    if beta == 0 { gt.update(repeating: 0, count: table.count) }
                    for (i, id) in indices.enumerated() {
                        let row = gt + Int(id) * dim
                        add(row, g.pointer + i * dim, row, count: dim)
                    }
                }
            }
        }
        return out
    }
}

extension Tensor {
    /// Takes chunk `chunk` of `chunks` equal parts of the last dimension of x [B, T, chunks·H·D] and
    /// splits it into heads → [B, H, T, D] (the q/k/v split of a fused QKV projection).
    public func splitHeads(numHeads h: Int, chunk: Int = 0, of chunks: Int = 1) -> Tensor {
        precondition(rank == 3, "splitHeads expects [B, T, C], got \(shape)")
        let width = shape[2]
        precondition(width % (chunks * h) == 0 && chunk < chunks, "cannot split width \(width) into \(chunks)×\(h) heads")
        let part = width / chunks
        return splitHeads(numHeads: h, columns: chunk * part..<(chunk + 1) * part)
    }

    /// Takes the columns `columns` of the last dimension of x [B, T, W] and splits them into heads →
    /// [B, H, T, D] with D = columns.count / H: the split of a fused projection whose parts differ in
    /// width (queries and keys of H·d_k columns, values of H·d_v; Vaswani et al., 2017, §3.2.2).
    /// out[b, h, t, :] = x[b, t, columns.lowerBound + h·D ..< + D]; the gradient adds back into those columns.
    public func splitHeads(numHeads h: Int, columns: Range<Int>) -> Tensor {
        precondition(rank == 3, "splitHeads expects [B, T, C], got \(shape)")
        let (b, t, width) = (shape[0], shape[1], shape[2])
        precondition(h > 0 && columns.lowerBound >= 0 && columns.upperBound <= width && columns.count % h == 0,
                     "cannot split columns \(columns) of width \(width) into \(h) heads")
        let (start, d) = (columns.lowerBound, columns.count / h)
        let out = Tensor(uninitializedShape: [b, h, t, d])
        // out[b, h, t, :] = x[b, t, start + h·D ..< +D]
        func walk(_ body: (_ xOffset: Int, _ outOffset: Int) -> Void) {
            for bi in 0..<b { for hi in 0..<h { for ti in 0..<t {
                body((bi * t + ti) * width + start + hi * d, ((bi * h + hi) * t + ti) * d)
            } } }
        }
        walk { xo, oo in (out.pointer + oo).update(from: pointer + xo, count: d) }
        if Tensor.needsGrad(self) {
            out.record { g in
                self.accumulateGrad { gx, beta in
                    if beta == 0 { gx.update(repeating: 0, count: self.count) }
                    walk { xo, oo in add(gx + xo, g.pointer + oo, gx + xo, count: d) }
                }
            }
        }
        return out
    }

    /// Inverse of `splitHeads` for one chunk: [B, H, T, D] → [B, T, H·D].
    public func mergeHeads() -> Tensor {
        precondition(rank == 4, "mergeHeads expects [B, H, T, D], got \(shape)")
        let (b, h, t, d) = (shape[0], shape[1], shape[2], shape[3])
        return permuted([0, 2, 1, 3]).reshaped([b, t, h * d])
    }
}
