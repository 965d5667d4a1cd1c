import AttendData
import AttendTensor
import Foundation

/// `copy`: the copy task of Katharopoulos et al. (2020, §4.1, Fig. 2) — a decoder-only model learns to
/// repeat 1…`maxSymbols` symbols after a separator; one run per sweep variant × seed.
struct CopyExperiment: ExperimentTask {
    static let name = "copy"
    static let keys = Sweep.keys + ["maxSymbols", "symbols"]
    static let listKeys = Sweep.listKeys

    var sweep: Sweep
    /// The task: longest symbol sequence and alphabet size.
    var task: CopyTask

    init(_ c: StrictContainer) throws {
        task = CopyTask(maxSymbols: try c.positive("maxSymbols"), symbols: c.has("symbols") ? try c.positive("symbols") : 10)
        sweep = try Sweep(c, schema: DecoderOnlyFamily.schema(vocab: task.vocabSize, length: task.length))
    }

    func encode(to c: inout KeyedEncodingContainer<AnyKey>) throws {
        try sweep.encode(to: &c)
        try c.encode(task.maxSymbols, forKey: AnyKey("maxSymbols"))
        try c.encode(task.symbols, forKey: AnyKey("symbols"))
    }

    func runs() -> [[String: String]] { sweep.runs() }
    func definition(of parameters: [String: String]) -> JSONValue { sweep.resolved(parameters) }

    func estimate(_ run: RunSpec, with estimator: Estimator) -> Estimate {
        DecoderOnlyFamily.estimate(sweep, run, estimator, vocab: task.vocabSize, length: task.length)
    }

    func execute(_ run: RunSpec, in context: RunContext, record r: inout RunRecord) throws {
        let (model, t) = try DecoderOnlyFamily.configs(sweep, run.parameters, vocab: task.vocabSize, length: task.length)
        var evalRNG = RandomGenerator(seed: 999)
        let evaluation = (0..<t.evalBatches).map { _ in task.batch(t.batchSize, rng: &evalRNG) }
        let training = SequenceTraining(config: model, training: t, seed: UInt64(run.int("seed")))
        DecoderOnlyFamily.keep(try training.run(next: { task.batch(t.batchSize, rng: &$0) }, evaluation: evaluation), &r)
        // Control: a model that cannot read the copied symbols guesses uniformly among them.
        r.values["chanceNats"] = log(Double(task.symbols))
    }

    func modelCells(_ w: ReportWords) -> String { DecoderOnlyFamily.modelCells(sweep, vocab: task.vocabSize, length: task.length, w) }

    func dataLine(_ name: String, _ w: ReportWords) -> String {
        let t = (try? DecoderOnlyFamily.configs(sweep, [:], vocab: task.vocabSize, length: task.length))?.training
        return w.f("copy task, %@…%@ symbols from %@, separator, copy (sequence length %@); fresh random batches each step, %@ fixed evaluation batches.",
                   "1", "\(task.maxSymbols)", "\(task.symbols)", "\(task.length)", "\(t?.evalBatches ?? 0)")
    }

    func hyperparameters(_ name: String, _ w: ReportWords) -> String {
        DecoderOnlyFamily.hyperparameters(name, sweep, vocab: task.vocabSize, length: task.length, w)
    }

    func section(_ e: Experiment, records: [RunRecord], figures: inout [String: String], _ w: ReportWords) -> String {
        TrainingResults.section(e, records, &figures, w, curve: "evalLoss", what: "copy-part loss (nats)",
                                references: TrainingResults.floors(records, w, ["chanceNats": "chance (uniform over the symbols)"]))
    }
}
