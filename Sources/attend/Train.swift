import ArgumentParser
import Attend
import Foundation

/// Named starting points for `attend train`.
enum Preset: String, CaseIterable, ExpressibleByArgument {
    /// nanoGPT's CPU recipe for shakespeare-char.
    case shakespeareChar = "shakespeare-char"
    /// A tiny model for smoke tests (seconds).
    case tiny
    /// Tatoeba English→Spanish translation with the encoder–decoder Transformer (`--task translation`).
    case tatoebaEnEs = "tatoeba-en-es"

    var model: (contextLength: Int, modelDim: Int, numHeads: Int, numLayers: Int) {
        switch self {
        case .shakespeareChar: return (64, 128, 4, 4)
        case .tiny: return (32, 32, 2, 1)
        case .tatoebaEnEs: return (256, 256, 4, 3)
        }
    }

    var training: TrainConfig {
        var t = TrainConfig()
        if self == .tiny { t.maxSteps = 100; t.decaySteps = 100; t.warmupSteps = 10; t.evalInterval = 50; t.checkpointInterval = 50; t.batchSize = 8 }
        return t
    }
}

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a character-level decoder-only Transformer on a text file, or (--task) an encoder–decoder translation model.",
        discussion: HelpExamples.discussion("train", """
            Writes a run folder with config.json, metrics.jsonl and checkpoints/. Flags override the preset, or the \
            configuration given with --config (a run folder's config.json: `attend train --config runs/x/config.json --out runs/y` \
            repeats run x). --task translation (or --preset tatoeba-en-es) trains on a parallel corpus; --task \
            copy|reverse|sort|addition on a synthetic task. A flag the chosen task does not read is refused; \
            docs/CONFIG.md (`attend glossary`) lists each flag's config.json key, meaning and default per task.
            """))

    @OptionGroup(title: "Run") var runOptions: RunOptions
    @OptionGroup(title: "Data") var dataOptions: DataOptions
    @OptionGroup(title: "Model") var modelOptions: ModelOptions
    @OptionGroup(title: "Attention") var attentionOptions: AttentionOptions
    @OptionGroup(title: "Encoder–decoder") var encoderDecoderOptions: EncoderDecoderOptions
    @OptionGroup(title: "Optimisation") var optimisationOptions: OptimisationOptions
    @OptionGroup(title: "Evaluation and checkpoints") var checkpointOptions: CheckpointOptions

    static let defaultData = "Data/tinyshakespeare.txt"
    var preset: Preset { runOptions.preset ?? .shakespeareChar }
    var resume: Bool { runOptions.resume }
    var quiet: Bool { runOptions.quiet }
    var stopAfter: Int? { runOptions.stopAfter }

    /// Every flag given, by group.
    var givenFlags: [String] {
        runOptions.given + dataOptions.given + modelOptions.given + attentionOptions.given + encoderDecoderOptions.given
            + optimisationOptions.given + checkpointOptions.given
    }

    /// A preset's configuration for a vocabulary of `vocabSize` tokens, before any flag.
    static func presetConfig(_ preset: Preset, vocabSize: Int, data: String) -> RunConfig {
        let p = preset.model
        var m = ModelConfig(vocabSize: vocabSize, contextLength: p.contextLength, modelDim: p.modelDim,
                            numHeads: p.numHeads, numLayers: p.numLayers)
        m.hiddenDim = 4 * m.modelDim
        return RunConfig(model: m, training: preset.training, data: data)
    }

    /// A new run's configuration: the preset with the flags applied.
    func runConfig(vocabSize: Int) -> RunConfig {
        applyingFlags(to: Self.presetConfig(preset, vocabSize: vocabSize, data: dataOptions.data ?? Self.defaultData), fresh: true)
    }

    /// `base` with every flag that was given applied, each group onto its part. For a new run
    /// (`fresh`), a flag also moves the defaults that follow it (--model-dim sets the feed-forward
    /// width to 4×, --max-steps the decay end, --eval-interval the checkpoint interval); over a stored
    /// configuration (--resume, --config) only the flags given change anything.
    func applyingFlags(to base: RunConfig, fresh: Bool) -> RunConfig {
        var c = base
        modelOptions.apply(to: &c.model, fresh: fresh)
        attentionOptions.apply(to: &c.model)
        optimisationOptions.apply(to: &c.training, fresh: fresh)
        checkpointOptions.apply(to: &c.training, fresh: fresh)
        dataOptions.apply(to: &c)
        if let initFrom = runOptions.initFrom { c.initFrom = initFrom }
        return c
    }

    /// The configuration to resume the character LM in `runURL` with: its config.json with the flags
    /// given applied (over the --config file when one is given), refused (naming each flag) where this
    /// changes anything but `maxSteps`; nil when the folder has no config.json.
    func resumedConfig(_ runURL: URL, file: RunConfig?) throws -> RunConfig? {
        guard let stored = try Self.storedConfig(RunConfig.self, in: runURL) else { return nil }
        var requested = applyingFlags(to: file ?? stored, fresh: false)
        if file != nil && dataOptions.data == nil { requested.model.vocabSize = stored.model.vocabSize }
        var comparable = requested
        comparable.training.maxSteps = stored.training.maxSteps
        try refuseChanges(runURL, stored: stored, given: comparable)
        return requested
    }

    /// The run folder's config.json decoded as `C`, nil when there is none.
    static func storedConfig<C: Decodable>(_ type: C.Type, in runURL: URL) throws -> C? {
        let path = runURL.appendingPathComponent("config.json")
        guard FileManager.default.fileExists(atPath: path.path) else { return nil }
        do { return try JSONDecoder().decode(C.self, from: Data(contentsOf: path)) }
        catch { throw CommandError("cannot resume: \(path.path) is not a readable run configuration (\(ConfigFile.describe(error))); start a new run with another --out") }
    }

    /// Refuses to resume `runURL` when `given` (the stored configuration with the flags applied,
    /// `maxSteps` already put back) differs from `stored`, naming each flag with both values.
    func refuseChanges<C: Encodable>(_ runURL: URL, stored: C, given: C) throws {
        let changed = try changedFields(stored, given)
        guard !changed.isEmpty else { return }
        let flags = changed.map { "--\(kebabCase($0.key)) (stored: \($0.stored), given: \($0.given))" }
        let source = runOptions.configFile.map { " (from --config \($0) and the flags)" } ?? ""
        throw CommandError("""
            --resume continues \(runURL.path) with the settings in its config.json; \(changed.count == 1 ? "this flag differs" : "these flags differ")\(source): \(flags.joined(separator: ", ")). \
            Drop \(changed.count == 1 ? "it" : "them") to resume (only --max-steps may change), or start a new run with another --out.
            """)
    }

    /// Where `attend train` starts from: the task family, and the --config file's configuration.
    enum Start {
        case languageModel(file: RunConfig?)
        case seq2seq(task: String, file: TranslationRunConfig?)

        var family: TaskFamily {
            switch self {
            case .languageModel: return .languageModel
            case let .seq2seq(task, _): return task == "translation" ? .translation : .synthetic
            }
        }
    }

    /// Reads --config, --task and --preset into a start, and refuses the flags that start does not read.
    func resolveStart() throws -> Start {
        let start: Start
        var description: String
        let storedPath = URL(fileURLWithPath: runOptions.out ?? "").appendingPathComponent("config.json").path
        if resume, runOptions.configFile == nil, runOptions.out != nil, FileManager.default.fileExists(atPath: storedPath) {
            // --resume of an existing run: its own config.json says which task it is.
            let label = "the run's config.json \(storedPath)"
            switch try ConfigFile.load(storedPath, label: label) {
            case .languageModel:
                if let task = runOptions.task {
                    throw CommandError("--task \(task) does not match \(runOptions.out!), a character language model run; drop --task to resume it")
                }
                start = .languageModel(file: nil)
                description = "the character language model run in \(runOptions.out!)"
            case let .seq2seq(c):
                if let task = runOptions.task, task != c.task {
                    throw CommandError("--task \(task) does not match \(runOptions.out!), a --task \(c.task) run; drop --task to resume it")
                }
                start = .seq2seq(task: c.task, file: nil)
                description = "the --task \(c.task) run in \(runOptions.out!)"
            }
        } else if let path = runOptions.configFile {
            if let preset = runOptions.preset {
                throw CommandError("--preset \(preset.rawValue) and --config \(path) both give the starting configuration; drop one")
            }
            switch try ConfigFile.load(path) {
            case let .languageModel(c):
                if let task = runOptions.task {
                    throw CommandError("--task \(task) does not match --config \(path), a character language model configuration (no task); drop --task")
                }
                start = .languageModel(file: c)
                description = "the character language model of --config \(path)"
            case let .seq2seq(c):
                if let task = runOptions.task, task != c.task {
                    throw CommandError("--task \(task) does not match --config \(path), whose task is \(c.task); drop --task (or edit the file's \"task\")")
                }
                start = .seq2seq(task: c.task, file: c)
                description = "--task \(c.task) (from --config \(path))"
            }
        } else if let task = runOptions.task {
            guard task == "translation" || Seq2SeqTask(rawValue: task) != nil else {
                throw ValidationError("unknown --task \(task); use translation, \(Seq2SeqTask.allCases.map(\.rawValue).joined(separator: ", ")), or omit it for the character LM")
            }
            if preset == .tatoebaEnEs && task != "translation" {
                throw CommandError("--preset tatoeba-en-es is the translation task; it does not combine with --task \(task) — drop --preset")
            }
            start = .seq2seq(task: task, file: nil)
            description = "--task \(task)"
        } else if preset == .tatoebaEnEs {
            start = .seq2seq(task: "translation", file: nil)
            description = "--preset tatoeba-en-es"
        } else {
            start = .languageModel(file: nil)
            description = "the character language model (no --task)"
        }
        let family = start.family
        if family == .translation, let p = runOptions.preset, p != .tatoebaEnEs {
            throw CommandError("--preset \(p.rawValue) is a character language model preset; \(description) starts from tatoeba-en-es — drop --preset")
        }
        let unused = givenFlags.filter { flag in
            guard let entry = Glossary.entry(String(flag.dropFirst(2))) else { preconditionFailure("\(flag) has no glossary entry") }
            return !entry.isUsed(by: family)
        }
        if !unused.isEmpty {
            let hints = unused.compactMap { flag in Glossary.counterpart(of: String(flag.dropFirst(2)), in: family).map { "for \(flag) use \($0)" } }
            throw CommandError("""
                \(unused.joined(separator: ", ")) \(unused.count == 1 ? "is" : "are") not used by \(description); \
                drop \(unused.count == 1 ? "it" : "them")\(hints.isEmpty ? "" : " (\(hints.joined(separator: "; ")))"). \
                docs/CONFIG.md (attend glossary) lists the flags each task reads.
                """)
        }
        return start
    }

    func run() throws {
        var start = Start.languageModel(file: nil)
        try reportingErrors { start = try resolveStart() }
        switch start {
        case let .languageModel(file): try runLanguageModel(file: file)
        case let .seq2seq(task, file): try runTranslation(task: task, file: file)
        }
    }

    func runLanguageModel(file: RunConfig?) throws {
        Interruption.install()
        let out = runOptions.out ?? "runs/shakespeare-char"
        try reportingErrors(resumeHint: "attend train --out \(out) --resume") {
            let runURL = URL(fileURLWithPath: out)
            let dataset: TextDataset
            var config: RunConfig
            if resume, let stored = try resumedConfig(runURL, file: file) {
                dataset = try TextDataset(path: stored.data, format: stored.dataFormat)
                guard dataset.tokenizer.vocabSize == stored.model.vocabSize else {
                    throw CommandError("cannot resume \(out): its config.json has a vocabulary of \(stored.model.vocabSize) characters but \(stored.data) now has \(dataset.tokenizer.vocabSize); the data file changed — restore it or start a new run with another --out")
                }
                config = stored
            } else if let file, let path = runOptions.configFile {
                config = applyingFlags(to: file, fresh: false)
                dataset = try TextDataset(path: config.data, format: config.dataFormat)
                if dataOptions.data == nil && dataset.tokenizer.vocabSize != config.model.vocabSize {
                    throw CommandError("--config \(path) has a vocabulary of \(config.model.vocabSize) characters but \(config.data) has \(dataset.tokenizer.vocabSize); the data file changed — restore it, or pass --data to train on another file")
                }
                config.model.vocabSize = dataset.tokenizer.vocabSize
            } else {
                dataset = try TextDataset(path: dataOptions.data ?? Self.defaultData, format: dataOptions.bytes ? .bytes : .text)
                config = runConfig(vocabSize: dataset.tokenizer.vocabSize)
            }
            if let notice = BFloat16Support.resolve(config.training.precision).notice { writeError(notice + "\n") }
            let trainer = try Trainer(config: config, dataset: dataset, run: runURL, resume: resume)
            if let initFrom = config.initFrom, trainer.step == 0 {
                try trainer.initializeWeights(from: try Checkpoint.resolve(initFrom))
                writeError("attend train: starting from the weights of \(initFrom) (optimizer state fresh)\n")
            }
            let m = config.model
            writeError("attend train: \(trainer.model.parameterCount) parameters, \(m.numLayers) layers × \(m.numHeads) heads, width \(m.modelDim), context \(m.contextLength), \(m.attention.rawValue) attention\(m.positionBias == .none ? "" : " + \(m.positionBias.rawValue) bias")\(m.dotProduct ? "" : " (dot-product-free)")\(m.rotary ? " + rotary" : ""), \(Threading.count) threads\(Tensor.linearPrecision == .bf16 ? ", bf16 matrix products" : "")\n")
            writeError("data: \(config.data) — \(dataset.train.count) train / \(dataset.validation.count) validation tokens, vocabulary \(dataset.tokenizer.vocabSize)\n")
            let interactive = isatty(STDERR_FILENO) != 0
            var lastPrint = Date.distantPast
            try trainer.run(stopAfter: stopAfter) { event in
                switch event {
                case let .step(step, total, loss, lr, rate, eta):
                    // A live line on a terminal (≤ 5 updates/s); otherwise a plain line every ~5 % of the run.
                    let line = String(format: "step %d/%d  loss %.4f  lr %.2e  %.0f tok/s  ETA %@", step, total, loss, lr, rate, formatDuration(eta))
                    if quiet { break }
                    if interactive {
                        if Date().timeIntervalSince(lastPrint) >= 0.2 || step == total {
                            writeError("\r\u{1B}[K" + line)
                            lastPrint = Date()
                        }
                    } else if step % max(1, total / 20) == 0 {
                        writeError(line + "\n")
                    }
                case let .evaluation(step, tr, va):
                    writeError(String(format: "%@step %d: train loss %.4f, val loss %.4f\n", interactive && !quiet ? "\r\u{1B}[K" : "", step, tr, va))
                case .checkpoint: break
                case let .resumed(step):
                    writeError("resumed from checkpoint at step \(step)\n")
                }
            }
            if !quiet && interactive { writeError("\n") }
            print("run folder: \(out) (step \(trainer.step), final val loss \(trainer.lastValidationLoss.map { String(format: "%.4f", $0) } ?? "n/a"))")
        }
    }
}

/// The fields where two configurations differ, as (JSON key, stored value, given value), keys
/// depth-first in the JSON's order ("learningRate", "numHeads", "data").
func changedFields<T: Encodable>(_ stored: T, _ given: T) throws -> [(key: String, stored: String, given: String)] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    let a = try JSONSerialization.jsonObject(with: encoder.encode(stored))
    let b = try JSONSerialization.jsonObject(with: encoder.encode(given))
    var out: [(key: String, stored: String, given: String)] = []
    func walk(_ x: Any?, _ y: Any?, key: String) {
        if let dx = x as? [String: Any], let dy = y as? [String: Any] {
            for k in Set(dx.keys).union(dy.keys).sorted() { walk(dx[k], dy[k], key: k) }
        } else {
            let sx = x.map { "\($0)" } ?? "unset", sy = y.map { "\($0)" } ?? "unset"
            if sx != sy { out.append((key, sx, sy)) }
        }
    }
    walk(a, b, key: "")
    return out
}

/// "learningRate" → "learning-rate" (the glossary's JSON key → CLI flag rule).
func kebabCase(_ key: String) -> String {
    var out = ""
    for ch in key {
        if ch.isUppercase { out += "-" + ch.lowercased() } else { out.append(ch) }
    }
    return out
}

extension PositionBias: ExpressibleByArgument {}
extension MatrixPrecision: ExpressibleByArgument {}
extension AbsolutePositions: ExpressibleByArgument {}
