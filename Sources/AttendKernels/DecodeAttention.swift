/// One query attending over a key–value cache (softmax attention's recurrent form).
///
/// For each batch·head h: s_j = scale · q_h · k_{h,j} for j < length, p = softmax(s), o_h = Σ_j p_j v_{h,j}.
/// q, o: [BH, D]; keys, values: [BH, capacity, D] with the first `length` rows filled. O(length·D) per head.
public func decodeAttentionStep(query q: UnsafePointer<Float>, keys k: UnsafePointer<Float>,
                                values v: UnsafePointer<Float>, output o: UnsafeMutablePointer<Float>,
                                batchHeads bh: Int, length: Int, capacity: Int, headDim d: Int, scale: Float) {
    precondition(length >= 1 && length <= capacity, "decodeAttentionStep: bad cache length")
    parallelChunks(bh, work: bh * length * d * 4) { range in
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: length)
        defer { scores.deallocate() }
        for h in range {
            let qh = q + h * d, kh = k + h * capacity * d, vh = v + h * capacity * d, oh = o + h * d
            for j in 0..<length {
                scores[j] = scale * dotProduct(qh, kh + j * d, count: d)
            }
            softmaxRows(scores, scores, rows: 1, cols: length)
            oh.update(repeating: 0, count: d)
            for j in 0..<length {
                let p = scores[j], vj = vh + j * d
                var c = 0
                let pv = SIMD16<Float>(repeating: p)
                while c + 16 <= d {
                    let cur = UnsafeRawPointer(oh + c).loadUnaligned(as: SIMD16<Float>.self)
                    UnsafeMutableRawPointer(oh + c).storeBytes(
                        of: cur.addingProduct(pv, UnsafeRawPointer(vj + c).loadUnaligned(as: SIMD16<Float>.self)),
                        as: SIMD16<Float>.self)
                    c += 16
                }
                while c < d { oh[c] += p * vj[c]; c += 1 }
            }
        }
    }
}
