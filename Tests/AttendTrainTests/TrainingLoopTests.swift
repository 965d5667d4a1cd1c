import Attend
import AttendTestSupport
import Foundation
import Testing

// MARK: - A regression task (the shape of Wang & E's studies): ±1 inputs, a float target, squared loss.

/// A tiny non-language model: each ±1 input is embedded by a Linear(1 → C), one causal Transformer
/// block with Wang & E's lin-type relative-position bias mixes the sequence, and a Linear(C → 1) reads
/// the prediction out at the last position.
final class SequenceRegressor: Module {
    let modelDim: Int
    let embed: Linear
    let block: TransformerBlock
    let readout: Linear

    init(modelDim: Int, rng: inout RandomGenerator) {
        self.modelDim = modelDim
        embed = Linear(1, modelDim, rng: &rng)
        block = TransformerBlock(modelDim: modelDim, numHeads: 2, hiddenDim: 2 * modelDim, numLayers: 1, attention: AttentionSpec(positionBias: .linType),
                                 activation: .gelu, bias: true, placement: .pre, dropout: 0.1, rng: &rng)
        readout = Linear(modelDim, 1, rng: &rng)
    }

    var children: [(name: String, module: any Module)] { [("embed", embed), ("block", block), ("readout", readout)] }

    /// Predictions [B] for inputs [B, T].
    func callAsFunction(_ inputs: [Float], batch: Int, length: Int, context: ForwardContext) -> Tensor {
        let h = block(embed(Tensor(inputs, shape: [batch, length, 1])), mask: .causal, context: context)
        return readout(h.sliced((length - 1)..<length, along: 1).reshaped([batch, modelDim])).reshaped([batch])
    }
}

/// Rows of ±1 inputs with their targets.
struct RegressionBatch {
    var inputs: [Float]
    var targets: [Float]
    var batch: Int
    var length: Int

    func rows(_ r: Range<Int>) -> RegressionBatch {
        RegressionBatch(inputs: Array(inputs[(r.lowerBound * length)..<(r.upperBound * length)]), targets: Array(targets[r]),
                        batch: r.count, length: length)
    }
}

/// Learn y = Σ_s ρ(s) x_{T−1−s} with an exponentially decaying memory ρ(s) = 2^−s from ±1 sequences,
/// with mean squared error. `poisonedStep` (1-based) makes that step's targets NaN (for the guard test).
final class MemoryRegressionTask: TrainingTask {
    let length = 6, batchSize = 8, modelDim = 8
    let maxSteps: Int
    let learningRate: Float
    var poisonedStep: Int?
    var timeLimitSeconds: Double?
    var drawn = 0

    init(maxSteps: Int, learningRate: Float = 3e-3) {
        self.maxSteps = maxSteps
        self.learningRate = learningRate
    }

    var settings: LoopSettings {
        LoopSettings(maxSteps: maxSteps, evalInterval: 3, checkpointInterval: 100, gradClip: 1, seed: 5, timeLimitSeconds: timeLimitSeconds)
    }

    func makeModel(rng: inout RandomGenerator) throws -> SequenceRegressor { SequenceRegressor(modelDim: modelDim, rng: &rng) }

    func makeOptimizer(for model: SequenceRegressor) -> AdamW {
        AdamW(parameters: model.namedParameters(), decayed: [], learningRate: learningRate, weightDecay: 0)
    }

    func learningRate(step: Int) -> Float { WarmupCosineSchedule(learningRate: learningRate, minLearningRate: learningRate / 10, warmupSteps: 2, decaySteps: maxSteps)(step) }

    var initialPosition: RandomGenerator { RandomGenerator(seed: 5).derived(1) }

    func draw(_ rng: inout RandomGenerator) -> RegressionBatch {
        var inputs: [Float] = [], targets: [Float] = []
        for _ in 0..<batchSize {
            let x = (0..<length).map { _ in rng.nextInt(below: 2) == 0 ? Float(-1) : 1 }
            inputs += x
            targets.append((0..<length).reduce(0) { $0 + x[length - 1 - $1] * pow(2, -Float($1)) })
        }
        return RegressionBatch(inputs: inputs, targets: targets, batch: batchSize, length: length)
    }

    func nextBatch(at position: inout RandomGenerator) -> RegressionBatch {
        var b = draw(&position)
        drawn += 1
        if drawn == poisonedStep { b.targets = b.targets.map { _ in .nan } }
        return b
    }

    func rows(in batch: RegressionBatch) -> Int { batch.batch }

    func split(_ batch: RegressionBatch, into shards: Int) -> [(part: RegressionBatch, weight: LossWeight)] {
        (0..<shards).map { s in
            let r = (batch.batch * s / shards)..<(batch.batch * (s + 1) / shards)
            return (batch.rows(r), LossWeight(Float(r.count), of: Float(batch.batch)))
        }
    }

    func loss(of model: SequenceRegressor, on part: RegressionBatch, context: ForwardContext) -> Tensor {
        let error = model(part.inputs, batch: part.batch, length: part.length, context: context) - Tensor(part.targets, shape: [part.batch])
        return (error * error).mean()
    }

    func tokens(in batch: RegressionBatch) -> Int { batch.batch * batch.length }

    func evaluate(_ model: SequenceRegressor) -> TaskEvaluation {
        var rng = RandomGenerator(seed: 5).derived(3)
        let b = draw(&rng)
        let value = withoutGradients { loss(of: model, on: b, context: ForwardContext(training: false)).item }
        return TaskEvaluation(validationLoss: value)
    }

    var configuration: (any Encodable)? { ["task": "regression", "maxSteps": "\(maxSteps)"] }
    var checkpointMetadata: [String: String] { ["format": "attend", "task": "regression"] }

    func loadState(_ checkpoint: URL) throws -> TaskState<RandomGenerator> { try TaskState.load(checkpoint, task: "regression") }
    func resume(from state: TaskState<RandomGenerator>) throws -> RandomGenerator { state.position }
    func checkpointState(progress: LoopProgress, position: RandomGenerator) -> TaskState<RandomGenerator> {
        TaskState(task: "regression", progress: progress, maxSteps: maxSteps, position: position)
    }
}

// MARK: - Bit-exact resumption for every task the loop serves

/// Bit patterns of every parameter of `model`.
func weightBits(_ model: some Module) -> [[UInt32]] {
    model.namedParameters().map { $0.tensor.scalars.map(\.bitPattern) }
}

/// Trains `steps` steps in one go and as two halves — a checkpoint, then a new loop resuming from
/// the run folder — and expects identical losses, weights and optimizer moments, bit for bit.
func expectExactResume<Task: TrainingTask>(_ name: String, steps: Int, _ make: () throws -> Task) throws {
    let whole = try TrainingLoop(task: make(), run: nil)
    try whole.run(stopAfter: steps)
    #expect(whole.step == steps)

    let run = temporaryFolder("resume-\(name)")
    let first = try TrainingLoop(task: make(), run: run)
    try first.run(stopAfter: steps / 2)
    let second = try TrainingLoop(task: make(), run: run, resume: true)
    #expect(second.step == steps / 2, "\(name): resumed at \(second.step)")
    try second.run(stopAfter: steps - steps / 2)
    #expect((first.losses + second.losses).map(\.bitPattern) == whole.losses.map(\.bitPattern), "\(name): losses differ")
    let finite = whole.losses.allSatisfy { $0.isFinite }
    #expect(finite, "\(name): \(whole.losses)")
    #expect(weightBits(second.model) == weightBits(whole.model), "\(name): weights differ")
    let moments = { (loop: TrainingLoop<Task>) in loop.optimizer.stateTensors.map { $0.tensor.scalars.map(\.bitPattern) } }
    #expect(moments(second) == moments(whole), "\(name): optimizer moments differ")
    #expect(second.lastValidationLoss?.bitPattern == whole.lastValidationLoss?.bitPattern, "\(name): validation loss differs")
}

/// A reverse-task or corpus translation configuration at tiny scale, with dropout so the dropout
/// generator's resumption is exercised too.
func tinyTranslationConfig(task: String, vocabSize: Int) -> TranslationRunConfig {
    let model = EncoderDecoderConfig(vocabSize: vocabSize, maxLength: 24, modelDim: 16, numHeads: 2,
                                     numEncoderLayers: 1, numDecoderLayers: 1, hiddenDim: 32, dropout: 0.1)
    var t = TranslationTrainConfig()
    t.batchTokens = 120
    t.maxSteps = 100
    t.warmupSteps = 4
    t.evalInterval = 3
    t.checkpointInterval = 100
    t.seed = 3
    return TranslationRunConfig(task: task, model: model, training: t, data: [:])
}

/// A decoder-only model for the sequence tasks (copy, pixels).
func tinySequenceModel(vocab: Int, length: Int) -> ModelConfig {
    var m = ModelConfig(vocabSize: vocab, contextLength: length, modelDim: 16, numHeads: 2, numLayers: 1)
    m.dropout = 0.1
    return m
}

func tinySequenceTraining(steps: Int, batchSize: Int) -> TrainConfig {
    var t = TrainConfig()
    t.batchSize = batchSize
    t.maxSteps = steps
    t.decaySteps = steps
    t.warmupSteps = 2
    t.learningRate = 3e-3
    t.evalInterval = 3
    t.checkpointInterval = 100
    t.seed = 9
    return t
}

@Suite("One training loop", .serialized, .tags(.slow), .slowSuite)
struct TrainingLoopTests {
    @Test("resume is bit-exact for the character language model")
    func characterModel() throws {
        let dataset = try TextDataset(text: shortText)
        var config = tinyConfig(vocab: dataset.tokenizer.vocabSize, steps: 8)
        config.model.dropout = 0.1
        config.training.evalInterval = 3
        try expectExactResume("char-lm", steps: 8) { try LanguageModelTask(config: config, dataset: dataset) }
    }

    @Test("a character-LM checkpoint in the layout written before the one loop (no elapsedSeconds) resumes bit-exactly")
    func oldLayoutResumes() throws {
        let dataset = try TextDataset(text: shortText)
        let config = tinyConfig(vocab: dataset.tokenizer.vocabSize, steps: 8)
        let whole = try Trainer(config: config, dataset: dataset, run: nil)
        try whole.run()
        let run = temporaryFolder("old-layout")
        let first = try Trainer(config: config, dataset: dataset, run: run)
        try first.run(stopAfter: 4)
        let state = try Checkpoint.resolve(run.path).appendingPathComponent("state.json")
        let lines = try String(contentsOf: state, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.contains { $0.contains("\"elapsedSeconds\"") })
        try Data(lines.filter { !$0.contains("\"elapsedSeconds\"") }.joined(separator: "\n").utf8).write(to: state)
        #expect(try Checkpoint.loadState(try Checkpoint.resolve(run.path)).elapsedSeconds == nil)
        let second = try Trainer(config: config, dataset: dataset, run: run, resume: true)
        #expect(second.step == 4)
        try second.run()
        #expect((first.losses + second.losses).map(\.bitPattern) == whole.losses.map(\.bitPattern))
        #expect(weightBits(second.model) == weightBits(whole.model))
    }

    @Test("resume is bit-exact for translation (a tiny BPE corpus)")
    func translation() throws {
        let english = ["the cat sleeps", "the dog runs", "a cat runs", "the bird sings", "a dog sleeps", "the cat sings"]
        let spanish = ["el gato duerme", "el perro corre", "un gato corre", "el pájaro canta", "un perro duerme", "el gato canta"]
        let bpe = try BPETokenizer.train(texts: english + spanish, vocabSize: 280, minFrequency: 1)
        let vocabulary = TranslationVocabulary.bpe(bpe)
        let pairs = zip(english, spanish).map { TranslationExample(source: vocabulary.encode($0), target: vocabulary.encode($1)) }
        let config = tinyTranslationConfig(task: "translation", vocabSize: vocabulary.vocabSize)
        try expectExactResume("translation", steps: 8) {
            try TranslationTask(config: config, vocabulary: vocabulary, train: pairs + pairs, validation: Array(pairs.prefix(3)))
        }
    }

    @Test("resume is bit-exact for a synthetic seq2seq task (reverse), across an epoch boundary")
    func reverse() throws {
        let train = Seq2SeqTask.reverse.examples(count: 24, minLength: 1, maxLength: 4, seed: 1)
        let config = tinyTranslationConfig(task: "reverse", vocabSize: Seq2SeqTask.vocabSize)
        let batches = TokenBatcher(examples: train, batchTokens: config.training.batchTokens, seed: config.training.seed).batches(epoch: 0).count
        #expect(batches < 8, "the run should cross into a second epoch (\(batches) batches per epoch)")
        try expectExactResume("reverse", steps: 8) {
            try TranslationTask(config: config, vocabulary: .synthetic(.reverse), train: train, validation: Array(train.prefix(4)))
        }
    }

    @Test("resume is bit-exact for the copy task")
    func copy() throws {
        let copy = CopyTask(maxSymbols: 4, symbols: 6)
        var evalRNG = RandomGenerator(seed: 99)
        let evaluation = [copy.batch(4, rng: &evalRNG)]
        try expectExactResume("copy", steps: 8) {
            try SequenceTask(name: "copy", model: tinySequenceModel(vocab: copy.vocabSize, length: copy.length),
                             training: tinySequenceTraining(steps: 8, batchSize: 6), evaluation: evaluation) { copy.batch(6, rng: &$0) }
        }
    }

    @Test("resume is bit-exact for pixel sequences")
    func pixels() throws {
        var rng = RandomGenerator(seed: 4)
        let image = { (0..<(PixelImages.side * PixelImages.side)).map { _ in UInt8(rng.nextInt(below: PixelImages.levels)) } }
        let images = PixelImages(train: (0..<12).map { _ in image() }, test: (0..<2).map { _ in image() })
        let evaluation = [images.batch([0, 1], from: images.test)]
        try expectExactResume("pixels", steps: 4) {
            try SequenceTask(name: "pixels", model: tinySequenceModel(vocab: images.vocabSize, length: images.length),
                             training: tinySequenceTraining(steps: 4, batchSize: 3), evaluation: evaluation) { rng in
                images.batch((0..<3).map { _ in rng.nextInt(below: images.train.count) }, from: images.train)
            }
        }
    }

    @Test("resume is bit-exact for a regression task (±1 inputs, float target, a non-language Module)")
    func regression() throws {
        try expectExactResume("regression", steps: 8) { MemoryRegressionTask(maxSteps: 100) }
    }

    @Test("the loop trains a regression model: squared error falls well below the variance of the target")
    func regressionLearns() throws {
        let loop = try TrainingLoop(task: MemoryRegressionTask(maxSteps: 300, learningRate: 1e-2), run: nil)
        let before = loop.evaluate().validationLoss
        try loop.run()
        let after = loop.evaluate().validationLoss
        // Var(Σ 2^−s x_s) = Σ 4^−s ≈ 1.33; predicting the mean scores that, a broken model no better.
        #expect(before > 0.5, "initial loss \(before)")
        #expect(after < 0.05, "loss \(before) → \(after)")
    }

    @Test("a NaN loss throws before the weights or the optimizer change, and names the last checkpoint")
    func nanGuard() throws {
        let task = MemoryRegressionTask(maxSteps: 100)
        task.poisonedStep = 4
        let run = temporaryFolder("loop-nan")
        let loop = try TrainingLoop(task: task, run: run)
        try loop.run(stopAfter: 2)
        try loop.trainStep()
        let weights = weightBits(loop.model), moments = loop.optimizer.stateTensors.map { $0.tensor.scalars }
        #expect(throws: TrainError.nonFiniteLoss(step: 4, lastCheckpoint: 2)) { try loop.trainStep() }
        #expect(loop.step == 3 && loop.optimizer.step == 3)
        #expect(weightBits(loop.model) == weights)
        #expect(loop.optimizer.stateTensors.map { $0.tensor.scalars } == moments)
        #expect(loop.model.namedParameters().allSatisfy { $0.tensor.grad == nil }, "gradients are cleared")
        // The next (finite) batch trains on as usual.
        #expect(try loop.trainStep().isFinite)
    }

    @Test("the time budget stops the loop, which evaluates and checkpoints where it stopped; it counts across resumptions")
    func timeBudget() throws {
        let task = MemoryRegressionTask(maxSteps: 100)
        task.timeLimitSeconds = 1e-9  // spent by the first step
        let run = temporaryFolder("loop-budget")
        let loop = try TrainingLoop(task: task, run: run)
        var events: [String] = []
        try loop.run { event in
            switch event {
            case let .timeLimit(step, _): events.append("limit \(step)")
            case let .evaluation(step, _): events.append("eval \(step)")
            case let .checkpoint(step, _): events.append("checkpoint \(step)")
            default: break
            }
        }
        #expect(events == ["limit 1", "eval 1", "checkpoint 1"])
        #expect(try TaskState<RandomGenerator>.load(try Checkpoint.resolve(run.path), task: "regression").step == 1)
        #expect(try runMetrics(run).map { "\($0.kind) \($0.step)" } == ["eval 1"])
        let resumed = try TrainingLoop(task: task, run: run, resume: true)
        #expect(resumed.elapsedSeconds == loop.elapsedSeconds && resumed.elapsedSeconds > 0)
        try resumed.run()
        #expect(resumed.step == 1 && resumed.losses.isEmpty)
    }

    @Test("a checkpoint of one task is refused by another, with a message naming both")
    func refusesOtherTask() throws {
        let run = temporaryFolder("loop-refuse")
        try TrainingLoop(task: MemoryRegressionTask(maxSteps: 2), run: run).run()
        do {
            _ = try Checkpoint.loadState(try Checkpoint.resolve(run.path))
            Issue.record("a regression checkpoint was read as a character LM")
        } catch let e as CheckpointError {
            #expect(e.description.contains("regression"), "\(e)")
        }
        #expect(throws: CheckpointError.self) { _ = try TranslationCheckpoint.loadState(try Checkpoint.resolve(run.path)) }
        #expect(throws: CheckpointError.self) { _ = try TaskState<RandomGenerator>.load(try Checkpoint.resolve(run.path), task: "copy") }
    }
}
