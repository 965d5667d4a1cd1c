import AttendModels
import AttendNN
import AttendTensor
import Foundation
import Testing

@Suite("Run folders written by earlier versions load unchanged")
struct OldConfigTests {
    /// config.json `model` as written before the attention spec (every key of that version, FAVOR+ redraw on).
    static let decoderOnly = #"{"vocabSize":65,"contextLength":64,"modelDim":128,"numHeads":4,"numLayers":2,"hiddenDim":512,"dropout":0.1,"bias":false,"tieWeights":true,"normPlacement":"pre","attention":"linear-favor","activation":"gelu","positions":"learned","positionBias":"none","positionBuckets":32,"positionMaxDistance":128,"dotProduct":true,"favorFeatures":32,"favorSeed":7,"favorRedraw":true}"#
    /// An encoder–decoder `modelConfig` of that version, with a T5 bias and no dot product.
    static let encoderDecoder = #"{"vocabSize":100,"maxLength":32,"modelDim":32,"numHeads":4,"numEncoderLayers":1,"numDecoderLayers":1,"hiddenDim":64,"dropout":0.1,"bias":true,"normPlacement":"post","encoderAttention":"softmax","decoderAttention":"softmax","crossAttention":"linear","activation":"relu","padID":0,"bosID":1,"eosID":2,"positions":"none","positionBias":"t5","positionBuckets":8,"positionMaxDistance":16,"dotProduct":false}"#

    @Test("an old decoder-only config.json decodes into the same model and attention spec, and round-trips")
    func decoderOnlyConfig() throws {
        let config = try JSONDecoder().decode(ModelConfig.self, from: Data(Self.decoderOnly.utf8))
        #expect(config.attentionSpec == AttentionSpec(kind: .linearFavor, favorFeatures: 32, favorSeed: 7, favorRedraw: true))
        #expect(config.modelDim == 128 && config.dropout == 0.1 && config.positions == .learned && !config.rotary)
        // The spec reads the same keys straight from the file.
        #expect(try JSONDecoder().decode(AttentionSpec.self, from: Data(Self.decoderOnly.utf8)) == config.attentionSpec)
        var rng = RandomGenerator(seed: 1)
        let model = try DecoderOnly(config, rng: &rng)
        #expect(model.blocks[0].attention.spec == config.attentionSpec)
        // Writing it back keeps every old key with its value (plus rotary: false).
        let written = try JSONSerialization.jsonObject(with: JSONEncoder().encode(config)) as! [String: Any]
        let old = try JSONSerialization.jsonObject(with: Data(Self.decoderOnly.utf8)) as! [String: Any]
        #expect(Set(written.keys) == Set(old.keys).union(["rotary"]))
        for (key, value) in old { #expect("\(written[key]!)" == "\(value)", "\(key)") }
        #expect(try JSONDecoder().decode(ModelConfig.self, from: JSONEncoder().encode(config)) == config)
    }

    @Test("an old encoder–decoder config decodes with each role's spec derived as before")
    func encoderDecoderConfig() throws {
        let config = try JSONDecoder().decode(EncoderDecoderConfig.self, from: Data(Self.encoderDecoder.utf8))
        #expect(!config.rotary && config.positions == .none && !config.dotProduct)
        #expect(config.encoderAttentionSpec == AttentionSpec(positionBias: .t5Bidirectional, positionBuckets: 8, positionMaxDistance: 16, dotProduct: false))
        #expect(config.decoderAttentionSpec == AttentionSpec(positionBias: .t5, positionBuckets: 8, positionMaxDistance: 16, dotProduct: false))
        #expect(config.crossAttentionSpec == AttentionSpec(kind: .linear))
        var rng = RandomGenerator(seed: 1)
        let model = try EncoderDecoder(config, rng: &rng)
        #expect(model.namedParameters().map(\.name).contains("encoder.0.attention.positionBias.table"))
        #expect(try JSONDecoder().decode(EncoderDecoderConfig.self, from: JSONEncoder().encode(config)) == config)
    }

    @Test("a config without the attention key is refused with a decoding error naming it")
    func missingKind() {
        let json = Self.decoderOnly.replacingOccurrences(of: #""attention":"linear-favor","#, with: "")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ModelConfig.self, from: Data(json.utf8)) }
    }
}
