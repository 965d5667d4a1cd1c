import AttendData
import AttendModels
import AttendTensor
import AttendTrain
import Foundation

/// `translation`: the encoder–decoder Transformer on a parallel corpus (Vaswani et al., 2017) with a joint
/// BPE vocabulary learned on the training split, one run per sweep variant × seed. Records what the paper's
/// Table 3 reports and what a reviewer needs beside it: the validation perplexity (plain cross-entropy, not
/// the smoothed loss), greedy and beam BLEU (single reference, and multi-reference with repeated sources
/// grouped), the same for the average of the last `averageLast` checkpoints, optionally the test split,
/// validation loss and BLEU curves against steps and wall-clock, tokens/s, and the controls computed from
/// the data: target-side unigram and bigram cross-entropy (a decoder that ignores the source) and the BLEU of
/// copying the source sentence.
struct TranslationExperiment: ExperimentTask {
    static let name = "translation"
    static let keys = Sweep.keys.filter { $0 != "kinds" } + ["data", "sourceLanguage", "targetLanguage", "vocabSize", "maxLength",
                                                             "trainExamples", "validationExamples", "testExamples", "beamSize", "lengthPenalty",
                                                             "averageLast", "averageInterval", "budgetSteps", "test", "paper"]
    static let listKeys = Sweep.listKeys + ["paper"]

    var sweep: Sweep
    /// Folder (relative to the package root) with train/valid/test.<language> files, one sentence per line.
    var data: String
    /// File suffixes of the two sides (`en`, `es`).
    var sourceLanguage: String, targetLanguage: String
    /// Size of the joint BPE vocabulary.
    var vocabSize: Int
    /// Longest source or target in tokens; longer training pairs are dropped.
    var maxLength: Int
    /// Use only the first n training / validation / test pairs (nil: all).
    var trainExamples: Int?, validationExamples: Int?, testExamples: Int?
    /// Beam search of the final evaluation: width and length penalty α.
    var beamSize: Int, lengthPenalty: Double
    /// Checkpoints averaged (`averageLast`), `averageInterval` steps apart (the run's checkpoint cadence).
    var averageLast: Int, averageInterval: Int
    /// The ablations' budget: a run with more steps is also evaluated in full after this many (its values then
    /// carry the prefix `budget`: `budgetBleuBeam`, …), and a run with exactly this many stores its final values
    /// under those names too, so claims compare a variant with the baseline at the same step. Under the Noam
    /// schedule (no decay to a fixed end) the first `budgetSteps` steps of a longer run are the shorter run.
    var budgetSteps: Int?
    /// Also translate and score the test split.
    var test: Bool
    /// The paper's numbers per variant ("base" for the unmodified model): perplexity and BLEU, printed beside ours.
    var paper: [String: PaperRow]

    /// One row of the paper's table.
    struct PaperRow: Codable, Equatable, Sendable {
        var perplexity: Double?
        var bleu: Double?
    }

    init(_ c: StrictContainer) throws {
        data = try c("data")
        sourceLanguage = try c("sourceLanguage")
        targetLanguage = try c("targetLanguage")
        vocabSize = try c.positive("vocabSize")
        if vocabSize < 260 { throw c.invalid("vocabSize", "must be ≥ 260 (256 bytes, the special tokens and at least one merge), got \(vocabSize)") }
        maxLength = try c.positive("maxLength")
        trainExamples = c.has("trainExamples") ? try c.positive("trainExamples") : nil
        validationExamples = c.has("validationExamples") ? try c.positive("validationExamples") : nil
        testExamples = c.has("testExamples") ? try c.positive("testExamples") : nil
        beamSize = c.has("beamSize") ? try c.positive("beamSize") : 4
        lengthPenalty = try c.optional("lengthPenalty") ?? 0.6
        if !(lengthPenalty >= 0 && lengthPenalty.isFinite) { throw c.invalid("lengthPenalty", "must be ≥ 0, got \(lengthPenalty)") }
        averageLast = c.has("averageLast") ? try c.positive("averageLast") : 5
        averageInterval = try c.positive("averageInterval")
        budgetSteps = c.has("budgetSteps") ? try c.positive("budgetSteps") : nil
        test = try c.optional("test") ?? false
        paper = try c.optional("paper") ?? [:]
        sweep = try Sweep(c, schema: EncoderDecoderFamily.schema(vocab: vocabSize, maxLength: maxLength))
        for parameters in sweep.runs() {
            let t = try configs(parameters).training
            if t.maxSteps % averageInterval != 0 || t.evalInterval % averageInterval != 0 {
                throw c.invalid("averageInterval", "must divide training.maxSteps (\(t.maxSteps)) and training.evalInterval (\(t.evalInterval)) of every run, so the averaged checkpoints are the last \(averageLast) at this spacing; got \(averageInterval)")
            }
            if let b = budgetSteps, b > t.maxSteps || b % averageInterval != 0 || b / averageInterval < averageLast {
                throw c.invalid("budgetSteps", "must be ≤ training.maxSteps (\(t.maxSteps)), a multiple of averageInterval (\(averageInterval)) and ≥ averageLast × averageInterval (\(averageLast * averageInterval)); got \(b)")
            }
            if t.maxSteps / averageInterval < averageLast {
                throw c.invalid("averageLast", "\(averageLast) checkpoints \(averageInterval) steps apart need maxSteps ≥ \(averageLast * averageInterval), got \(t.maxSteps)")
            }
        }
        for name in paper.keys where name != "base" && !sweep.variants.contains(where: { $0.name == name }) {
            throw c.invalid("paper", "'\(name)' is neither 'base' nor a variant name")
        }
    }

    func encode(to c: inout KeyedEncodingContainer<AnyKey>) throws {
        try sweep.encode(to: &c)
        try c.encode(data, forKey: AnyKey("data"))
        try c.encode(sourceLanguage, forKey: AnyKey("sourceLanguage"))
        try c.encode(targetLanguage, forKey: AnyKey("targetLanguage"))
        try c.encode(vocabSize, forKey: AnyKey("vocabSize"))
        try c.encode(maxLength, forKey: AnyKey("maxLength"))
        try c.encodeIfPresent(trainExamples, forKey: AnyKey("trainExamples"))
        try c.encodeIfPresent(validationExamples, forKey: AnyKey("validationExamples"))
        try c.encodeIfPresent(testExamples, forKey: AnyKey("testExamples"))
        try c.encode(beamSize, forKey: AnyKey("beamSize"))
        try c.encode(lengthPenalty, forKey: AnyKey("lengthPenalty"))
        try c.encode(averageLast, forKey: AnyKey("averageLast"))
        try c.encode(averageInterval, forKey: AnyKey("averageInterval"))
        try c.encodeIfPresent(budgetSteps, forKey: AnyKey("budgetSteps"))
        try c.encode(test, forKey: AnyKey("test"))
        if !paper.isEmpty { try c.encode(paper, forKey: AnyKey("paper")) }
    }

    func runs() -> [[String: String]] { sweep.runs() }
    func definition(of parameters: [String: String]) -> JSONValue { sweep.resolved(parameters) }

    func configs(_ parameters: [String: String]) throws -> (model: EncoderDecoderConfig, training: TranslationTrainConfig) {
        let config = sweep.resolved(parameters)
        return (try EncoderDecoderFamily.model(config.members["model"] ?? .null, vocab: vocabSize, maxLength: maxLength),
                try EncoderDecoderFamily.training(config.members["training"] ?? .null, seed: UInt64(Int(parameters["seed"] ?? "") ?? 1)))
    }

    // MARK: Data

    /// The corpus of one split.
    func corpus(_ split: String, root: URL) throws -> ParallelCorpus {
        let base = root.appendingPathComponent(data).appendingPathComponent(split).path
        return try ParallelCorpus(sourcePath: "\(base).\(sourceLanguage)", targetPath: "\(base).\(targetLanguage)")
    }

    /// The test split's first `testExamples` pairs as raw lines (references are scored as written).
    func testLines(root: URL) throws -> (sources: [String], targets: [String]) {
        let c = try corpus("test", root: root)
        let n = testExamples ?? c.count
        return (Array(c.sources.prefix(n)), Array(c.targets.prefix(n)))
    }

    /// The joint BPE vocabulary of the training split, learned once and kept in the results folder
    /// (`vocabularies/`), so every run of the study — and every later invocation — uses the same one.
    func vocabulary(_ train: ParallelCorpus, results: URL) throws -> TranslationVocabulary {
        let folder = results.appendingPathComponent("vocabularies")
        let corpusName = data.split(separator: "/").joined(separator: "_")
        let file = folder.appendingPathComponent("bpe-\(vocabSize)-\(corpusName)-\(sourceLanguage)-\(targetLanguage)-\(trainExamples.map(String.init) ?? "all").json")
        if let stored = FileManager.default.contents(atPath: file.path),
           let vocabulary = try? JSONDecoder().decode(TranslationVocabulary.self, from: stored) { return vocabulary }
        let sources = trainExamples.map { Array(train.sources.prefix($0)) } ?? train.sources
        let targets = trainExamples.map { Array(train.targets.prefix($0)) } ?? train.targets
        let vocabulary = TranslationVocabulary.bpe(try BPETokenizer.train(texts: sources + targets, vocabSize: vocabSize))
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try AtomicFile.write(try JSONEncoder().encode(vocabulary), to: file)
        return vocabulary
    }

    /// Encoded pairs of a corpus (the first `limit`), without pairs that do not fit `maxLength` or have an empty side.
    func examples(_ corpus: ParallelCorpus, _ vocabulary: TranslationVocabulary, limit: Int?) -> [TranslationExample] {
        var out: [TranslationExample] = []
        for (s, t) in zip(corpus.sources, corpus.targets).prefix(limit ?? Int.max) {
            let e = TranslationExample(source: vocabulary.encode(s), target: vocabulary.encode(t))
            if !e.source.isEmpty && !e.target.isEmpty && e.source.count < maxLength && e.target.count < maxLength { out.append(e) }
        }
        return out
    }

    // MARK: Forecast

    func estimate(_ run: RunSpec, with estimator: Estimator) -> Estimate {
        guard let (m, t) = try? configs(run.parameters) else { return Estimate(seconds: 0, bytes: 0, flops: 0) }
        let p = Seq2SeqExperiment.parameters(m), c = Double(m.modelDim)
        // Half the padded tokens of a batch are source (encoder), half target (decoder and output layer); ×3 for the backward pass.
        let perStep = 3 * Double(t.batchTokens) * (p.encoder + p.decoder + Double(m.vocabSize) * c)
        // Decoding: ~1,200 sentences of ~12 tokens, each generated token a decoder pass plus the output layer (×beam).
        let sentences = Double(validationExamples ?? 1200), perToken = 2 * (p.decoder + Double(m.vocabSize) * c)
        let decodes = Double(1 + beamSize) * 2 + (t.evalBleu.map { Double($0) * Double(t.maxSteps / t.evalInterval + 1) } ?? 0) + (test ? Double(1 + 2 * beamSize) : 0)
        let decoding = decodes * sentences * 14 * perToken
        let evaluations = Double(t.maxSteps / t.evalInterval + 3) * sentences * 28 * (p.encoder + p.decoder) * 2
        let bytes = 16 * (p.encoder + p.decoder + Double(m.vocabSize) * c) + Double(t.batchTokens) * c * Double(m.numEncoderLayers + m.numDecoderLayers) * 20 * 4
            + Double(t.batchTokens) * Double(m.vocabSize) * 4 * 2
        // Efficiency of this (multiply–add ×3) count, evaluations and decoding included, measured by the transformer study's
        // whole runs on an idle 2-core AMD EPYC (Zen 4, peak 236 GFLOP/s): width 256 0.70, width 128 0.54–0.56, width 64 0.36
        // (the priors before, 0.5 / 0.3 / 0.1, forecast 1.4×, 2× and 4× the time); kept a little below.
        return estimator.forecast(flops: perStep * Double(t.maxSteps) + evaluations + decoding,
                                  efficiency: m.modelDim >= 256 ? 0.6 : m.modelDim >= 128 ? 0.5 : 0.3,
                                  bytes: bytes, overhead: 60 + Double(t.maxSteps) * 3e-3)
    }

    // MARK: Run

    func execute(_ run: RunSpec, in context: RunContext, record r: inout RunRecord) throws {
        var (model, training) = try configs(run.parameters)
        training.checkpointInterval = averageInterval
        training.keepCheckpoints = averageLast
        let results = context.folder.deletingLastPathComponent().deletingLastPathComponent()
        let trainCorpus = try corpus("train", root: context.root)
        let vocabulary = try vocabulary(trainCorpus, results: results)
        model.vocabSize = vocabulary.vocabSize
        let train = examples(trainCorpus, vocabulary, limit: trainExamples)
        let validation = examples(try corpus("valid", root: context.root), vocabulary, limit: validationExamples)
        let config = TranslationRunConfig(task: "translation", model: model, training: training,
                                          data: ["data": data, "source": sourceLanguage, "target": targetLanguage])
        let task = try TranslationTask(config: config, vocabulary: vocabulary, train: train, validation: validation)
        task.metricsInterval = 1
        let started = Date()
        let beam = DecodingOptions(beamSize: beamSize, lengthPenalty: lengthPenalty)
        let budgetFile = context.folder.appendingPathComponent("budget-evaluation.json")
        var milestone: (step: Int, action: (TrainingLoop<TranslationTask>) throws -> Void)?
        if let b = budgetSteps, b < training.maxSteps {
            milestone = (b, { loop in
                guard !FileManager.default.fileExists(atPath: budgetFile.path) else { return }
                var values = try self.evaluation(loop.model, task, context.folder, name: "averaged-budget", beam: beam, test: nil, root: context.root)
                values["evalLoss"] = Double(task.validationLoss(loop.model))
                values["perplexity"] = exp(values["evalLoss"]!)
                try AtomicFile.write(try JSONEncoder().encode(values), to: budgetFile)
            })
        }
        let (loop, o) = try StudyTraining.train(task, in: context, milestone: milestone)
        DecoderOnlyFamily.keep(o, model: loop.model, &r)
        r.values["perplexity"] = exp(o.finalEvalLoss)
        r.timings["trainSeconds"] = loop.trainSeconds
        r.values["trainPairs"] = Double(train.count)
        r.values["validationPairs"] = Double(validation.count)

        // Curves against steps and wall-clock (seconds of the training loop, evaluations included).
        let evals = try StudyTraining.records(context.folder).filter { $0.kind == "eval" }
        r.curves["bleu"] = evals.compactMap { e in e.metrics?["bleu"].map { [Double(e.step), $0] } }
        r.timingCurves["evalLossByTime"] = evals.compactMap { e in
            guard let v = e.validationLoss, let t = e.elapsedSeconds else { return nil }
            return [t, Double(v)]
        }
        r.timingCurves["bleuByTime"] = evals.compactMap { e in
            guard let b = e.metrics?["bleu"], let t = e.elapsedSeconds else { return nil }
            return [t, b]
        }

        // The last checkpoint and the average of the last ones (the paper's base models average the last 5),
        // on the validation split and, optionally, the test split.
        let decodeStart = Date()
        let testCorpus = test ? try testLines(root: context.root) : nil
        let final = try evaluation(loop.model, task, context.folder, name: "averaged", beam: beam, test: testCorpus, root: context.root)
        r.values.merge(final) { _, new in new }
        r.timings["decodeSeconds"] = Date().timeIntervalSince(decodeStart)
        r.timings["runSeconds"] = Date().timeIntervalSince(started)
        if let b = budgetSteps {
            var budget: [String: Double]
            if b == training.maxSteps {
                budget = final.filter { !$0.key.hasPrefix("test") }
                budget["evalLoss"] = o.finalEvalLoss
                budget["perplexity"] = exp(o.finalEvalLoss)
            } else {
                guard let data = FileManager.default.contents(atPath: budgetFile.path) else {
                    throw CheckpointError.notFound("\(budgetFile.path) (the evaluation at step \(b); delete the run folder to re-run it)")
                }
                budget = try JSONDecoder().decode([String: Double].self, from: data)
            }
            for (k, v) in budget { r.values["budget" + k.prefix(1).uppercased() + k.dropFirst()] = v }
        }

        // Controls computed from the data: a decoder that ignores the source (target unigram / bigram), and copying the source.
        let targets = train.map { $0.target + [model.eosID] }, validTargets = validation.map { $0.target + [model.eosID] }
        r.values["unigramNats"] = NGramFloor(order: 1, vocabSize: vocabulary.vocabSize, sequences: targets).crossEntropy(validTargets)
        r.values["bigramNats"] = NGramFloor(order: 2, vocabSize: vocabulary.vocabSize, sequences: targets, smoothing: 0.1).crossEntropy(validTargets)
        let sources = validation.map { vocabulary.decode($0.source) }
        let copy = try TranslationBLEU.score(hypotheses: sources, sources: sources, references: validation.map { vocabulary.decode($0.target) })
        r.values["copySourceBleu"] = copy.single
        r.values["copySourceBleuMulti"] = copy.multi
    }

    /// The full evaluation of `model` and of the average of the newest `averageLast` checkpoints in `folder`
    /// (written to `folder/<name>`): greedy and beam BLEU on the validation split (`bleuGreedy`, `bleuBeam`,
    /// `…Multi`; `averaged…` for the average, with `averagedEvalLoss` and `averagedPerplexity`), and with a
    /// test corpus the same on it (`test…`, `testAveraged…`; references are its raw lines).
    func evaluation(_ model: EncoderDecoder, _ task: TranslationTask, _ folder: URL, name: String, beam: DecodingOptions,
                    test: (sources: [String], targets: [String])?, root: URL) throws -> [String: Double] {
        var values: [String: Double] = [:]
        let averagedFolder = folder.appendingPathComponent(name)
        let steps = try TranslationCheckpoint.average(run: folder, last: averageLast, out: averagedFolder)
        let averaged = try TranslationCheckpoint.loadModel(averagedFolder).model
        values["averagedCheckpoints"] = Double(steps.count)
        values["averagedFirstStep"] = Double(steps.first ?? 0)
        values["averagedEvalLoss"] = Double(task.validationLoss(averaged))
        values["averagedPerplexity"] = exp(values["averagedEvalLoss"]!)
        var testExamples: [TranslationExample] = []
        if let test {
            testExamples = zip(test.sources, test.targets).map {
                TranslationExample(source: Array(task.vocabulary.encode($0.0).prefix(maxLength - 1)), target: task.vocabulary.encode($0.1))
            }
        }
        for (prefix, m, examples) in [("", model, task.validation), ("averaged", averaged, task.validation),
                                      ("test", model, testExamples), ("testAveraged", averaged, testExamples)] where !examples.isEmpty {
            for (key, options) in [("BleuGreedy", DecodingOptions.greedy), ("BleuBeam", beam)] {
                let b = try TranslationBLEU.measure(m, vocabulary: task.vocabulary, examples: examples, options: options)
                let s = test != nil && prefix.hasPrefix("test")
                    ? try TranslationBLEU.score(hypotheses: b.hypotheses, sources: test!.sources, references: test!.targets)
                    : (single: b.single, multi: b.multi)
                let name = prefix.isEmpty ? "b" + key.dropFirst() : prefix + key
                values[name] = s.single
                values[name + "Multi"] = s.multi
            }
        }
        return values
    }

    // MARK: Report

    func modelCells(_ w: ReportWords) -> String {
        guard let (m, _) = try? configs([:]) else { return "— | — | — | — | —" }
        let p = Seq2SeqExperiment.parameters(m)
        return Seq2SeqExperiment.modelCells(m, parameters: p.encoder + p.decoder + Double(vocabSize * m.modelDim), sweep: sweep, w)
    }

    func dataLine(_ name: String, _ w: ReportWords) -> String {
        w.f("`%@` (%@→%@): the training split%@ with a joint byte-level BPE vocabulary of %@ tokens learned on it; pairs of more than %@ tokens dropped; the validation split%@ for perplexity and BLEU%@.",
            data, sourceLanguage, targetLanguage, trainExamples.map { w.f(" (first %@ pairs)", "\($0)") } ?? "", "\(vocabSize)", "\(maxLength)",
            validationExamples.map { w.f(" (first %@ pairs)", "\($0)") } ?? "", test ? w(", and the test split for the baseline's BLEU") : "")
    }

    func hyperparameters(_ name: String, _ w: ReportWords) -> String {
        guard let (m, t) = try? configs([:]) else { return "" }
        return "- **\(name)**: " + w.f("batches of %@ padded tokens, %@ steps, Noam schedule (warm-up %@, scale %@), Adam (β = %@, %@, ε = %@), label smoothing %@, clip %@, dropout %@, %@-LayerNorm, FFN %@, evaluation every %@ steps; beam %@ with length penalty %@; the last %@ checkpoints, %@ steps apart, averaged. Runs: %@.",
            "\(t.batchTokens)", "\(t.maxSteps)", "\(t.warmupSteps)", w.number(Double(t.learningRateScale)), w.number(Double(t.beta1)), w.number(Double(t.beta2)),
            "\(t.epsilon)", w.number(Double(t.labelSmoothing)), w.number(Double(t.gradClip)), w.number(Double(m.dropout)), m.normPlacement.rawValue,
            "\(m.hiddenDim)", "\(t.evalInterval)", "\(beamSize)", w.number(lengthPenalty), "\(averageLast)", "\(averageInterval)", sweep.axesText(w)) + "\n"
    }

    func section(_ e: Experiment, records: [RunRecord], figures: inout [String: String], _ w: ReportWords) -> String {
        section(e, records: records, others: [], figures: &figures, w)
    }

    /// Runs that stop at the budget (the ablations) are drawn beside another experiment on the same data that trains
    /// past it (the baseline): its seeds' beam BLEU at the budget step is the per-variant chart's first row, and its
    /// seeds' numbers at that step are the first rows of the table.
    func section(_ e: Experiment, records: [RunRecord], others: [(Experiment, [RunRecord])], figures: inout [String: String],
                 _ w: ReportWords) -> String {
        var comparison: (label: String, values: [Double])?
        var budgetRows: (label: String, records: [RunRecord], paper: PaperRow?)?
        if let b = budgetSteps, (try? configs([:]))?.training.maxSteps == b {
            for (o, rs) in others {
                guard let x = o.settings as? TranslationExperiment, x.data == data, x.budgetSteps == b,
                      let steps = (try? x.configs([:]))?.training.maxSteps, steps > b else { continue }
                let atBudget = rs.filter { $0.values["budgetBleuBeam"] != nil }
                if !atBudget.isEmpty {
                    comparison = (w.f("%@ at update %@ (%@ seeds)", o.name, "\(b)", "\(atBudget.count)"), atBudget.compactMap { $0.values["budgetBleuBeam"] })
                    // The paper's base row belongs to the other experiment (the baseline) when this one lists only variants.
                    budgetRows = (w.f("%@ at update %@", o.name, "\(b)"), atBudget, paper["base"] ?? x.paper["base"])
                    break
                }
            }
        }
        let floors = TrainingResults.floors(records, w, ["unigramNats": "target unigram control", "bigramNats": "target bigram control"])
        var md = TrainingResults.section(e, records, &figures, w, curve: "evalLoss", what: "validation cross-entropy (nats)",
                                         extra: ("BLEU, beam", "bleuBeam"), references: floors,
                                         extraReferences: TrainingResults.floors(records, w, ["copySourceBleu": "copying the source"]),
                                         comparison: comparison)
        md += "| \(w("variant")) | \(w("seed")) | \(w("parameters")) | \(w("perplexity")) | \(w("BLEU greedy")) | \(w("BLEU beam")) | \(w("multi-ref. beam")) | \(w("averaged: perplexity")) | \(w("averaged: BLEU beam")) | \(w("paper: perplexity / BLEU")) |\n|---|---|---|---|---|---|---|---|---|---|\n"
        // One row per run; the baseline's rows read the same columns at the budget step ("perplexity" → "budgetPerplexity").
        func row(_ label: String, _ r: RunRecord, key: (String) -> String = { $0 }, paper paperRow: PaperRow?) -> String {
            func n(_ k: String) -> String { r.values[k == "parameters" ? k : key(k)].map(w.number) ?? "—" }
            let p = paperRow.map { "\($0.perplexity.map(w.number) ?? "—") / \($0.bleu.map(w.number) ?? "—")" } ?? "—"
            return "| \(label) | \(r.parameters["seed"] ?? "?") | \(n("parameters")) | \(n("perplexity")) | \(n("bleuGreedy")) | \(n("bleuBeam")) | \(n("bleuBeamMulti")) | \(n("averagedPerplexity")) | \(n("averagedBleuBeam")) | \(p) |\n"
        }
        if let budget = budgetRows {
            for r in budget.records { md += row(budget.label, r, key: { "budget" + $0.prefix(1).uppercased() + $0.dropFirst() }, paper: budget.paper) }
        }
        for r in records { md += row(Sweep.label(r.parameters), r, paper: paper[r.parameters["variant"] ?? "base"]) }
        if records.contains(where: { $0.values["testBleuBeam"] != nil }) {
            md += "\n| \(w("variant")) | \(w("seed")) | \(w("test BLEU greedy (single / multi-ref.)")) | \(w("test BLEU beam (single / multi-ref.)")) | \(w("averaged: test BLEU beam (single / multi-ref.)")) |\n|---|---|---|---|---|\n"
            for r in records where r.values["testBleuBeam"] != nil {
                func n(_ k: String) -> String { r.values[k].map(w.number) ?? "—" }
                md += "| \(Sweep.label(r.parameters)) | \(r.parameters["seed"] ?? "?") | \(n("testBleuGreedy")) / \(n("testBleuGreedyMulti")) | \(n("testBleuBeam")) / \(n("testBleuBeamMulti")) | \(n("testAveragedBleuBeam")) / \(n("testAveragedBleuBeamMulti")) |\n"
            }
        }
        if let copy = records.lazy.compactMap({ $0.values["copySourceBleu"] }).first {
            md += "\n" + w.f("Control: copying the source sentence scores %@ BLEU on the validation split.", w.number(copy)) + "\n"
        }
        // Against wall-clock (seconds of the training loop, evaluations included), for the runs that logged BLEU while
        // training (the baseline; the ablations' seventeen single runs would be a tangle): BLEU and the loss.
        for (key, file, title, yLabel, alt) in [("bleuByTime", "bleu-time", "%@: validation BLEU (greedy) against training time", "BLEU", "BLEU against time"),
                                                ("evalLossByTime", "loss-time", "%@: validation cross-entropy against training time",
                                                 w("validation cross-entropy (nats)"), "validation loss against time")] {
            var byTime: [String: [(Double, Double)]] = [:]
            for r in records {
                guard let curve = r.timingCurves[key], !curve.isEmpty, r.timingCurves["bleuByTime"]?.isEmpty == false else { continue }
                byTime["\(Sweep.label(r.parameters)) \(w("seed")) \(r.parameters["seed"] ?? "?")"] = curve.map { ($0[0] / 60, $0[1]) }
            }
            guard !byTime.isEmpty else { continue }
            let name = "\(e.name)-\(file).svg"
            figures[name] = SVGPlot.lines(byTime, title: w.f(title, e.name), xLabel: w("minutes"), yLabel: yLabel, logX: false,
                                          references: key == "evalLossByTime" ? floors : [])
            md += "\n![\(w(alt))](\(name))\n"
        }
        return md + "\n"
    }
}
