import AttendData
import AttendTrain
import Foundation

/// `char-lm`: character language modelling on a text file with `Trainer` (data-parallel); one run per
/// sweep variant × seed.
struct CharLMExperiment: ExperimentTask {
    static let name = "char-lm"
    static let keys = Sweep.keys + ["data", "contextLength"]
    static let listKeys = Sweep.listKeys

    var sweep: Sweep
    /// Text file (relative to the package root).
    var data: String
    /// Characters per training window.
    var contextLength: Int
    /// Vocabulary assumed for forecasts and checks before the data is read (tiny-shakespeare's 65 characters).
    static let assumedVocab = 65

    init(_ c: StrictContainer) throws {
        data = try c("data")
        contextLength = try c.positive("contextLength")
        sweep = try Sweep(c, schema: DecoderOnlyFamily.schema(vocab: Self.assumedVocab, length: contextLength))
    }

    func encode(to c: inout KeyedEncodingContainer<AnyKey>) throws {
        try sweep.encode(to: &c)
        try c.encode(data, forKey: AnyKey("data"))
        try c.encode(contextLength, forKey: AnyKey("contextLength"))
    }

    func runs() -> [[String: String]] { sweep.runs() }
    func definition(of parameters: [String: String]) -> JSONValue { sweep.resolved(parameters) }

    func estimate(_ run: RunSpec, with estimator: Estimator) -> Estimate {
        DecoderOnlyFamily.estimate(sweep, run, estimator, vocab: Self.assumedVocab, length: contextLength)
    }

    func execute(_ run: RunSpec, in context: RunContext, record r: inout RunRecord) throws {
        let dataset = try TextDataset(path: context.root.appendingPathComponent(data).path)
        let (model, t) = try DecoderOnlyFamily.configs(sweep, run.parameters, vocab: dataset.tokenizer.vocabSize, length: contextLength)
        let task = try LanguageModelTask(config: RunConfig(model: model, training: StudyTraining.trainConfig(t, run, context), data: data),
                                         dataset: dataset)
        task.metricsInterval = 1
        let (loop, o) = try StudyTraining.train(task, in: context)
        DecoderOnlyFamily.keep(o, model: loop.model, &r)
        // Controls computed from the data: models that use no context (unigram) or only the previous character.
        let vocab = dataset.tokenizer.vocabSize
        r.values["unigramNats"] = NGramFloor(order: 1, vocabSize: vocab, sequences: [dataset.train]).crossEntropy([dataset.validation])
        r.values["bigramNats"] = NGramFloor(order: 2, vocabSize: vocab, sequences: [dataset.train]).crossEntropy([dataset.validation])
    }

    func modelCells(_ w: ReportWords) -> String { DecoderOnlyFamily.modelCells(sweep, vocab: Self.assumedVocab, length: contextLength, w) }

    func dataLine(_ name: String, _ w: ReportWords) -> String {
        w.f("`%@` (character vocabulary, 90/10 train/validation split), windows of %@ characters.", data, "\(contextLength)")
    }

    func hyperparameters(_ name: String, _ w: ReportWords) -> String { DecoderOnlyFamily.hyperparameters(name, sweep, vocab: Self.assumedVocab, length: contextLength, w) }

    func section(_ e: Experiment, records: [RunRecord], figures: inout [String: String], _ w: ReportWords) -> String {
        TrainingResults.section(e, records, &figures, w, curve: "evalLoss", what: "validation loss (nats)",
                                references: TrainingResults.floors(records, w, ["unigramNats": "unigram floor", "bigramNats": "bigram floor"]))
    }
}
