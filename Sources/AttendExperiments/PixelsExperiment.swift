import AttendData
import AttendNN
import AttendTensor
import AttendTrain
import Foundation

/// `pixels`: pixel-by-pixel image modelling (bits/dim) on the shipped 14×14 MNIST with a decoder-only
/// model; one run per sweep variant × seed, each ending with the test bits/dim over `testImages` images.
struct PixelsExperiment: ExperimentTask {
    static let name = "pixels"
    static let keys = Sweep.keys + ["data", "testImages"]
    static let listKeys = Sweep.listKeys

    var sweep: Sweep
    /// Data folder (relative to the package root).
    var data: String
    /// Test images in the final bits/dim.
    var testImages: Int

    static let vocab = PixelImages.levels + 1, length = PixelImages.side * PixelImages.side

    init(_ c: StrictContainer) throws {
        data = try c("data")
        testImages = try c.positive("testImages")
        sweep = try Sweep(c, schema: DecoderOnlyFamily.schema(vocab: Self.vocab, length: Self.length))
    }

    func encode(to c: inout KeyedEncodingContainer<AnyKey>) throws {
        try sweep.encode(to: &c)
        try c.encode(data, forKey: AnyKey("data"))
        try c.encode(testImages, forKey: AnyKey("testImages"))
    }

    func runs() -> [[String: String]] { sweep.runs() }
    func definition(of parameters: [String: String]) -> JSONValue { sweep.resolved(parameters) }

    func estimate(_ run: RunSpec, with estimator: Estimator) -> Estimate {
        DecoderOnlyFamily.estimate(sweep, run, estimator, vocab: Self.vocab, length: Self.length)
    }

    func execute(_ run: RunSpec, in context: RunContext, record r: inout RunRecord) throws {
        let (model, t) = try DecoderOnlyFamily.configs(sweep, run.parameters, vocab: Self.vocab, length: Self.length)
        let images = try PixelImages(folder: context.root.appendingPathComponent(data))
        let evalImages = Array(0..<min(t.evalBatches * t.batchSize, images.test.count))
        let evaluation = stride(from: 0, to: evalImages.count, by: t.batchSize).map {
            images.batch(Array(evalImages[$0..<min($0 + t.batchSize, evalImages.count)]), from: images.test)
        }
        let batchSize = t.batchSize
        let trained = try DecoderOnlyFamily.trainSequence("pixels", model: model, t, run, context, evaluation: evaluation, record: &r) { rng in
            images.batch((0..<batchSize).map { _ in rng.nextInt(below: images.train.count) }, from: images.train)
        }
        r.curves["evalBitsPerDim"] = (r.curves["evalLoss"] ?? []).map { [$0[0], $0[1] / M_LN2] }
        // Final test bits/dim over `testImages` test images.
        let test = Array(0..<min(testImages, images.test.count))
        let context = ForwardContext(training: false)
        let nats: Double = withoutGradients {
            var total = 0.0
            for s in stride(from: 0, to: test.count, by: t.batchSize) {
                let b = images.batch(Array(test[s..<min(s + t.batchSize, test.count)]), from: images.test)
                total += Double(trained.loss(inputs: b.inputs, targets: b.targets, batch: b.batch, length: b.length, context: context).item) * Double(b.batch)
            }
            return total / Double(max(test.count, 1))
        }
        r.values["testBitsPerDim"] = nats / M_LN2
        r.values["uniformBitsPerDim"] = log2(Double(PixelImages.levels))
        // Controls computed from the data: pixel frequencies alone, and the previous pixel in raster order.
        let trainSequences = images.train.map { $0.map(Int32.init) }, testSequences = test.map { images.test[$0].map(Int32.init) }
        r.values["unigramBitsPerDim"] = NGramFloor(order: 1, vocabSize: PixelImages.levels, sequences: trainSequences).crossEntropy(testSequences) / M_LN2
        r.values["bigramBitsPerDim"] = NGramFloor(order: 2, vocabSize: PixelImages.levels, sequences: trainSequences).crossEntropy(testSequences) / M_LN2
    }

    func modelCells(_ w: ReportWords) -> String { DecoderOnlyFamily.modelCells(sweep, vocab: Self.vocab, length: Self.length, w) }

    func dataLine(_ name: String, _ w: ReportWords) -> String {
        w.f("`%@` — MNIST 14×14, 16 grey levels, 196 pixels per image in raster order; 6,000 training images, evaluation on the first %@ test images.", data, "\(testImages)")
    }

    func hyperparameters(_ name: String, _ w: ReportWords) -> String { DecoderOnlyFamily.hyperparameters(name, sweep, vocab: Self.vocab, length: Self.length, w) }

    func section(_ e: Experiment, records: [RunRecord], figures: inout [String: String], _ w: ReportWords) -> String {
        let floors = TrainingResults.floors(records, w, ["unigramBitsPerDim": "unigram floor", "bigramBitsPerDim": "previous-pixel floor"])
        return TrainingResults.section(e, records, &figures, w, curve: "evalBitsPerDim", what: "bits/dim (evaluation images)",
                                       extra: ("test bits/dim", "testBitsPerDim"), references: floors, extraReferences: floors)
    }
}
