/// One query attending over a key–value cache (softmax attention's recurrent form).
///
/// For each batch·head h: s_j = scale · q_h · k_{h,j} for j < length, p = softmax(s), o_h = Σ_j p_j v_{h,j}.
/// q, o: [BH, D]; keys, values: [BH, capacity, D] with the first `length` rows filled. O(length·D) per head.
/// `bias` (optional) is row t of a relative-position bias, [headsPerBatch, length]: s_j += bias[h mod H, j],
/// so the step equals the last row of `flashAttentionForward` with the same bias. `valueDim`
/// (default `headDim`) lets keys be narrower than values — 0 for dot-product-free attention.
public func decodeAttentionStep(query q: UnsafePointer<Float>, keys k: UnsafePointer<Float>,
                                values v: UnsafePointer<Float>, output o: UnsafeMutablePointer<Float>,
                                batchHeads bh: Int, length: Int, capacity: Int, headDim d: Int, scale: Float,
                                valueDim: Int? = nil, bias: UnsafePointer<Float>? = nil, headsPerBatch: Int = 1) {
    let dv = valueDim ?? d
    precondition(length >= 1 && length <= capacity, "decodeAttentionStep: bad cache length")
    parallelChunks(bh, work: bh * length * (d + dv) * 2) { range in
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: length)
        defer { scores.deallocate() }
        for h in range {
            let qh = q + h * d, kh = k + h * capacity * d, vh = v + h * capacity * dv, oh = o + h * dv
            for j in 0..<length {
                scores[j] = d == 0 ? 0 : scale * dotProduct(qh, kh + j * d, count: d)
            }
            if let bias {
                let row = bias + (h % headsPerBatch) * length
                for j in 0..<length { scores[j] += row[j] }
            }
            softmaxRows(scores, scores, rows: 1, cols: length)
            oh.update(repeating: 0, count: dv)
            for j in 0..<length {
                let p = scores[j], vj = vh + j * dv
                var c = 0
                let pv = SIMD16<Float>(repeating: p)
                while c + 16 <= dv {
                    let cur = UnsafeRawPointer(oh + c).loadUnaligned(as: SIMD16<Float>.self)
                    UnsafeMutableRawPointer(oh + c).storeBytes(
                        of: cur.addingProduct(pv, UnsafeRawPointer(vj + c).loadUnaligned(as: SIMD16<Float>.self)),
                        as: SIMD16<Float>.self)
                    c += 16
                }
                while c < dv { oh[c] += p * vj[c]; c += 1 }
            }
        }
    }
}
