// Backward of the fused attention (FlashAttention-2, Dao 2023, Algorithm 2): P is recomputed
// tile by tile from Q, K and the saved row log-sum-exp L, never stored whole.
//
// Layout: keys run along the SIMD lanes. For one 64-key tile (Kᵀ, Vᵀ packed once) the loop
// walks the query tiles that can see it and, per 96-query tile, computes with `flashProduct`:
//
//   S   = scale·Q·Kᵀ              [rows, 64]   (forward: S = scale·Q·Kᵀ)
//   P   = exp(S − L)              masked entries 0   (forward: O = softmax(S)·V)
//                                 computed as 2^(log2(e)·S − log2(e)·L), as in the forward
//   dP  = dO·Vᵀ                   [rows, 64]
//   dS  = P ⊙ (dP − Δ),  Δ_i = dO_i · O_i   (softmax backward: Σ_j P_ij dP_ij = dO_i · O_i)
//   dVᵀ += dOᵀ·P                  [Dv, 64]    (dV = Pᵀ·dO)
//   dKᵀ += Qᵀ·dS                  [D, 64]     (dK = scale·dSᵀ·Q, scale applied on write-out)
//   dQ  += dS·K                   [rows, D]   (dQ = scale·dS·K, scale applied on write-out)
//
// dK and dV of a key tile belong to one thread. dQ is shared by all key tiles of a head: when
// the heads divide evenly over the threads each thread owns whole heads; otherwise (e.g. one
// head) the heads go one at a time, their key tiles dealt out to the threads, each adding into
// its own dQ buffer, and the buffers are summed. Per-thread scratch is the tiles plus a dQ
// accumulator and the per-row L, Δ of one head: O(T·D), never O(T·S).

/// Backward of `flashAttentionForward`: writes dQ, dK, dV (overwrites) from dO, recomputing P.
///
/// Inputs are the forward's Q [BH, T, D], K [BH, S, D], V [BH, S, Dv], its output O [BH, T, Dv]
/// and row log-sum-exp L [BH, T], and dO [BH, T, Dv]; the mask arguments must be the forward's.
/// With P = exp(scale·Q·Kᵀ − L) (masked entries 0) and Δ_i = Σ_c dO_ic·O_ic:
/// dV = Pᵀ·dO, dS = P ⊙ (dO·Vᵀ − Δ), dQ = scale·dS·K, dK = scale·dSᵀ·Q (Dao, "FlashAttention-2",
/// 2023, Algorithm 2). Rows that saw no key (L = −∞) get zero gradients, and so do keys that no
/// query sees. Causal tiles above the diagonal are skipped.
///
/// With the forward's `bias` and `biasLayout`, P = exp(scale·Q·Kᵀ + B − L), and when `dBias` (the
/// bias's shape) is given it is overwritten with ∂L/∂bias: Σ_batch dS (masked entries 0), and for
/// `.byLag` also summed along each diagonal. The sums are thread-safe: workers whose writes could
/// meet (threads owning whole heads; or key blocks of one head sharing lags) keep their own dBias
/// partial (one bias-sized buffer per extra thread), added up in a fixed order; otherwise a
/// head's key blocks write disjoint columns.
public func flashAttentionBackward(queries q: UnsafePointer<Float>, keys k: UnsafePointer<Float>,
                                   values v: UnsafePointer<Float>, output o: UnsafePointer<Float>,
                                   logSumExp lse: UnsafePointer<Float>, dOutput dO: UnsafePointer<Float>,
                                   dQueries dQ: UnsafeMutablePointer<Float>, dKeys dK: UnsafeMutablePointer<Float>,
                                   dValues dV: UnsafeMutablePointer<Float>,
                                   batchHeads bh: Int, queryLength t: Int, keyLength s: Int,
                                   headDim d: Int, valueDim dv: Int, scale: Float,
                                   causal: Bool, keyLengths: UnsafePointer<Int32>? = nil, headsPerBatch: Int = 1,
                                   bias: UnsafePointer<Float>? = nil, dBias: UnsafeMutablePointer<Float>? = nil,
                                   biasLayout: AttentionBiasLayout = .full) {
    precondition(bh >= 0 && t >= 0 && s >= 0 && d >= 0 && dv >= 0, "flashAttentionBackward: negative size")
    precondition(headsPerBatch >= 1, "flashAttentionBackward: headsPerBatch must be ≥ 1")
    precondition(dBias == nil || bias != nil, "flashAttentionBackward: dBias needs the forward's bias")
    let problem = FlashProblem(q: q, k: k, v: v, t: t, s: s, d: d, dv: dv, scale: scale, causal: causal,
                               keyLengths: keyLengths, headsPerBatch: headsPerBatch, bias: bias, biasLayout: biasLayout)
    let biasCount = headsPerBatch * problem.biasHeadSize
    dBias?.update(repeating: 0, count: biasCount)
    if bh == 0 { return }
    let grads = FlashGradients(o: o, lse: lse, dO: dO, dQ: dQ, dK: dK, dV: dV)
    let dq64 = (d + flashLanes - 1) / flashLanes * flashLanes  // dQ accumulator row, whole 64-lane chunks
    let keyTiles = (s + flashLanes - 1) / flashLanes
    let headWork = t * s * (d + dv) * (causal ? 2 : 4)
    let threads = Threading.count
    let ownHeads = threads <= 1 || bh % threads == 0 || bh >= 4 * threads || keyTiles < 2
        || headWork * bh < Threading.minParallelWork
    // Pair key tiles (sharing each Q, dO tile) unless that leaves too few blocks to deal out.
    let perBlock = ownHeads || keyTiles >= 8 * threads ? flashTilesPerBlock : 1
    let keyBlocks = (keyTiles + perBlock - 1) / perBlock
    let scratchSizes = [t * dq64, t, t, perBlock * d * flashLanes, perBlock * dv * flashLanes,
                        perBlock * flashLanes * dq64, perBlock * d * flashLanes, perBlock * dv * flashLanes,
                        flashQueryTile * flashLanes, flashQueryTile * flashLanes]

    if ownHeads, let dBias {
        // Threads own whole heads, but heads of different batch elements share a dBias slice:
        // each worker sums into its own partial (worker 0 into dBias itself), added up in order.
        let workers = min(threads, bh)
        let partials = (1..<max(workers, 1)).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: biasCount) }
        defer { partials.forEach { $0.deallocate() } }
        partials.forEach { $0.update(repeating: 0, count: biasCount) }
        parallelChunks(workers, work: headWork * bh) { range in
            let scratch = FlashScratch(scratchSizes)
            defer { scratch.deallocate() }
            for w in range {
                let target = w == 0 ? dBias : partials[w - 1]
                var h = w
                while h < bh {
                    let dQAcc = scratch[0]
                    dQAcc.update(repeating: 0, count: t * dq64)
                    flashRowTerms(problem, grads, head: h, lRow: scratch[1], delta: scratch[2])
                    for kb in 0..<keyBlocks {
                        flashBackwardKeyBlock(problem, grads, head: h, keyStart: kb * perBlock * flashLanes, tiles: perBlock,
                                              dQAcc: dQAcc, dq64: dq64, scratch: scratch, dBias: target)
                    }
                    flashWriteQueryGradient(problem, grads, head: h, from: [UnsafePointer(dQAcc)], dq64: dq64)
                    h += workers
                }
            }
        }
        for partial in partials { add(dBias, partial, dBias, count: biasCount) }
        return
    }
    if ownHeads {
        // Each thread owns whole heads: dK, dV and dQ all written by one thread.
        parallelChunks(bh, work: headWork * bh) { range in
            let scratch = FlashScratch(scratchSizes)
            defer { scratch.deallocate() }
            for h in range {
                let dQAcc = scratch[0]
                dQAcc.update(repeating: 0, count: t * dq64)
                flashRowTerms(problem, grads, head: h, lRow: scratch[1], delta: scratch[2])
                for kb in 0..<keyBlocks {
                    flashBackwardKeyBlock(problem, grads, head: h, keyStart: kb * perBlock * flashLanes, tiles: perBlock,
                                          dQAcc: dQAcc, dq64: dq64, scratch: scratch)
                }
                flashWriteQueryGradient(problem, grads, head: h, from: [UnsafePointer(dQAcc)], dq64: dq64)
            }
        }
        return
    }
    // Heads one at a time, key blocks dealt out to the workers, one dQ accumulator per worker.
    let workers = min(threads, keyBlocks)
    let scratches = (0..<workers).map { _ in FlashScratch(scratchSizes) }
    defer { scratches.forEach { $0.deallocate() } }
    let partials = scratches.map { UnsafePointer($0[0]) }
    // Key blocks of one head write disjoint dBias columns in the full layout, but share lags by lag.
    let biasPartials = dBias == nil || biasLayout == .full ? []
        : (1..<workers).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: biasCount) }
    defer { biasPartials.forEach { $0.deallocate() } }
    biasPartials.forEach { $0.update(repeating: 0, count: biasCount) }
    for h in 0..<bh {
        parallelChunks(workers, work: headWork) { range in
            for w in range {
                let target = w == 0 || biasPartials.isEmpty ? dBias : biasPartials[w - 1]
                let scratch = scratches[w]
                let dQAcc = scratch[0]
                dQAcc.update(repeating: 0, count: t * dq64)
                flashRowTerms(problem, grads, head: h, lRow: scratch[1], delta: scratch[2])
                var kb = w
                while kb < keyBlocks {
                    flashBackwardKeyBlock(problem, grads, head: h, keyStart: kb * perBlock * flashLanes, tiles: perBlock,
                                          dQAcc: dQAcc, dq64: dq64, scratch: scratch, dBias: target)
                    kb += workers
                }
            }
        }
        flashWriteQueryGradient(problem, grads, head: h, from: partials, dq64: dq64)
    }
    if let dBias { for partial in biasPartials { add(dBias, partial, dBias, count: biasCount) } }
}

/// The backward-only pointers, gathered so they pass as one value.
private struct FlashGradients {
    let o: UnsafePointer<Float>, lse: UnsafePointer<Float>, dO: UnsafePointer<Float>
    let dQ: UnsafeMutablePointer<Float>, dK: UnsafeMutablePointer<Float>, dV: UnsafeMutablePointer<Float>
}

/// Per query row of head h: lRow_i = log2(e)·L_i (+∞ where L_i = −∞, so every P_ij = 2^(S − ∞) = 0)
/// and Δ_i = Σ_c dO_ic · O_ic.
private func flashRowTerms(_ p: FlashProblem, _ g: FlashGradients, head h: Int,
                           lRow: UnsafeMutablePointer<Float>, delta: UnsafeMutablePointer<Float>) {
    let dv = p.dv
    for i in 0..<p.t {
        let l = g.lse[h * p.t + i]
        lRow[i] = l == -.infinity ? .infinity : l * flashLog2E
        let a = g.dO + (h * p.t + i) * dv, b = g.o + (h * p.t + i) * dv
        var acc = SIMD16<Float>()
        var c = 0
        while c + 16 <= dv { acc = acc.addingProduct(flashLoad(a + c), flashLoad(b + c)); c += 16 }
        var sum = PointwiseLanes.sum(acc)
        while c < dv { sum += a[c] * b[c]; c += 1 }
        delta[i] = sum
    }
}

/// dQ rows of head h = scale · Σ (the per-worker accumulators), dropping the 64-lane padding.
private func flashWriteQueryGradient(_ p: FlashProblem, _ g: FlashGradients, head h: Int,
                                     from accumulators: [UnsafePointer<Float>], dq64: Int) {
    let d = p.d
    for i in 0..<p.t {
        let out = g.dQ + (h * p.t + i) * d
        for c in 0..<d {
            var sum: Float = 0
            for acc in accumulators { sum += acc[i * dq64 + c] }
            out[c] = p.scale * sum
        }
    }
}

/// A block of up to `tiles` 64-key tiles of head h: every query tile that sees them adds into
/// dQAcc, and the block's dK, dV rows are written (zero for keys that no query sees or that lie
/// beyond the key length). Each Q, dO tile is used by all the block's key tiles while in cache.
private func flashBackwardKeyBlock(_ p: FlashProblem, _ g: FlashGradients, head h: Int, keyStart j0: Int, tiles: Int,
                                   dQAcc: UnsafeMutablePointer<Float>, dq64: Int, scratch: FlashScratch,
                                   dBias: UnsafeMutablePointer<Float>? = nil) {
    let (t, s, d, dv) = (p.t, p.s, p.d, p.dv)
    let lRow = scratch[1], delta = scratch[2]
    let kTs = scratch[3], vTs = scratch[4], kPaddeds = scratch[5]
    let dKTs = scratch[6], dVTs = scratch[7], pTile = scratch[8], dsTile = scratch[9]
    let offset = s - t
    let kEnd = p.keyEnd(head: h)
    let n = min(tiles, (s - j0 + flashLanes - 1) / flashLanes)
    // Keys j0 + 64u + jj with jj < cols(u) exist and are not padding.
    func cols(_ u: Int) -> Int { max(0, min(flashLanes, kEnd - j0 - u * flashLanes)) }
    var active = 0
    for u in 0..<n {
        (dKTs + u * d * flashLanes).update(repeating: 0, count: d * flashLanes)
        (dVTs + u * dv * flashLanes).update(repeating: 0, count: dv * flashLanes)
        let c = cols(u)
        if c == 0 { continue }
        active = u + 1
        let kh = p.k + (h * s + j0 + u * flashLanes) * d
        flashTranspose(kh, rows: c, cols: d, ld: d, into: kTs + u * d * flashLanes)
        flashTranspose(p.v + (h * s + j0 + u * flashLanes) * dv, rows: c, cols: dv, ld: dv, into: vTs + u * dv * flashLanes)
        for jj in 0..<c {
            let row = kPaddeds + (u * flashLanes + jj) * dq64
            row.update(from: kh + jj * d, count: d)
            (row + d).update(repeating: 0, count: dq64 - d)
        }
    }
    // Causal: query i sees key j0 once i + offset ≥ j0.
    var i0 = p.causal ? max(0, j0 - offset) : 0
    while active > 0 && i0 < t {
        let rows = min(flashQueryTile, t - i0)
        let qi = p.q + (h * t + i0) * d, doi = g.dO + (h * t + i0) * dv
        for u in 0..<active {
            let ju = j0 + u * flashLanes, c = cols(u)
            // Causal: skip a key tile that no row of this query tile sees.
            if p.causal && i0 + rows - 1 + offset < ju { break }
            let kT = kTs + u * d * flashLanes, vT = vTs + u * dv * flashLanes
            // log2(e)·S = log2(e)·scale·Q·Kᵀ and dP = dO·Vᵀ, query rows × key lanes.
            flashProduct(m: rows, depth: d, a: qi, aRow: d, aCol: 1, b: kT, ldb: flashLanes,
                         c: pTile, ldc: flashLanes, alpha: p.scale * flashLog2E, accumulate: false)
            flashProduct(m: rows, depth: dv, a: doi, aRow: dv, aCol: 1, b: vT, ldb: flashLanes,
                         c: dsTile, ldc: flashLanes, alpha: 1, accumulate: false)
            let biasStep = p.biasLayout == .full ? 1 : -1
            if let bias = p.bias {
                // log2(e)·S += log2(e)·B(h, i, ju + jj)  (forward: S = scale·Q·Kᵀ + bias)
                for ii in 0..<rows {
                    let row = pTile + ii * flashLanes, b = p.biasRow(bias, head: h, query: i0 + ii, keyStart: ju)
                    for jj in 0..<c { row[jj] += flashLog2E * b[biasStep * jj] }
                }
            }
            for ii in 0..<rows {
                let i = i0 + ii
                // Keys ju + jj with jj < visible are seen by query i.
                let visible = p.causal ? min(c, i + offset - ju + 1) : c
                flashSoftmaxGradientRow(pTile + ii * flashLanes, dsTile + ii * flashLanes, visible: visible,
                                        l: lRow[i], delta: delta[i])
            }
            if let dBias {
                // dB(h, i, j) += dS[i, j]  (summed over the batch, and along diagonals by lag)
                for ii in 0..<rows {
                    let db = p.biasRow(dBias, head: h, query: i0 + ii, keyStart: ju), ds = dsTile + ii * flashLanes
                    if biasStep == 1 { add(db, ds, db, count: c) } else { for jj in 0..<c { db[-jj] += ds[jj] } }
                }
            }
            // dVᵀ[c, jj] += Σ_ii dO[ii, c]·P[ii, jj];  dKᵀ[c, jj] += Σ_ii Q[ii, c]·dS[ii, jj]
            flashProduct(m: dv, depth: rows, a: doi, aRow: 1, aCol: dv, b: pTile, ldb: flashLanes,
                         c: dVTs + u * dv * flashLanes, ldc: flashLanes, alpha: 1, accumulate: true)
            flashProduct(m: d, depth: rows, a: qi, aRow: 1, aCol: d, b: dsTile, ldb: flashLanes,
                         c: dKTs + u * d * flashLanes, ldc: flashLanes, alpha: 1, accumulate: true)
            // dQ[ii, c] += Σ_jj dS[ii, jj]·K[jj, c], 64 lanes of c at a time.
            let kPadded = kPaddeds + u * flashLanes * dq64
            for chunk in stride(from: 0, to: dq64, by: flashLanes) {
                flashProduct(m: rows, depth: c, a: dsTile, aRow: flashLanes, aCol: 1, b: kPadded + chunk, ldb: dq64,
                             c: dQAcc + i0 * dq64 + chunk, ldc: dq64, alpha: 1, accumulate: true)
            }
        }
        i0 += rows
    }
    // dK = scale·(dKᵀ)ᵀ, dV = (dVᵀ)ᵀ for the block's rows.
    for u in 0..<n {
        let ju = j0 + u * flashLanes
        let dKT = dKTs + u * d * flashLanes, dVT = dVTs + u * dv * flashLanes
        for jj in 0..<min(flashLanes, s - ju) {
            let dk = g.dK + (h * s + ju + jj) * d, dvRow = g.dV + (h * s + ju + jj) * dv
            for c in 0..<d { dk[c] = p.scale * dKT[c * flashLanes + jj] }
            for c in 0..<dv { dvRow[c] = dVT[c * flashLanes + jj] }
        }
    }
}

/// One query row of a key tile: P = 2^(S − L) (base-2 S and L) on the first `visible` lanes
/// (0 beyond), then dS = P ⊙ (dP − Δ). `p` holds S on entry and P on exit; `ds` holds dP on
/// entry and dS on exit.
@inline(never)
private func flashSoftmaxGradientRow(_ p: UnsafeMutablePointer<Float>, _ ds: UnsafeMutablePointer<Float>,
                                     visible: Int, l: Float, delta: Float) {
    let lv = SIMD16<Float>(repeating: l), dl = SIMD16<Float>(repeating: delta)
    for lane in stride(from: 0, to: flashLanes, by: 16) {
        var pv = SIMD16<Float>()
        if lane < visible {
            pv = flashExp2(flashLoad(p + lane) - lv)
            if lane + 16 > visible {
                pv = pv.replacing(with: 0, where: flashLaneIndex .>= SIMD16(repeating: Float(visible - lane)))
            }
        }
        flashStore(pv, p + lane)
        flashStore(pv * (flashLoad(ds + lane) - dl), ds + lane)
    }
}
