import AttendData
import AttendModels
import AttendNN
import AttendTensor
import AttendTrain
import Foundation

/// The decoder-only family in studies: `model` holds any `ModelConfig` key but the vocabulary and
/// context length (the task fixes them; numLayers, numHeads and modelDim are required, everything else
/// defaults as in `ModelConfig.init`), `training` the keys of `TrainingSpec`. Also what the decoder-only
/// training tasks (copy, pixels, char-lm) share: a run's configurations, its forecast, and the report's
/// model and hyperparameter lines.
enum DecoderOnlyFamily {
    static let fixedKeys: Set<String> = ["vocabSize", "contextLength"]
    static let modelKeys: [String] = {
        let sample = ModelConfig(vocabSize: 2, contextLength: 2, modelDim: 2, numHeads: 1, numLayers: 1)
        return ((try? JSONValue(encoding: sample))?.members.keys.sorted() ?? []).filter { !fixedKeys.contains($0) }
    }()

    /// The model of a run: the object over `ModelConfig`'s defaults, with the task's vocabulary and length.
    static func model(_ object: JSONValue, vocab: Int, length: Int) throws -> ModelConfig {
        struct Core: Decodable { var numLayers, numHeads, modelDim: Int }
        let core = try object.decode(as: Core.self)
        let defaults = ModelConfig(vocabSize: vocab, contextLength: length, modelDim: core.modelDim, numHeads: max(core.numHeads, 1),
                                   numLayers: core.numLayers)
        let config: ModelConfig = try (try JSONValue(encoding: defaults)).merged(with: object)
            .setting(["vocabSize"], to: .int(vocab)).setting(["contextLength"], to: .int(length)).decode()
        try config.validate()
        return config
    }

    static func schema(vocab: Int, length: Int) -> ConfigSchema {
        ConfigSchema(modelKeys: modelKeys, trainingKeys: TrainingSpec.keys, kindKey: "attention",
                     checkModel: { _ = try model($0, vocab: vocab, length: length) },
                     checkTraining: { _ = try $0.decode(as: TrainingSpec.self) })
    }

    /// The run's model (with the task's vocabulary and sequence length) and optimisation settings.
    static func configs(_ sweep: Sweep, _ parameters: [String: String], vocab: Int, length: Int) throws -> (model: ModelConfig, training: TrainingSpec) {
        let config = sweep.resolved(parameters)
        return (try DecoderOnlyFamily.model(config.members["model"] ?? .null, vocab: vocab, length: length),
                try (config.members["training"] ?? .null).decode())
    }

    static func estimate(_ sweep: Sweep, _ run: RunSpec, _ estimator: Estimator, vocab: Int, length: Int) -> Estimate {
        guard let (m, t) = try? configs(sweep, run.parameters, vocab: vocab, length: length) else { return Estimate(seconds: 0, bytes: 0, flops: 0) }
        return estimator.training(m, length: length, steps: t.steps, batchSize: t.batchSize,
                                  evaluations: t.steps / t.evalInterval + 2, evalSequences: t.evalBatches * t.batchSize)
    }

    static func modelCells(_ sweep: Sweep, vocab: Int, length: Int, _ w: ReportWords) -> String {
        guard let (m, _) = try? configs(sweep, [:], vocab: vocab, length: length) else { return "— | — | — | — | —" }
        let kinds = sweep.kinds.isEmpty ? m.attention.rawValue : sweep.kinds.map(\.rawValue).joined(separator: ", ")
        let blocks = Double(m.numLayers) * Estimator.blockParameters(modelDim: m.modelDim, hiddenDim: m.hiddenDim)
        return "\(kinds) | \(m.numLayers) | \(m.numHeads) | \(m.modelDim) | \(w.number(blocks))" + (sweep.grid.isEmpty && sweep.variants.isEmpty ? "" : " " + w("(base; variants in 3.3)"))
    }

    static func hyperparameters(_ name: String, _ sweep: Sweep, vocab: Int, length: Int, _ w: ReportWords) -> String {
        guard let (m, h) = try? configs(sweep, [:], vocab: vocab, length: length) else { return "" }
        return "- **\(name)**: " + w.f("batch %@, %@ steps, learning rate %@ → %@ (cosine) after %@ warm-up steps, weight decay %@, clip %@, evaluation every %@ steps on %@ batches; AdamW (β = 0.9, 0.99), dropout %@, %@-LayerNorm blocks%@. Runs: %@.",
            "\(h.batchSize)", "\(h.steps)", w.number(Double(h.learningRate)), w.number(Double(h.learningRate) / 10), "\(h.warmupSteps)",
            w.number(Double(h.weightDecay)), w.number(Double(h.gradClip)), "\(h.evalInterval)", "\(h.evalBatches)", w.number(Double(m.dropout)),
            m.normPlacement.rawValue, m.tieWeights ? w(" with tied embeddings") : "", sweep.axesText(w)) + "\n"
    }

    /// Loss curves and throughput of a finished run into its record.
    /// Trains a run of a token-sequence experiment (copy, pixels) — `model` with `t`, batches from `next`,
    /// evaluated on `evaluation` — through the one loop in the run's folder, and keeps its curves in `r`.
    static func trainSequence(_ name: String, model: ModelConfig, _ t: TrainingSpec, _ run: RunSpec, _ context: RunContext,
                              evaluation: [SequenceBatch], record r: inout RunRecord,
                              next: @escaping (inout RandomGenerator) -> SequenceBatch) throws -> DecoderOnly {
        let task = try SequenceTask(name: name, model: model, training: StudyTraining.trainConfig(t, run, context),
                                    evaluation: evaluation, next: next)
        task.metricsInterval = 1
        let (loop, outcome) = try StudyTraining.train(task, in: context)
        keep(outcome, model: loop.model, &r)
        return loop.model
    }

    static func keep(_ o: StudyTraining.Outcome, model: any Module, _ r: inout RunRecord) {
        r.curves["trainLoss"] = o.trainLoss
        r.curves["evalLoss"] = o.evalLoss
        r.values["finalEvalLoss"] = o.finalEvalLoss
        r.timings["tokensPerSecond"] = o.tokensPerSecond
        r.values["parameters"] = Double(model.parameterCount)
    }
}
