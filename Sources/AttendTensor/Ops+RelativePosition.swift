import AttendKernels
import Foundation

extension Tensor {
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
