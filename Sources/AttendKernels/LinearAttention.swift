// Linear attention (Katharopoulos et al., "Transformers are RNNs: Fast Autoregressive Transformers
// with Linear Attention", ICML 2020) on feature-mapped inputs φQ [BH, T, M], φK [BH, S, M],
// V [BH, S, Dv]: forward passes, the recurrent step and the O(T²) references. The backward passes
// are in LinearAttentionBackward.swift.
//
// Causal kernels are prefix scans. Every causal pass (the forward and the three sweeps of the
// backward) is one shape, run by `linearScanBlock`: a state X [P, W] and three sequences a, b
// [T, P] and c [T, W], with
//     X_i = X_{i−1} + b_i c_iᵀ,    out_i = X_iᵀ a_i    (inclusive: step i sees its own b_i c_iᵀ).
// The forward pass is (a, b, c) = (φQ, φK, V) with X = S. Time is cut into blocks of 32 steps and
// the state into 4-row × 64-column tiles held in 16 AVX-512 registers for a whole block: per step
// a tile costs 32 FMAs against one load and one store of the output row. Operands are read in
// place (strided rows, walked backwards for the reverse sweeps) unless they need zero padding to
// the tile sizes or a per-row scale, in which case one block is copied.
//
// Why a scan rather than the chunked form (intra-chunk masked φQφKᵀ plus inter-chunk GEMMs with
// the carried state): at M = Dv = 64 and chunk C = 64 the chunked form does 4·M·Dv + 2·C·(M + Dv)
// flops per row against the scan's 4·M·Dv, and its 64×64×64 GEMMs run far below peak; measured,
// it was about 2× slower than this scan for the forward.

import Foundation

// MARK: - Causal forward

/// Causal linear attention, computed as a prefix scan with O(M·Dv) state per head (Katharopoulos et al. 2020, eq. 8–9).
///
/// O_i = φQ_iᵀ S_i / (φQ_i · z_i + ε), S_i = Σ_{j≤i} φK_j V_jᵀ [M, Dv], z_i = Σ_{j≤i} φK_j [M].
/// φQ, φK: [BH, T, M]; V, O: [BH, T, Dv]; `normalizer` (optional, [BH, T]) receives φQ_i·z_i + ε
/// for the backward pass. O(T·M·Dv) time.
public func causalLinearAttentionForward(queries q: UnsafePointer<Float>, keys k: UnsafePointer<Float>,
                                         values v: UnsafePointer<Float>, output o: UnsafeMutablePointer<Float>,
                                         normalizer: UnsafeMutablePointer<Float>?,
                                         batchHeads bh: Int, length t: Int, featureDim m: Int, valueDim dv: Int,
                                         epsilon: Float = 1e-6) {
    precondition(bh >= 0 && t >= 0 && m >= 1 && dv >= 1, "causalLinearAttentionForward: bad shape")
    let blockLength = linearScanBlockLength
    let m4 = linearRoundUp(m, 4), m16 = linearRoundUp(m, 16), dv16 = linearRoundUp(dv, 16)
    let scratchCount = m4 * dv16 + m16 + 2 * blockLength * m4 + 2 * blockLength * dv16
    parallelChunks(bh, work: bh * t * m * dv * 4) { range in
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: scratchCount)
        defer { scratch.deallocate() }
        let state = scratch, z = state + m4 * dv16
        let qs = z + m16, ks = qs + blockLength * m4, vs = ks + blockLength * m4, os = vs + blockLength * dv16
        for h in range {
            let qh = q + h * t * m, kh = k + h * t * m, vh = v + h * t * dv, oh = o + h * t * dv
            state.update(repeating: 0, count: m4 * dv16)
            z.update(repeating: 0, count: m16)
            var start = 0
            while start < t {
                let n = min(blockLength, t - start)
                let qa = linearOperand(qh, width: m, paddedWidth: m4, firstRow: start, step: 1, count: n, scratch: qs)
                let kb = linearOperand(kh, width: m, paddedWidth: m4, firstRow: start, step: 1, count: n, scratch: ks)
                let vc = linearOperand(vh, width: dv, paddedWidth: dv16, firstRow: start, step: 1, count: n, scratch: vs)
                let out = linearTarget(oh, width: dv, paddedWidth: dv16, firstRow: start, step: 1, scratch: os)
                // S_i = S_{i−1} + φK_i V_iᵀ;  N_i = S_iᵀ φQ_i
                linearScanBlock(count: n, a: qa, b: kb, c: vc, state: state, rows: m4, cols: dv16, out: out)
                for i in 0..<n {
                    let row = start + i
                    linearAdd(kh + row * m, into: z, count: m)                  // z_i = z_{i−1} + φK_i
                    let den = dotProduct(qh + row * m, z, count: m) + epsilon   // φQ_i · z_i + ε
                    normalizer?[h * t + row] = den
                    linearScaledCopy(out.row(i), scale: 1 / den, into: oh + row * dv, count: dv)   // O_i = N_i / den_i
                }
                start += n
            }
        }
    }
}

// MARK: - Non-causal forward

/// Non-causal linear attention: every query sees the same key–value summary (Katharopoulos et al. 2020, eq. 5–6).
///
/// O_i = φQ_iᵀ (Σ_j φK_j V_jᵀ) / (φQ_i · Σ_j φK_j + ε), the sums over keys j < len (len = S, or
/// `keyLengths[h / headsPerBatch]` for padded batches). φQ: [BH, T, M]; φK: [BH, S, M];
/// V: [BH, S, Dv]; O: [BH, T, Dv]; `normalizer` (optional, [BH, T]) receives the denominators.
/// Two GEMMs per head: KV = φKᵀV [M, Dv], O = φQ·KV.
public func linearAttentionForward(queries q: UnsafePointer<Float>, keys k: UnsafePointer<Float>,
                                   values v: UnsafePointer<Float>, output o: UnsafeMutablePointer<Float>,
                                   normalizer: UnsafeMutablePointer<Float>?,
                                   batchHeads bh: Int, queryLength t: Int, keyLength s: Int,
                                   featureDim m: Int, valueDim dv: Int, epsilon: Float = 1e-6,
                                   keyLengths: UnsafePointer<Int32>? = nil, headsPerBatch: Int = 1) {
    precondition(bh >= 0 && t >= 0 && s >= 0 && m >= 1 && dv >= 1 && headsPerBatch >= 1,
                 "linearAttentionForward: bad shape")
    parallelChunks(bh, work: bh * (t + s) * m * dv * 2) { range in
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: m * dv + m)
        defer { scratch.deallocate() }
        let kv = scratch, z = kv + m * dv
        for h in range {
            let len = linearKeyCount(keyLengths, head: h, headsPerBatch: headsPerBatch, keyLength: s)
            let qh = q + h * t * m, kh = k + h * s * m, vh = v + h * s * dv, oh = o + h * t * dv
            // KV = Σ_{j<len} φK_j V_jᵀ;  z = Σ_{j<len} φK_j  (in row blocks, so z reads φK while it is cached)
            kv.update(repeating: 0, count: m * dv)
            z.update(repeating: 0, count: m)
            for j0 in stride(from: 0, to: len, by: linearRowBlock) {
                let rows = min(linearRowBlock, len - j0)
                gemm(transA: true, transB: false, m: m, n: dv, k: rows, a: kh + j0 * m, lda: m, b: vh + j0 * dv, ldb: dv,
                     beta: 1, c: kv, ldc: dv, threads: 1)
                for j in j0..<(j0 + rows) { linearAdd(kh + j * m, into: z, count: m) }
            }
            // N = φQ · KV, then O_i = N_i / (φQ_i · z + ε)
            for i0 in stride(from: 0, to: t, by: linearRowBlock) {
                let rows = min(linearRowBlock, t - i0)
                gemm(transA: false, transB: false, m: rows, n: dv, k: m, a: qh + i0 * m, lda: m, b: kv, ldb: dv,
                     c: oh + i0 * dv, ldc: dv, threads: 1)
                for i in i0..<(i0 + rows) {
                    let den = dotProduct(qh + i * m, z, count: m) + epsilon
                    normalizer?[h * t + i] = den
                    linearScaledCopy(oh + i * dv, scale: 1 / den, into: oh + i * dv, count: dv)
                }
            }
        }
    }
}

/// Rows per GEMM call in the non-causal kernels: each block's rows are post-processed (normalised,
/// summed) right after its GEMM, while they are still in cache.
let linearRowBlock = 256

// MARK: - Recurrent step

/// One step of causal linear attention as an RNN (Katharopoulos et al. 2020, eq. 16–20): constant time and memory per token.
///
/// S ← S + φK_t V_tᵀ, z ← z + φK_t (in place), then O_t = φQ_tᵀ S / (φQ_t · z + ε).
/// φQ_t, φK_t: [BH, M]; V_t, O_t: [BH, Dv]; state S: [BH, M, Dv]; normalizerState z: [BH, M].
/// Starting from zero state, step t reproduces row t of `causalLinearAttentionForward`.
public func linearAttentionStep(query q: UnsafePointer<Float>, key k: UnsafePointer<Float>,
                                value v: UnsafePointer<Float>, state: UnsafeMutablePointer<Float>,
                                normalizerState z: UnsafeMutablePointer<Float>, output o: UnsafeMutablePointer<Float>,
                                batchHeads bh: Int, featureDim m: Int, valueDim dv: Int, epsilon: Float = 1e-6) {
    precondition(bh >= 0 && m >= 1 && dv >= 1, "linearAttentionStep: bad shape")
    // Memory-bound at generation time: the M×Dv state of every head is read and written once, and
    // between tokens the weight stream has evicted it to L3 — so split from ~64 KB of state.
    parallelChunks(bh, work: bh * m * dv * 16) { range in
        for h in range {
            let qh = q + h * m, kh = k + h * m, vh = v + h * dv, oh = o + h * dv
            let sh = state + h * m * dv, zh = z + h * m
            linearAdd(kh, into: zh, count: m)
            let inverse = 1 / (dotProduct(qh, zh, count: m) + epsilon)
            var col = 0
            while col + 64 <= dv {   // four output vectors stay in registers across the M rows
                let v0 = linearLoad(vh + col), v1 = linearLoad(vh + col + 16)
                let v2 = linearLoad(vh + col + 32), v3 = linearLoad(vh + col + 48)
                var o0 = SIMD16<Float>(), o1 = o0, o2 = o0, o3 = o0
                for r in 0..<m {
                    let row = sh + r * dv + col
                    let kr = SIMD16<Float>(repeating: kh[r]), qr = SIMD16<Float>(repeating: qh[r])
                    let s0 = linearLoad(row).addingProduct(kr, v0), s1 = linearLoad(row + 16).addingProduct(kr, v1)
                    let s2 = linearLoad(row + 32).addingProduct(kr, v2), s3 = linearLoad(row + 48).addingProduct(kr, v3)
                    linearStore(s0, row); linearStore(s1, row + 16); linearStore(s2, row + 32); linearStore(s3, row + 48)
                    o0 = o0.addingProduct(qr, s0); o1 = o1.addingProduct(qr, s1)
                    o2 = o2.addingProduct(qr, s2); o3 = o3.addingProduct(qr, s3)
                }
                let w = SIMD16<Float>(repeating: inverse)
                linearStore(o0 * w, oh + col); linearStore(o1 * w, oh + col + 16)
                linearStore(o2 * w, oh + col + 32); linearStore(o3 * w, oh + col + 48)
                col += 64
            }
            while col < dv {         // remaining columns one at a time
                var acc: Float = 0
                for r in 0..<m {
                    let s = sh[r * dv + col] + kh[r] * vh[col]
                    sh[r * dv + col] = s
                    acc += qh[r] * s
                }
                oh[col] = acc * inverse
                col += 1
            }
        }
    }
}

// MARK: - References

/// Plain-loop reference of `causalLinearAttentionForward` from the O(T²) definition, in Double.
///
/// O_i = Σ_{j≤i} (φQ_i·φK_j) V_j / (Σ_{j≤i} φQ_i·φK_j + ε). Shapes as in the fast kernel.
public func causalLinearAttentionReference(queries q: UnsafePointer<Float>, keys k: UnsafePointer<Float>,
                                           values v: UnsafePointer<Float>, output o: UnsafeMutablePointer<Float>,
                                           batchHeads bh: Int, length t: Int, featureDim m: Int, valueDim dv: Int,
                                           epsilon: Float = 1e-6) {
    linearAttentionDefinition(q, k, v, o, bh: bh, t: t, s: t, m: m, dv: dv, epsilon: epsilon,
                              causal: true, keyLengths: nil, headsPerBatch: 1)
}

/// Plain-loop reference of `linearAttentionForward` from the O(T·S) definition, in Double.
///
/// O_i = Σ_{j<len} (φQ_i·φK_j) V_j / (Σ_{j<len} φQ_i·φK_j + ε). Shapes as in the fast kernel.
public func linearAttentionReference(queries q: UnsafePointer<Float>, keys k: UnsafePointer<Float>,
                                     values v: UnsafePointer<Float>, output o: UnsafeMutablePointer<Float>,
                                     batchHeads bh: Int, queryLength t: Int, keyLength s: Int,
                                     featureDim m: Int, valueDim dv: Int, epsilon: Float = 1e-6,
                                     keyLengths: UnsafePointer<Int32>? = nil, headsPerBatch: Int = 1) {
    linearAttentionDefinition(q, k, v, o, bh: bh, t: t, s: s, m: m, dv: dv, epsilon: epsilon,
                              causal: false, keyLengths: keyLengths, headsPerBatch: headsPerBatch)
}

private func linearAttentionDefinition(_ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>,
                                       _ v: UnsafePointer<Float>, _ o: UnsafeMutablePointer<Float>,
                                       bh: Int, t: Int, s: Int, m: Int, dv: Int, epsilon: Float, causal: Bool,
                                       keyLengths: UnsafePointer<Int32>?, headsPerBatch: Int) {
    var numerator = [Double](repeating: 0, count: dv)
    for h in 0..<bh {
        let len = linearKeyCount(keyLengths, head: h, headsPerBatch: headsPerBatch, keyLength: s)
        for i in 0..<t {
            for c in 0..<dv { numerator[c] = 0 }
            var denominator = 0.0
            for j in 0..<(causal ? min(i + 1, s) : len) {
                var w = 0.0
                for r in 0..<m { w += Double(q[(h * t + i) * m + r]) * Double(k[(h * s + j) * m + r]) }
                for c in 0..<dv { numerator[c] += w * Double(v[(h * s + j) * dv + c]) }
                denominator += w
            }
            for c in 0..<dv { o[(h * t + i) * dv + c] = Float(numerator[c] / (denominator + Double(epsilon))) }
        }
    }
}

// MARK: - Scan machinery (shared with LinearAttentionBackward.swift)

/// Time steps per block of a causal scan: the block's rows of a, b, c and out (4 × 32 rows ×
/// 256 B at M = Dv = 64) stay in L1 while every register tile of the state streams through them.
let linearScanBlockLength = 32

/// Rows i = 0..<count of a scan operand or target: row i starts at `base + i·stride` (stride may be
/// negative). Mutable only so that one type serves both; operands are never written.
struct LinearRows {
    var base: UnsafeMutablePointer<Float>
    var stride: Int
    @inline(__always) func row(_ i: Int) -> UnsafeMutablePointer<Float> { base + i * stride }
}

/// Rows firstRow, firstRow + step, … of x [*, width] with `paddedWidth` readable columns: x itself
/// when it needs neither padding nor scaling, else a copy in `scratch` ([count, paddedWidth]),
/// each row times `scale[row]` when given, zeros past `width`.
func linearOperand(_ x: UnsafePointer<Float>, width: Int, paddedWidth: Int, firstRow: Int, step: Int,
                   count n: Int, scale: UnsafePointer<Float>? = nil,
                   scratch: UnsafeMutablePointer<Float>) -> LinearRows {
    if width == paddedWidth && scale == nil {
        return LinearRows(base: UnsafeMutablePointer(mutating: x) + firstRow * width, stride: step * width)
    }
    for i in 0..<n {
        let row = firstRow + i * step, d = scratch + i * paddedWidth
        linearScaledCopy(x + row * width, scale: scale.map { $0[row] } ?? 1, into: d, count: width)
        if paddedWidth > width { (d + width).update(repeating: 0, count: paddedWidth - width) }
    }
    return LinearRows(base: scratch, stride: paddedWidth)
}

/// Where a scan writes rows firstRow, firstRow + step, … of y [*, width]: y itself when
/// `paddedWidth == width`, else `scratch` ([count, paddedWidth]) for the caller to copy out.
func linearTarget(_ y: UnsafeMutablePointer<Float>, width: Int, paddedWidth: Int, firstRow: Int, step: Int,
                  scratch: UnsafeMutablePointer<Float>) -> LinearRows {
    width == paddedWidth ? LinearRows(base: y + firstRow * width, stride: step * width)
                         : LinearRows(base: scratch, stride: paddedWidth)
}

/// Runs `count` inclusive scan steps X_i = X_{i−1} + b_i c_iᵀ, out_i = X_iᵀ a_i (overwritten).
///
/// a, b: rows with ≥ `rows` readable columns; c: ≥ `cols`; out: `cols` written. State X
/// [rows, cols] (row stride `cols`) is updated in place; `rows` is a multiple of 4, `cols` of 16.
func linearScanBlock(count n: Int, a: LinearRows, b: LinearRows, c: LinearRows,
                     state x: UnsafeMutablePointer<Float>, rows: Int, cols: Int, out: LinearRows) {
    for r in stride(from: 0, to: rows, by: 4) {
        var col = 0
        while col + 64 <= cols {
            linearScanTile4x64(n, a.base + r, a.stride, b.base + r, b.stride, c.base + col, c.stride,
                               x + r * cols + col, cols, out.base + col, out.stride, r > 0)
            col += 64
        }
        while col < cols {
            linearScanTile4x16(n, a.base + r, a.stride, b.base + r, b.stride, c.base + col, c.stride,
                               x + r * cols + col, cols, out.base + col, out.stride, r > 0)
            col += 16
        }
    }
}

/// One 4×64 state tile (16 SIMD16 registers) through `n` steps: 16 FMAs update the tile with
/// b_i[0..<4] ⊗ c_i[0..<64], 16 FMAs form a_i[0..<4]·tile and add it to out_i[0..<64] (or
/// overwrite out_i when `accumulate` is false). Rows advance by their strides `s…`.
@inline(never)
func linearScanTile4x64(_ n: Int, _ a: UnsafePointer<Float>, _ sa: Int, _ b: UnsafePointer<Float>, _ sb: Int,
                        _ c: UnsafePointer<Float>, _ sc: Int, _ x: UnsafeMutablePointer<Float>, _ sx: Int,
                        _ out: UnsafeMutablePointer<Float>, _ so: Int, _ accumulate: Bool) {
    if accumulate { linearTile4x64Body(n, a, sa, b, sb, c, sc, x, sx, out, so, true) }
    else { linearTile4x64Body(n, a, sa, b, sb, c, sc, x, sx, out, so, false) }
}

@inline(__always)
func linearTile4x64Body(_ n: Int, _ a: UnsafePointer<Float>, _ sa: Int, _ b: UnsafePointer<Float>, _ sb: Int,
                        _ c: UnsafePointer<Float>, _ sc: Int, _ x: UnsafeMutablePointer<Float>, _ sx: Int,
                        _ out: UnsafeMutablePointer<Float>, _ so: Int, _ accumulate: Bool) {
    let x1 = x + sx, x2 = x + 2 * sx, x3 = x + 3 * sx
    var x00 = linearLoad(x), x01 = linearLoad(x + 16), x02 = linearLoad(x + 32), x03 = linearLoad(x + 48)
    var x10 = linearLoad(x1), x11 = linearLoad(x1 + 16), x12 = linearLoad(x1 + 32), x13 = linearLoad(x1 + 48)
    var x20 = linearLoad(x2), x21 = linearLoad(x2 + 16), x22 = linearLoad(x2 + 32), x23 = linearLoad(x2 + 48)
    var x30 = linearLoad(x3), x31 = linearLoad(x3 + 16), x32 = linearLoad(x3 + 32), x33 = linearLoad(x3 + 48)
    var pa = a, pb = b, pc = c, po = out
    for _ in 0..<n {
        let c0 = linearLoad(pc), c1 = linearLoad(pc + 16), c2 = linearLoad(pc + 32), c3 = linearLoad(pc + 48)
        let b0 = SIMD16<Float>(repeating: pb[0]), b1 = SIMD16<Float>(repeating: pb[1])
        let b2 = SIMD16<Float>(repeating: pb[2]), b3 = SIMD16<Float>(repeating: pb[3])
        x00 = x00.addingProduct(b0, c0); x01 = x01.addingProduct(b0, c1)
        x02 = x02.addingProduct(b0, c2); x03 = x03.addingProduct(b0, c3)
        x10 = x10.addingProduct(b1, c0); x11 = x11.addingProduct(b1, c1)
        x12 = x12.addingProduct(b1, c2); x13 = x13.addingProduct(b1, c3)
        x20 = x20.addingProduct(b2, c0); x21 = x21.addingProduct(b2, c1)
        x22 = x22.addingProduct(b2, c2); x23 = x23.addingProduct(b2, c3)
        x30 = x30.addingProduct(b3, c0); x31 = x31.addingProduct(b3, c1)
        x32 = x32.addingProduct(b3, c2); x33 = x33.addingProduct(b3, c3)
        let a0 = SIMD16<Float>(repeating: pa[0]), a1 = SIMD16<Float>(repeating: pa[1])
        let a2 = SIMD16<Float>(repeating: pa[2]), a3 = SIMD16<Float>(repeating: pa[3])
        // out_i (+)= X_iᵀ a_i: start from the stored partial sum so the add folds into the FMAs.
        var o0: SIMD16<Float>, o1: SIMD16<Float>, o2: SIMD16<Float>, o3: SIMD16<Float>
        if accumulate {
            o0 = linearLoad(po).addingProduct(a0, x00); o1 = linearLoad(po + 16).addingProduct(a0, x01)
            o2 = linearLoad(po + 32).addingProduct(a0, x02); o3 = linearLoad(po + 48).addingProduct(a0, x03)
        } else {
            o0 = a0 * x00; o1 = a0 * x01; o2 = a0 * x02; o3 = a0 * x03
        }
        o0 = o0.addingProduct(a1, x10); o1 = o1.addingProduct(a1, x11)
        o2 = o2.addingProduct(a1, x12); o3 = o3.addingProduct(a1, x13)
        o0 = o0.addingProduct(a2, x20); o1 = o1.addingProduct(a2, x21)
        o2 = o2.addingProduct(a2, x22); o3 = o3.addingProduct(a2, x23)
        o0 = o0.addingProduct(a3, x30); o1 = o1.addingProduct(a3, x31)
        o2 = o2.addingProduct(a3, x32); o3 = o3.addingProduct(a3, x33)
        linearStore(o0, po); linearStore(o1, po + 16); linearStore(o2, po + 32); linearStore(o3, po + 48)
        pa += sa; pb += sb; pc += sc; po += so
    }
    linearStore(x00, x); linearStore(x01, x + 16); linearStore(x02, x + 32); linearStore(x03, x + 48)
    linearStore(x10, x1); linearStore(x11, x1 + 16); linearStore(x12, x1 + 32); linearStore(x13, x1 + 48)
    linearStore(x20, x2); linearStore(x21, x2 + 16); linearStore(x22, x2 + 32); linearStore(x23, x2 + 48)
    linearStore(x30, x3); linearStore(x31, x3 + 16); linearStore(x32, x3 + 32); linearStore(x33, x3 + 48)
}

/// `linearScanTile4x64` for a 4×16 tile (the column remainder).
@inline(never)
func linearScanTile4x16(_ n: Int, _ a: UnsafePointer<Float>, _ sa: Int, _ b: UnsafePointer<Float>, _ sb: Int,
                        _ c: UnsafePointer<Float>, _ sc: Int, _ x: UnsafeMutablePointer<Float>, _ sx: Int,
                        _ out: UnsafeMutablePointer<Float>, _ so: Int, _ accumulate: Bool) {
    var x0 = linearLoad(x), x1 = linearLoad(x + sx), x2 = linearLoad(x + 2 * sx), x3 = linearLoad(x + 3 * sx)
    var pa = a, pb = b, pc = c, po = out
    for _ in 0..<n {
        let c0 = linearLoad(pc)
        x0 = x0.addingProduct(SIMD16(repeating: pb[0]), c0); x1 = x1.addingProduct(SIMD16(repeating: pb[1]), c0)
        x2 = x2.addingProduct(SIMD16(repeating: pb[2]), c0); x3 = x3.addingProduct(SIMD16(repeating: pb[3]), c0)
        var o0 = accumulate ? linearLoad(po).addingProduct(SIMD16(repeating: pa[0]), x0) : SIMD16(repeating: pa[0]) * x0
        o0 = o0.addingProduct(SIMD16(repeating: pa[1]), x1)
        o0 = o0.addingProduct(SIMD16(repeating: pa[2]), x2)
        o0 = o0.addingProduct(SIMD16(repeating: pa[3]), x3)
        linearStore(o0, po)
        pa += sa; pb += sb; pc += sc; po += so
    }
    linearStore(x0, x); linearStore(x1, x + sx); linearStore(x2, x + 2 * sx); linearStore(x3, x + 3 * sx)
}

// MARK: - Small vector helpers

@inline(__always)
func linearLoad(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}

@inline(__always)
func linearStore(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
}

@inline(__always)
func linearRoundUp(_ n: Int, _ multiple: Int) -> Int { (n + multiple - 1) / multiple * multiple }

/// Keys a head attends to: `keyLengths[h / headsPerBatch]` clamped to 0...keyLength, or keyLength.
@inline(__always)
func linearKeyCount(_ keyLengths: UnsafePointer<Int32>?, head h: Int, headsPerBatch: Int, keyLength s: Int) -> Int {
    guard let keyLengths else { return s }
    return min(s, max(0, Int(keyLengths[h / headsPerBatch])))
}

/// y += x.
@inline(__always)
func linearAdd(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count n: Int) {
    linearAddScaled(x, scale: 1, into: y, count: n)
}

/// y += scale·x.
@inline(__always)
func linearAddScaled(_ x: UnsafePointer<Float>, scale: Float, into y: UnsafeMutablePointer<Float>, count n: Int) {
    let s = SIMD16<Float>(repeating: scale)
    var i = 0
    while i + 16 <= n { linearStore(linearLoad(y + i).addingProduct(s, linearLoad(x + i)), y + i); i += 16 }
    while i < n { y[i] += scale * x[i]; i += 1 }
}

/// y = scale·x (x and y may be the same buffer).
@inline(__always)
func linearScaledCopy(_ x: UnsafePointer<Float>, scale: Float, into y: UnsafeMutablePointer<Float>, count n: Int) {
    let s = SIMD16<Float>(repeating: scale)
    var i = 0
    while i + 16 <= n { linearStore(linearLoad(x + i) * s, y + i); i += 16 }
    while i < n { y[i] = scale * x[i]; i += 1 }
}

/// z = xScale·x + yScale·y (z may be x).
@inline(__always)
func linearCombine(_ x: UnsafePointer<Float>, _ xScale: Float, _ y: UnsafePointer<Float>, _ yScale: Float,
                   into z: UnsafeMutablePointer<Float>, count n: Int) {
    let xs = SIMD16<Float>(repeating: xScale), ys = SIMD16<Float>(repeating: yScale)
    var i = 0
    while i + 16 <= n { linearStore((linearLoad(x + i) * xs).addingProduct(ys, linearLoad(y + i)), z + i); i += 16 }
    while i < n { z[i] = xScale * x[i] + yScale * y[i]; i += 1 }
}
