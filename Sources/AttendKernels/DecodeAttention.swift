import Foundation

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
            if d == 0 {
                scores.update(repeating: 0, count: length)
            } else {
                var j = 0
                while j + 4 <= length {  // four keys per pass: independent FMA chains, q loaded once
                    let kj = kh + j * d
                    let s4 = dotProducts4(qh, kj, kj + d, kj + 2 * d, kj + 3 * d, count: d)
                    scores[j] = scale * s4.0; scores[j + 1] = scale * s4.1
                    scores[j + 2] = scale * s4.2; scores[j + 3] = scale * s4.3
                    j += 4
                }
                while j < length { scores[j] = scale * dotProduct(qh, kh + j * d, count: d); j += 1 }
            }
            if let bias {
                let row = bias + (h % headsPerBatch) * length
                for j in 0..<length { scores[j] += row[j] }
            }
            softmaxRows(scores, scores, rows: 1, cols: length)
            // o = Σ_j p_j v_j, 64 output columns at a time held in registers across all j.
            var c0 = 0
            while c0 + 64 <= dv {
                var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
                for j in 0..<length {
                    let pv = SIMD16<Float>(repeating: scores[j]), vj = UnsafeRawPointer(vh + j * dv + c0)
                    a0 = a0.addingProduct(pv, vj.loadUnaligned(as: SIMD16<Float>.self))
                    a1 = a1.addingProduct(pv, vj.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self))
                    a2 = a2.addingProduct(pv, vj.loadUnaligned(fromByteOffset: 128, as: SIMD16<Float>.self))
                    a3 = a3.addingProduct(pv, vj.loadUnaligned(fromByteOffset: 192, as: SIMD16<Float>.self))
                }
                let out = UnsafeMutableRawPointer(oh + c0)
                out.storeBytes(of: a0, as: SIMD16<Float>.self)
                out.storeBytes(of: a1, toByteOffset: 64, as: SIMD16<Float>.self)
                out.storeBytes(of: a2, toByteOffset: 128, as: SIMD16<Float>.self)
                out.storeBytes(of: a3, toByteOffset: 192, as: SIMD16<Float>.self)
                c0 += 64
            }
            if c0 < dv {  // remaining columns (dv not a multiple of 64)
                (oh + c0).update(repeating: 0, count: dv - c0)
                for j in 0..<length {
                    let p = scores[j], vj = vh + j * dv
                    for c in c0..<dv { oh[c] += p * vj[c] }
                }
            }
        }
    }
}

/// Plain-loop twin of `decodeAttentionStep` for the tests (same arguments, same meaning).
public func decodeAttentionStepReference(query q: UnsafePointer<Float>, keys k: UnsafePointer<Float>,
                                         values v: UnsafePointer<Float>, output o: UnsafeMutablePointer<Float>,
                                         batchHeads bh: Int, length: Int, capacity: Int, headDim d: Int, scale: Float,
                                         valueDim: Int? = nil, bias: UnsafePointer<Float>? = nil, headsPerBatch: Int = 1) {
    let dv = valueDim ?? d
    for h in 0..<bh {
        var scores = [Float](repeating: 0, count: length)
        for j in 0..<length {
            var s: Float = 0
            for c in 0..<d { s += q[h * d + c] * k[(h * capacity + j) * d + c] }
            scores[j] = scale * s + (bias.map { $0[(h % headsPerBatch) * length + j] } ?? 0)
        }
        let m = scores.max()!
        let e = scores.map { Float(exp(Double($0 - m))) }
        let z = e.reduce(0, +)
        for c in 0..<dv {
            var acc: Float = 0
            for j in 0..<length { acc += e[j] / z * v[(h * capacity + j) * dv + c] }
            o[h * dv + c] = acc
        }
    }
}
