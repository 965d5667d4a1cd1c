import AttendData
import AttendModels
import AttendNN
import AttendTensor
import Foundation

/// `attend export pytorch` and `attend import`: a checkpoint as a PyTorch folder and back.
///
/// The folder holds model.py (`PyTorchSources.model`), train_ddp.py, model.safetensors under Attend's own
/// tensor names, attend_config.json (`{"family": "decoder-only" | "encoder-decoder", "model": {…}}`) and
/// attend_state.json (the checkpoint's state.json: vocabulary, run settings, step). Import reads the
/// weights by name (any set trained from model.py) and writes a run folder whose checkpoint Attend
/// generates, translates, evaluates and resumes from (Adam moments start at zero).
public enum PyTorchExport {
    /// The two model families.
    public enum Family: String, Sendable {
        /// `DecoderOnly` (character language model runs).
        case decoderOnly = "decoder-only"
        /// `EncoderDecoder` (translation and synthetic seq2seq runs).
        case encoderDecoder = "encoder-decoder"
    }

    /// Attention kinds model.py implements.
    public static let supportedKinds: Set<AttentionKind> = [.softmax, .linear, .linearRelu]

    /// Throws `ExportError.unsupported` naming the first attention setting model.py does not implement.
    public static func check(kinds: [(field: String, kind: AttentionKind)], spec: AttentionSpec) throws {
        for (field, kind) in kinds where !supportedKinds.contains(kind) {
            throw ExportError.unsupported(setting: field, message: "'\(kind.rawValue)': model.py implements softmax, linear and linear-relu attention")
        }
        if spec.positionBias != .none { throw ExportError.unsupported(setting: "positionBias", message: "'\(spec.positionBias.rawValue)': model.py has no relative-position bias") }
        if !spec.dotProduct { throw ExportError.unsupported(setting: "dotProduct", message: "false: model.py has dot-product attention only") }
        if spec.rotary { throw ExportError.unsupported(setting: "rotary", message: "true: model.py has no rotary embeddings") }
    }

    /// The family of a checkpoint folder (its state.json's `task` key: none for character LMs).
    public static func family(of checkpoint: URL) throws -> Family {
        guard let data = FileManager.default.contents(atPath: checkpoint.appendingPathComponent("state.json").path) else {
            throw CheckpointError.notFound(checkpoint.path)
        }
        let task = ((try? JSONSerialization.jsonObject(with: data)) as? [String: Any])?["task"]
        return task == nil ? .decoderOnly : .encoderDecoder
    }

    /// Writes the PyTorch folder for checkpoint folder `checkpoint` into `out`.
    public static func write(checkpoint: URL, to out: URL) throws {
        let family = try family(of: checkpoint)
        let modelJSON: Data
        switch family {
        case .decoderOnly:
            let config = try Checkpoint.loadState(checkpoint).config.model
            try check(kinds: [("attention", config.attention)], spec: config.attentionSpec)
            modelJSON = try JSONEncoder().encode(config)
        case .encoderDecoder:
            let config = try TranslationCheckpoint.loadState(checkpoint).config.model
            try check(kinds: [("encoderAttention", config.encoderAttention), ("decoderAttention", config.decoderAttention),
                              ("crossAttention", config.crossAttention)], spec: config.decoderAttentionSpec)
            modelJSON = try JSONEncoder().encode(config)
        }
        let fm = FileManager.default
        try fm.createDirectory(at: out, withIntermediateDirectories: true)
        let model = try JSONSerialization.jsonObject(with: modelJSON)
        let meta = try JSONSerialization.data(withJSONObject: ["family": family.rawValue, "model": model], options: [.prettyPrinted, .sortedKeys])
        try AtomicFile.write(meta, to: out.appendingPathComponent("attend_config.json"))
        for (source, name) in [("model.safetensors", "model.safetensors"), ("state.json", "attend_state.json")] {
            let data = try Data(contentsOf: checkpoint.appendingPathComponent(source))
            try AtomicFile.write(data, to: out.appendingPathComponent(name))
        }
        try AtomicFile.write(Data(PyTorchSources.model.utf8), to: out.appendingPathComponent("model.py"))
        try AtomicFile.write(Data(PyTorchSources.trainDDP.utf8), to: out.appendingPathComponent("train_ddp.py"))
    }

    /// Reads `folder` (an export, possibly retrained in PyTorch) and writes run folder `run`: config.json and
    /// a checkpoint at the exported state's step with the folder's weights and zero Adam moments. Every
    /// tensor must be present with Attend's shape (`CheckpointError.incompatible` names the first that is not).
    /// Returns the checkpoint folder written.
    @discardableResult
    public static func importFolder(_ folder: URL, run: URL) throws -> URL {
        let stateURL = folder.appendingPathComponent("attend_state.json")
        guard FileManager.default.fileExists(atPath: stateURL.path) else {
            throw ExportError.badFolder("\(folder.path) has no attend_state.json; pass a folder written by `attend export pytorch` (or train_ddp.py --out)")
        }
        if (try? Checkpoint.resolve(run.path)) != nil {
            throw ExportError.badFolder("\(run.path) already has checkpoints; choose another --out")
        }
        let weights: [String: Tensor]
        do { weights = try Safetensors.read(folder.appendingPathComponent("model.safetensors")).tensors }
        catch let e as TensorFileError { throw ExportError.badFolder("cannot read the weights: \(e.description)") }
        let stateData = try Data(contentsOf: stateURL)
        let task = ((try? JSONSerialization.jsonObject(with: stateData)) as? [String: Any])?["task"]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var rng = RandomGenerator(seed: 0)
        func zeroMoments(_ parameters: [(name: String, tensor: Tensor)]) -> AdamW {
            AdamW(parameters: parameters, decayed: [], learningRate: 0, beta1: 0.9, beta2: 0.99, epsilon: 1e-8, weightDecay: 0)
        }
        func load(_ model: some Module) throws {
            do { try model.loadParameters(weights) } catch let e as ModuleError { throw CheckpointError.incompatible(e.description) }
        }
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        if task == nil {
            let state = try JSONDecoder().decode(TrainingState.self, from: stateData)
            let model = try DecoderOnly(state.config.model, rng: &rng)
            try load(model)
            try AtomicFile.write(try encoder.encode(state.config), to: run.appendingPathComponent("config.json"))
            try Checkpoint.save(run: run, model: model, optimizer: zeroMoments(model.namedParameters()), state: state)
        } else {
            let state = try JSONDecoder().decode(TranslationState.self, from: stateData)
            let model = try EncoderDecoder(state.config.model, rng: &rng)
            try load(model)
            try AtomicFile.write(try encoder.encode(state.config), to: run.appendingPathComponent("config.json"))
            try TranslationCheckpoint.save(run: run, model: model, optimizer: zeroMoments(model.namedParameters()), state: state, keep: 2)
        }
        return try Checkpoint.resolve(run.path)
    }
}
