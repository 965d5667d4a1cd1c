import AttendKernels
import Foundation

extension Tensor {
    /// Fused softmax attention with an additive per-head score bias, softmax(scale·Q·Kᵀ + R + mask)·V
    /// — the relative-position attention of T5 (Raffel et al., 2020), ALiBi (Press et al., 2022) and
    /// Wang & E (NeurIPS 2024).
    ///
    /// queries: [B, H, T, D]; keys: [B, H, S, D]; values: [B, H, S, Dv]; bias R: [H, T, S], shared by
    /// the batch (row i belongs to query i, which sits at position i + S − T when S > T) → [B, H, T, Dv].
    /// Causal and key-padding masks work as in `flashAttention(queries:keys:values:mask:scale:)`.
    /// D may be 0 ("dot-product-free" attention: the scores are the bias alone). `scale` defaults to
    /// 1/√D (0 when D = 0). Gradients flow to Q, K, V and to R (dR = Σ_batch dS). Memory: the flash
    /// kernels' O(T) per head plus the bias itself, H·T·S floats (and as much again for dR, twice when
    /// two threads own heads), independent of the batch size.
    public static func flashAttention(queries q: Tensor, keys k: Tensor, values v: Tensor, bias: Tensor,
                                      mask: AttentionMask, scale: Float? = nil) -> Tensor {
        precondition(q.rank == 4 && k.rank == 4 && v.rank == 4, "attention expects [B, H, T, D] tensors")
        let (b, h, t, d) = (q.shape[0], q.shape[1], q.shape[2], q.shape[3])
        let s = k.shape[2], dv = v.shape[3]
        precondition(k.shape == [b, h, s, d] && v.shape == [b, h, s, dv],
                     "attention shapes differ: q \(q.shape), k \(k.shape), v \(v.shape)")
        precondition(bias.shape == [h, t, s], "attention bias must be [H, T, S] = [\(h), \(t), \(s)], got \(bias.shape)")
        if let lengths = mask.keyLengths { precondition(lengths.count == b, "keyLengths needs one entry per batch element") }
        let lengths = mask.keyLengths
        func withLengths<R>(_ body: (UnsafePointer<Int32>?) -> R) -> R {
            if let lengths { return lengths.withUnsafeBufferPointer { body($0.baseAddress!) } }
            return body(nil)
        }
        let sc = scale ?? (d == 0 ? 0 : 1 / Float(d).squareRoot())
        let out = Tensor(uninitializedShape: [b, h, t, dv])
        let lse = Tensor(uninitializedShape: [b * h, t])
        withLengths { kl in
            flashAttentionForward(queries: q.pointer, keys: k.pointer, values: v.pointer, output: out.pointer,
                                  logSumExp: lse.pointer, batchHeads: b * h, queryLength: t, keyLength: s,
                                  headDim: d, valueDim: dv, scale: sc, causal: mask.causal, keyLengths: kl,
                                  headsPerBatch: h, bias: bias.pointer)
        }
        if needsGrad(q, k, v, bias) {
            out.record { g in
                let dq = Tensor(uninitializedShape: q.shape), dk = Tensor(uninitializedShape: k.shape)
                let dvT = Tensor(uninitializedShape: v.shape)
                let dBias = bias.requiresGrad ? Tensor(uninitializedShape: bias.shape) : nil
                withLengths { kl in
                    flashAttentionBackward(queries: q.pointer, keys: k.pointer, values: v.pointer, output: out.pointer,
                                           logSumExp: lse.pointer, dOutput: g.pointer, dQueries: dq.pointer,
                                           dKeys: dk.pointer, dValues: dvT.pointer, batchHeads: b * h, queryLength: t,
                                           keyLength: s, headDim: d, valueDim: dv, scale: sc, causal: mask.causal,
                                           keyLengths: kl, headsPerBatch: h, bias: bias.pointer, dBias: dBias?.pointer)
                }
                q.accumulateGrad(taking: dq)
                k.accumulateGrad(taking: dk)
                v.accumulateGrad(taking: dvT)
                if let dBias { bias.accumulateGrad(taking: dBias) }
            }
        }
        return out
    }

    /// A bucketed relative-position bias (T5, Raffel et al., 2020, §2.1): R[h, i, j] = table[h, bucket[i, j]].
    ///
    /// table: [H, N] (one learned scalar per bucket per head); buckets: T·S indices in 0..<N, row-major
    /// [T, S] → [H, T, S]. Backward scatters: d table[h, n] = Σ_{(i, j): bucket[i, j] = n} dR[h, i, j].
    public static func bucketedBias(table: Tensor, buckets: [Int32], queryLength t: Int, keyLength s: Int) -> Tensor {
        precondition(table.rank == 2, "bucket table must be [H, buckets], got \(table.shape)")
        precondition(buckets.count == t * s, "need T·S = \(t * s) bucket indices, got \(buckets.count)")
        let (h, n) = (table.shape[0], table.shape[1])
        precondition(buckets.allSatisfy { $0 >= 0 && Int($0) < n }, "bucket index outside 0..<\(n)")
        let out = Tensor(uninitializedShape: [h, t, s])
        for head in 0..<h {
            let row = table.pointer + head * n, o = out.pointer + head * t * s
            for (e, bucket) in buckets.enumerated() { o[e] = row[Int(bucket)] }
        }
        if needsGrad(table) {
            out.record { g in
                table.accumulateGrad { dTable, beta in
                    if beta == 0 { dTable.update(repeating: 0, count: h * n) }
                    for head in 0..<h {
                        let row = dTable + head * n, gh = g.pointer + head * t * s
                        for (e, bucket) in buckets.enumerated() { row[Int(bucket)] += gh[e] }
                    }
                }
            }
        }
        return out
    }

    /// A per-head scaled relative-position bias (Wang & E, NeurIPS 2024): R[h, i, j] = p_h·φ[i, j] with
    /// p_h = exp(ρ_h) > 0, so the trainable ρ (`logScales`, [H]) keeps every p_h positive.
    ///
    /// pattern φ: T·S values, row-major [T, S] (e.g. −log τ or −τ for lag τ) → [H, T, S].
    /// Backward: dρ_h = p_h·Σ_{i,j} dR[h, i, j]·φ[i, j].
    public static func scaledBias(logScales rho: Tensor, pattern: [Float], queryLength t: Int, keyLength s: Int) -> Tensor {
        precondition(rho.rank == 1, "log-scales must be [H], got \(rho.shape)")
        precondition(pattern.count == t * s, "need T·S = \(t * s) pattern values, got \(pattern.count)")
        let h = rho.shape[0]
        let scales = (0..<h).map { Foundation.exp(rho.pointer[$0]) }
        let out = Tensor(uninitializedShape: [h, t, s])
        pattern.withUnsafeBufferPointer { phi in
            for head in 0..<h { AttendKernels.scale(phi.baseAddress!, by: scales[head], out.pointer + head * t * s, count: t * s) }
        }
        if needsGrad(rho) {
            out.record { g in
                var dRho = [Float](repeating: 0, count: h)
                for head in 0..<h {
                    let gh = g.pointer + head * t * s
                    var acc = 0.0
                    for e in 0..<(t * s) { acc += Double(gh[e]) * Double(pattern[e]) }
                    dRho[head] = scales[head] * Float(acc)
                }
                rho.accumulateGrad(dRho)
            }
        }
        return out
    }
}
