import Attend
import AttendTestSupport
import Foundation
import Testing


/// The records of a run folder's metrics.jsonl, in order.
func runMetrics(_ run: URL) throws -> [MetricsRecord] {
    try String(contentsOf: run.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        .split(separator: "\n").map { try JSONDecoder().decode(MetricsRecord.self, from: Data($0.utf8)) }
}

/// A small text file of Shakespeare-like lines in a fresh temporary folder (the CLI tests' data).
func cliTextFile(_ name: String) -> URL {
    let url = temporaryFolder(name).appendingPathComponent("text.txt")
    try? Data(String(repeating: "First Citizen: Before we proceed any further, hear me speak.\nAll: Speak, speak.\n", count: 40).utf8).write(to: url)
    return url
}

let shortText = String(repeating: "to be or not to be, that is the question. ", count: 12)

func tinyConfig(vocab: Int, steps: Int = 60, lr: Float = 3e-3) -> RunConfig {
    let model = ModelConfig(vocabSize: vocab, contextLength: 16, modelDim: 32, numHeads: 2, numLayers: 2)
    var t = TrainConfig()
    t.batchSize = 8
    t.maxSteps = steps
    t.decaySteps = steps
    t.warmupSteps = 5
    t.learningRate = lr
    t.minLearningRate = lr / 10
    t.evalInterval = 10
    t.evalBatches = 2
    t.checkpointInterval = 10
    t.seed = 7
    return RunConfig(model: model, training: t, data: "<text>")
}

@Suite("Training end to end", .serialized, .tags(.slow), .slowSuite)
struct TrainingTests {
    @Test("a tiny model overfits a short text to loss below 0.1")
    func overfit() throws {
        let dataset = try TextDataset(text: shortText)
        let trainer = try Trainer(config: tinyConfig(vocab: dataset.tokenizer.vocabSize, steps: 300, lr: 1e-2), dataset: dataset, run: nil)
        try trainer.run()
        let last = trainer.losses.suffix(10).reduce(0, +) / 10
        #expect(trainer.losses.first! > 2.0)
        #expect(last < 0.1, "mean loss of the last 10 steps is \(last)")
    }

    @Test("save then load gives identical logits")
    func saveLoad() throws {
        let dataset = try TextDataset(text: shortText)
        let run = temporaryFolder("saveload")
        let trainer = try Trainer(config: tinyConfig(vocab: dataset.tokenizer.vocabSize, steps: 10), dataset: dataset, run: run)
        try trainer.run()
        let (loaded, state) = try Checkpoint.loadModel(try Checkpoint.resolve(run.path))
        #expect(state.step == 10)
        let ids = try dataset.tokenizer.encode("to be or not to ")
        let ctx = ForwardContext(training: false)
        let a = withoutGradients { trainer.model(ids, batch: 1, length: ids.count, context: ctx) }
        let b = withoutGradients { loaded(ids, batch: 1, length: ids.count, context: ctx) }
        #expect(a.scalars == b.scalars)
    }

    @Test("resuming after an interruption reproduces the uninterrupted run's losses exactly")
    func resume() throws {
        let dataset = try TextDataset(text: shortText)
        let config = tinyConfig(vocab: dataset.tokenizer.vocabSize, steps: 40)
        let whole = try Trainer(config: config, dataset: dataset, run: temporaryFolder("whole"))
        try whole.run()

        let run = temporaryFolder("parts")
        let first = try Trainer(config: config, dataset: dataset, run: run)
        try first.run(stopAfter: 17)
        // Simulate a kill at step 17: only the checkpoint of step 10 survives.
        let folder = Checkpoint.folder(run: run)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("step-000017"))
        try Data("step-000010".utf8).write(to: folder.appendingPathComponent("latest"))
        let second = try Trainer(config: config, dataset: dataset, run: run, resume: true)
        #expect(second.step == 10)
        try second.run()
        #expect(Array(first.losses.prefix(10)) + second.losses == whole.losses)
        let metrics = try String(contentsOf: run.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        let steps = metrics.split(separator: "\n").compactMap { line in
            try? JSONDecoder().decode(MetricsRecord.self, from: Data(line.utf8)).step
        }
        #expect(steps == steps.sorted() && Set(steps).count == steps.count, "metrics steps \(steps)")
    }

    @Test("a NaN loss stops training, keeps the last good checkpoint and says what to try")
    func nanLoss() throws {
        let dataset = try TextDataset(text: shortText)
        var config = tinyConfig(vocab: dataset.tokenizer.vocabSize, steps: 40, lr: 1e4)
        config.training.gradClip = 0
        config.training.warmupSteps = 0
        config.training.checkpointInterval = 1
        let run = temporaryFolder("nan")
        let trainer = try Trainer(config: config, dataset: dataset, run: run)
        do {
            try trainer.run()
            Issue.record("expected the loss to blow up")
        } catch let error as TrainError {
            // The blow-up shows first in the gradient (the loss still finite) or in the loss itself; either
            // way the step is named, the last good checkpoint kept, and a gradient names its parameter.
            let step: Int, last: Int?
            switch error {
            case let .nonFiniteLoss(s, l): (step, last) = (s, l)
            case let .nonFiniteGradient(s, parameter, l):
                (step, last) = (s, l)
                #expect(trainer.model.namedParameters().contains { $0.name == parameter }, "\(parameter)")
            default: Issue.record("wrong error \(error)"); return
            }
            #expect(last == step - 1)
            #expect(error.description.contains("--learning-rate"))
            let state = try Checkpoint.loadState(try Checkpoint.resolve(run.path))
            #expect(state.step == step - 1)
            let (model, _) = try Checkpoint.loadModel(try Checkpoint.resolve(run.path))
            #expect(model.namedParameters().allSatisfy { $0.tensor.scalars.allSatisfy(\.isFinite) })
        }
    }

    @Test("a truncated or corrupt checkpoint is refused with a clear error")
    func corruptCheckpoint() throws {
        let dataset = try TextDataset(text: shortText)
        let run = temporaryFolder("corrupt")
        try Trainer(config: tinyConfig(vocab: dataset.tokenizer.vocabSize, steps: 10), dataset: dataset, run: run).run()
        let checkpoint = try Checkpoint.resolve(run.path)
        let weights = checkpoint.appendingPathComponent("model.safetensors")
        let data = try Data(contentsOf: weights)
        try data.prefix(data.count / 2).write(to: weights)
        #expect(throws: CheckpointError.self) { _ = try Checkpoint.loadModel(checkpoint) }
        try Data("{not json".utf8).write(to: checkpoint.appendingPathComponent("state.json"))
        #expect(throws: CheckpointError.self) { _ = try Checkpoint.loadModel(checkpoint) }
        #expect(throws: CheckpointError.self) { _ = try Checkpoint.resolve(run.appendingPathComponent("nope").path) }
    }

    @Test("bad data and bad sizes give clear errors")
    func badInputs() throws {
        #expect(throws: DataError.missingFile("/nonexistent/file.txt")) { _ = try TextDataset(path: "/nonexistent/file.txt") }
        let empty = temporaryFolder("empty").appendingPathComponent("empty.txt")
        FileManager.default.createFile(atPath: empty.path, contents: Data())
        #expect(throws: DataError.emptyFile(empty.path)) { _ = try TextDataset(path: empty.path) }
        let dataset = try TextDataset(text: "abcdefghijklmnopqrstuvwxyz")
        var config = tinyConfig(vocab: dataset.tokenizer.vocabSize)
        #expect(throws: DataError.self) { _ = try Trainer(config: config, dataset: dataset, run: nil) }  // context 16 > 3 val tokens
        config.model.numHeads = 3
        #expect(throws: ConfigError.self) { try config.model.validate() }
        config.model.numHeads = 2
        config.model.modelDim = 0
        #expect(throws: ConfigError.self) { try config.model.validate() }
        var t = TrainConfig()
        t.batchSize = -1
        #expect(throws: ConfigError.self) { try t.validate() }
    }

    @Test("a finished run refuses to be overwritten without --resume")
    func runExists() throws {
        let dataset = try TextDataset(text: shortText)
        let run = temporaryFolder("exists")
        let config = tinyConfig(vocab: dataset.tokenizer.vocabSize, steps: 10)
        try Trainer(config: config, dataset: dataset, run: run).run()
        #expect(throws: TrainError.self) { _ = try Trainer(config: config, dataset: dataset, run: run) }
    }
}

@Suite("Schedules and optimizer")
struct ScheduleTests {
    @Test("warm-up + cosine matches nanoGPT's get_lr")
    func schedule() {
        let s = WarmupCosineSchedule(learningRate: 1e-3, minLearningRate: 1e-4, warmupSteps: 100, decaySteps: 2000)
        #expect(abs(s(0) - 1e-3 / 101) < 1e-9)
        #expect(abs(s(99) - 1e-3 * 100 / 101) < 1e-9)
        #expect(abs(s(100) - 1e-3) < 1e-9)
        #expect(abs(s(1050) - 5.5e-4) < 1e-7)
        #expect(s(2001) == 1e-4)
    }

    @Test("gradient clipping scales to the max norm")
    func clipping() {
        let a = Tensor([3, 0], shape: [2], requiresGrad: true), b = Tensor([4], shape: [1], requiresGrad: true)
        a.grad = Tensor([3, 0], shape: [2]); b.grad = Tensor([4], shape: [1])
        let norm = clipGradientNorm([("a", a), ("b", b)], maxNorm: 1)
        #expect(abs(norm - 5) < 1e-6)
        #expect(abs(a.grad![flat: 0] - 0.6) < 1e-5 && abs(b.grad![flat: 0] - 0.8) < 1e-5)
    }
}

@Suite("Data-parallel gradients")
struct DataParallelTests {
    @Test("gradients computed in per-core shards equal the whole batch's gradients")
    func shardedEqualsWhole() throws {
        let dataset = try TextDataset(text: shortText)
        let config = tinyConfig(vocab: dataset.tokenizer.vocabSize)
        let trainer = try Trainer(config: config, dataset: dataset, run: nil)
        var rng = RandomGenerator(seed: 11)
        let batch = dataset.batch(.train, batchSize: 5, contextLength: 16, rng: &rng)
        let sharded = trainer.computeGradients(inputs: batch.inputs, targets: batch.targets, batchSize: 5)
        let shardedGrads = trainer.model.namedParameters().map { $0.tensor.grad!.scalars }
        trainer.model.zeroGradients()

        let whole = trainer.model.loss(inputs: batch.inputs, targets: batch.targets, batch: 5, length: 16,
                                       context: ForwardContext(training: true))
        whole.backward()
        #expect(abs(whole.item - sharded) < 1e-5)
        for ((name, p), g) in zip(trainer.model.namedParameters(), shardedGrads) {
            let w = p.grad!.scalars
            let worst = zip(w, g).map { abs($0 - $1) }.max()!
            #expect(worst < 1e-5, "\(name): max difference \(worst)")
        }
        trainer.model.zeroGradients()
    }
}
