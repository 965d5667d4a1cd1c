import AttendKernels
import AttendModels
import AttendNN
import AttendTensor
import Testing

@Suite("Modules and the decoder-only model")
struct ModelTests {
    func model(placement: NormPlacement = .pre, tie: Bool = true, bias: Bool = false) throws -> DecoderOnly {
        var rng = RandomGenerator(seed: 3)
        let config = ModelConfig(vocabSize: 11, contextLength: 8, modelDim: 16, numHeads: 4, numLayers: 2,
                                 bias: bias, tieWeights: tie, normPlacement: placement)
        return try DecoderOnly(config, rng: &rng)
    }

    @Test("parameter names are dotted paths and tied weights are listed once")
    func names() throws {
        let m = try model()
        let names = m.namedParameters().map(\.name)
        #expect(names.contains("blocks.1.attention.qkv.weight"))
        #expect(names.contains("blocks.0.feedForward.down.weight"))
        #expect(!names.contains { $0.hasPrefix("head") })
        #expect(Set(names).count == names.count)
        let untied = try model(tie: false, bias: true)
        #expect(untied.namedParameters().map(\.name).contains("head.weight"))
        #expect(untied.namedParameters().map(\.name).contains("blocks.0.norm1.bias"))
        // nanoGPT's decay rule: matrices and embeddings only.
        #expect(m.decayedParameterNames().allSatisfy { n in m.namedParameters().first { $0.name == n }!.tensor.rank >= 2 })
    }

    @Test("the model is causal: changing token t+1 never changes logits at positions ≤ t",
          arguments: [NormPlacement.pre, .post])
    func causal(placement: NormPlacement) throws {
        let m = try model(placement: placement)
        let ctx = ForwardContext(training: false)
        let a: [Int32] = [1, 2, 3, 4, 5, 6, 7, 8]
        var b = a
        b[5] = 9
        let la = withoutGradients { m(a, batch: 1, length: 8, context: ctx) }
        let lb = withoutGradients { m(b, batch: 1, length: 8, context: ctx) }
        for i in 0..<(5 * 11) { #expect(la[flat: i] == lb[flat: i]) }
        #expect((5 * 11..<8 * 11).contains { la[flat: $0] != lb[flat: $0] })
    }

    @Test("whole-model gradient matches finite differences on a few weights")
    func modelGradient() throws {
        let m = try model(bias: true)
        let ids: [Int32] = [1, 5, 2, 7, 3, 0], targets: [Int32] = [5, 2, 7, 3, 0, 4]
        let ctx = ForwardContext(training: false)
        let loss = m.loss(inputs: ids, targets: targets, batch: 2, length: 3, context: ctx)
        loss.backward()
        for (name, p) in m.namedParameters() {
            let g = p.grad!.scalars
            for j in [0, p.count / 2, p.count - 1] {
                let saved = p[flat: j]
                let eps: Float = 1e-2
                p[flat: j] = saved + eps
                let plus = withoutGradients { m.loss(inputs: ids, targets: targets, batch: 2, length: 3, context: ctx).item }
                p[flat: j] = saved - eps
                let minus = withoutGradients { m.loss(inputs: ids, targets: targets, batch: 2, length: 3, context: ctx).item }
                p[flat: j] = saved
                let numeric = (plus - minus) / (2 * eps)
                #expect(abs(g[j] - numeric) <= 2e-3 + 2e-2 * abs(numeric), "\(name)[\(j)]: \(g[j]) vs \(numeric)")
            }
        }
        m.zeroGradients()
    }

    // correlation-as-written has no recurrent form (its output at t reads later tokens); see
    // `makeStepperRefusesKindsWithoutRecurrentForm` in CorrelationAttentionTests.
    @Test("recurrent generation steps give the parallel form's logits, for every attention kind with a recurrent form",
          arguments: AttentionKind.allCases.filter(\.supportsGeneration), [NormPlacement.pre, .post])
    func recurrentModel(kind: AttentionKind, placement: NormPlacement) throws {
        var rng = RandomGenerator(seed: 5)
        let config = ModelConfig(vocabSize: 11, contextLength: 8, modelDim: 16, numHeads: 4, numLayers: 2,
                                 normPlacement: placement, attention: kind)
        let m = try DecoderOnly(config, rng: &rng)
        #expect(try stepperDeviation(m, tokens: [[1, 2, 3, 4, 5, 6, 7, 8], [8, 3, 3, 0, 10, 2, 1, 9]]) <= 1e-4)
    }

    @Test("generation steps match the parallel form with biases, an untied head, a non-default hidden width and every activation",
          arguments: Activation.allCases, [NormPlacement.pre, .post])
    func recurrentModelWithBiases(activation: Activation, placement: NormPlacement) throws {
        var rng = RandomGenerator(seed: 8)
        let config = ModelConfig(vocabSize: 11, contextLength: 6, modelDim: 16, numHeads: 2, numLayers: 2, hiddenDim: 24,
                                 bias: true, tieWeights: false, normPlacement: placement, attention: .linear, activation: activation)
        let m = try DecoderOnly(config, rng: &rng)
        // Non-zero biases and norm shifts, so a step that skipped one would differ.
        for (name, p) in m.namedParameters() where p.rank == 1 {
            var r = RandomGenerator(seed: UInt64(name.count))
            p.copyValues(from: Tensor.normal(p.shape, std: 0.5, rng: &r))
        }
        #expect(try stepperDeviation(m, tokens: [[1, 2, 3, 4, 5, 6], [8, 3, 3, 0, 10, 2], [4, 4, 9, 1, 0, 7]]) <= 1e-4)
    }

    @Test("a bfloat16 stepper equals an fp32 stepper on the model with its matrices rounded to bfloat16",
          arguments: [AttentionKind.softmax, .linear], [2, 6])
    func bfloat16Stepper(kind: AttentionKind, batch: Int) throws {
        let config = ModelConfig(vocabSize: 11, contextLength: 6, modelDim: 32, numHeads: 2, numLayers: 2,
                                 bias: true, tieWeights: false, attention: kind)
        var rng = RandomGenerator(seed: 3)
        let m = try DecoderOnly(config, rng: &rng)
        rng = RandomGenerator(seed: 3)
        let rounded = try DecoderOnly(config, rng: &rng)
        // The matrices a stepper reads (not the embedding tables, which stay fp32).
        for (name, p) in rounded.namedParameters() where p.rank == 2 && !name.contains("Embedding") {
            for i in 0..<p.count { p.pointer[i] = floatFromBFloat16(bfloat16Bits(p.pointer[i])) }
        }
        // Batch 2 reads packed bfloat16 rows; batch 6 (past `packedRowLimit`) the widened rounded matrix.
        let low = try m.makeStepper(batch: batch, precision: .bfloat16)
        let reference = try rounded.makeStepper(batch: batch)
        let exact = try m.makeStepper(batch: batch)
        var worst: Float = 0, moved: Float = 0
        for t in 0..<6 {
            let ids: [Int32] = (0..<batch).map { Int32((t + 3 * $0) % 11) }
            let (a, b, c) = withoutGradients { (low.step(ids), reference.step(ids), exact.step(ids)) }
            for i in a.indices { worst = max(worst, abs(a[i] - b[i])); moved = max(moved, abs(a[i] - c[i])) }
        }
        #expect(worst <= 1e-5)
        #expect(moved > 0 && moved < 1e-2)
    }

    @Test("sampling with temperature 0 is greedy and top-k keeps only the k best")
    func sampling() {
        var rng = RandomGenerator(seed: 1)
        let logits: [Float] = [0.1, 3, 0.2, 2.9]
        #expect(DecoderOnly.sample(logits: logits, options: .init(temperature: 0), rng: &rng) == 1)
        for _ in 0..<50 {
            let i = DecoderOnly.sample(logits: logits, options: .init(temperature: 1, topK: 2), rng: &rng)
            #expect(i == 1 || i == 3)
        }
    }
}
