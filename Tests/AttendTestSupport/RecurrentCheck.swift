import AttendNN
import AttendTensor

/// Row `step` of x [B, H, T, D] as a step tensor [B, H, D].
public func stepRow(_ x: Tensor, _ step: Int) -> Tensor {
    let (bh, t, d) = (x.shape[0] * x.shape[1], x.shape[2], x.shape[3])
    let r = Tensor(uninitializedShape: [x.shape[0], x.shape[1], d])
    for i in 0..<bh { (r.pointer + i * d).update(from: x.pointer + (i * t + step) * d, count: d) }
    return r
}

/// The recurrent ≡ parallel check: largest difference between the causal parallel form and the
/// recurrent form stepped over every position, on seeded random inputs (seeds 1, 2, 3). With `rows`,
/// the state is reordered before position `reorderAt` (beam search) and compared with the parallel
/// form of the spliced sequences: sequence n holds old sequence rows[n] before `reorderAt`, its own
/// inputs after.
public func recurrentDeviation(_ m: some AttentionMechanism, b: Int, h: Int, t: Int, keyDim: Int, valueDim: Int,
                               reorder rows: [Int]? = nil, at reorderAt: Int = 0) -> Float {
    let q = randomTensor([b, h, t, keyDim], seed: 1), k = randomTensor([b, h, t, keyDim], seed: 2)
    let v = randomTensor([b, h, t, valueDim], seed: 3)
    func spliced(_ x: Tensor) -> Tensor {
        guard let rows else { return x }
        let out = Tensor(uninitializedShape: x.shape), w = x.shape[3]
        for n in 0..<b {
            for hh in 0..<h {
                for s in 0..<t {
                    let from = s < reorderAt ? rows[n] : n
                    (out.pointer + ((n * h + hh) * t + s) * w).update(from: x.pointer + ((from * h + hh) * t + s) * w, count: w)
                }
            }
        }
        return out
    }
    let parallel = withoutGradients { m(queries: spliced(q), keys: spliced(k), values: spliced(v), mask: .causal) }
    let original = withoutGradients { m(queries: q, keys: k, values: v, mask: .causal) }
    var state = m.initialState(batch: b, heads: h, keyDim: keyDim, valueDim: valueDim)
    var worst: Float = 0
    for s in 0..<t {
        if let rows, s == reorderAt { m.reorder(&state, rows: rows) }
        let out = withoutGradients { m.step(query: stepRow(q, s), key: stepRow(k, s), value: stepRow(v, s), state: &state) }
        let expected = stepRow(rows == nil || s >= reorderAt ? parallel : original, s)
        for i in 0..<out.count { worst = max(worst, abs(out[flat: i] - expected[flat: i])) }
    }
    return worst
}
