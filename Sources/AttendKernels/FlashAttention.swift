// Fused ("flash") scaled-dot-product attention: softmax(scale·Q·Kᵀ + mask)·V computed tile by
// tile with an online softmax, so the T×S score matrix is never materialised (Dao et al.,
// "FlashAttention", 2022; "FlashAttention-2", 2023; online softmax: Milakov & Gimelshein, 2018).
//
// Every tile product here is one shape, computed by `flashProduct` with a 6×64 register tile:
//
//   C[r, 0..<64] (=α· | +=)  Σ_p A(r, p) · B[p, 0..<64],    A(r, p) = a[r·aRow + p·aCol]
//
// A is read in place through two strides (so Q, K, V, dO are used without copies, transposed
// or not); B is a 64-lane row-major tile. The forward works "transposed": scores are kept as
// Sᵀ [keys, 64 queries], so the query index runs along the SIMD lanes and the running max m,
// sum l and rescale factor of the online softmax are plain lane vectors (no horizontal
// reductions). Only the 64-query tile of Q is transposed (once, reused by every key tile);
// K and V are read in place. The backward (FlashAttentionBackward.swift) keeps keys on the lanes.
//
// Masks: causal means query i sees keys j ≤ i + (S − T) (aligned to the end, as with a KV
// cache); `keyLengths[b]` hides keys j ≥ keyLengths[b] of batch element b = bh / headsPerBatch.
// A query row that sees no key at all gets O = 0, logSumExp = −∞, and zero gradients.
//
// Additive bias (relative positions, RelativePosition.swift): an optional `bias`, shared by the
// batch (head h of batch·head bh is bh mod headsPerBatch), is added to every score:
// S = scale·Q·Kᵀ + bias. Two layouts: `.full` [H, T, S], any bias; `.byLag` [H, T + S − 1], a bias
// that depends only on the lag (i + S − T) − j (T5, ALiBi, Wang & E), entry (i, j) at i − j + S − 1
// — O(H·(T + S)) memory instead of O(H·T·S). The forward adds it to each score tile; the backward
// adds it when it recomputes P and accumulates dBias = Σ_batch dS (summed along diagonals by lag).

import Foundation

/// Lanes of every flash tile: four `SIMD16<Float>` vectors.
let flashLanes = 64
/// Key rows per forward tile (Sᵀ tile is flashKeyTile × 64).
let flashKeyTile = 96
/// Query rows per backward tile (S tile is flashQueryTile × 64 keys).
let flashQueryTile = 96
/// 64-wide tiles per work unit when there is enough work: the forward runs 2 query tiles against
/// each K, V tile (and the backward 2 key tiles against each Q, dO tile) while it is in cache,
/// which halves the traffic from L3 that two busy cores otherwise contend for.
let flashTilesPerBlock = 2

// MARK: - Forward

/// Fused softmax attention forward: O = softmax(scale·Q·Kᵀ + mask)·V without materialising T×S.
///
/// Q: [BH, T, D], K: [BH, S, D], V: [BH, S, Dv] → O: [BH, T, Dv] and the row log-sum-exp
/// L[h, i] = log Σ_j exp(scale·q_i·k_j) over visible keys (natural log; −∞ for a row that sees no
/// key, whose output row is 0), which `flashAttentionBackward` uses to recompute P = exp(S − L).
/// `causal`: query i sees keys j ≤ i + (S − T). `keyLengths` (one per batch element, element
/// b = h / headsPerBatch): keys j ≥ keyLengths[b] are ignored. Scratch is O(tile) per thread:
/// one or two 64-query tiles at a time, with the online softmax (running max m, sum l, rescaled
/// accumulator) of Dao et al., "FlashAttention" (2022), Algorithm 1, over 96-key tiles.
/// `bias` (optional, shared across the batch): scores become scale·q_i·k_j + B(h, i, j) with
/// h = bh mod headsPerBatch (relative-position attention), and L includes it; `biasLayout` `.full`:
/// B(h, i, j) = bias[h, i, j] of [headsPerBatch, T, S]; `.byLag`: B(h, i, j) = bias[h, i − j + S − 1]
/// of [headsPerBatch, T + S − 1].
public func flashAttentionForward(queries q: UnsafePointer<Float>, keys k: UnsafePointer<Float>,
                                  values v: UnsafePointer<Float>,
                                  output o: UnsafeMutablePointer<Float>, logSumExp lse: UnsafeMutablePointer<Float>,
                                  batchHeads bh: Int, queryLength t: Int, keyLength s: Int,
                                  headDim d: Int, valueDim dv: Int, scale: Float,
                                  causal: Bool, keyLengths: UnsafePointer<Int32>? = nil, headsPerBatch: Int = 1,
                                  bias: UnsafePointer<Float>? = nil, biasLayout: AttentionBiasLayout = .full) {
    precondition(bh >= 0 && t >= 0 && s >= 0 && d >= 0 && dv >= 0, "flashAttentionForward: negative size")
    precondition(headsPerBatch >= 1, "flashAttentionForward: headsPerBatch must be ≥ 1")
    let tiles = (t + flashLanes - 1) / flashLanes
    if bh * tiles == 0 { return }
    let problem = FlashProblem(q: q, k: k, v: v, t: t, s: s, d: d, dv: dv, scale: scale, causal: causal,
                               keyLengths: keyLengths, headsPerBatch: headsPerBatch, bias: bias, biasLayout: biasLayout)
    // Pair query tiles only when that still leaves several units per thread.
    let perBlock = bh * tiles >= 8 * Threading.count ? flashTilesPerBlock : 1
    let blocks = (tiles + perBlock - 1) / perBlock
    let units = bh * blocks
    let workers = min(Threading.count, units)
    let work = bh * t * s * (d + dv) * (causal ? 1 : 2)
    parallelChunks(workers, work: work) { range in
        let scratch = FlashScratch([perBlock * d * flashLanes, perBlock * dv * flashLanes,
                                    flashKeyTile * flashLanes, perBlock * 3 * flashLanes])
        defer { scratch.deallocate() }
        for w in range {
            // Interleave (head, query block) units so that causal blocks of every cost spread evenly.
            var u = w
            while u < units {
                flashForwardBlock(problem, head: u / blocks, queryStart: (u % blocks) * perBlock * flashLanes,
                                  tiles: perBlock, o: o, lse: lse, scratch: scratch)
                u += workers
            }
        }
    }
}

/// One head's block of up to `tiles` 64-query tiles: online softmax over the visible key tiles,
/// every query tile of the block taking its turn with a K, V tile before the next is loaded.
private func flashForwardBlock(_ p: FlashProblem, head h: Int, queryStart i0: Int, tiles: Int,
                               o: UnsafeMutablePointer<Float>, lse: UnsafeMutablePointer<Float>,
                               scratch: FlashScratch) {
    let (t, s, d, dv) = (p.t, p.s, p.d, p.dv)
    let qTs = scratch[0], oTs = scratch[1], sT = scratch[2], allStats = scratch[3]
    let n = min(tiles, (t - i0 + flashLanes - 1) / flashLanes)
    let kEnd = p.keyEnd(head: h)
    // Keys that query tile u may see: [0, jEnd(u)) — its last row sees the most.
    func jEnd(_ u: Int) -> Int {
        let last = min(t, i0 + (u + 1) * flashLanes)
        return p.causal ? min(kEnd, max(0, last + s - t)) : kEnd
    }
    for u in 0..<n {
        let start = i0 + u * flashLanes
        // Qᵀ [D, 64]: query start + ii on lane ii, lanes past the last query zero.
        flashTranspose(p.q + (h * t + start) * d, rows: min(flashLanes, t - start), cols: d, ld: d,
                       into: qTs + u * d * flashLanes)
        (oTs + u * dv * flashLanes).update(repeating: 0, count: dv * flashLanes)
        let stats = allStats + u * 3 * flashLanes
        for g in 0..<4 {
            flashStore(SIMD16(repeating: -.infinity), stats + 16 * g)
            flashStore(SIMD16(), stats + flashLanes + 16 * g)
        }
    }
    let lastEnd = jEnd(n - 1)
    var j0 = 0
    while j0 < lastEnd {
        for u in 0..<n where j0 < jEnd(u) {
            flashForwardStep(p, head: h, queryStart: i0 + u * flashLanes, keyStart: j0,
                             keyCount: min(flashKeyTile, jEnd(u) - j0), qT: qTs + u * d * flashLanes,
                             oT: oTs + u * dv * flashLanes, sT: sT, stats: allStats + u * 3 * flashLanes)
        }
        j0 += flashKeyTile
    }
    for u in 0..<n {
        let start = i0 + u * flashLanes
        let oT = oTs + u * dv * flashLanes, stats = allStats + u * 3 * flashLanes
        let m = stats, l = stats + flashLanes, inverse = stats + 2 * flashLanes
        // O = Oᵀᵀ / l, L = ln 2 · (m + log2 l); a row with l = 0 saw no key: O = 0, L = −∞.
        for g in 0..<4 {
            let lv = flashLoad(l + 16 * g)
            flashStore((SIMD16<Float>(repeating: 1) / lv).replacing(with: 0, where: lv .== 0), inverse + 16 * g)
        }
        let oh = o + (h * t + start) * dv
        for ii in 0..<min(flashLanes, t - start) {
            let row = oh + ii * dv, factor = inverse[ii]
            for c in 0..<dv { row[c] = oT[c * flashLanes + ii] * factor }
            lse[h * t + start + ii] = l[ii] > 0 ? (m[ii] + Foundation.log2(l[ii])) * flashLn2 : -.infinity
        }
    }
}

/// One (64-query tile, key tile) step of the online softmax: Sᵀ = K·Qᵀ, mask, rescale, Oᵀ += Vᵀ·Pᵀ.
/// `stats` holds the running max m, sum l and scratch α, 64 lanes each.
private func flashForwardStep(_ p: FlashProblem, head h: Int, queryStart i0: Int, keyStart j0: Int, keyCount cols: Int,
                              qT: UnsafeMutablePointer<Float>, oT: UnsafeMutablePointer<Float>,
                              sT: UnsafeMutablePointer<Float>, stats: UnsafeMutablePointer<Float>) {
    let (s, d, dv) = (p.s, p.d, p.dv)
    let offset = s - p.t
    let m = stats, l = stats + flashLanes, alpha = stats + 2 * flashLanes
    // Sᵀ[jj, ii] = log2(e) · scale · k_{j0+jj} · q_{i0+ii}  (base-2 scores: the softmax uses 2^x)
    flashProduct(m: cols, depth: d, a: p.k + (h * s + j0) * d, aRow: d, aCol: 1,
                 b: qT, ldb: flashLanes, c: sT, ldc: flashLanes, alpha: p.scale * flashLog2E, accumulate: false)
    if let bias = p.bias {
        // Sᵀ[jj, ii] += log2(e) · B(h, i0 + ii, j0 + jj)  (forward: S = scale·Q·Kᵀ + bias)
        for ii in 0..<min(flashLanes, p.t - i0) {
            let row = p.biasRow(bias, head: h, query: i0 + ii, keyStart: j0)
            let step = p.biasLayout == .full ? 1 : -1
            for jj in 0..<cols { sT[jj * flashLanes + ii] += flashLog2E * row[step * jj] }
        }
    }
    if p.causal && j0 + cols - 1 > i0 + offset {
        // Key j is hidden from query lanes ii < j − i0 − offset.
        for jj in 0..<cols {
            let hidden = j0 + jj - i0 - offset
            if hidden > 0 { flashMaskLanes(sT + jj * flashLanes, below: hidden) }
        }
    }
    // Online softmax: m' = max(m, max_j Sᵀ), α = 2^(m − m'), P = 2^(Sᵀ − m'), l' = α·l + Σ_j P.
    for lane in stride(from: 0, to: flashLanes, by: 16) {
        flashOnlineSoftmax(sT + lane, rows: cols, m: m + lane, l: l + lane, alpha: alpha + lane)
    }
    // Oᵀ = α ⊙ Oᵀ + Vᵀ·Pᵀ  (Oᵀ [Dv, 64], lanes = queries)
    flashScaleRows(oT, rows: dv, by: alpha)
    flashProduct(m: dv, depth: cols, a: p.v + (h * s + j0) * dv, aRow: 1, aCol: dv,
                 b: sT, ldb: flashLanes, c: oT, ldc: flashLanes, alpha: 1, accumulate: true)
}

// MARK: - Shared pieces

/// One 16-query lane group of the online softmax over a key tile (rows of `x`, stride 64), in
/// base 2: m' = max(m, maxⱼ xⱼ), α = 2^(m − m'), xⱼ ← 2^(xⱼ − m'), l' = α·l + Σⱼ xⱼ.
/// (Out of line, like `flashSoftmaxGradientRow`: inlined into the big tile loops, the SIMD
/// helpers here were left as calls by the SIL inliner — see the note in Activations.swift.)
@inline(never)
private func flashOnlineSoftmax(_ x: UnsafeMutablePointer<Float>, rows: Int, m: UnsafeMutablePointer<Float>,
                                l: UnsafeMutablePointer<Float>, alpha: UnsafeMutablePointer<Float>) {
    // (`pointwiseMax` is scalarised — it orders NaNs — so the max is a compare and select.)
    var tileMax = SIMD16<Float>(repeating: -.infinity)
    for j in 0..<rows {
        let y = flashLoad(x + j * flashLanes)
        tileMax = tileMax.replacing(with: y, where: y .> tileMax)
    }
    let mOld = flashLoad(m)
    let mNew = mOld.replacing(with: tileMax, where: tileMax .> mOld)
    // A lane that has seen no key yet keeps m = −∞; shift by 0 there so 2^(−∞ − 0) = 0.
    let shift = mNew.replacing(with: 0, where: mNew .== -.infinity)
    let a = flashExp2(mOld - shift)
    var sum = SIMD16<Float>()
    for j in 0..<rows {
        let ptr = x + j * flashLanes
        let e = flashExp2(flashLoad(ptr) - shift)
        flashStore(e, ptr)
        sum += e
    }
    flashStore(mNew, m)
    flashStore(sum.addingProduct(flashLoad(l), a), l)
    flashStore(a, alpha)
}

/// How an attention score bias is stored (see `flashAttentionForward`).
public enum AttentionBiasLayout: Sendable {
    /// [H, T, S]: any bias, entry (h, i, j) at (h·T + i)·S + j.
    case full
    /// [H, T + S − 1]: a bias that depends only on the lag (i + S − T) − j, entry (h, i, j) at
    /// h·(T + S − 1) + i − j + S − 1 (relative positions in O(T + S) memory per head).
    case byLag
}

/// The arguments every flash tile routine needs, gathered so they pass as one value.
struct FlashProblem {
    let q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>
    let t: Int, s: Int, d: Int, dv: Int
    let scale: Float
    let causal: Bool
    let keyLengths: UnsafePointer<Int32>?
    let headsPerBatch: Int
    /// Optional additive score bias, shared across the batch, in `biasLayout`.
    var bias: UnsafePointer<Float>? = nil
    var biasLayout: AttentionBiasLayout = .full

    /// Floats per head of the bias: T·S (full) or T + S − 1 (by lag).
    var biasHeadSize: Int { biasLayout == .full ? t * s : t + s - 1 }

    /// Where B(h mod H, i, j0) sits in `base` (a bias or its gradient); the next keys j0 + 1, j0 + 2, …
    /// follow at +1 (full) or −1 (by lag: one lag less per key).
    @inline(__always)
    func biasRow<P: Strideable>(_ base: P, head h: Int, query i: Int, keyStart j0: Int) -> P where P.Stride == Int {
        let start = (h % headsPerBatch) * biasHeadSize
        return base.advanced(by: biasLayout == .full ? start + i * s + j0 : start + i - j0 + s - 1)
    }

    /// Number of keys head `h` may use: S, or keyLengths[h / headsPerBatch] clamped to [0, S].
    @inline(__always)
    func keyEnd(head h: Int) -> Int {
        guard let lengths = keyLengths else { return s }
        return min(s, max(0, Int(lengths[h / headsPerBatch])))
    }
}

/// Per-thread scratch: one 64-byte aligned allocation cut into float buffers of the given sizes.
struct FlashScratch {
    private let base: UnsafeMutableRawPointer
    private let offsets: [Int]

    init(_ sizes: [Int]) {
        var offsets = [Int](), total = 0
        for n in sizes {
            offsets.append(total)
            total += (n + 15) / 16 * 16  // keep every buffer 64-byte aligned
        }
        self.offsets = offsets
        base = UnsafeMutableRawPointer.allocate(byteCount: max(1, total) * 4, alignment: 64)
    }

    subscript(_ i: Int) -> UnsafeMutablePointer<Float> {
        (base + 4 * offsets[i]).assumingMemoryBound(to: Float.self)
    }

    func deallocate() { base.deallocate() }
}

@inline(__always)
func flashLoad(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}

@inline(__always)
func flashLoad(_ p: UnsafeMutablePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}

@inline(__always)
func flashStore(_ x: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: x, as: SIMD16<Float>.self)
}

/// log2(e) and ln 2: scores are scaled by log2(e) so that the softmax exponentials are powers of 2.
let flashLog2E: Float = 1.442_695_040_888_963_4
let flashLn2: Float = 0.693_147_180_559_945_3

/// 2^x for 16 lanes with x ≤ 0 (relative error ≲ 3e-7); exactly 0 for x < −126.5 and for −∞.
///
/// Cheaper than `fastExp` because softmax arguments are never positive: x = n + f with
/// n = round(x) (1.5·2²³ shifter trick) and f ∈ [−½, ½]; 2^f by a degree-5 minimax polynomial;
/// 2^n built from exponent bits, which are all zero (2^n = 0) at the clamp n = −127. NaN stays NaN.
/// About 11 vector instructions, and no stdlib min/max (those are scalarised or left as calls).
@inline(__always)
func flashExp2(_ x: SIMD16<Float>) -> SIMD16<Float> {
    let xc = x.replacing(with: -127, where: x .< -127)
    let shifter = SIMD16<Float>(repeating: 12_582_912)
    let t = xc + shifter
    let f = xc - (t - shifter)
    var p = SIMD16<Float>(repeating: 1.327_638_3e-3)
    p = SIMD16(repeating: 9.675_541_0e-3).addingProduct(p, f)
    p = SIMD16(repeating: 5.550_713_5e-2).addingProduct(p, f)
    p = SIMD16(repeating: 2.402_212_0e-1).addingProduct(p, f)
    p = SIMD16(repeating: 6.931_469_4e-1).addingProduct(p, f)
    p = SIMD16(repeating: 1.000_000_1).addingProduct(p, f)
    // The low bits of t hold n; the high bits of t shift out: bits(2^n) = (n + 127) << 23.
    let scale = (unsafeBitCast(t, to: SIMD16<Int32>.self) &+ SIMD16(repeating: 127)) &<< 23
    return p * unsafeBitCast(scale, to: SIMD16<Float>.self)
}

/// Lane indices 0..<16 as floats (for building lane masks).
let flashLaneIndex = SIMD16<Float>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)

/// Sets lanes 0..<n of a 64-lane row to −∞.
@inline(__always)
func flashMaskLanes(_ row: UnsafeMutablePointer<Float>, below n: Int) {
    for g in 0..<4 where 16 * g < n {
        let ptr = row + 16 * g
        let limit = SIMD16<Float>(repeating: Float(n - 16 * g))
        flashStore(flashLoad(ptr).replacing(with: -.infinity, where: flashLaneIndex .< limit), ptr)
    }
}

/// Multiplies each 64-lane row of `x` lane-wise by the 64 factors at `factors`.
@inline(__always)
func flashScaleRows(_ x: UnsafeMutablePointer<Float>, rows: Int, by factors: UnsafePointer<Float>) {
    let f0 = flashLoad(factors), f1 = flashLoad(factors + 16)
    let f2 = flashLoad(factors + 32), f3 = flashLoad(factors + 48)
    for r in 0..<rows {
        let row = x + r * flashLanes
        flashStore(flashLoad(row) * f0, row)
        flashStore(flashLoad(row + 16) * f1, row + 16)
        flashStore(flashLoad(row + 32) * f2, row + 32)
        flashStore(flashLoad(row + 48) * f3, row + 48)
    }
}

/// Writes the transpose of a rows×cols block (row stride ld, rows ≤ 64) as cols 64-lane rows,
/// lanes ≥ rows zero: out[c·64 + r] = x[r·ld + c].
func flashTranspose(_ x: UnsafePointer<Float>, rows: Int, cols: Int, ld: Int, into out: UnsafeMutablePointer<Float>) {
    if rows < flashLanes { out.update(repeating: 0, count: cols * flashLanes) }
    for r in 0..<rows {
        let src = x + r * ld
        for c in 0..<cols { out[c * flashLanes + r] = src[c] }
    }
}

/// C[r, 0..<64] = α·Σ_p A(r, p)·B[p, 0..<64] (or C += Σ… when `accumulate`), r < m, p < depth,
/// with A(r, p) = a[r·aRow + p·aCol] read in place and B row-major with row stride ldb.
///
/// Runs 6-row register tiles (24 `SIMD16` accumulators, 4 B vectors, 1 broadcast: 29 of the
/// 32 AVX-512 registers) and one narrower tile for the m mod 6 rows left over.
func flashProduct(m: Int, depth: Int, a: UnsafePointer<Float>, aRow: Int, aCol: Int,
                  b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
                  alpha: Float, accumulate: Bool) {
    var r = 0
    while r + 6 <= m {
        flashMicroTile(6, depth, a + r * aRow, aRow, aCol, b, ldb, c + r * ldc, ldc, alpha, accumulate)
        r += 6
    }
    let ar = a + r * aRow, cr = c + r * ldc
    switch m - r {
    case 5: flashMicroTile(5, depth, ar, aRow, aCol, b, ldb, cr, ldc, alpha, accumulate)
    case 4: flashMicroTile(4, depth, ar, aRow, aCol, b, ldb, cr, ldc, alpha, accumulate)
    case 3: flashMicroTile(3, depth, ar, aRow, aCol, b, ldb, cr, ldc, alpha, accumulate)
    case 2: flashMicroTile(2, depth, ar, aRow, aCol, b, ldb, cr, ldc, alpha, accumulate)
    case 1: flashMicroTile(1, depth, ar, aRow, aCol, b, ldb, cr, ldc, alpha, accumulate)
    default: break
    }
}

/// One register tile of `flashProduct`: `rows` (≤ 6, a literal at every call site, so the
/// `rows > r` tests fold away after inlining) × 64 lanes.
@inline(__always)
private func flashMicroTile(_ rows: Int, _ depth: Int, _ a: UnsafePointer<Float>, _ aRow: Int, _ aCol: Int,
                            _ b: UnsafePointer<Float>, _ ldb: Int, _ c: UnsafeMutablePointer<Float>, _ ldc: Int,
                            _ alpha: Float, _ accumulate: Bool) {
    var c00 = SIMD16<Float>(), c01 = SIMD16<Float>(), c02 = SIMD16<Float>(), c03 = SIMD16<Float>()
    var c10 = SIMD16<Float>(), c11 = SIMD16<Float>(), c12 = SIMD16<Float>(), c13 = SIMD16<Float>()
    var c20 = SIMD16<Float>(), c21 = SIMD16<Float>(), c22 = SIMD16<Float>(), c23 = SIMD16<Float>()
    var c30 = SIMD16<Float>(), c31 = SIMD16<Float>(), c32 = SIMD16<Float>(), c33 = SIMD16<Float>()
    var c40 = SIMD16<Float>(), c41 = SIMD16<Float>(), c42 = SIMD16<Float>(), c43 = SIMD16<Float>()
    var c50 = SIMD16<Float>(), c51 = SIMD16<Float>(), c52 = SIMD16<Float>(), c53 = SIMD16<Float>()
    let o1 = aRow, o2 = 2 * aRow, o3 = 3 * aRow, o4 = 4 * aRow, o5 = 5 * aRow
    var pa = a, pb = b
    for _ in 0..<depth {
        let b0 = flashLoad(pb), b1 = flashLoad(pb + 16), b2 = flashLoad(pb + 32), b3 = flashLoad(pb + 48)
        var x = SIMD16<Float>(repeating: pa[0])
        c00 = c00.addingProduct(x, b0); c01 = c01.addingProduct(x, b1)
        c02 = c02.addingProduct(x, b2); c03 = c03.addingProduct(x, b3)
        if rows > 1 {
            x = SIMD16(repeating: pa[o1])
            c10 = c10.addingProduct(x, b0); c11 = c11.addingProduct(x, b1)
            c12 = c12.addingProduct(x, b2); c13 = c13.addingProduct(x, b3)
        }
        if rows > 2 {
            x = SIMD16(repeating: pa[o2])
            c20 = c20.addingProduct(x, b0); c21 = c21.addingProduct(x, b1)
            c22 = c22.addingProduct(x, b2); c23 = c23.addingProduct(x, b3)
        }
        if rows > 3 {
            x = SIMD16(repeating: pa[o3])
            c30 = c30.addingProduct(x, b0); c31 = c31.addingProduct(x, b1)
            c32 = c32.addingProduct(x, b2); c33 = c33.addingProduct(x, b3)
        }
        if rows > 4 {
            x = SIMD16(repeating: pa[o4])
            c40 = c40.addingProduct(x, b0); c41 = c41.addingProduct(x, b1)
            c42 = c42.addingProduct(x, b2); c43 = c43.addingProduct(x, b3)
        }
        if rows > 5 {
            x = SIMD16(repeating: pa[o5])
            c50 = c50.addingProduct(x, b0); c51 = c51.addingProduct(x, b1)
            c52 = c52.addingProduct(x, b2); c53 = c53.addingProduct(x, b3)
        }
        pa += aCol
        pb += ldb
    }
    flashStoreRow(c00, c01, c02, c03, c, alpha, accumulate)
    if rows > 1 { flashStoreRow(c10, c11, c12, c13, c + ldc, alpha, accumulate) }
    if rows > 2 { flashStoreRow(c20, c21, c22, c23, c + 2 * ldc, alpha, accumulate) }
    if rows > 3 { flashStoreRow(c30, c31, c32, c33, c + 3 * ldc, alpha, accumulate) }
    if rows > 4 { flashStoreRow(c40, c41, c42, c43, c + 4 * ldc, alpha, accumulate) }
    if rows > 5 { flashStoreRow(c50, c51, c52, c53, c + 5 * ldc, alpha, accumulate) }
}

/// Writes one 64-lane tile row: row += (x0…x3) when accumulating, else row = α·(x0…x3).
@inline(__always)
private func flashStoreRow(_ x0: SIMD16<Float>, _ x1: SIMD16<Float>, _ x2: SIMD16<Float>, _ x3: SIMD16<Float>,
                           _ row: UnsafeMutablePointer<Float>, _ alpha: Float, _ accumulate: Bool) {
    if accumulate {
        flashStore(flashLoad(row) + x0, row)
        flashStore(flashLoad(row + 16) + x1, row + 16)
        flashStore(flashLoad(row + 32) + x2, row + 32)
        flashStore(flashLoad(row + 48) + x3, row + 48)
    } else {
        let va = SIMD16<Float>(repeating: alpha)
        flashStore(x0 * va, row)
        flashStore(x1 * va, row + 16)
        flashStore(x2 * va, row + 32)
        flashStore(x3 * va, row + 48)
    }
}
