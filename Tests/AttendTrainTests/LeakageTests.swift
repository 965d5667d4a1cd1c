import AttendData
import AttendModels
import AttendNN
import AttendTensor
import AttendTrain
import Foundation
import Testing

/// The leakage probe on briefly trained character models: causal kinds must not move when the future or the
/// rest of the batch changes; Leviathan's published correlation (`correlation-as-written`) must.
@Suite("Leakage")
struct LeakageTests {
    /// The first 20,000 characters of tiny-shakespeare (the repository's copy).
    static let dataset: TextDataset = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Data/tinyshakespeare.txt")
        let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        return try! TextDataset(text: String(text.prefix(20_000)))
    }()

    /// A 2-layer, width-16 model of `kind` trained for 40 steps (batch 8, 32 characters, AdamW 1e-2).
    static func trained(_ kind: AttentionKind) throws -> DecoderOnly {
        var config = ModelConfig(vocabSize: dataset.tokenizer.vocabSize, contextLength: 32, modelDim: 16, numHeads: 2, numLayers: 2)
        config.attention = kind
        var rng = RandomGenerator(seed: 7)
        let model = try DecoderOnly(config, rng: &rng)
        let optimizer = AdamW(parameters: model.namedParameters(), decayed: [], learningRate: 1e-2, weightDecay: 0)
        var data = RandomGenerator(seed: 11)
        for _ in 0..<40 {
            let b = dataset.batch(.train, batchSize: 8, contextLength: 32, rng: &data)
            let loss = model.loss(inputs: b.inputs, targets: b.targets, batch: 8, length: 32, context: ForwardContext(training: true))
            loss.backward()
            optimizer.update()
            model.zeroGradients()
        }
        return model
    }

    @Test("a causal model's loss does not move when the future or the rest of the batch is replaced", arguments: [AttentionKind.softmax, .linear, .correlation])
    func causalKindsDoNotLeak(kind: AttentionKind) throws {
        let model = try Self.trained(kind)
        let r = try LeakageProbe(windows: 8, cuts: 6, seed: 3).measure(model, dataset: Self.dataset)
        print("\(kind) leakage: clean \(r.cleanNats), shifts \(r.futureShift) (future), \(r.batchShift) (batch)")
        #expect(r.cleanNats < 3.6, "\(kind) learned nothing: \(r.cleanNats)")  // uniform over the vocabulary is ln 60 ≈ 4.1
        #expect(r.futureShift <= 1e-6, "\(kind): future replaced moved the loss by \(r.futureShift) (\(r.cleanNats) → \(r.futureReplacedNats))")
        #expect(r.batchShift <= 1e-6, "\(kind): changing the batch moved the loss by \(r.batchShift) (\(r.batchCleanNats) → \(r.batchChangedNats))")
    }

    @Test("correlation-as-written reads the future and the other sequences of its batch")
    func asWrittenLeaks() throws {
        let model = try Self.trained(.correlationAsWritten)
        let r = try LeakageProbe(windows: 8, cuts: 6, seed: 3).measure(model, dataset: Self.dataset)
        print("correlation-as-written leakage: clean \(r.cleanNats), future replaced \(r.futureReplacedNats) (shift \(r.futureShift)); batch kept rows \(r.batchCleanNats) → \(r.batchChangedNats) (shift \(r.batchShift))")
        // 1e-4 is a hundred times the float noise a causal model is allowed above (this model: about 3e-3 and 7e-4).
        #expect(r.futureShift > 1e-4, "future replaced moved the loss by only \(r.futureShift)")
        #expect(r.batchShift > 1e-4, "changing the batch moved the loss by only \(r.batchShift)")
    }

    @Test("the probe refuses a batch of one, no cuts and rows of the wrong length")
    func refusesBadInput() throws {
        #expect(throws: LeakageProbeError.self) { try LeakageProbe(windows: 1, cuts: 4, seed: 0) }
        #expect(throws: LeakageProbeError.self) { try LeakageProbe(windows: 4, cuts: 0, seed: 0) }
        var rng = RandomGenerator(seed: 1)
        let model = try DecoderOnly(ModelConfig(vocabSize: 5, contextLength: 4, modelDim: 8, numHeads: 2, numLayers: 1), rng: &rng)
        let probe = try LeakageProbe(windows: 2, cuts: 2, seed: 0)
        #expect(throws: LeakageProbeError.self) { try probe.measure(model, rows: [[0, 1, 2, 3, 4], [0, 1, 2]]) }
        #expect(throws: LeakageProbeError.self) { try probe.measure(model, rows: [[0, 1, 2, 3, 9], [0, 1, 2, 3, 4]]) }
        #expect(probe.positions(length: 4) == [0, 2])
    }
}
