import AttendTensor
import AttendTestSupport
import Testing

@Suite("Every op's gradient matches central finite differences")
struct OpGradientTests {
    @Test("add, broadcast add, multiply, scale, subtract")
    func arithmetic() {
        let a = randomTensor([3, 4, 5], seed: 1), b = randomTensor([3, 4, 5], seed: 2), c = randomTensor([4, 5], seed: 3)
        checkGradients([a, b]) { $0[0] + $0[1] }
        checkGradients([a, c]) { $0[0] + $0[1] }
        checkGradients([a, b]) { $0[0] * $0[1] }
        checkGradients([a]) { $0[0] * 2.5 }
        checkGradients([a, b]) { $0[0] - $0[1] }
    }

    @Test("sum and mean")
    func reductions() {
        let a = randomTensor([2, 7], seed: 4)
        checkGradients([a]) { $0[0].sum() }
        checkGradients([a]) { $0[0].mean() }
    }

    @Test("linear with and without bias", arguments: [true, false])
    func linear(bias: Bool) {
        let x = randomTensor([2, 3, 5], seed: 5), w = randomTensor([7, 5], seed: 6), b = randomTensor([7], seed: 7)
        if bias { checkGradients([x, w, b]) { Tensor.linear($0[0], weight: $0[1], bias: $0[2]) } }
        else { checkGradients([x, w]) { Tensor.linear($0[0], weight: $0[1]) } }
    }

    @Test("matmul with a shared and a batched right operand")
    func matmul() {
        let a = randomTensor([2, 3, 4], seed: 8), b = randomTensor([4, 5], seed: 9), bb = randomTensor([2, 4, 5], seed: 10)
        checkGradients([a, b]) { $0[0].matmul($0[1]) }
        checkGradients([a, bb]) { $0[0].matmul($0[1]) }
    }

    @Test("reshape, permute, transpose, slice, concatenate")
    func shapes() {
        let a = randomTensor([2, 3, 4], seed: 11), b = randomTensor([2, 2, 4], seed: 12)
        checkGradients([a]) { $0[0].reshaped([6, -1]) * 1.5 }
        checkGradients([a]) { $0[0].permuted([2, 0, 1]) }
        checkGradients([a]) { $0[0].transposedLastTwo() }
        checkGradients([a]) { $0[0].sliced(1..<3, along: 1) }
        checkGradients([a, b]) { Tensor.concatenate([$0[0], $0[1]], along: 1) }
    }

    @Test("embedding lookup with repeated ids")
    func embedding() {
        let table = randomTensor([5, 3], seed: 13)
        checkGradients([table]) { Tensor.embedding([0, 4, 4, 2, 0, 1], shape: [2, 3], table: $0[0]) }
    }

    @Test("head split and merge")
    func heads() {
        let x = randomTensor([2, 3, 12], seed: 14)
        checkGradients([x]) { $0[0].splitHeads(numHeads: 2, chunk: 1, of: 3) }
        // Unequal parts (queries/keys of H·d_k columns, values of H·d_v): columns 4..<10 of 12 into 2 heads of 3.
        checkGradients([x]) { $0[0].splitHeads(numHeads: 2, columns: 4..<10) }
        let split = x.splitHeads(numHeads: 2, columns: 4..<10)
        #expect(split.shape == [2, 2, 3, 3])
        #expect(split[flat: ((1 * 2 + 1) * 3 + 2) * 3 + 1] == x[flat: (1 * 3 + 2) * 12 + 4 + 3 + 1])  // b 1, head 1, t 2, channel 1
        #expect(x.splitHeads(numHeads: 2, columns: 4..<8).scalars == x.splitHeads(numHeads: 2, chunk: 1, of: 3).scalars)
        let y = randomTensor([2, 2, 3, 4], seed: 15)
        checkGradients([y]) { $0[0].mergeHeads() }
    }

    @Test("layer norm with and without shift", arguments: [true, false])
    func layerNorm(withBeta: Bool) {
        let x = randomTensor([4, 6], seed: 16, scale: 2), g = randomTensor([6], seed: 17), b = randomTensor([6], seed: 18)
        if withBeta { checkGradients([x, g, b]) { Tensor.layerNorm($0[0], gamma: $0[1], beta: $0[2]) } }
        else { checkGradients([x, g]) { Tensor.layerNorm($0[0], gamma: $0[1], beta: nil) } }
    }

    @Test("GELU, ReLU, SiLU")
    func activations() {
        let x = randomTensor([3, 7], seed: 19, scale: 3)
        checkGradients([x]) { $0[0].gelu() }
        checkGradients([x], epsilon: 1e-3) { $0[0].relu() }
        checkGradients([x]) { $0[0].silu() }
    }

    @Test("softmax and log-softmax")
    func softmax() {
        let x = randomTensor([3, 5], seed: 20, scale: 2)
        checkGradients([x]) { $0[0].softmax() }
        checkGradients([x]) { $0[0].logSoftmax() }
    }

    @Test("cross-entropy from logits, with an ignored row")
    func crossEntropy() {
        let x = randomTensor([4, 6], seed: 21, scale: 2)
        checkGradients([x]) { Tensor.crossEntropy(logits: $0[0], targets: [1, 5, -1, 0]) }
    }

    @Test("dropout with a fixed mask")
    func dropout() {
        let x = randomTensor([5, 5], seed: 22)
        checkGradients([x]) { inputs in
            var rng = RandomGenerator(seed: 5)
            return inputs[0].dropout(0.3, rng: &rng)
        }
    }

    @Test("scaled dot-product attention", arguments: [AttentionMask.causal, .none])
    func attention(mask: AttentionMask) {
        let q = randomTensor([1, 2, 5, 3], seed: 23), k = randomTensor([1, 2, 5, 3], seed: 24), v = randomTensor([1, 2, 5, 4], seed: 25)
        checkGradients([q, k, v]) { Tensor.scaledDotProductAttention(queries: $0[0], keys: $0[1], values: $0[2], mask: mask) }
    }

    @Test("a gradient used twice accumulates")
    func accumulation() {
        let a = randomTensor([4], seed: 26)
        checkGradients([a]) { $0[0] * $0[0] + $0[0] }
    }
}

@Suite("Tensor basics")
struct TensorBasicsTests {
    @Test("attention kernel matches the plain reference", arguments: [(1, 1, 1), (3, 3, 4), (5, 7, 3)])
    func attentionReference(shape: (Int, Int, Int)) {
        let (t, s, d) = shape
        for causal in [true, false] {
            let q = randomTensor([1, 2, t, d], seed: 1), k = randomTensor([1, 2, s, d], seed: 2), v = randomTensor([1, 2, s, d], seed: 3)
            let out = withoutGradients { Tensor.scaledDotProductAttention(queries: q, keys: k, values: v, mask: causal ? .causal : .none) }
            let ref = Tensor.zeros(out.shape)
            denseAttentionReferenceCall(q, k, v, ref, t: t, s: s, d: d, causal: causal)
            for i in 0..<out.count { #expect(abs(out[flat: i] - ref[flat: i]) < 1e-5) }
        }
    }

    @Test("backward with no recorded ops leaves the seed gradient")
    func emptyBackward() {
        let a = Tensor([1, 2], shape: [2], requiresGrad: true)
        let s = a.sum()
        s.backward()
        #expect(a.grad?.scalars == [1, 1])
    }

    @Test("no-grad mode records nothing")
    func noGrad() {
        let a = Tensor([1, 2], shape: [2], requiresGrad: true)
        Tape.current.reset()
        _ = withoutGradients { a * 3 }
        #expect(Tape.current.count == 0)
    }

    @Test("safetensors round-trips tensors and metadata, and rejects truncated bytes")
    func safetensors() throws {
        let a = randomTensor([3, 4], seed: 1), b = randomTensor([5], seed: 2)
        let data = try Safetensors.encode([("a", a), ("b", b)], metadata: ["k": "v"])
        let (tensors, meta) = try Safetensors.decode(data)
        #expect(tensors["a"]?.scalars == a.scalars && tensors["a"]?.shape == [3, 4])
        #expect(tensors["b"]?.scalars == b.scalars)
        #expect(meta == ["k": "v"])
        #expect(throws: TensorFileError.self) { try Safetensors.decode(data.prefix(data.count - 3)) }
        #expect(throws: TensorFileError.self) { try Safetensors.decode(data.prefix(5)) }
    }
}

import AttendKernels

func denseAttentionReferenceCall(_ q: Tensor, _ k: Tensor, _ v: Tensor, _ o: Tensor, t: Int, s: Int, d: Int, causal: Bool) {
    denseAttentionReference(queries: q.pointer, keys: k.pointer, values: v.pointer, output: o.pointer,
                            batchHeads: 2, queryLength: t, keyLength: s, headDim: d, valueDim: d,
                            scale: 1 / Float(d).squareRoot(), causal: causal)
}

@Suite("Linear attention op gradients")
struct LinearAttentionGradientTests {
    @Test("elu+1 feature map")
    func elu() {
        checkGradients([randomTensor([3, 5], seed: 30, scale: 2)]) { $0[0].eluPlusOne() }
    }

    @Test("linear attention, causal and not", arguments: [true, false])
    func linear(causal: Bool) {
        let q = randomTensor([1, 2, 6, 3], seed: 31), k = randomTensor([1, 2, 6, 3], seed: 32), v = randomTensor([1, 2, 6, 4], seed: 33)
        checkGradients([q, k, v]) {
            Tensor.linearAttention(queries: $0[0].eluPlusOne(), keys: $0[1].eluPlusOne(), values: $0[2], causal: causal)
        }
    }
}

@Suite("Fused attention op")
struct FlashAttentionOpTests {
    @Test("gradients match finite differences", arguments: [AttentionMask.causal, .none, .padding([3, 5]), AttentionMask(causal: true, keyLengths: [4, 2])])
    func gradients(mask: AttentionMask) {
        let q = randomTensor([2, 2, 5, 3], seed: 41), k = randomTensor([2, 2, 5, 3], seed: 42), v = randomTensor([2, 2, 5, 4], seed: 43)
        checkGradients([q, k, v]) { Tensor.flashAttention(queries: $0[0], keys: $0[1], values: $0[2], mask: mask) }
    }

    @Test("equals the materialising attention", arguments: [AttentionMask.causal, .none])
    func matchesDense(mask: AttentionMask) {
        let q = randomTensor([2, 3, 37, 8], seed: 44), k = randomTensor([2, 3, 37, 8], seed: 45), v = randomTensor([2, 3, 37, 8], seed: 46)
        let a = withoutGradients { Tensor.flashAttention(queries: q, keys: k, values: v, mask: mask) }
        let b = withoutGradients { Tensor.scaledDotProductAttention(queries: q, keys: k, values: v, mask: mask) }
        #expect(zip(a.scalars, b.scalars).allSatisfy { abs($0 - $1) < 1e-5 })
    }

    @Test("padded keys never influence the output")
    func paddingIgnored() {
        let q = randomTensor([2, 2, 4, 3], seed: 47), k = randomTensor([2, 2, 6, 3], seed: 48), v = randomTensor([2, 2, 6, 3], seed: 49)
        let mask = AttentionMask.padding([4, 6])
        let before = withoutGradients { Tensor.flashAttention(queries: q, keys: k, values: v, mask: mask) }
        // Scramble batch element 0's padded keys/values (positions 4, 5).
        for h in 0..<2 { for j in 4..<6 { for c in 0..<3 {
            k[flat: ((0 * 2 + h) * 6 + j) * 3 + c] = 50
            v[flat: ((0 * 2 + h) * 6 + j) * 3 + c] = -50
        } } }
        let after = withoutGradients { Tensor.flashAttention(queries: q, keys: k, values: v, mask: mask) }
        #expect(before.scalars == after.scalars)
    }
}

@Suite("FAVOR+ random features")
struct FavorFeatureTests {
    @Test("gradient matches finite differences")
    func gradient() {
        let x = randomTensor([2, 3, 8], seed: 50), w = randomTensor([6, 8], seed: 51, scale: 1.5)
        checkGradients([x]) { $0[0].favorFeatures(projection: w) }
    }

    @Test("φ(q)·φ(k) estimates the softmax kernel exp(q·k/√D) without bias")
    func estimatesSoftmaxKernel() {
        let d = 8, m = 20_000
        var rng = RandomGenerator(seed: 52)
        let w = Tensor.normal([m, d], rng: &rng)
        let q = randomTensor([1, d], seed: 53, scale: 0.8), k = randomTensor([1, d], seed: 54, scale: 0.8)
        let fq = withoutGradients { q.favorFeatures(projection: w) }, fk = withoutGradients { k.favorFeatures(projection: w) }
        var estimate: Double = 0
        for i in 0..<m { estimate += Double(fq[flat: i]) * Double(fk[flat: i]) }
        var dot: Double = 0
        for c in 0..<d { dot += Double(q[flat: c]) * Double(k[flat: c]) }
        let exact = Foundation.exp(dot / Double(d).squareRoot())
        #expect(abs(estimate - exact) / exact < 0.03, "estimate \(estimate) vs exact \(exact)")
    }
}

import Foundation
