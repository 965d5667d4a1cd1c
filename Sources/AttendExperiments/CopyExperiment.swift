import AttendData
import AttendModels
import AttendNN
import AttendTensor
import AttendTrain
import Foundation

/// `copy`: the copy task of Katharopoulos et al. (2020, §4.1, Fig. 2) — a decoder-only model learns to
/// repeat 1…`maxSymbols` symbols after a separator; one run per sweep variant × seed.
struct CopyExperiment: ExperimentTask {
    static let name = "copy"
    static let keys = Sweep.keys + ["maxSymbols", "minSymbols", "symbols"]
    static let listKeys = Sweep.listKeys

    var sweep: Sweep
    /// The task: longest symbol sequence and alphabet size.
    var task: CopyTask

    init(_ c: StrictContainer) throws {
        let maxSymbols = try c.positive("maxSymbols")
        let minSymbols = c.has("minSymbols") ? try c.positive("minSymbols") : 1
        if minSymbols > maxSymbols { throw c.invalid("minSymbols", "must be at most maxSymbols (\(maxSymbols)), got \(minSymbols)") }
        task = CopyTask(maxSymbols: maxSymbols, symbols: c.has("symbols") ? try c.positive("symbols") : 10, minSymbols: minSymbols)
        sweep = try Sweep(c, schema: DecoderOnlyFamily.schema(vocab: task.vocabSize, length: task.length))
    }

    func encode(to c: inout KeyedEncodingContainer<AnyKey>) throws {
        try sweep.encode(to: &c)
        try c.encode(task.maxSymbols, forKey: AnyKey("maxSymbols"))
        if task.minSymbols != 1 { try c.encode(task.minSymbols, forKey: AnyKey("minSymbols")) }
        try c.encode(task.symbols, forKey: AnyKey("symbols"))
    }

    func runs() -> [[String: String]] { sweep.runs() }
    func definition(of parameters: [String: String]) -> JSONValue { sweep.resolved(parameters) }

    func estimate(_ run: RunSpec, with estimator: Estimator) -> Estimate {
        DecoderOnlyFamily.estimate(sweep, run, estimator, vocab: task.vocabSize, length: task.length)
    }

    func execute(_ run: RunSpec, in context: RunContext, record r: inout RunRecord) throws {
        let (model, t) = try DecoderOnlyFamily.configs(sweep, run.parameters, vocab: task.vocabSize, length: task.length)
        // Held-out sequences from a generator no training run draws from.
        var evalRNG = RandomGenerator(seed: 999)
        let evaluation = (0..<t.evalBatches).map { _ in task.batch(t.batchSize, rng: &evalRNG) }
        let copy = task, batchSize = t.batchSize
        let trained = try DecoderOnlyFamily.trainSequence("copy", model: model, t, run, context, evaluation: evaluation, record: &r) {
            copy.batch(batchSize, rng: &$0)
        }
        r.values["copyAccuracy"] = Self.accuracy(trained, evaluation)
        // Control: a model that cannot read the copied symbols guesses uniformly among them.
        r.values["chanceNats"] = log(Double(task.symbols))
        r.values["chanceAccuracy"] = 1 / Double(task.symbols)
    }

    /// Share of the counted targets of `batches` that `model` predicts exactly (argmax).
    static func accuracy(_ model: DecoderOnly, _ batches: [SequenceBatch]) -> Double {
        let context = ForwardContext(training: false)
        var right = 0, total = 0
        withoutGradients {
            for b in batches {
                let logits = model(b.inputs, batch: b.batch, length: b.length, context: context)
                let vocab = logits.shape.last!, p = logits.pointer
                for (i, target) in b.targets.enumerated() where target >= 0 {
                    var best = 0
                    for v in 1..<vocab where p[i * vocab + v] > p[i * vocab + best] { best = v }
                    if best == Int(target) { right += 1 }
                    total += 1
                }
            }
        }
        return Double(right) / Double(max(total, 1))
    }

    func modelCells(_ w: ReportWords) -> String { DecoderOnlyFamily.modelCells(sweep, vocab: task.vocabSize, length: task.length, w) }

    func dataLine(_ name: String, _ w: ReportWords) -> String {
        let t = (try? DecoderOnlyFamily.configs(sweep, [:], vocab: task.vocabSize, length: task.length))?.training
        return w.f("copy task, %@…%@ symbols from %@, separator, copy (sequence length %@); fresh random batches each step, %@ fixed evaluation batches.",
                   "\(task.minSymbols)", "\(task.maxSymbols)", "\(task.symbols)", "\(task.length)", "\(t?.evalBatches ?? 0)")
    }

    func hyperparameters(_ name: String, _ w: ReportWords) -> String {
        DecoderOnlyFamily.hyperparameters(name, sweep, vocab: task.vocabSize, length: task.length, w)
    }

    func section(_ e: Experiment, records: [RunRecord], figures: inout [String: String], _ w: ReportWords) -> String {
        TrainingResults.section(e, records, &figures, w, curve: "evalLoss", what: "copy-part loss (nats)",
                                extra: ("copy accuracy", "copyAccuracy"),
                                references: TrainingResults.floors(records, w, ["chanceNats": "chance (uniform over the symbols)"]),
                                extraReferences: TrainingResults.floors(records, w, ["chanceAccuracy": "chance (uniform over the symbols)"]))
    }
}
