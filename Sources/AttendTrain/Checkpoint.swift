import AttendData
import AttendModels
import AttendNN
import AttendTensor
import Foundation

/// Problems with checkpoints; messages say what to do.
public enum CheckpointError: Error, CustomStringConvertible, Equatable {
    /// Thrown when no checkpoint is found at the given path (neither a checkpoint folder with state.json
    /// nor a run folder with a checkpoint to continue).
    case notFound(String)
    /// Thrown when the checkpoint (or file) at the given path is damaged or could not be written; `reason` says how.
    case corrupt(String, reason: String)
    /// Thrown when a checkpoint is readable but does not fit the model, optimizer, run or task it is loaded into;
    /// the message says what differs.
    case incompatible(String)

    public var description: String {
        switch self {
        case let .notFound(p): return "no checkpoint at \(p); pass a run folder written by `attend train` or a checkpoint folder inside it"
        case let .corrupt(p, r): return "checkpoint \(p) is damaged (\(r)); delete it to fall back to an earlier one, or retrain"
        case let .incompatible(m): return "checkpoint does not fit: \(m)"
        }
    }
}

/// What a character language model's checkpoint folder holds besides the weights (state.json):
/// enough to continue the run bit for bit.
public struct TrainingState: Codable, Equatable, Sendable, TrainingCheckpointState {
    /// Optimizer steps completed.
    public var step: Int
    /// The run's model, training and data settings.
    public var config: RunConfig
    /// The tokenizer of the training data, so that the run can be continued and its model sampled.
    public var tokenizer: CharTokenizer
    /// Generator for training batches, after `step` batches.
    public var dataRNG: RandomGenerator
    /// Generator for dropout masks, after `step` steps.
    public var dropoutRNG: RandomGenerator
    /// Last training loss.
    public var loss: Float?
    /// Last validation loss; nil before the first evaluation.
    public var validationLoss: Float?
    /// Seconds spent in the training loop so far (nil in checkpoints written before the one loop).
    public var elapsedSeconds: Double?

    public var progress: LoopProgress {
        LoopProgress(step: step, dropoutRNG: dropoutRNG, loss: loss, validationLoss: validationLoss, elapsedSeconds: elapsedSeconds ?? 0)
    }

    public var maxSteps: Int { config.training.maxSteps }
}

/// A run's checkpoint folders: `<run>/checkpoints/step-000500/{model.safetensors, optimizer.safetensors, state.json}`
/// plus `<run>/checkpoints/latest` naming the newest complete one.
///
/// A checkpoint is written into a temporary folder, flushed, then renamed into place, and only then
/// is `latest` replaced (atomically); a killed writer leaves the previous checkpoint intact.
public enum Checkpoint {
    /// `value` as compact JSON with sorted keys (the model configuration in checkpoint metadata), so that
    /// the same run writes the same bytes.
    public static func metadataJSON<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// The JSON keys whose values differ between two encodings of one configuration type, each as
    /// `key (value in a → value in b)`, in key order (what `--init-from` names when models differ).
    public static func differingKeys<T: Encodable>(_ a: T, _ b: T) -> [String] {
        func object(_ v: T) -> [String: Any] {
            (try? JSONEncoder().encode(v)).flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] } ?? [:]
        }
        let (x, y) = (object(a), object(b))
        return Set(x.keys).union(y.keys).sorted().compactMap { key in
            let (u, v) = (x[key].map { "\($0)" } ?? "absent", y[key].map { "\($0)" } ?? "absent")
            return u == v ? nil : "\(key) (\(u) there, \(v) here)"
        }
    }

    /// Folder holding the checkpoints of run folder `run`.
    public static func folder(run: URL) -> URL { run.appendingPathComponent("checkpoints") }

    /// Writes a character-LM checkpoint for `state.step` and points `latest` at it; keeps the newest `keep` checkpoints.
    public static func save(run: URL, model: DecoderOnly, optimizer: AdamW?, state: TrainingState, keep: Int = 2) throws {
        let config = metadataJSON(state.config.model)
        try save(run: run, step: state.step, parameters: model.namedParameters(), optimizer: optimizer, state: state,
                 metadata: ["format": "attend", "modelConfig": config], keep: keep)
    }

    /// Writes a checkpoint of any model for `step`: model.safetensors (`parameters` with `metadata`),
    /// optimizer.safetensors (when given) and state.json, into `.step-N.tmp-PID/`, renamed to `step-N`;
    /// then rewrites `latest` atomically and keeps the newest `keep` checkpoints.
    public static func save(run: URL, step: Int, parameters: [(name: String, tensor: Tensor)], optimizer: AdamW?,
                            state: some Encodable, metadata: [String: String], keep: Int) throws {
        let dir = folder(run: run)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let name = String(format: "step-%06d", step)
        let tmp = dir.appendingPathComponent(".\(name).tmp-\(getpid())")
        try? FileManager.default.removeItem(at: tmp)
        try write(to: tmp, parameters: parameters, optimizer: optimizer, state: state, metadata: metadata)
        let final = dir.appendingPathComponent(name)
        try? FileManager.default.removeItem(at: final)
        guard rename(tmp.path, final.path) == 0 else {
            throw CheckpointError.corrupt(final.path, reason: "could not move the new checkpoint into place (errno \(errno))")
        }
        try AtomicFile.write(Data(name.utf8), to: dir.appendingPathComponent("latest"))
        // Prune older complete checkpoints and stale temporaries.
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        let complete = entries.filter { $0.hasPrefix("step-") }.sorted()
        for old in complete.dropLast(keep) where old != name {
            try? FileManager.default.removeItem(at: dir.appendingPathComponent(old))
        }
        for stale in entries where stale.hasPrefix(".step-") && stale != tmp.lastPathComponent {
            try? FileManager.default.removeItem(at: dir.appendingPathComponent(stale))
        }
    }

    /// Writes model (and optimizer) tensors and state.json into a new folder `folder` (no `latest`,
    /// no renaming: `save` and checkpoint averaging build on it).
    public static func write(to folder: URL, parameters: [(name: String, tensor: Tensor)], optimizer: AdamW?,
                             state: some Encodable, metadata: [String: String]) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Safetensors.write(parameters, metadata: metadata, to: folder.appendingPathComponent("model.safetensors"))
        if let optimizer {
            try Safetensors.write(optimizer.stateTensors, to: folder.appendingPathComponent("optimizer.safetensors"))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(state), to: folder.appendingPathComponent("state.json"))
    }

    /// Resolves a user path (run folder, checkpoints folder, or one checkpoint folder) to a checkpoint folder.
    public static func resolve(_ path: String) throws -> URL {
        let url = URL(fileURLWithPath: path)
        let fm = FileManager.default
        if fm.fileExists(atPath: url.appendingPathComponent("state.json").path) { return url }
        for dir in [folder(run: url), url] {
            let latest = dir.appendingPathComponent("latest")
            if let name = try? String(contentsOf: latest, encoding: .utf8) {
                let c = dir.appendingPathComponent(name.trimmingCharacters(in: .whitespacesAndNewlines))
                if fm.fileExists(atPath: c.path) { return c }
            }
        }
        throw CheckpointError.notFound(path)
    }

    /// The `task` key of a state.json.
    private struct TaskProbe: Decodable { var task: String? }

    /// Reads a checkpoint folder's state.json as `State`. `refusal` sees its `task` key (nil for
    /// character-LM checkpoints, which have none) and returns why this reader refuses it, or nil to read on.
    public static func readState<State: Decodable>(_ checkpoint: URL, refusal: (String?) -> String?) throws -> State {
        let file = checkpoint.appendingPathComponent("state.json")
        guard let data = FileManager.default.contents(atPath: file.path) else { throw CheckpointError.notFound(checkpoint.path) }
        if let message = refusal((try? JSONDecoder().decode(TaskProbe.self, from: data))?.task) {
            throw CheckpointError.incompatible(message)
        }
        do { return try JSONDecoder().decode(State.self, from: data) }
        catch { throw CheckpointError.corrupt(file.path, reason: "state.json is not valid (\(error))") }
    }

    /// Reads the state of a character language model's checkpoint folder.
    public static func loadState(_ checkpoint: URL) throws -> TrainingState {
        try readState(checkpoint) { task in
            guard let task else { return nil }
            return task == TranslationState.taskName
                ? "\(checkpoint.path) holds a \(task) (encoder–decoder) model, not a character language model; use `attend translate` with it"
                : "\(checkpoint.path) holds a '\(task)' model, not a character language model"
        }
    }

    /// Copies a checkpoint's weights (model.safetensors) into `model`.
    public static func loadWeights(_ checkpoint: URL, into model: some Module) throws {
        let weights: [String: Tensor]
        do { weights = try Safetensors.read(checkpoint.appendingPathComponent("model.safetensors")).tensors }
        catch let e as TensorFileError { throw CheckpointError.corrupt(checkpoint.path, reason: e.description) }
        do { try model.loadParameters(weights) }
        catch let e as ModuleError { throw CheckpointError.incompatible(e.description) }
    }

    /// Loads a checkpoint's model (and its state) for inference or resumption.
    public static func loadModel(_ checkpoint: URL) throws -> (model: DecoderOnly, state: TrainingState) {
        let state = try loadState(checkpoint)
        var rng = RandomGenerator(seed: 0)
        let model = try DecoderOnly(state.config.model, rng: &rng)
        try loadWeights(checkpoint, into: model)
        return (model, state)
    }

    /// Restores optimizer moments from a checkpoint folder.
    public static func loadOptimizer(_ checkpoint: URL, into optimizer: AdamW, step: Int) throws {
        let tensors: [String: Tensor]
        do { tensors = try Safetensors.read(checkpoint.appendingPathComponent("optimizer.safetensors")).tensors }
        catch let e as TensorFileError { throw CheckpointError.corrupt(checkpoint.path, reason: e.description) }
        try optimizer.loadState(tensors, step: step)
    }
}
