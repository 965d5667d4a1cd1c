import AttendData
import AttendModels
import AttendNN
import AttendTensor
import Foundation

/// What a translation checkpoint holds besides the weights (state.json): the task marker, the
/// vocabulary, and enough to resume bit for bit.
public struct TranslationState: Codable, Equatable, Sendable, TrainingCheckpointState {
    /// Always "translation" for encoder–decoder checkpoints (`TranslationState.taskName`); character
    /// language-model checkpoints have no `task` key. `config.task` says which data it learned.
    public var task: String
    /// Optimizer steps completed.
    public var step: Int
    /// The configuration this was built from.
    public var config: TranslationRunConfig
    /// The tokenizer / vocabulary the model was trained with.
    public var vocabulary: TranslationVocabulary
    /// Epoch and batch index within it of the next training batch.
    public var epoch: Int
    /// Index of the next batch within the epoch.
    public var batchInEpoch: Int
    /// Generator for dropout masks, after `step` steps.
    public var dropoutRNG: RandomGenerator
    /// Seconds spent in the training loop so far (counts against the time limit on resume).
    public var elapsedSeconds: Double
    /// Last training loss.
    public var loss: Float?
    /// Last validation cross-entropy.
    public var validationLoss: Float?
    /// Steps of the checkpoints averaged into this one (written by `attend average`).
    public var averagedSteps: [Int]?

    /// The `task` value of encoder–decoder checkpoints.
    public static let taskName = "translation"

    public var progress: LoopProgress {
        LoopProgress(step: step, dropoutRNG: dropoutRNG, loss: loss, validationLoss: validationLoss, elapsedSeconds: elapsedSeconds)
    }

    public var maxSteps: Int { config.training.maxSteps }

    /// The safetensors metadata of an encoder–decoder checkpoint with this state.
    var weightsMetadata: [String: String] {
        let model = Checkpoint.metadataJSON(config.model)
        return TranslationState.weightsMetadata(modelConfig: model)
    }

    /// The safetensors metadata of an encoder–decoder checkpoint whose model configuration encodes as `modelConfig`.
    static func weightsMetadata(modelConfig: String) -> [String: String] {
        ["format": "attend", "task": TranslationState.taskName, "modelConfig": modelConfig]
    }
}

/// Translation checkpoints: `Checkpoint`'s folders and writer (`<run>/checkpoints/step-N/`, `latest`,
/// atomic rename) with a `TranslationState`, plus checkpoint averaging.
public enum TranslationCheckpoint {
    /// Writes a checkpoint for `state.step`, points `latest` at it and keeps the newest `keep` (`Checkpoint.save`).
    public static func save(run: URL, model: EncoderDecoder, optimizer: AdamW?, state: TranslationState, keep: Int) throws {
        try Checkpoint.save(run: run, step: state.step, parameters: model.namedParameters(), optimizer: optimizer, state: state,
                            metadata: state.weightsMetadata, keep: keep)
    }

    /// Reads a checkpoint folder's state, refusing checkpoints of other tasks with a clear message.
    public static func loadState(_ checkpoint: URL) throws -> TranslationState {
        try Checkpoint.readState(checkpoint) { task in
            task == TranslationState.taskName ? nil
                : "\(checkpoint.path) holds a \(task ?? "character language") model, not an encoder–decoder translation model; use a run folder written by `attend train --task translation` (or a synthetic --task)"
        }
    }

    /// Loads a checkpoint's model and state.
    public static func loadModel(_ checkpoint: URL) throws -> (model: EncoderDecoder, state: TranslationState) {
        let state = try loadState(checkpoint)
        guard state.vocabulary.vocabSize == state.config.model.vocabSize else {
            throw CheckpointError.incompatible("its vocabulary has \(state.vocabulary.vocabSize) tokens but the model expects \(state.config.model.vocabSize)")
        }
        var rng = RandomGenerator(seed: 0)
        let model = try EncoderDecoder(state.config.model, rng: &rng)
        try Checkpoint.loadWeights(checkpoint, into: model)
        return (model, state)
    }

    /// Averages the weights of the newest `last` checkpoints of run folder `run` (Vaswani et al.,
    /// 2017, §6.1 average the last 5) into checkpoint folder `out` (no optimizer state; usable by
    /// `attend translate`). All must share model configuration and vocabulary. Returns their steps.
    @discardableResult
    public static func average(run: URL, last: Int, out: URL) throws -> [Int] {
        precondition(last > 0, "average needs at least one checkpoint")
        let dir = Checkpoint.folder(run: run)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasPrefix("step-") }.sorted()
        guard !names.isEmpty else { throw CheckpointError.notFound(run.path) }
        let chosen = names.suffix(last).map { dir.appendingPathComponent($0) }
        let newest = try loadState(chosen.last!)
        var sums: [String: Tensor] = [:]
        var order: [String] = []
        for folder in chosen {
            let state = try loadState(folder)
            guard state.config.model == newest.config.model, state.vocabulary == newest.vocabulary else {
                throw CheckpointError.incompatible("\(folder.lastPathComponent) has a different model configuration or vocabulary than \(chosen.last!.lastPathComponent)")
            }
            let tensors: [String: Tensor]
            do { tensors = try Safetensors.read(folder.appendingPathComponent("model.safetensors")).tensors }
            catch let e as TensorFileError { throw CheckpointError.corrupt(folder.path, reason: e.description) }
            if sums.isEmpty {
                order = tensors.keys.sorted()
                for (k, t) in tensors { sums[k] = t.detached() }
            } else {
                for k in order {
                    guard let t = tensors[k], let s = sums[k], t.shape == s.shape else {
                        throw CheckpointError.incompatible("\(folder.lastPathComponent) lacks tensor '\(k)' or has another shape")
                    }
                    for i in 0..<s.count { s.pointer[i] += t.pointer[i] }
                }
            }
        }
        let inv = 1 / Float(chosen.count)
        for k in order { let s = sums[k]!; for i in 0..<s.count { s.pointer[i] *= inv } }
        var state = newest
        state.averagedSteps = try chosen.map { try loadState($0).step }
        try? FileManager.default.removeItem(at: out)
        try Checkpoint.write(to: out, parameters: order.map { ($0, sums[$0]!) }, optimizer: nil, state: state, metadata: state.weightsMetadata)
        return state.averagedSteps!
    }
}
