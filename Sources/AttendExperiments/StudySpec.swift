import AttendNN
import Foundation

/// The sizes of a study: `tiny` (debug-mode tests, seconds), `quick` (minutes in release), `full` (the report's scale).
public enum Scale: String, Codable, CaseIterable, Sendable {
    /// `tiny`: debug-mode tests, seconds; `quick`: minutes in a release build; `full`: the scale the report is written at.
    case tiny, quick, full
}

/// A replication study: the paper, its claims with the thresholds that decide them, the report's prose,
/// and (per scale) the experiments to run. Read from `Experiments/<name>/study.json` plus `<scale>.json`.
public struct Study: Codable, Equatable, Sendable {
    /// Folder name under `Experiments/`, e.g. `linear-attention`.
    public var name: String
    /// Title of the study (the paper's title).
    public var title: String
    /// The title in German (`titleDe` in study.json), for `--language de`; the paper's own title stays as it is.
    public var titleDe: String?
    /// The replicated paper.
    public var paper: Paper
    /// The claims tested, in report order.
    public var claims: [Claim]
    /// Prose for the report's sections (keys in `Study.textKeys`); optional per key.
    public var text: [String: String]
    /// Which scale `experiments` belongs to.
    public var scale: Scale
    /// The experiments of this scale.
    public var experiments: [Experiment]

    /// The prose keys a study may fill in.
    public static let textKeys = ["introduction", "scope", "model", "data", "hyperparameters", "implementation", "setup",
                                  "results", "additional", "discussion", "easy", "hard", "recommendations", "authors"]
    /// The same prose in German (`textDe`, same keys), for `--language de`.
    public var textDe: [String: String]?

    /// The study's title in `language` (German falls back to English where a study lacks it).
    public func title(_ language: Report.Language) -> String { language == .de ? (titleDe ?? title) : title }

    /// The prose of section `key` in `language` (German falls back to English where a study lacks it).
    public func text(_ key: String, _ language: Report.Language) -> String? {
        language == .de ? (textDe?[key] ?? text[key]) : text[key]
    }

    /// The paper a study replicates.
    public struct Paper: Codable, Equatable, Sendable {
        /// Paper title.
        public var title: String
        /// Author list.
        public var authors: String
        /// Where and when it appeared.
        public var venue: String
        /// `venue` in German, where it is more than a name (a blog post), for `--language de`.
        public var venueDe: String?
        /// Where to read it.
        public var url: String
    }

    /// Reads `folder/study.json` and `folder/<scale>.json` strictly: unknown keys, missing fields and bad
    /// values throw a `SpecError` naming the file, the field and what is allowed.
    public static func load(folder: URL, scale: Scale) throws -> Study {
        let studyFile = folder.appendingPathComponent("study.json")
        let scaleFile = folder.appendingPathComponent("\(scale.rawValue).json")
        let header: StudyFile = try decode(StudyFile.self, from: studyFile)
        let plan: ScaleFile = try decode(ScaleFile.self, from: scaleFile)
        var study = Study(name: header.name, title: header.title, paper: header.paper, claims: header.claims,
                          text: header.text, scale: scale, experiments: plan.experiments)
        study.textDe = header.textDe.isEmpty ? nil : header.textDe
        study.titleDe = header.titleDe
        try study.checkReferences(studyFile: studyFile.path, scaleFile: scaleFile.path)
        return study
    }

    /// Decodes one spec file, turning decoding errors into `SpecError`s that name `url`.
    static func decode<T: Decodable>(_ type: T.Type, from url: URL) throws -> T {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw SpecError(file: url.path, field: "", message: "file not found (a study folder holds study.json, tiny.json, quick.json and full.json)")
        }
        do { return try JSONDecoder().decode(T.self, from: data) } catch { throw SpecError.from(error, file: url.path) }
    }

    /// Decodes a study from a JSON string (tests); `file` names it in errors.
    public static func decodeStudyFile(_ json: String, file: String) throws -> (name: String, claims: [Claim]) {
        do {
            let f = try JSONDecoder().decode(StudyFile.self, from: Data(json.utf8))
            return (f.name, f.claims)
        } catch { throw SpecError.from(error, file: file) }
    }

    /// Decodes a scale file's experiments from a JSON string (tests); `file` names it in errors.
    public static func decodeScaleFile(_ json: String, file: String) throws -> [Experiment] {
        do { return try JSONDecoder().decode(ScaleFile.self, from: Data(json.utf8)).experiments } catch { throw SpecError.from(error, file: file) }
    }

    /// Every claim's metrics must name experiments of this scale; names must be unique. A duplicate name is the
    /// scale file's error; a claim naming a missing experiment is reported at the claim (`studyFile`) and names the
    /// scale file too, since either may be the one to fix.
    func checkReferences(studyFile: String, scaleFile: String) throws {
        let names = experiments.map(\.name)
        for (i, name) in names.enumerated() where names.firstIndex(of: name) != i {
            throw SpecError(file: scaleFile, field: "experiments[\(i)].name", message: "'\(name)' is used twice; experiment names must be unique")
        }
        for (c, claim) in claims.enumerated() {
            for (k, check) in (claim.checks + claim.requires).enumerated() {
                for selector in check.metric.selectors where !names.contains(selector.experiment) {
                    throw SpecError(file: studyFile, field: "claims[\(c)] check \(k): experiment",
                                    message: "'\(selector.experiment)' is not an experiment of \(scaleFile); experiments: \(names.joined(separator: ", "))")
                }
            }
        }
    }

    /// Every run of every experiment, in spec order.
    public var runs: [RunSpec] { experiments.flatMap { $0.runs() } }
}

/// `study.json`: everything about a study that does not depend on the scale.
struct StudyFile: Decodable {
    var name, title: String
    var titleDe: String?
    var paper: Study.Paper
    var claims: [Claim]
    var text: [String: String]
    var textDe: [String: String]

    init(from decoder: Decoder) throws {
        let c = try StrictContainer(decoder, allowed: ["name", "title", "titleDe", "paper", "claims", "text", "textDe"])
        name = try c("name")
        title = try c("title")
        titleDe = try c.optional("titleDe")
        paper = try c("paper")
        claims = try c("claims")
        text = try c.optional("text") ?? [:]
        textDe = try c.optional("textDe") ?? [:]
        for (field, prose) in [("text", text), ("textDe", textDe)] {
            for key in prose.keys.sorted() where !Study.textKeys.contains(key) {
                throw c.invalid(field, "unknown section '\(key)'; allowed: \(Study.textKeys.joined(separator: ", "))")
            }
        }
        if claims.isEmpty { throw c.invalid("claims", "must list at least one claim") }
    }
}

/// `<scale>.json`: the experiments run at one scale.
struct ScaleFile: Decodable {
    var experiments: [Experiment]
    init(from decoder: Decoder) throws {
        let c = try StrictContainer(decoder, allowed: ["experiments"])
        experiments = try c("experiments")
        if experiments.isEmpty { throw c.invalid("experiments", "must list at least one experiment") }
    }
}

extension Study.Paper {
    public init(from decoder: Decoder) throws {
        let c = try StrictContainer(decoder, allowed: ["title", "authors", "venue", "venueDe", "url"])
        title = try c("title"); authors = try c("authors"); venue = try c("venue"); url = try c("url")
        venueDe = try c.optional("venueDe")
    }
}

/// A decoder-only model shape of a generation experiment (random weights; vocabulary and context length come from the task).
public struct ModelShape: Codable, Equatable, Sendable {
    /// Transformer blocks.
    public var numLayers: Int
    /// Attention heads per block.
    public var numHeads: Int
    /// Width C.
    public var modelDim: Int
    /// Feed-forward width (default 4·C).
    public var hiddenDim: Int?

    /// A model shape.
    public init(numLayers: Int, numHeads: Int, modelDim: Int, hiddenDim: Int? = nil) {
        self.numLayers = numLayers; self.numHeads = numHeads; self.modelDim = modelDim; self.hiddenDim = hiddenDim
    }

    public init(from decoder: Decoder) throws {
        let c = try StrictContainer(decoder, allowed: ["numLayers", "numHeads", "modelDim", "hiddenDim"])
        numLayers = try c.positive("numLayers")
        numHeads = try c.positive("numHeads")
        modelDim = try c.positive("modelDim")
        hiddenDim = c.has("hiddenDim") ? try c.positive("hiddenDim") : nil
        if modelDim % numHeads != 0 { throw c.invalid("numHeads", "must divide modelDim (\(modelDim)), got \(numHeads)") }
    }
}

/// Optimisation settings of a decoder-only training experiment: AdamW (β = 0.9, 0.99, decay on
/// matrices only), linear warm-up then cosine decay to a tenth of the peak over `steps`, global-norm clipping.
public struct TrainingSpec: Codable, Equatable, Sendable {
    /// The keys a spec may set.
    static let keys = ["batchSize", "steps", "learningRate", "warmupSteps", "weightDecay", "gradClip", "evalInterval", "evalBatches"]
    /// Sequences per optimisation step.
    public var batchSize: Int
    /// Optimisation steps.
    public var steps: Int
    /// Peak learning rate (cosine decay to a tenth).
    public var learningRate: Float
    /// Linear warm-up steps.
    public var warmupSteps: Int
    /// AdamW weight decay (matrices only).
    public var weightDecay: Float
    /// Global gradient-norm clip (0 disables).
    public var gradClip: Float
    /// Steps between evaluations (the loss curves' resolution).
    public var evalInterval: Int
    /// Batches (sequences of the task) averaged per evaluation.
    public var evalBatches: Int

    public init(from decoder: Decoder) throws {
        let c = try StrictContainer(decoder, allowed: TrainingSpec.keys)
        batchSize = try c.positive("batchSize")
        steps = try c.positive("steps")
        learningRate = try c("learningRate")
        if !(learningRate > 0 && learningRate.isFinite) { throw c.invalid("learningRate", "must be a positive number, got \(learningRate)") }
        warmupSteps = try c.optional("warmupSteps") ?? 0
        if warmupSteps < 0 { throw c.invalid("warmupSteps", "must be zero or positive, got \(warmupSteps)") }
        weightDecay = try c.optional("weightDecay") ?? 0.1
        if !(weightDecay >= 0) { throw c.invalid("weightDecay", "must be ≥ 0, got \(weightDecay)") }
        gradClip = try c.optional("gradClip") ?? 1
        if !(gradClip >= 0) { throw c.invalid("gradClip", "must be ≥ 0 (0 disables), got \(gradClip)") }
        evalInterval = try c.positive("evalInterval")
        evalBatches = try c.positive("evalBatches")
    }
}
