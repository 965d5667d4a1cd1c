import AttendData
import AttendModels
import AttendNN
import AttendTensor
import AttendTrain
import Foundation

/// `memory-regression`: Wang & E's synthetic sequence modelling (NeurIPS 2024, §5): a `RegressionTransformer`
/// (`model`: numLayers, numHeads, modelDim, headDim, hiddenDim = FFN width m, dotProduct, positionBias, positionBuckets,
/// positionMaxDistance) learns
/// a `MemoryTarget` over ±1 sequences of `length` by squared loss (`training`: `TrainingSpec`, batches of fresh
/// sequences every step); a `Sweep` over the model keys × seeds. Each run stores the final validation MSE
/// (`finalEvalLoss`), the MSE relative to the target's variance (`relativeMSE`), its curves, and two controls
/// computed from the validation targets: the best constant (`constantMSE`) and the best predictor that reads
/// only x_T (`lastTokenMSE`, what any attention-free model is limited to).
struct MemoryRegressionExperiment: ExperimentTask {
    static let name = "memory-regression"
    static let keys = Sweep.keys + ["target", "length", "positions", "targetSeed", "validationSequences"]
    static let listKeys = Sweep.listKeys

    var sweep: Sweep
    /// The target (its positions, weights and constants) over sequences of `length`.
    var data: MemoryRegressionData
    /// Whether the spec gave positions (then they are written back).
    var positions: [Int]?
    /// Seed of the target's fixed read-out weights.
    var targetSeed: Int
    /// Fixed validation sequences (drawn from seed 999).
    var validationSequences: Int

    static let schema = ConfigSchema(modelKeys: RegressionTransformerConfig.keys, trainingKeys: TrainingSpec.keys, kindKey: nil,
                                     checkModel: { try model($0).validate() }, checkTraining: { _ = try $0.decode(as: TrainingSpec.self) })

    static func model(_ object: JSONValue) throws -> RegressionTransformerConfig { try object.decode() }

    init(_ c: StrictContainer) throws {
        let target = MemoryTarget(rawValue: try c.choice("target", from: MemoryTarget.allCases.map(\.rawValue)))!
        let length = try c.positive("length")
        positions = c.has("positions") ? try c.positiveList("positions") : nil
        targetSeed = try c.optional("targetSeed") ?? 0
        if targetSeed < 0 { throw c.invalid("targetSeed", "must be ≥ 0, got \(targetSeed)") }
        validationSequences = c.has("validationSequences") ? try c.positive("validationSequences") : 1000
        do {
            data = try MemoryRegressionData(target: target, length: length, positions: positions, targetSeed: UInt64(targetSeed))
        } catch let e as RegressionDataError {
            throw c.invalid(positions == nil ? "length" : "positions", e.message)
        }
        sweep = try Sweep(c, schema: Self.schema)
    }

    func encode(to c: inout KeyedEncodingContainer<AnyKey>) throws {
        try sweep.encode(to: &c)
        try c.encode(data.target.rawValue, forKey: AnyKey("target"))
        try c.encode(data.length, forKey: AnyKey("length"))
        if let positions { try c.encode(positions, forKey: AnyKey("positions")) }
        try c.encode(targetSeed, forKey: AnyKey("targetSeed"))
        try c.encode(validationSequences, forKey: AnyKey("validationSequences"))
    }

    func runs() -> [[String: String]] { sweep.runs() }
    func definition(of parameters: [String: String]) -> JSONValue { sweep.resolved(parameters) }

    func configs(_ parameters: [String: String]) throws -> (model: RegressionTransformerConfig, training: TrainingSpec) {
        let config = sweep.resolved(parameters)
        return (try Self.model(config.members["model"] ?? .null), try (config.members["training"] ?? .null).decode())
    }

    /// FLOPs of one training step (forward + backward ≈ 3× forward) for batch `b`: the last-row attention of the
    /// final layer (DP-free: one [B, T]·[T, H] product; DP: ~12 operations per score), earlier layers in full
    /// (projections, causal scores and mixing), FFNs and read-out on the rows that need them.
    /// With `timed` the full layers are left out (the forecast prices them per token instead).
    static func stepFLOPs(_ m: RegressionTransformerConfig, length t: Int, batch b: Int, timed: Bool = false) -> Double {
        let (bt, tt, h, d, hd) = (Double(b), Double(t), Double(m.numHeads), Double(m.modelDim), Double(m.resolvedHeadDim))
        let mm = Double(m.hiddenDim), l = Double(m.numLayers)
        var forward = bt * 2 * d * max(mm, 1)                                   // read-out
        if m.numHeads > 0 { forward += bt * (m.dotProduct ? 12 * h * tt : 2 * h * tt) + bt * 2 * d * h * hd * 2 }
        if m.numLayers > 1 && !timed {
            let projections = (m.dotProduct ? 4 : 2) * d * h * hd * 2
            forward += (l - 1) * bt * tt * (projections + 2 * d * mm * 2 + (m.dotProduct ? 2 : 1) * h * tt * hd * 2)
        }
        return 3 * forward
    }

    func estimate(_ run: RunSpec, with estimator: Estimator) -> Estimate {
        guard let (m, t) = try? configs(run.parameters) else { return Estimate(seconds: 0, bytes: 0, flops: 0) }
        let steps = Double(t.steps), evaluations = Double(t.steps / t.evalInterval + 2)
        func flops(timed: Bool) -> Double {
            Self.stepFLOPs(m, length: data.length, batch: t.batchSize, timed: timed) * steps
                + Self.stepFLOPs(m, length: data.length, batch: validationSequences, timed: timed) / 3 * evaluations
        }
        // Fixed costs per step (drawing B·T signs and targets, the tape, AdamW, one metrics line) dominate small models;
        // a full layer (L ≥ 2) costs about 0.75 µs per token on two cores. Calibrated on the full expressive-power runs
        // (AMD EPYC Zen 4, 2 threads): a 1-layer DP-free cell at T = 1000, batch 100 takes ~0.45 ms per step plus its
        // attention at ~12 % of the FMA peak (DP: ~5 %); 2- and 3-layer cells at T = 32 take 2.8 and 4.3 ms per step.
        let perStep = 1.5e-4 + 3e-9 * Double(t.batchSize * data.length) + 0.75e-6 * Double((m.numLayers - 1) * t.batchSize * data.length)
        let scores = Double(t.batchSize * data.length * max(m.numHeads, 1))
        let bytes = 4 * scores * (m.dotProduct ? 8 : 1) + 4 * Double(t.batchSize * data.length) * 4 * Double(m.modelDim) * Double(m.numLayers - 1)
        var e = estimator.forecast(flops: flops(timed: true), efficiency: m.dotProduct ? 0.05 : 0.12, bytes: bytes, overhead: 0.5 + steps * perStep)
        e.flops = flops(timed: false)
        return e
    }

    func execute(_ run: RunSpec, in context: RunContext, record r: inout RunRecord) throws {
        let (model, t) = try configs(run.parameters)
        let task = try RegressionTask(model: model, training: StudyTraining.trainConfig(t, run, context), data: data,
                                      validationSequences: validationSequences)
        task.metricsInterval = 1
        let (loop, o) = try StudyTraining.train(task, in: context)
        DecoderOnlyFamily.keep(o, model: loop.model, &r)
        let controls = task.controls
        r.values["constantMSE"] = controls.constant
        r.values["lastTokenMSE"] = controls.lastTokenOnly
        r.values["relativeMSE"] = o.finalEvalLoss / max(controls.constant, 1e-30)
        if let scale = loop.model.attention.first?.positionBias?.weight, model.positionBias == .logType || model.positionBias == .linType {
            r.values["positionScaleMin"] = Double(scale.scalars.map { exp($0) }.min() ?? .nan)
            r.values["positionScaleMax"] = Double(scale.scalars.map { exp($0) }.max() ?? .nan)
        }
    }

    func modelCells(_ w: ReportWords) -> String {
        guard let (m, _) = try? configs([:]) else { return "— | — | — | — | —" }
        var rng = RandomGenerator(seed: 0)
        let parameters = (try? RegressionTransformer(m, rng: &rng))?.parameterCount ?? 0
        let buckets = m.positionBias == .t5 ? " " + w.f("(%@ buckets, exact below lag %@)", "\(m.resolvedBuckets.buckets)", "\(m.resolvedBuckets.buckets / 2)") : ""
        let attention = m.numHeads == 0 ? w("none") : "\(m.dotProduct ? "DP" : "DP-free"), \(m.positionBias.rawValue)\(buckets)"
        return "\(attention) | \(m.numLayers) | \(m.numHeads) | \(m.modelDim) | \(w.number(Double(parameters)))"
            + (sweep.grid.isEmpty && sweep.variants.isEmpty ? "" : " " + w("(base; variants in 3.3)"))
    }

    func dataLine(_ name: String, _ w: ReportWords) -> String {
        let p = data.positions.isEmpty ? "—" : data.positions.map(String.init).joined(separator: ", ")
        return w.f("target `%@` over i.i.d. ±1 sequences of length %@, read at t = %@ (memory positions %@, 1-based); fresh batches every step, %@ fixed validation sequences.",
                   data.target.rawValue, "\(data.length)", "\(data.length)", p, "\(validationSequences)")
    }

    func hyperparameters(_ name: String, _ w: ReportWords) -> String {
        guard let (m, h) = try? configs([:]) else { return "" }
        return "- **\(name)**: " + w.f("batch %@, %@ steps, learning rate %@ → %@ (cosine) after %@ warm-up steps, weight decay %@, clip %@, evaluation every %@ steps; AdamW (β = 0.9, 0.99), squared loss, width D = %@, head width %@, FFN width m = %@. Runs: %@.",
            "\(h.batchSize)", "\(h.steps)", w.number(Double(h.learningRate)), w.number(Double(h.learningRate) / 10), "\(h.warmupSteps)",
            w.number(Double(h.weightDecay)), w.number(Double(h.gradClip)), "\(h.evalInterval)", "\(m.modelDim)", "\(m.resolvedHeadDim)",
            "\(m.hiddenDim)", sweep.axesText(w)) + "\n"
    }

    func section(_ e: Experiment, records: [RunRecord], figures: inout [String: String], _ w: ReportWords) -> String {
        // The controls in the relative-MSE chart's units: the best constant is 1 by definition.
        let relative = records.lazy.compactMap { r in r.values["lastTokenMSE"].flatMap { l in r.values["constantMSE"].map { l / $0 } } }.first
        return TrainingResults.section(e, records, &figures, w, curve: "evalLoss", what: "validation MSE",
                                       extra: ("relative MSE", "relativeMSE"),
                                       references: TrainingResults.floors(records, w, ["constantMSE": "best constant (variance of y)",
                                                                                       "lastTokenMSE": "best attention-free predictor (x_T only)"]),
                                       extraReferences: [SVGPlot.Reference("\(w("best constant (variance of y)")) 1", 1)]
                                           + (relative.map { [SVGPlot.Reference("\(w("best attention-free predictor (x_T only)")) \(w.number($0))", $0)] } ?? []))
    }
}
