// Tests for the KV-cache decode step (softmax attention's recurrent form) against its plain-loop twin.
import Testing
import AttendKernels
import AttendTensor

@Suite("Decode attention kernel")
struct DecodeAttentionKernelTests {
    @Test("decodeAttentionStep equals its reference for head widths around 64 and cache lengths 1…257",
          arguments: [(3, 1, 64), (2, 3, 8), (2, 7, 64), (1, 64, 80), (2, 257, 64), (8, 130, 128), (2, 5, 17)])
    func matchesReference(bh: Int, length: Int, d: Int) {
        var rng = RandomGenerator(seed: UInt64(bh * 1000 + length * 10 + d))
        let capacity = length + 3  // rows past `length` hold garbage the kernel must not read
        let q = (0..<(bh * d)).map { _ in rng.nextUniform() * 2 - 1 }
        let k = (0..<(bh * capacity * d)).map { _ in rng.nextUniform() * 2 - 1 }
        var v = (0..<(bh * capacity * d)).map { _ in rng.nextUniform() * 2 - 1 }
        for h in 0..<bh { for j in length..<capacity { for c in 0..<d { v[(h * capacity + j) * d + c] = .nan } } }
        var fast = [Float](repeating: 0, count: bh * d), slow = fast
        decodeAttentionStep(query: q, keys: k, values: v, output: &fast, batchHeads: bh, length: length,
                            capacity: capacity, headDim: d, scale: 0.3)
        decodeAttentionStepReference(query: q, keys: k, values: v, output: &slow, batchHeads: bh, length: length,
                                     capacity: capacity, headDim: d, scale: 0.3)
        let maxDiff = zip(fast, slow).map { abs($0 - $1) }.max()!
        #expect(maxDiff <= 1e-5, "max |fast − reference| = \(maxDiff)")
    }
}
