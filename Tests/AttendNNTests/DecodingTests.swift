import AttendData
import AttendModels
import AttendNN
import AttendTensor
import Testing

@Suite("Encoder–decoder decoding through the shared stepper")
struct DecodingTests {
    /// A tiny model with `kind` in the decoder self-attention (and in the source roles when it can
    /// attend over a padded source, else softmax there).
    func model(decoder kind: AttentionKind, seed: UInt64) throws -> EncoderDecoder {
        let source = EncoderDecoderConfig.sourceAttentionKinds.contains(kind) ? kind : .softmax
        return try tinyEncoderDecoder(encoder: source, decoder: kind, cross: source, seed: seed)
    }

    @Test("beam search with beam 1 equals greedy decoding, for every decoder kind, with fp32 and bf16 weights",
          arguments: EncoderDecoderConfig.decoderAttentionKinds, WeightPrecision.allCases)
    func beamOneIsGreedy(kind: AttentionKind, precision: WeightPrecision) throws {
        let sources: [[Int32]] = [[4, 5, 6, 7], [8, 9], [10, 11, 12, 4, 5, 6], [7]]
        let options = DecodingOptions(beamSize: 1, lengthPenalty: 0.6, maxExtraLength: 5, precision: precision)
        var outputs: [[Int32]] = []
        for seed in [UInt64(3), 4, 5] {
            let m = try model(decoder: kind, seed: seed)
            let greedy = m.greedyDecode(sources, options: options)
            #expect(greedy == m.beamSearch(sources, options: options))
            outputs += greedy
        }
        #expect(outputs.contains { !$0.isEmpty })  // something was decoded
    }

    @Test("every decoder kind: incremental decoding equals the parallel form; bf16 weights stay within 2e-2",
          arguments: EncoderDecoderConfig.decoderAttentionKinds)
    func stepEqualsParallel(kind: AttentionKind) throws {
        let m = try model(decoder: kind, seed: 6)
        #expect(try decodingDeviation(m) <= 2e-4)
        let low = try decodingDeviation(m, precision: .bfloat16)
        #expect(low > 0 && low <= 2e-2)
    }

    @Test("beam 4 keeps its hypotheses apart when the state is reordered: batching does not change any sentence's result",
          arguments: EncoderDecoderConfig.decoderAttentionKinds)
    func beamReorder(kind: AttentionKind) throws {
        let m = try model(decoder: kind, seed: 8)
        let sources: [[Int32]] = [[4, 5, 6], [9, 10, 11, 12], [7, 8]]
        let options = DecodingOptions(beamSize: 4, lengthPenalty: 0.6, maxExtraLength: 6)
        let together = m.beamSearch(sources, options: options)
        for (i, s) in sources.enumerated() { #expect(m.beamSearch([s], options: options)[0] == together[i]) }
    }
}
