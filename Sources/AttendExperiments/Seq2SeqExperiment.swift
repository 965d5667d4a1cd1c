import AttendData
import AttendModels
import AttendTrain
import Foundation

/// `seq2seq`: an encoder–decoder Transformer trained on a synthetic sequence-to-sequence problem
/// (copy, reverse, sort, addition of digit strings) with `TranslationTrainer`; one run per sweep variant ×
/// seed. Records the validation cross-entropy curve and the greedy exact-match accuracy.
struct Seq2SeqExperiment: ExperimentTask {
    static let name = "seq2seq"
    static let keys = Sweep.keys.filter { $0 != "kinds" } + ["problem", "examples", "maxDigits", "validationExamples"]
    static let listKeys = Sweep.listKeys

    var sweep: Sweep
    /// The synthetic problem.
    var problem: Seq2SeqTask
    /// Training examples (drawn from the run's seed) and validation examples (a fixed draw shared by every run).
    var examples, validationExamples: Int
    /// Longest sequence (or operand) in digits.
    var maxDigits: Int

    /// Source/target length limit of the model: the longest sequence plus `<bos>`/`<eos>` and, for addition, the operator.
    var maxLength: Int { 2 * maxDigits + 4 }
    static let validationSeed: UInt64 = 1_000_003

    init(_ c: StrictContainer) throws {
        problem = Seq2SeqTask(rawValue: try c.choice("problem", from: Seq2SeqTask.allCases.map(\.rawValue)))!
        examples = try c.positive("examples")
        maxDigits = try c.positive("maxDigits")
        validationExamples = c.has("validationExamples") ? try c.positive("validationExamples") : 200
        sweep = try Sweep(c, schema: EncoderDecoderFamily.schema(vocab: Seq2SeqTask.vocabSize, maxLength: 2 * maxDigits + 4))
    }

    func encode(to c: inout KeyedEncodingContainer<AnyKey>) throws {
        try sweep.encode(to: &c)
        try c.encode(problem.rawValue, forKey: AnyKey("problem"))
        try c.encode(examples, forKey: AnyKey("examples"))
        try c.encode(maxDigits, forKey: AnyKey("maxDigits"))
        try c.encode(validationExamples, forKey: AnyKey("validationExamples"))
    }

    func runs() -> [[String: String]] { sweep.runs() }
    func definition(of parameters: [String: String]) -> JSONValue { sweep.resolved(parameters) }

    func configs(_ parameters: [String: String]) throws -> (model: EncoderDecoderConfig, training: TranslationTrainConfig) {
        let config = sweep.resolved(parameters)
        return (try EncoderDecoderFamily.model(config.members["model"] ?? .null, vocab: Seq2SeqTask.vocabSize, maxLength: maxLength),
                try EncoderDecoderFamily.training(config.members["training"] ?? .null, seed: UInt64(Int(parameters["seed"] ?? "") ?? 1)))
    }

    static func parameters(_ m: EncoderDecoderConfig) -> (encoder: Double, decoder: Double) {
        let c = Double(m.modelDim), ffn = 2 * c * Double(m.hiddenDim)
        let attention = (2 * Double(m.numHeads * m.effectiveKeyDim) + 2 * c) * c  // Q, K: H·d_k rows; V, output: C rows
        return (Double(m.numEncoderLayers) * (attention + ffn), Double(m.numDecoderLayers) * (2 * attention + ffn))
    }

    func estimate(_ run: RunSpec, with estimator: Estimator) -> Estimate {
        guard let (m, t) = try? configs(run.parameters) else { return Estimate(seconds: 0, bytes: 0, flops: 0) }
        let p = Self.parameters(m), c = Double(m.modelDim)
        // Half the padded tokens of a batch are source (encoder), half target (decoder and output layer); ×3 for the backward pass.
        let perStep = 3 * Double(t.batchTokens) * (p.encoder + p.decoder + Double(m.vocabSize) * c)
        let evaluations = Double(t.maxSteps / t.evalInterval + 1) * Double(validationExamples * (maxDigits + 2) * 2) * (p.encoder + p.decoder) * 2
        let bytes = 16 * (p.encoder + p.decoder) + Double(t.batchTokens) * c * Double(m.numEncoderLayers + m.numDecoderLayers) * 20 * 4
        return estimator.forecast(flops: perStep * Double(t.maxSteps) + evaluations, efficiency: m.modelDim >= 128 ? 0.15 : 0.05,
                                  bytes: bytes, overhead: 0.05 + Double(t.maxSteps) * 3e-3)
    }

    func execute(_ run: RunSpec, in context: RunContext, record r: inout RunRecord) throws {
        var (model, training) = try configs(run.parameters)
        training.checkpointInterval = StudyTraining.checkpointInterval(steps: training.maxSteps, estimate: context.estimate)
        training.keepCheckpoints = 1
        let train = problem.examples(count: examples, minLength: 1, maxLength: maxDigits, seed: training.seed)
        let validation = problem.examples(count: validationExamples, minLength: 1, maxLength: maxDigits, seed: Self.validationSeed)
        let config = TranslationRunConfig(task: problem.rawValue, model: model, training: training,
                                          data: ["task": problem.rawValue, "examples": "\(examples)", "maxDigits": "\(maxDigits)"])
        let task = try TranslationTask(config: config, vocabulary: .synthetic(problem), train: train, validation: validation)
        task.metricsInterval = 1
        let (loop, o) = try StudyTraining.train(task, in: context)
        let decoded = loop.model.greedyDecode(validation.map(\.source))
        let exact = zip(decoded, validation).filter { $0.0 == $0.1.target }.count
        DecoderOnlyFamily.keep(o, model: loop.model, &r)
        r.values["exactMatch"] = Double(exact) / Double(max(validation.count, 1))
    }

    func modelCells(_ w: ReportWords) -> String {
        guard let (m, _) = try? configs([:]) else { return "— | — | — | — | —" }
        let p = Self.parameters(m)
        return Self.modelCells(m, parameters: p.encoder + p.decoder, sweep: sweep, w)
    }

    /// The report's model cells of an encoder–decoder experiment: attention per role | layers | heads | width | `parameters`.
    static func modelCells(_ m: EncoderDecoderConfig, parameters: Double, sweep: Sweep, _ w: ReportWords) -> String {
        w.f("encoder %@, decoder %@, cross %@", m.encoderAttention.rawValue, m.decoderAttention.rawValue, m.crossAttention.rawValue)
            + " | \(m.numEncoderLayers)+\(m.numDecoderLayers) | \(m.numHeads) | \(m.modelDim) | \(w.number(parameters))"
            + (sweep.grid.isEmpty && sweep.variants.isEmpty ? "" : " " + w("(base; variants in 3.3)"))
    }

    func dataLine(_ name: String, _ w: ReportWords) -> String {
        w.f("synthetic `%@` of 1…%@ digits: %@ training examples drawn from each run's seed, %@ validation examples from a fixed seed (%@) shared by every run.",
            problem.rawValue, "\(maxDigits)", "\(examples)", "\(validationExamples)", "\(Self.validationSeed)")
    }

    func hyperparameters(_ name: String, _ w: ReportWords) -> String {
        guard let (m, t) = try? configs([:]) else { return "" }
        return "- **\(name)**: " + w.f("batches of %@ padded tokens, %@ steps, Noam schedule (warm-up %@, scale %@), Adam (β = %@, %@, ε = %@), label smoothing %@, clip %@, dropout %@, %@-LayerNorm, evaluation every %@ steps. Runs: %@.",
            "\(t.batchTokens)", "\(t.maxSteps)", "\(t.warmupSteps)", w.number(Double(t.learningRateScale)), w.number(Double(t.beta1)), w.number(Double(t.beta2)),
            "\(t.epsilon)", w.number(Double(t.labelSmoothing)), w.number(Double(t.gradClip)), w.number(Double(m.dropout)), m.normPlacement.rawValue,
            "\(t.evalInterval)", sweep.axesText(w)) + "\n"
    }

    func section(_ e: Experiment, records: [RunRecord], figures: inout [String: String], _ w: ReportWords) -> String {
        TrainingResults.section(e, records, &figures, w, curve: "evalLoss", what: "validation cross-entropy (nats)",
                                    extra: ("greedy exact match", "exactMatch"))
    }
}
