import AttendKernels
import AttendModels
import AttendNN
import AttendTensor
import Testing

@Suite("Correlation attention")
struct CorrelationAttentionTests {
    @Test("correlate matches scipy.signal.correlate(Q, K, mode='same') from the SciPy fixture",
          arguments: CorrelationFixture.cases.indices)
    func correlationMatchesSciPy(index: Int) {
        let c = CorrelationFixture.cases[index]
        let q = Tensor(c.queries, shape: c.shape), k = Tensor(c.keys, shape: c.shape)
        let chosen = Tensor.correlate(q, k)
        var viaFFT = [Float](repeating: 0, count: q.count), direct = viaFFT
        correlateSameFFT(q.pointer, k.pointer, &viaFFT, shape: c.shape)
        correlateSameReference(q.pointer, k.pointer, &direct, shape: c.shape)
        for i in 0..<q.count {
            #expect(abs(Double(chosen[flat: i]) - c.correlation[i]) <= 1e-4, "shape \(c.shape) element \(i)")
            #expect(abs(Double(viaFFT[i]) - c.correlation[i]) <= 1e-4, "FFT, shape \(c.shape) element \(i)")
            #expect(abs(Double(direct[i]) - c.correlation[i]) <= 1e-4, "direct, shape \(c.shape) element \(i)")
        }
    }

    @Test("correlation-as-written matches the published code's attention output (SciPy + PyTorch fixture)",
          arguments: CorrelationFixture.cases.indices)
    func asWrittenMatchesPublishedCode(index: Int) {
        let c = CorrelationFixture.cases[index]
        let q = Tensor(c.queries, shape: c.shape), k = Tensor(c.keys, shape: c.shape), v = Tensor(c.values, shape: c.shape)
        let mechanism = CorrelationAsWrittenAttention()
        // The model passes the causal mask; as written, it is ignored.
        for mask in [AttentionMask.causal, .none] {
            let out = withoutGradients { mechanism(queries: q, keys: k, values: v, mask: mask) }
            for i in 0..<out.count {
                #expect(abs(Double(out[flat: i]) - c.attention[i]) <= 1e-4, "shape \(c.shape) element \(i)")
            }
        }
    }

    @Test("correlation-as-written: no gradient reaches Q; K's gradient treats the correlation as a constant")
    func asWrittenGradients() {
        var rng = RandomGenerator(seed: 40)
        let shape = [2, 2, 5, 4]
        let q = Tensor.uniform(shape, low: -1, high: 1, rng: &rng), k = Tensor.uniform(shape, low: -1, high: 1, rng: &rng)
        let v = Tensor.uniform(shape, low: -1, high: 1, rng: &rng), w = Tensor.uniform(shape, low: -1, high: 1, rng: &rng)
        for x in [q, k, v] { x.requiresGrad = true }
        Tape.current.reset()
        (CorrelationAsWrittenAttention()(queries: q, keys: k, values: v, mask: .causal) * w).sum().backward()
        #expect(q.grad == nil)
        let dk = k.grad!.scalars, dv = v.grad!.scalars
        for x in [q, k, v] { x.grad = nil }
        // The same loss with C computed beforehand as a plain constant tensor.
        let constant = withoutGradients { Tensor.correlate(q, k) }
        Tape.current.reset()
        (Tensor.flashAttention(queries: constant, keys: k, values: v, mask: .none) * w).sum().backward()
        let dk2 = k.grad!.scalars, dv2 = v.grad!.scalars
        for x in [q, k, v] { x.grad = nil; x.requiresGrad = false }
        #expect(zip(dk, dk2).allSatisfy { abs($0 - $1) <= 1e-6 })
        #expect(zip(dv, dv2).allSatisfy { abs($0 - $1) <= 1e-6 })
    }

    @Test("correlation-as-written mixes sequences: changing sequence 1 changes sequence 0's output")
    func asWrittenMixesTheBatch() {
        var rng = RandomGenerator(seed: 41)
        let shape = [2, 1, 6, 4]
        let q = Tensor.uniform(shape, low: -1, high: 1, rng: &rng), k = Tensor.uniform(shape, low: -1, high: 1, rng: &rng)
        let v = Tensor.uniform(shape, low: -1, high: 1, rng: &rng)
        let mechanism = CorrelationAsWrittenAttention()
        let base = withoutGradients { mechanism(queries: q, keys: k, values: v, mask: .causal) }
        // Sequence 1's keys only (with B = 2, C[0] = Σ_n Q[0]⋆K[1]: sequence 0 reads sequence 1's keys).
        for i in 24..<48 { k[flat: i] += 0.5 }
        let changed = withoutGradients { mechanism(queries: q, keys: k, values: v, mask: .causal) }
        #expect((0..<24).contains { base[flat: $0] != changed[flat: $0] })
    }

    @Test("causal correlation with T = 1 is softmax attention (one key: the output is its value)")
    func singlePosition() {
        var rng = RandomGenerator(seed: 42)
        let q = Tensor.uniform([1, 2, 1, 4], low: -1, high: 1, rng: &rng), k = Tensor.uniform([1, 2, 1, 4], low: -1, high: 1, rng: &rng)
        let v = Tensor.uniform([1, 2, 1, 4], low: -1, high: 1, rng: &rng)
        let out = withoutGradients { CorrelationAttention()(queries: q, keys: k, values: v, mask: .causal) }
        #expect(out.scalars == v.scalars)
    }

    @Test("generation refuses correlation-as-written with a thrown error naming the kinds that can generate")
    func makeStepperRefusesKindsWithoutRecurrentForm() throws {
        #expect(AttentionKind.allCases.filter { !$0.supportsGeneration } == [.correlationAsWritten])
        var rng = RandomGenerator(seed: 43)
        let config = ModelConfig(vocabSize: 11, contextLength: 8, modelDim: 16, numHeads: 4, numLayers: 1,
                                 attention: .correlationAsWritten)
        let model = try DecoderOnly(config, rng: &rng)
        #expect(throws: AttentionError.noRecurrentForm(.correlationAsWritten)) { try model.makeStepper(batch: 1) }
        #expect(throws: AttentionError.noRecurrentForm(.correlationAsWritten)) {
            try model.generate(prompt: [1], count: 2, options: .init(), rng: &rng) { _ in }
        }
        #expect(AttentionError.noRecurrentForm(.correlationAsWritten).description.hasSuffix("linear-favor, correlation"))
        // The causal kind generates.
        let causal = try DecoderOnly(ModelConfig(vocabSize: 11, contextLength: 8, modelDim: 16, numHeads: 4, numLayers: 1,
                                                 attention: .correlation), rng: &rng)
        #expect(try causal.generate(prompt: [1], count: 3, options: .init(), rng: &rng) { _ in }.count == 4)
    }
}
