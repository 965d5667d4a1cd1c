import AttendData
import AttendModels
import AttendNN
import AttendTensor
import Foundation

/// Problems with checkpoints; messages say what to do.
public enum CheckpointError: Error, CustomStringConvertible, Equatable {
    case notFound(String)
    case corrupt(String, reason: String)
    case incompatible(String)

    public var description: String {
        switch self {
        case let .notFound(p): return "no checkpoint at \(p); pass a run folder written by `attend train` or a checkpoint folder inside it"
        case let .corrupt(p, r): return "checkpoint \(p) is damaged (\(r)); delete it to fall back to an earlier one, or retrain"
        case let .incompatible(m): return "checkpoint does not fit: \(m)"
        }
    }
}

/// What a checkpoint folder holds besides the weights: enough to continue the run bit for bit.
public struct TrainingState: Codable, Equatable, Sendable {
    /// Optimizer steps completed.
    public var step: Int
    public var config: RunConfig
    public var tokenizer: CharTokenizer
    /// Generator for training batches, after `step` batches.
    public var dataRNG: RandomGenerator
    /// Generator for dropout masks, after `step` steps.
    public var dropoutRNG: RandomGenerator
    /// Last training loss.
    public var loss: Float?
    public var validationLoss: Float?
}

/// A run's checkpoint folders: `<run>/checkpoints/step-000500/{model.safetensors, optimizer.safetensors, state.json}`
/// plus `<run>/checkpoints/latest` naming the newest complete one.
///
/// A checkpoint is written into a temporary folder, flushed, then renamed into place, and only then
/// is `latest` replaced (atomically); a killed writer leaves the previous checkpoint intact.
public enum Checkpoint {
    /// Folder holding the checkpoints of run folder `run`.
    public static func folder(run: URL) -> URL { run.appendingPathComponent("checkpoints") }

    /// Writes a checkpoint for `state.step` and points `latest` at it; keeps the newest `keep` checkpoints.
    public static func save(run: URL, model: DecoderOnly, optimizer: AdamW?, state: TrainingState, keep: Int = 2) throws {
        let dir = folder(run: run)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let name = String(format: "step-%06d", state.step)
        let tmp = dir.appendingPathComponent(".\(name).tmp-\(getpid())")
        try? FileManager.default.removeItem(at: tmp)
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        let config = String(decoding: try JSONEncoder().encode(state.config.model), as: UTF8.self)
        try Safetensors.write(model.namedParameters(), metadata: ["format": "attend", "modelConfig": config],
                              to: tmp.appendingPathComponent("model.safetensors"))
        if let optimizer {
            try Safetensors.write(optimizer.stateTensors, to: tmp.appendingPathComponent("optimizer.safetensors"))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(state), to: tmp.appendingPathComponent("state.json"))
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

    /// Reads the state of a checkpoint folder.
    public static func loadState(_ checkpoint: URL) throws -> TrainingState {
        let file = checkpoint.appendingPathComponent("state.json")
        guard let data = FileManager.default.contents(atPath: file.path) else { throw CheckpointError.notFound(checkpoint.path) }
        struct Probe: Decodable { var task: String? }
        if let task = (try? JSONDecoder().decode(Probe.self, from: data))?.task {
            throw CheckpointError.incompatible("\(checkpoint.path) holds a \(task) (encoder–decoder) model, not a character language model; use `attend translate` with it")
        }
        do { return try JSONDecoder().decode(TrainingState.self, from: data) }
        catch { throw CheckpointError.corrupt(file.path, reason: "state.json is not valid") }
    }

    /// Loads a checkpoint's model (and its state) for inference or resumption.
    public static func loadModel(_ checkpoint: URL) throws -> (model: DecoderOnly, state: TrainingState) {
        let state = try loadState(checkpoint)
        var rng = RandomGenerator(seed: 0)
        let model = try DecoderOnly(state.config.model, rng: &rng)
        let weights: [String: Tensor]
        do { weights = try Safetensors.read(checkpoint.appendingPathComponent("model.safetensors")).tensors }
        catch let e as TensorFileError { throw CheckpointError.corrupt(checkpoint.path, reason: e.description) }
        do { try model.loadParameters(weights) }
        catch let e as ModuleError { throw CheckpointError.incompatible(e.description) }
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
