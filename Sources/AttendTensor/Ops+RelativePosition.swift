import AttendKernels
import Foundation

extension Tensor {
    /// Fused softmax attention with an additive per-head score bias, softmax(scale·Q·Kᵀ + R + mask)·V
    /// — the relative-position attention of T5 (Raffel et al., 2020), ALiBi (Press et al., 2022) and
    /// Wang & E (NeurIPS 2024).
    ///
    /// queries: [B, H, T, D]; keys: [B, H, S, D]; values: [B, H, S, Dv] → [B, H, T, Dv]. The bias is
    /// shared by the batch, in either layout: R [H, T, S] (any bias; row i belongs to query i, which
    /// sits at position i + S − T when S > T), or R [H, T + S − 1] for a bias that depends only on the
    /// lag ℓ = (i + S − T) − j, entry ℓ + T − 1 (`AttentionBiasLayout.byLag`: O(T + S) memory per head).
    /// Causal and key-padding masks work as in `flashAttention(queries:keys:values:mask:scale:)`.
    /// D may be 0 ("dot-product-free" attention: the scores are the bias alone). `scale` defaults to
    /// 1/√D (0 when D = 0). Gradients flow to Q, K, V and to R (dR = Σ_batch dS, by lag also summed
    /// along diagonals). Memory: the flash kernels' O(T) per head plus R and dR (one more dR-sized
    /// buffer per extra thread), independent of the batch size.
    /// With `bias` nil this is `flashAttention(queries:keys:values:mask:scale:)` (that op calls this one).
    public static func flashAttention(queries q: Tensor, keys k: Tensor, values v: Tensor, bias: Tensor?,
                                      mask: AttentionMask, scale: Float? = nil) -> Tensor {
        precondition(q.rank == 4 && k.rank == 4 && v.rank == 4, "attention expects [B, H, T, D] tensors")
        let (b, h, t, d) = (q.shape[0], q.shape[1], q.shape[2], q.shape[3])
        let s = k.shape[2], dv = v.shape[3]
        precondition(k.shape == [b, h, s, d] && v.shape == [b, h, s, dv],
                     "attention shapes differ: q \(q.shape), k \(k.shape), v \(v.shape)")
        if let bias {
            precondition(bias.shape == [h, t, s] || bias.shape == [h, t + s - 1],
                         "attention bias must be [H, T, S] = [\(h), \(t), \(s)] or by lag [H, T + S − 1] = [\(h), \(t + s - 1)], got \(bias.shape)")
        }
        let layout: AttentionBiasLayout = bias?.rank == 2 ? .byLag : .full
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
                                  headsPerBatch: h, bias: bias?.pointer, biasLayout: layout)
        }
        if needsGrad(q, k, v) || bias.map({ needsGrad($0) }) == true {
            out.record { g in
                let dq = Tensor(uninitializedShape: q.shape), dk = Tensor(uninitializedShape: k.shape)
                let dvT = Tensor(uninitializedShape: v.shape)
                let dBias = bias.flatMap { $0.requiresGrad ? Tensor(uninitializedShape: $0.shape) : nil }
                withLengths { kl in
                    flashAttentionBackward(queries: q.pointer, keys: k.pointer, values: v.pointer, output: out.pointer,
                                           logSumExp: lse.pointer, dOutput: g.pointer, dQueries: dq.pointer,
                                           dKeys: dk.pointer, dValues: dvT.pointer, batchHeads: b * h, queryLength: t,
                                           keyLength: s, headDim: d, valueDim: dv, scale: sc, causal: mask.causal,
                                           keyLengths: kl, headsPerBatch: h, bias: bias?.pointer, dBias: dBias?.pointer,
                                           biasLayout: layout)
                }
                q.accumulateGrad(taking: dq)
                k.accumulateGrad(taking: dk)
                v.accumulateGrad(taking: dvT)
                if let bias, let dBias { bias.accumulateGrad(taking: dBias) }
            }
        }
        return out
    }

    /// A bucketed relative-position bias (T5, Raffel et al., 2020, §2.1): R[h, e] = table[h, bucket[e]],
    /// a per-head gather.
    ///
    /// table: [H, N] (one learned scalar per bucket per head); buckets: E indices in 0..<N (one per lag,
    /// or one per query–key pair) → [H, E]. Backward scatters: d table[h, n] = Σ_{e: bucket[e] = n} dR[h, e].
    public static func bucketedBias(table: Tensor, buckets: [Int32]) -> Tensor {
        precondition(table.rank == 2, "bucket table must be [H, buckets], got \(table.shape)")
        let (h, n) = (table.shape[0], table.shape[1])
        let e = buckets.count
        precondition(buckets.allSatisfy { $0 >= 0 && Int($0) < n }, "bucket index outside 0..<\(n)")
        let out = Tensor(uninitializedShape: [h, e])
        for head in 0..<h {
            let row = table.pointer + head * n, o = out.pointer + head * e
            for (i, bucket) in buckets.enumerated() { o[i] = row[Int(bucket)] }
        }
        if needsGrad(table) {
            out.record { g in
                table.accumulateGrad { dTable, beta in
                    if beta == 0 { dTable.update(repeating: 0, count: h * n) }
                    for head in 0..<h {
                        let row = dTable + head * n, gh = g.pointer + head * e
                        for (i, bucket) in buckets.enumerated() { row[Int(bucket)] += gh[i] }
                    }
                }
            }
        }
        return out
    }

    /// A per-head scaled relative-position bias (Wang & E, NeurIPS 2024): R[h, e] = p_h·φ[e] with
    /// p_h = exp(ρ_h) > 0, so the trainable ρ (`logScales`, [H]) keeps every p_h positive.
    ///
    /// pattern φ: E values (e.g. −log τ or −τ, one per lag τ) → [H, E].
    /// Backward: dρ_h = p_h·Σ_e dR[h, e]·φ[e].
    public static func scaledBias(logScales rho: Tensor, pattern: [Float]) -> Tensor {
        precondition(rho.rank == 1, "log-scales must be [H], got \(rho.shape)")
        let h = rho.shape[0]
        let e = pattern.count
        let scales = (0..<h).map { Foundation.exp(rho.pointer[$0]) }
        let out = Tensor(uninitializedShape: [h, e])
        pattern.withUnsafeBufferPointer { phi in
            for head in 0..<h { AttendKernels.scale(phi.baseAddress!, by: scales[head], out.pointer + head * e, count: e) }
        }
        if needsGrad(rho) {
            out.record { g in
                var dRho = [Float](repeating: 0, count: h)
                for head in 0..<h {
                    let gh = g.pointer + head * e
                    var acc = 0.0
                    for i in 0..<e { acc += Double(gh[i]) * Double(pattern[i]) }
                    dRho[head] = scales[head] * Float(acc)
                }
                rho.accumulateGrad(dRho)
            }
        }
        return out
    }
}
