import AttendNN
import Foundation

/// The sizes of a study: `tiny` (debug-mode tests, seconds), `quick` (minutes in release), `full` (the report's scale).
public enum Scale: String, Codable, CaseIterable, Sendable {
    case tiny, quick, full
}

/// A replication study: the paper, its claims with the thresholds that decide them, the report's prose,
/// and (per scale) the experiments to run. Read from `Experiments/<name>/study.json` plus `<scale>.json`.
public struct Study: Codable, Equatable, Sendable {
    /// Folder name under `Experiments/`, e.g. `linear-attention`.
    public var name: String
    /// Title of the study (the paper's title).
    public var title: String
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
    public static let textKeys = ["scope", "model", "data", "hyperparameters", "implementation", "setup",
                                  "additional", "easy", "hard", "recommendations", "authors"]

    /// The paper a study replicates.
    public struct Paper: Codable, Equatable, Sendable {
        /// Paper title.
        public var title: String
        /// Author list.
        public var authors: String
        /// Where and when it appeared.
        public var venue: String
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
        let study = Study(name: header.name, title: header.title, paper: header.paper, claims: header.claims,
                          text: header.text, scale: scale, experiments: plan.experiments)
        do { try study.checkReferences() } catch let e as SpecError { throw SpecError(file: scaleFile.path, field: e.field, message: e.message) }
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

    /// Every claim's metrics must name experiments of this scale; names must be unique.
    func checkReferences() throws {
        let names = experiments.map(\.name)
        for (i, name) in names.enumerated() where names.firstIndex(of: name) != i {
            throw SpecError(file: "", field: "experiments[\(i)].name", message: "'\(name)' is used twice; experiment names must be unique")
        }
        for (c, claim) in claims.enumerated() {
            for (k, check) in (claim.checks + claim.requires).enumerated() {
                for selector in check.metric.selectors where !names.contains(selector.experiment) {
                    throw SpecError(file: "", field: "claims[\(c)] check \(k): experiment",
                                    message: "'\(selector.experiment)' is not an experiment of this scale; experiments: \(names.joined(separator: ", "))")
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
    var paper: Study.Paper
    var claims: [Claim]
    var text: [String: String]

    init(from decoder: Decoder) throws {
        let c = try StrictContainer(decoder, allowed: ["name", "title", "paper", "claims", "text"])
        name = try c("name")
        title = try c("title")
        paper = try c("paper")
        claims = try c("claims")
        text = try c.optional("text") ?? [:]
        for key in text.keys where !Study.textKeys.contains(key) {
            throw c.invalid("text", "unknown section '\(key)'; allowed: \(Study.textKeys.joined(separator: ", "))")
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
        let c = try StrictContainer(decoder, allowed: ["title", "authors", "venue", "url"])
        title = try c("title"); authors = try c("authors"); venue = try c("venue"); url = try c("url")
    }
}

/// A decoder-only model shape inside a spec (vocabulary and context length come from the task).
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

/// Optimisation settings of a training experiment.
public struct TrainingSpec: Codable, Equatable, Sendable {
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
        let c = try StrictContainer(decoder, allowed: ["batchSize", "steps", "learningRate", "warmupSteps", "weightDecay",
                                                       "gradClip", "evalInterval", "evalBatches"])
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

/// How a generation run keeps its past: the mechanism's recurrent state (linear attention's (S, Z),
/// softmax's key–value cache) or none (the whole prefix is recomputed for every token).
public enum CacheMode: String, Codable, CaseIterable, Sendable {
    case state, recompute
}

/// One (attention kind, cache mode) pair of a generation experiment.
public struct GenerationVariant: Codable, Equatable, Sendable {
    /// Attention mechanism.
    public var kind: AttentionKind
    /// Recurrent state or recomputation.
    public var cache: CacheMode

    public init(from decoder: Decoder) throws {
        let c = try StrictContainer(decoder, allowed: ["kind", "cache"])
        kind = try decodeKind(c, "kind")
        cache = CacheMode(rawValue: try c.choice("cache", from: CacheMode.allCases.map(\.rawValue)))!
    }
}

/// Reads an attention kind, listing the allowed names on error.
func decodeKind(_ c: StrictContainer, _ key: String) throws -> AttentionKind {
    AttentionKind(rawValue: try c.choice(key, from: AttentionKind.allCases.map(\.rawValue)))!
}

/// What an experiment measures.
public enum TaskKind: String, Codable, CaseIterable, Sendable {
    /// Forward+backward time and memory of the attention mechanism alone against sequence length.
    case attentionScaling = "attention-scaling"
    /// Autoregressive generation speed of a random-weight decoder.
    case generation
    /// The copy task (Katharopoulos et al. Fig. 2): symbols, separator, the same symbols again.
    case copy
    /// Pixel-by-pixel image modelling (bits/dim) on the shipped 14×14 MNIST.
    case pixels
    /// Character language modelling on a text file.
    case charLM = "char-lm"
}

/// One experiment of a scale file; it expands into runs (one per kind × length, variant × tokens × batch,
/// or kind × seed). Fields not used by its task are rejected.
public struct Experiment: Codable, Equatable, Sendable {
    /// Unique name within the scale (claims select runs by it).
    public var name: String
    /// What the experiment measures.
    public var task: TaskKind
    /// Attention kinds compared (one run each, times seeds or lengths).
    public var kinds: [AttentionKind] = []
    // attention-scaling
    /// attention-scaling: sequence lengths T.
    public var lengths: [Int] = []
    /// attention-scaling: batch B.
    public var batch = 1
    /// attention-scaling: heads H.
    public var heads = 8
    /// attention-scaling: head width D.
    public var headDim = 64
    /// attention-scaling: timed calls (the best is kept).
    public var repeats = 2
    // generation
    /// generation: (kind, cache) pairs compared.
    public var variants: [GenerationVariant] = []
    /// generation: tokens generated per sequence.
    public var tokens: [Int] = []
    /// generation: sequences generated at once.
    public var batches: [Int] = []
    /// Tokens per timing window (generation with state) or prefix lengths measured (recompute).
    public var window = 16
    /// generation without a cache: prefix lengths timed (evenly spaced).
    public var measuredPrefixes = 4
    // training tasks
    /// Model shape (generation and training tasks).
    public var model: ModelShape?
    /// Optimisation settings (training tasks).
    public var training: TrainingSpec?
    /// Seeds (one run per kind and seed).
    public var seeds: [Int] = [1]
    /// copy: longest symbol sequence and alphabet size.
    public var maxSymbols = 0
    /// copy: alphabet size.
    public var symbols = 10
    /// pixels / char-lm: data file or folder (relative to the package root).
    public var data = ""
    /// char-lm: context length; pixels: images used for the final test bits/dim.
    public var contextLength = 0
    /// pixels: test images in the final bits/dim.
    public var testImages = 0

    static let common = ["name", "task"]
    static let allowedKeys: [TaskKind: [String]] = [
        .attentionScaling: common + ["kinds", "lengths", "batch", "heads", "headDim", "repeats"],
        .generation: common + ["variants", "tokens", "batches", "model", "window", "measuredPrefixes"],
        .copy: common + ["kinds", "model", "training", "seeds", "maxSymbols", "symbols"],
        .pixels: common + ["kinds", "model", "training", "seeds", "data", "testImages"],
        .charLM: common + ["kinds", "model", "training", "seeds", "data", "contextLength"],
    ]

    public init(from decoder: Decoder) throws {
        let probe = try decoder.container(keyedBy: AnyKey.self)
        let taskName = try probe.decode(String.self, forKey: AnyKey("task"))
        guard let task = TaskKind(rawValue: taskName) else {
            throw DecodingError.dataCorrupted(.init(codingPath: probe.codingPath + [AnyKey("task")],
                debugDescription: "'\(taskName)' is not allowed; choose from \(TaskKind.allCases.map(\.rawValue).joined(separator: ", "))"))
        }
        let c = try StrictContainer(decoder, allowed: Experiment.allowedKeys[task]!)
        self.task = task
        name = try c("name")
        if name.isEmpty || name.contains("/") { throw c.invalid("name", "must be a non-empty name without '/'") }
        func kindList() throws -> [AttentionKind] {
            let names = try c("kinds", as: [String].self)
            let allowed = AttentionKind.allCases.map(\.rawValue)
            guard !names.isEmpty else { throw c.invalid("kinds", "must list at least one attention kind") }
            return try names.enumerated().map { i, n in
                guard let k = AttentionKind(rawValue: n) else {
                    throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath + [AnyKey("kinds[\(i)]")],
                        debugDescription: "'\(n)' is not allowed; choose from \(allowed.joined(separator: ", "))"))
                }
                return k
            }
        }
        switch task {
        case .attentionScaling:
            kinds = try kindList()
            lengths = try c.positiveList("lengths")
            batch = c.has("batch") ? try c.positive("batch") : 1
            heads = c.has("heads") ? try c.positive("heads") : 8
            headDim = c.has("headDim") ? try c.positive("headDim") : 64
            repeats = c.has("repeats") ? try c.positive("repeats") : 2
        case .generation:
            variants = try c("variants")
            if variants.isEmpty { throw c.invalid("variants", "must list at least one {kind, cache} pair") }
            tokens = try c.positiveList("tokens")
            batches = try c.positiveList("batches")
            model = try c("model")
            window = c.has("window") ? try c.positive("window") : 16
            measuredPrefixes = c.has("measuredPrefixes") ? try c.positive("measuredPrefixes") : 4
            if measuredPrefixes < 2 { throw c.invalid("measuredPrefixes", "must be at least 2, got \(measuredPrefixes)") }
        case .copy, .pixels, .charLM:
            kinds = try kindList()
            model = try c("model")
            training = try c("training")
            seeds = try c.optional("seeds") ?? [1]
            if seeds.isEmpty || seeds.contains(where: { $0 < 0 }) { throw c.invalid("seeds", "must be a non-empty list of non-negative integers") }
            if task == .copy {
                maxSymbols = try c.positive("maxSymbols")
                symbols = c.has("symbols") ? try c.positive("symbols") : 10
            }
            if task == .pixels {
                data = try c("data")
                testImages = try c.positive("testImages")
            }
            if task == .charLM {
                data = try c("data")
                contextLength = try c.positive("contextLength")
            }
        }
    }

    /// Writes only the keys its task allows, so a stored study decodes again with the strict decoder.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: AnyKey.self)
        for key in Experiment.allowedKeys[task]! {
            let k = AnyKey(key)
            switch key {
            case "name": try c.encode(name, forKey: k)
            case "task": try c.encode(task, forKey: k)
            case "kinds": try c.encode(kinds, forKey: k)
            case "lengths": try c.encode(lengths, forKey: k)
            case "batch": try c.encode(batch, forKey: k)
            case "heads": try c.encode(heads, forKey: k)
            case "headDim": try c.encode(headDim, forKey: k)
            case "repeats": try c.encode(repeats, forKey: k)
            case "variants": try c.encode(variants, forKey: k)
            case "tokens": try c.encode(tokens, forKey: k)
            case "batches": try c.encode(batches, forKey: k)
            case "window": try c.encode(window, forKey: k)
            case "measuredPrefixes": try c.encode(measuredPrefixes, forKey: k)
            case "model": try c.encodeIfPresent(model, forKey: k)
            case "training": try c.encodeIfPresent(training, forKey: k)
            case "seeds": try c.encode(seeds, forKey: k)
            case "maxSymbols": try c.encode(maxSymbols, forKey: k)
            case "symbols": try c.encode(symbols, forKey: k)
            case "data": try c.encode(data, forKey: k)
            case "contextLength": try c.encode(contextLength, forKey: k)
            case "testImages": try c.encode(testImages, forKey: k)
            default: break
            }
        }
    }

    /// The runs this experiment expands into, in a fixed order.
    public func runs() -> [RunSpec] {
        switch task {
        case .attentionScaling:
            return kinds.flatMap { k in lengths.map { t in
                RunSpec(experiment: self, parameters: ["kind": k.rawValue, "length": "\(t)"]) } }
        case .generation:
            return variants.flatMap { v in tokens.flatMap { n in batches.map { b in
                RunSpec(experiment: self, parameters: ["kind": v.kind.rawValue, "cache": v.cache.rawValue, "tokens": "\(n)", "batch": "\(b)"]) } } }
        case .copy, .pixels, .charLM:
            return kinds.flatMap { k in seeds.map { s in
                RunSpec(experiment: self, parameters: ["kind": k.rawValue, "seed": "\(s)"]) } }
        }
    }
}

/// One run: an experiment with its varying parameters fixed (kind, length, seed, …).
public struct RunSpec: Sendable {
    /// The experiment the run belongs to.
    public var experiment: Experiment
    /// The values that distinguish this run inside its experiment (claims select runs by them).
    public var parameters: [String: String]

    /// Stable identifier, e.g. `scaling/kind=linear,length=1024`.
    public var id: String {
        experiment.name + "/" + parameters.keys.sorted().map { "\($0)=\(parameters[$0]!)" }.joined(separator: ",")
    }

    /// Fingerprint of everything that defines the run (the experiment's settings and this run's
    /// parameters), so a stored result of a changed spec is not mistaken for this run's. The lists a run
    /// is drawn from (kinds, lengths, seeds, …) are left out: adding a kind re-runs only the new runs.
    public var fingerprint: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var settings = experiment
        settings.kinds = []; settings.lengths = []; settings.variants = []; settings.tokens = []; settings.batches = []; settings.seeds = []
        var bytes = (try? encoder.encode(settings)) ?? Data()
        bytes.append(contentsOf: Array(id.utf8))
        var hash: UInt64 = 0xcbf29ce484222325  // FNV-1a
        for b in bytes { hash = (hash ^ UInt64(b)) &* 0x100000001b3 }
        return String(hash, radix: 16)
    }

    /// The run's attention kind (softmax if it has none).
    public var kind: AttentionKind { AttentionKind(rawValue: parameters["kind"] ?? "") ?? .softmax }
    /// An integer parameter (0 if absent).
    public func int(_ key: String) -> Int { Int(parameters[key] ?? "") ?? 0 }
}
