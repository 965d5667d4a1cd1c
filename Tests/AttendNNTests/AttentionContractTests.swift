import AttendNN
import AttendTensor
import AttendTestSupport
import Testing

/// Every mechanism the spec can make: each kind plain, softmax with each relative-position bias
/// (and dot-product-free), and rotary with softmax and every linear kind.
let everySpec: [AttentionSpec] = AttentionKind.allCases.map { AttentionSpec(kind: $0) }
    + PositionBias.allCases.filter { $0 != .none }.map { AttentionSpec(positionBias: $0, positionBuckets: 8, positionMaxDistance: 16) }
    + [AttentionSpec(positionBias: .logType, dotProduct: false), AttentionSpec(positionBias: .alibi, rotary: true)]
    + AttentionKind.allCases.filter(\.acceptsRotary).map { AttentionSpec(kind: $0, rotary: true) }

extension AttentionSpec: CustomTestStringConvertible {
    public var testDescription: String {
        kind.rawValue + (positionBias == .none ? "" : " + \(positionBias.rawValue)") + (dotProduct ? "" : " (no dot product)")
            + (rotary ? " + rotary" : "")
    }
}

/// The spec's mechanism for `heads` heads, with its position bias (random so that it matters).
func mechanism(_ spec: AttentionSpec, heads: Int, seed: UInt64 = 21) -> any AttentionMechanism {
    let bias = spec.makePositionBias(numHeads: heads)
    if let weight = bias?.weight {
        var rng = RandomGenerator(seed: seed)
        weight.copyValues(from: Tensor.uniform(weight.shape, low: -1, high: 1, rng: &rng))
    }
    return spec.makeMechanism(positionBias: bias)
}

func uniform(_ shape: [Int], _ seed: UInt64) -> Tensor { randomTensor(shape, seed: seed) }

@Suite("The attention contract, for every mechanism the spec makes")
struct AttentionContractTests {
    @Test("key padding is honoured: padded keys change nothing and a padded row equals its unpadded run (or the spec refuses)",
          arguments: everySpec)
    func padding(spec: AttentionSpec) throws {
        let m = mechanism(spec, heads: 2)
        guard m.capabilities.padding else {
            for use in [AttentionUse.encoder, .cross] {
                #expect(throws: AttentionSpecError.self) { try spec.validate(as: use) }
                do { try spec.validate(as: use) } catch let e as AttentionSpecError {
                    #expect(e.field == "attention" && e.message.contains("padded source") && e.message.contains("softmax, linear"))
                }
            }
            return
        }
        let (s, d) = (7, 4), kd = spec.dotProduct ? d : 0
        let q = uniform([2, 2, s, kd], 4), k = uniform([2, 2, s, kd], 5), v = uniform([2, 2, s, d], 6)
        let lengths: [Int32] = [7, 4]
        let out = withoutGradients { m(queries: q, keys: k, values: v, mask: .padding(lengths)) }
        // Scribble over the padded keys and values of sequence 1 (positions 4…6).
        for x in [k, v] {
            let w = x.shape[3]
            for hh in 0..<2 { for p in 4..<s { for c in 0..<w { x[flat: ((2 + hh) * s + p) * w + c] = 0.3 + 0.1 * Float(c) } } }
        }
        let scribbled = withoutGradients { m(queries: q, keys: k, values: v, mask: .padding(lengths)) }
        #expect(out.scalars == scribbled.scalars)
        // Sequence 1 alone, cut to its 4 real positions, without a mask: the same first 4 rows.
        func cut(_ x: Tensor, _ n: Int) -> Tensor { x.sliced(1..<2, along: 0).sliced(0..<n, along: 2) }
        let alone = withoutGradients { m(queries: cut(q, 4), keys: cut(k, 4), values: cut(v, 4), mask: AttentionMask(causal: false, keyLengths: nil)) }
        let padded = cut(out, 4)
        var worst: Float = 0
        for i in 0..<alone.count { worst = max(worst, abs(alone[flat: i] - padded[flat: i])) }
        #expect(worst <= 1e-5)
        // The padded rows really differ from attending to every key (the mask did something).
        let unmasked = withoutGradients { m(queries: q, keys: k, values: v, mask: AttentionMask(causal: false, keyLengths: nil)) }
        #expect(cut(unmasked, 4).scalars != padded.scalars)
    }

    @Test("the recurrent form equals the causal parallel form; reordering the state equals splicing the sequences",
          arguments: everySpec)
    func recurrent(spec: AttentionSpec) {
        let m = mechanism(spec, heads: 3)
        guard m.capabilities.recurrent else {
            #expect(throws: AttentionError.noRecurrentForm(spec.kind)) { try spec.requireRecurrentForm() }
            return
        }
        let kd = spec.dotProduct ? 4 : 0
        #expect(recurrentDeviation(m, b: 2, h: 3, t: 9, keyDim: kd, valueDim: 4) <= 1e-4)
        #expect(recurrentDeviation(m, b: 3, h: 3, t: 21, keyDim: kd, valueDim: 4, reorder: [2, 0, 0], at: 17) <= 1e-4)
    }

    @Test("keys narrower or wider than values (d_k ≠ d_v): the recurrent form equals the causal parallel form, with a beam reorder",
          arguments: everySpec.filter(\.dotProduct))
    func recurrentKeyWidth(spec: AttentionSpec) {
        let m = mechanism(spec, heads: 2)
        guard m.capabilities.recurrent else { return }
        for keyDim in [2, 6] {
            let deviation = recurrentDeviation(m, b: 2, h: 2, t: 9, keyDim: keyDim, valueDim: 4)
            #expect(deviation <= 1e-4, "d_k \(keyDim): \(deviation)")
            #expect(recurrentDeviation(m, b: 3, h: 2, t: 12, keyDim: keyDim, valueDim: 4, reorder: [2, 0, 0], at: 7) <= 1e-4)
        }
        // The output has the values' width, and the key width matters (d_k 2 and 6 give different rows).
        let q = uniform([1, 2, 5, 6], 3), k = uniform([1, 2, 5, 6], 4), v = uniform([1, 2, 5, 4], 5)
        let wide = withoutGradients { m(queries: q, keys: k, values: v, mask: .causal) }
        func narrow(_ x: Tensor) -> Tensor { x.sliced(0..<2, along: 3) }  // the first 2 channels of every head
        let cut = withoutGradients { m(queries: narrow(q), keys: narrow(k), values: v, mask: .causal) }
        #expect(wide.shape == [1, 2, 5, 4] && cut.shape == [1, 2, 5, 4])
        #expect(zip(wide.scalars, cut.scalars).contains { abs($0 - $1) > 1e-3 })
    }

    @Test("cross-attention memory with keys narrower than values equals the parallel row under the source padding",
          arguments: everySpec)
    func memoryKeyWidth(spec: AttentionSpec) throws {
        guard (try? spec.validate(as: .cross)) != nil else { return }
        let m = mechanism(spec, heads: 2)
        let (s, t, dk, dv) = (6, 3, 2, 5)
        let q = uniform([2, 2, t, dk], 17), k = uniform([2, 2, s, dk], 18), v = uniform([2, 2, s, dv], 19)
        let lengths: [Int32] = [6, 3]
        let parallel = withoutGradients { m(queries: q, keys: k, values: v, mask: .padding(lengths)) }
        let prepared = AttentionMemory(m, keys: k, values: v, keyLengths: lengths)
        var worst: Float = 0
        for r in 0..<t {
            let out = prepared(query: stepRow(q, r)), expected = stepRow(parallel, r)
            #expect(out.shape == [2, 2, dv])
            for i in 0..<out.count { worst = max(worst, abs(out[flat: i] - expected[flat: i])) }
        }
        #expect(worst <= 1e-5)
    }

    @Test("cross-attention memory: one query at a time equals the parallel row under the source padding", arguments: everySpec)
    func memory(spec: AttentionSpec) throws {
        guard (try? spec.validate(as: .cross)) != nil else {
            #expect(spec.positionBias != .none || spec.rotary || !spec.kind.capabilities.padding)
            return
        }
        let m = mechanism(spec, heads: 2)
        let (s, t, d) = (6, 3, 4)
        let q = uniform([2, 2, t, d], 7), k = uniform([2, 2, s, d], 8), v = uniform([2, 2, s, d], 9)
        let lengths: [Int32] = [6, 2]
        let parallel = withoutGradients { m(queries: q, keys: k, values: v, mask: .padding(lengths)) }
        let prepared = AttentionMemory(m, keys: k, values: v, keyLengths: lengths)
        let beams = prepared.gathering(rows: [1, 1, 0])
        for r in 0..<t {
            let out = prepared(query: stepRow(q, r)), expected = stepRow(parallel, r)
            for i in 0..<out.count { #expect(abs(out[flat: i] - expected[flat: i]) <= 1e-5) }
            // Gathered rows: beam n reads source row [1, 1, 0][n].
            let query = stepRow(q, r).gatheringRows([1, 1, 0])
            let gathered = beams(query: query), reference = expected.gatheringRows([1, 1, 0])
            for i in 0..<gathered.count { #expect(abs(gathered[flat: i] - reference[flat: i]) <= 1e-5) }
        }
    }

    @Test("cost: a fixed-size state does not grow with the context, a cache does; FLOPs are positive and grow for quadratic kinds",
          arguments: everySpec)
    func cost(spec: AttentionSpec) {
        let short = spec.cost(length: 64, heads: 4, headDim: 16), long = spec.cost(length: 4096, heads: 4, headDim: 16)
        #expect(short.flopsPerToken > 0 && short.efficiency > 0 && short.efficiency < 1)
        if spec.capabilities.fixedSizeState {
            #expect(short.stateBytes == long.stateBytes && short.stateBytes > 0)
            #expect(short.flopsPerToken == long.flopsPerToken)
        } else {
            #expect(long.flopsPerToken > 8 * short.flopsPerToken)
            if spec.capabilities.recurrent { #expect(long.stateBytes == 64 * short.stateBytes) }
        }
    }

    @Test("the softmax key–value cache costs 2·T·H·D floats; linear attention's state is H·(M·D + M) floats")
    func costNumbers() {
        #expect(AttentionSpec().cost(length: 100, heads: 2, headDim: 8).stateBytes == Double(2 * 100 * 2 * 8 * 4))
        #expect(AttentionSpec(kind: .linear).cost(length: 100, heads: 2, headDim: 8).stateBytes == Double(2 * (8 * 8 + 8) * 4))
        #expect(AttentionSpec(kind: .linearFavor, favorFeatures: 32).cost(length: 100, heads: 2, headDim: 8).stateBytes
                == Double(2 * (32 * 8 + 32) * 4))
        // correlation-as-written: the four Float64 spectra reach 1.07 GB at T = 16384 (B 1, H 8, D 64).
        let spectra = AttentionSpec(kind: .correlationAsWritten).cost(length: 16384, heads: 8, headDim: 64).workingBytes
        #expect(abs(spectra - 4 * 8 * 32768 * 128 * 8) < 1)
    }
}
