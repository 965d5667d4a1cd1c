import AttendData
import AttendModels
import AttendNN
import AttendTensor
import Testing

/// A tiny encoder–decoder with one attention kind in every role (or the given ones).
func tinyEncoderDecoder(_ kind: AttentionKind = .softmax, encoder: AttentionKind? = nil, decoder: AttentionKind? = nil,
                        cross: AttentionKind? = nil, placement: NormPlacement = .post, seed: UInt64 = 3) throws -> EncoderDecoder {
    var rng = RandomGenerator(seed: seed)
    let config = EncoderDecoderConfig(vocabSize: 13, maxLength: 16, modelDim: 16, numHeads: 2, numEncoderLayers: 2,
                                      numDecoderLayers: 2, hiddenDim: 32, dropout: 0, normPlacement: placement,
                                      encoderAttention: encoder ?? kind, decoderAttention: decoder ?? kind,
                                      crossAttention: cross ?? kind)
    return try EncoderDecoder(config, rng: &rng)
}

@Suite("Encoder–decoder Transformer")
struct EncoderDecoderTests {
    let inference = ForwardContext(training: false)
    let examples = [TranslationExample(source: [4, 5, 6, 7, 8], target: [9, 10, 11, 12]),
                    TranslationExample(source: [5, 6], target: [7, 8, 9])]

    func logits(_ m: EncoderDecoder, _ batch: TranslationBatch) -> [Float] { withoutGradients { m(batch, context: inference).scalars } }

    @Test("future target tokens cannot change earlier outputs", arguments: EncoderDecoderConfig.sourceAttentionKinds)
    func causalDecoder(kind: AttentionKind) throws {
        let m = try tinyEncoderDecoder(kind)
        let a = TranslationBatch(examples, padID: 0, bosID: 1, eosID: 2)
        var b = a
        b.targetInput[3] = 4  // sentence 0, position 3
        let la = logits(m, a), lb = logits(m, b)
        let v = 13, t = a.targetLength
        for i in 0..<(3 * v) { #expect(la[i] == lb[i]) }
        #expect((3 * v..<t * v).contains { la[$0] != lb[$0] })
        for i in (t * v)..<(2 * t * v) { #expect(la[i] == lb[i]) }  // the other sentence is untouched
    }

    @Test("padded source tokens cannot change any output", arguments: EncoderDecoderConfig.sourceAttentionKinds)
    func sourcePadding(kind: AttentionKind) throws {
        for placement in [NormPlacement.post, .pre] {
            let m = try tinyEncoderDecoder(kind, placement: placement)
            let a = TranslationBatch(examples, padID: 0, bosID: 1, eosID: 2)
            var b = a
            let s = a.sourceLength
            for j in Int(a.sourceLengths[1])..<s { b.source[s + j] = Int32(4 + j) }  // overwrite sentence 1's padding
            let la = logits(m, a), lb = logits(m, b)
            for i in la.indices { #expect(abs(la[i] - lb[i]) <= 1e-6 * max(1, abs(la[i]))) }
            // And sentence 1 alone (no padding at all) gives the same logits for its positions.
            let alone = logits(m, TranslationBatch([examples[1]], padID: 0, bosID: 1, eosID: 2))
            let t = a.targetLength, v = 13
            for i in alone.indices { #expect(abs(alone[i] - la[t * v + i]) <= 1e-4 * max(1, abs(alone[i]))) }
        }
    }

    @Test("incremental decoding (KV cache / recurrent state, precomputed cross memory) equals the parallel form",
          arguments: EncoderDecoderConfig.sourceAttentionKinds)
    func stepEqualsParallel(kind: AttentionKind) throws {
        for (enc, dec, cross) in [(kind, kind, kind), (AttentionKind.softmax, kind, AttentionKind.linear), (kind, .softmax, kind)] {
            let m = try tinyEncoderDecoder(encoder: enc, decoder: dec, cross: cross, placement: kind == .softmax ? .pre : .post)
            let batch = TranslationBatch(examples, padID: 0, bosID: 1, eosID: 2)
            let parallel = logits(m, batch)
            let memory = withoutGradients {
                m.encode(source: batch.source, batch: 2, length: batch.sourceLength, sourceLengths: batch.sourceLengths, context: inference)
            }
            let decoder = m.makeDecoder(memory: memory, sourceLengths: batch.sourceLengths)
            let t = batch.targetLength, v = 13
            for pos in 0..<t {
                let out = decoder.step([batch.targetInput[pos], batch.targetInput[t + pos]]).scalars
                for b in 0..<2 {
                    for c in 0..<v {
                        let p = parallel[(b * t + pos) * v + c], s = out[b * v + c]
                        #expect(abs(p - s) <= 2e-4 * max(1, abs(p)), "\(enc)/\(dec)/\(cross) position \(pos) row \(b)")
                    }
                }
            }
        }
    }

    @Test("causal correlation attention works as decoder self-attention: causal, and the step form equals the parallel form")
    func correlationDecoder() throws {
        let m = try tinyEncoderDecoder(.softmax, decoder: .correlation, placement: .pre)
        let batch = TranslationBatch(examples, padID: 0, bosID: 1, eosID: 2)
        var changed = batch
        changed.targetInput[3] = 4  // sentence 0, position 3
        let parallel = logits(m, batch), other = logits(m, changed)
        let t = batch.targetLength, v = 13
        for i in 0..<(3 * v) { #expect(parallel[i] == other[i]) }
        let memory = withoutGradients {
            m.encode(source: batch.source, batch: 2, length: batch.sourceLength, sourceLengths: batch.sourceLengths, context: inference)
        }
        let decoder = m.makeDecoder(memory: memory, sourceLengths: batch.sourceLengths)
        for pos in 0..<t {
            let out = decoder.step([batch.targetInput[pos], batch.targetInput[t + pos]]).scalars
            for b in 0..<2 {
                for c in 0..<v {
                    let p = parallel[(b * t + pos) * v + c]
                    #expect(abs(p - out[b * v + c]) <= 2e-4 * max(1, abs(p)), "position \(pos) row \(b)")
                }
            }
        }
    }

    @Test("kinds that cannot serve a role are refused with the allowed list")
    func roleValidation() {
        for (encoder, decoder, cross, field) in [(AttentionKind.correlation, AttentionKind.softmax, AttentionKind.softmax, "encoderAttention"),
                                                 (.softmax, .softmax, .correlationAsWritten, "crossAttention"),
                                                 (.softmax, .correlationAsWritten, .softmax, "decoderAttention")] {
            #expect(throws: ConfigError.self) { try tinyEncoderDecoder(encoder: encoder, decoder: decoder, cross: cross) }
            do { _ = try tinyEncoderDecoder(encoder: encoder, decoder: decoder, cross: cross) } catch {
                let text = "\(error)"
                #expect(text.contains(field) && text.contains("softmax"), "\(text)")
            }
        }
    }

    @Test("beam search with beam 1 equals greedy decoding", arguments: [AttentionKind.softmax, .linear])
    func beamOneIsGreedy(kind: AttentionKind) throws {
        for seed in [UInt64(3), 4, 5] {
            let m = try tinyEncoderDecoder(kind, seed: seed)
            let sources: [[Int32]] = [[4, 5, 6, 7], [8, 9], [10, 11, 12, 4, 5, 6], [7]]
            let options = DecodingOptions(beamSize: 1, lengthPenalty: 0.6, maxExtraLength: 5)
            let greedy = m.greedyDecode(sources, options: options)
            let beam = m.beamSearch(sources, options: options)
            #expect(greedy == beam)
            #expect(greedy.allSatisfy { $0.count <= min(16, 11) })
            // Batching does not change results.
            #expect(m.greedyDecode([sources[2]], options: options)[0] == greedy[2])
        }
    }

    @Test("beam 4 returns the hypothesis with the best length-normalised score among those it finished")
    func beamFour() throws {
        let m = try tinyEncoderDecoder(.softmax, seed: 8)
        let sources: [[Int32]] = [[4, 5, 6], [9, 10, 11, 12]]
        let out = m.beamSearch(sources, options: DecodingOptions(beamSize: 4, lengthPenalty: 0.6, maxExtraLength: 6))
        #expect(out.count == 2)
        #expect(out.allSatisfy { $0.count <= 10 && !$0.contains(2) })
        #expect(m.beamSearch([sources[1]], options: DecodingOptions(beamSize: 4, lengthPenalty: 0.6, maxExtraLength: 6))[0] == out[1])
    }

    @Test("the configuration is validated with messages naming the field")
    func validation() {
        var c = EncoderDecoderConfig(vocabSize: 10, modelDim: 30, numHeads: 4)
        #expect(throws: ConfigError.self) { try c.validate() }
        c.numHeads = 3
        #expect(throws: Never.self) { try c.validate() }
        c.numDecoderLayers = 0
        #expect((try? c.validate()) == nil)
        do { try c.validate() } catch { #expect("\(error)".contains("numDecoderLayers")) }
    }

    @Test("whole-model gradient matches finite differences on a few weights")
    func gradient() throws {
        let m = try tinyEncoderDecoder(.softmax, placement: .pre)
        let batch = TranslationBatch(examples, padID: 0, bosID: 1, eosID: 2)
        m.loss(batch, smoothing: 0.1, context: inference).backward()
        let names = Set(["embedding.weight", "encoder.0.attention.qkv.weight", "decoder.1.crossAttention.keyValue.weight",
                         "decoder.0.crossAttention.query.weight", "decoder.1.feedForward.up.bias"])
        for (name, p) in m.namedParameters() where names.contains(name) {
            let g = p.grad!.scalars
            for j in [0, p.count / 3, p.count - 1] {
                let saved = p[flat: j]
                let eps: Float = 1e-2
                p[flat: j] = saved + eps
                let plus = withoutGradients { m.loss(batch, smoothing: 0.1, context: inference).item }
                p[flat: j] = saved - eps
                let minus = withoutGradients { m.loss(batch, smoothing: 0.1, context: inference).item }
                p[flat: j] = saved
                let numeric = (plus - minus) / (2 * eps)
                #expect(abs(g[j] - numeric) <= 3e-2 * max(1, abs(numeric)), "\(name)[\(j)]: \(g[j]) vs \(numeric)")
            }
        }
        m.zeroGradients()
    }
}
