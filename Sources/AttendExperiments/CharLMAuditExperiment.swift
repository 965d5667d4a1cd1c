import AttendData
import AttendModels
import AttendNN
import AttendTensor
import AttendTrain
import Foundation

/// `char-lm-audit`: the character LM of `char-lm` (same data, split and sweep) plus what a claim about a
/// possibly leaky mechanism needs: the leakage probe (`LeakageProbe`: loss with the future replaced, and with
/// the rest of the batch changed — the honest loss is the former), sampled text from every kind with a
/// recurrent form and its loss under the softmax model of the same seed, time per step, and unigram, bigram
/// and trigram floors. Optionally a constant learning rate (as Leviathan's notebook) and the source's
/// reported numbers, stored with every run so claims can compute with them.
struct CharLMAuditExperiment: ExperimentTask {
    static let name = "char-lm-audit"
    static let keys = Sweep.keys + ["data", "contextLength", "constantLearningRate", "probeWindows", "probeCuts", "sampleLength",
                                    "reportedNats", "reportedBitsPerCharacter"]
    static let listKeys = Sweep.listKeys

    var sweep: Sweep
    /// Text file (relative to the package root).
    var data: String
    /// Characters per training window.
    var contextLength: Int
    /// Keep the learning rate at its peak (no cosine decay) after the warm-up.
    var constantLearningRate: Bool
    /// Sequences per probe batch and scored positions per sequence (`LeakageProbe`).
    var probeWindows: Int, probeCuts: Int
    /// Characters sampled from each model with a recurrent form.
    var sampleLength: Int
    /// The source's reported validation loss (nats/char) and bits per character, copied into every record.
    var reportedNats: Double?, reportedBitsPerCharacter: Double?

    init(_ c: StrictContainer) throws {
        data = try c("data")
        contextLength = try c.positive("contextLength")
        if contextLength < 2 { throw c.invalid("contextLength", "must be ≥ 2 (the leakage probe needs a future), got \(contextLength)") }
        constantLearningRate = try c.optional("constantLearningRate") ?? false
        probeCuts = try c.positive("probeCuts")
        probeWindows = try c.positive("probeWindows")
        if probeWindows < 2 { throw c.invalid("probeWindows", "must be ≥ 2 (half the probe batch is kept, half changed), got \(probeWindows)") }
        sampleLength = try c.positive("sampleLength")
        reportedNats = try c.optional("reportedNats")
        reportedBitsPerCharacter = try c.optional("reportedBitsPerCharacter")
        for (key, v) in [("reportedNats", reportedNats), ("reportedBitsPerCharacter", reportedBitsPerCharacter)] {
            if let v, !(v > 0 && v.isFinite) { throw c.invalid(key, "must be a positive number, got \(v)") }
        }
        sweep = try Sweep(c, schema: DecoderOnlyFamily.schema(vocab: CharLMExperiment.assumedVocab, length: contextLength))
    }

    func encode(to c: inout KeyedEncodingContainer<AnyKey>) throws {
        try sweep.encode(to: &c)
        try c.encode(data, forKey: AnyKey("data"))
        try c.encode(contextLength, forKey: AnyKey("contextLength"))
        try c.encode(constantLearningRate, forKey: AnyKey("constantLearningRate"))
        try c.encode(probeWindows, forKey: AnyKey("probeWindows"))
        try c.encode(probeCuts, forKey: AnyKey("probeCuts"))
        try c.encode(sampleLength, forKey: AnyKey("sampleLength"))
        try c.encodeIfPresent(reportedNats, forKey: AnyKey("reportedNats"))
        try c.encodeIfPresent(reportedBitsPerCharacter, forKey: AnyKey("reportedBitsPerCharacter"))
    }

    func runs() -> [[String: String]] { sweep.runs() }
    func definition(of parameters: [String: String]) -> JSONValue { sweep.resolved(parameters) }

    func estimate(_ run: RunSpec, with estimator: Estimator) -> Estimate {
        var e = DecoderOnlyFamily.estimate(sweep, run, estimator, vocab: CharLMExperiment.assumedVocab, length: contextLength)
        // The probe: one clean pass, one per cut and one with the batch changed, each a forward pass of `probeWindows`
        // sequences (about a third of a training step's FLOPs per sequence).
        guard let (_, t) = try? DecoderOnlyFamily.configs(sweep, run.parameters, vocab: CharLMExperiment.assumedVocab, length: contextLength),
              e.flops > 0 else { return e }
        let perStep = e.flops / Double(max(t.steps, 1))
        let probe = perStep / 3 * Double(probeWindows) / Double(t.batchSize) * Double(probeCuts + 2)
        e.seconds *= (e.flops + probe) / e.flops
        e.flops += probe
        return e
    }

    /// Where a study keeps its samples and the softmax judges: `samples/<experiment>/` in the results folder
    /// (the run's checkpoint folder is `checkpoints/<id>-<fingerprint>` there).
    static func samplesFolder(_ context: RunContext, experiment: String) -> URL {
        context.folder.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("samples").appendingPathComponent(experiment)
    }

    func execute(_ run: RunSpec, in context: RunContext, record r: inout RunRecord) throws {
        let dataset = try TextDataset(path: context.root.appendingPathComponent(data).path)
        let vocab = dataset.tokenizer.vocabSize
        let (model, t) = try DecoderOnlyFamily.configs(sweep, run.parameters, vocab: vocab, length: contextLength)
        var training = StudyTraining.trainConfig(t, run, context)
        if constantLearningRate { training.minLearningRate = training.learningRate }
        let task = try LanguageModelTask(config: RunConfig(model: model, training: training, data: data), dataset: dataset)
        task.metricsInterval = 1
        let (loop, o) = try StudyTraining.train(task, in: context)
        DecoderOnlyFamily.keep(o, model: loop.model, &r)
        r.values["finalEvalBits"] = o.finalEvalLoss / M_LN2
        r.timings["secondsPerStep"] = Double(t.batchSize * contextLength) / max(o.tokensPerSecond, 1e-9)
        // Controls computed from the data.
        r.values["unigramNats"] = NGramFloor(order: 1, vocabSize: vocab, sequences: [dataset.train]).crossEntropy([dataset.validation])
        r.values["bigramNats"] = NGramFloor(order: 2, vocabSize: vocab, sequences: [dataset.train]).crossEntropy([dataset.validation])
        r.values["trigramNats"] = NGramFloor(order: 3, vocabSize: vocab, sequences: [dataset.train], smoothing: 0.1).crossEntropy([dataset.validation])
        if let reportedNats {
            r.values["reportedNats"] = reportedNats
            r.values["reportedNatsInBits"] = reportedNats / M_LN2
        }
        if let reportedBitsPerCharacter { r.values["reportedBitsPerCharacter"] = reportedBitsPerCharacter }
        // Leakage: the honest loss is the loss with the future replaced (equal to the clean loss for a causal model).
        let seed = UInt64(run.int("seed"))
        let leak = try LeakageProbe(windows: probeWindows, cuts: probeCuts, seed: seed &+ 0x1ea4).measure(loop.model, dataset: dataset)
        r.values["leakCleanNats"] = leak.cleanNats
        r.values["honestNats"] = leak.futureReplacedNats
        r.values["honestBits"] = leak.futureReplacedNats / M_LN2
        r.values["leakFutureShift"] = leak.futureShift
        r.values["leakBatchCleanNats"] = leak.batchCleanNats
        r.values["leakBatchChangedNats"] = leak.batchChangedNats
        r.values["leakBatchShift"] = leak.batchShift
        try sampleAndJudge(loop.model, run, context, dataset, record: &r)
    }

    /// Samples `sampleLength` characters after a newline (temperature 1) from a model with a recurrent form,
    /// writes them to `samples/<experiment>/<kind>-seed<s>.txt`, and scores them (nats/char) under the
    /// softmax model of the same seed when its weights are there (a softmax run stores them; list softmax
    /// first in `kinds`). A kind without a recurrent form records `generates` = 0 and no sample.
    func sampleAndJudge(_ model: DecoderOnly, _ run: RunSpec, _ context: RunContext, _ dataset: TextDataset, record r: inout RunRecord) throws {
        let folder = Self.samplesFolder(context, experiment: run.experiment.name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let seed = run.parameters["seed"] ?? "0"
        let judgeFile = folder.appendingPathComponent("softmax-seed\(seed).safetensors")
        if run.kind == .softmax { try Safetensors.write(model.namedParameters(), to: judgeFile) }
        guard model.config.attentionSpec.kind.supportsGeneration else { r.values["generates"] = 0; return }
        r.values["generates"] = 1
        var rng = RandomGenerator(seed: UInt64(run.int("seed"))).derived(0x5a)
        let prompt = (try? dataset.tokenizer.encode("\n")) ?? [0]
        let tokens = try model.generate(prompt: prompt, count: sampleLength, options: SamplingOptions(), rng: &rng) { _ in }
        try AtomicFile.write(Data(dataset.tokenizer.decode(tokens).utf8), to: folder.appendingPathComponent("\(run.kind.rawValue)-seed\(seed).txt"))
        guard FileManager.default.fileExists(atPath: judgeFile.path) else { return }
        var judgeConfig = model.config
        judgeConfig.attentionSpec = AttentionSpec(kind: .softmax)
        var initRNG = RandomGenerator(seed: 0)
        let judge = try DecoderOnly(judgeConfig, rng: &initRNG)
        let stored = try Safetensors.read(judgeFile).tensors
        for (name, p) in judge.namedParameters() {
            guard let s = stored[name], s.shape == p.shape else {
                throw LeakageProbeError.invalid("the softmax judge \(judgeFile.path) lacks \(name) of shape \(p.shape); delete it and re-run the softmax run")
            }
            p.pointer.update(from: s.pointer, count: p.count)
        }
        r.values["sampleNatsUnderSoftmax"] = TextEvaluation.evaluate(judge, tokens: tokens, batchSize: 1).loss
    }

    func modelCells(_ w: ReportWords) -> String { DecoderOnlyFamily.modelCells(sweep, vocab: CharLMExperiment.assumedVocab, length: contextLength, w) }

    func dataLine(_ name: String, _ w: ReportWords) -> String {
        w.f("`%@` (character vocabulary, 90/10 train/validation split), windows of %@ characters.", data, "\(contextLength)")
    }

    func hyperparameters(_ name: String, _ w: ReportWords) -> String {
        let base = DecoderOnlyFamily.hyperparameters(name, sweep, vocab: CharLMExperiment.assumedVocab, length: contextLength, w)
        return constantLearningRate ? base + "  " + w("The learning rate stays at its peak (no decay).") + "\n" : base
    }

    func section(_ e: Experiment, records: [RunRecord], figures: inout [String: String], _ w: ReportWords) -> String {
        let floors = TrainingResults.floors(records, w, ["unigramNats": "unigram floor", "bigramNats": "bigram floor", "trigramNats": "trigram floor"])
        var md = TrainingResults.section(e, records, &figures, w, curve: "evalLoss", what: "validation loss (nats)",
                                         extra: ("honest loss (future replaced)", "honestNats"), references: floors, extraReferences: floors)
        md += "| \(w("variant")) | \(w("seed")) | \(w("clean loss at probed positions")) | \(w("honest loss (future replaced)")) | \(w("shift")) | \(w("kept rows, batch changed")) | \(w("shift")) | \(w("sample loss under softmax")) | \(w("s/step")) | \(w("peak memory (MB)")) |\n|---|---|---|---|---|---|---|---|---|---|\n"
        for r in records {
            func n(_ k: String) -> String { r.values[k].map(w.number) ?? "—" }
            md += "| \(Sweep.label(r.parameters)) | \(r.parameters["seed"] ?? "?") | \(n("leakCleanNats")) | \(n("honestNats")) | \(n("leakFutureShift")) | \(n("leakBatchCleanNats")) → \(n("leakBatchChangedNats")) | \(n("leakBatchShift")) | \(r.values["generates"] == 0 ? w("cannot generate") : n("sampleNatsUnderSoftmax")) | \(r.timings["secondsPerStep"].map(w.number) ?? "—") | \(w.number(r.peakResidentBytes / 1e6)) |\n"
        }
        md += "\n" + w("Shift = |perturbed − clean| / clean. A causal model's shifts are 0 up to float rounding; the honest loss is the loss with every later input replaced by a random character. Samples are in `samples/` beside the results.") + "\n\n"
        return md
    }
}
