import AttendNN
import AttendTensor
import AttendTestSupport
import Testing

@Suite("Attention mechanisms")
struct AttentionMechanismTests {
    func random(_ shape: [Int], _ seed: UInt64) -> Tensor { randomTensor(shape, seed: seed) }

    /// Runs the parallel causal form and the recurrent form step by step; returns the max difference.
    func recurrentDiscrepancy(_ mechanism: some AttentionMechanism, b: Int, h: Int, t: Int, d: Int) -> Float {
        recurrentDeviation(mechanism, b: b, h: h, t: t, keyDim: d, valueDim: d)
    }

    // correlation-as-written is left out on purpose: its output at t depends on later tokens and on
    // other sequences, so it has no recurrent form to compare (its `step` traps; generation throws).
    @Test("every kind with a recurrent form: the recurrent form equals the causal parallel form",
          arguments: AttentionKind.allCases.filter(\.supportsGeneration))
    func recurrentEqualsParallel(kind: AttentionKind) {
        #expect(recurrentDiscrepancy(kind.mechanism, b: 2, h: 3, t: 9, d: 4) <= 1e-4)
        #expect(recurrentDiscrepancy(kind.mechanism, b: 1, h: 2, t: 70, d: 16) <= 1e-4)
    }

    /// Causal kinds: outputs at ≤ 6 are unchanged. correlation-as-written is documented as non-causal,
    /// and the test shows it: changing position 7 changes some output at a position ≤ 6.
    @Test("every kind: changing the input at t+1 never changes outputs at ≤ t (correlation-as-written: it does)",
          arguments: AttentionKind.allCases)
    func causality(kind: AttentionKind) {
        let (b, h, t, d) = (1, 2, 12, 4)
        let q = random([b, h, t, d], 1), k = random([b, h, t, d], 2), v = random([b, h, t, d], 3)
        let base = withoutGradients { kind.mechanism(queries: q, keys: k, values: v, mask: .causal) }
        for x in [q, k, v] {
            for i in 0..<(b * h) { for c in 0..<d { x[flat: (i * t + 7) * d + c] += 0.5 } }
        }
        let changed = withoutGradients { kind.mechanism(queries: q, keys: k, values: v, mask: .causal) }
        func unchanged(_ i: Int, _ s: Int) -> Bool {
            (0..<d).allSatisfy { base[flat: (i * t + s) * d + $0] == changed[flat: (i * t + s) * d + $0] }
        }
        if kind == .correlationAsWritten {
            #expect((0..<(b * h)).contains { i in (0..<7).contains { s in !unchanged(i, s) } },
                    "correlation-as-written should leak position 7 into earlier outputs")
            return
        }
        for i in 0..<(b * h) {
            for s in 0..<t {
                #expect(unchanged(i, s) == (s < 7), "head \(i) position \(s)")
            }
        }
    }
}
