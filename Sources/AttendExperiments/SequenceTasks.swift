import AttendData
import AttendModels
import AttendNN
import AttendTensor
import AttendTrain
import Foundation

/// A batch of token sequences for next-token training: inputs and targets [batch · length] row-major;
/// a target of −1 is ignored by the loss.
public struct SequenceBatch: Sendable {
    /// Input tokens [batch · length].
    public var inputs: [Int32]
    /// Next-token targets [batch · length]; −1 is ignored.
    public var targets: [Int32]
    /// Sequences in the batch.
    public var batch: Int
    /// Tokens per sequence.
    public var length: Int
}

/// The copy task of Katharopoulos et al. (2020, §4.1, Fig. 2): a random sequence of 1…`maxSymbols`
/// symbols from an alphabet of `symbols`, a separator, then the same sequence again; the loss counts
/// only the copied part. Tokens: 0 = separator, 1…symbols = symbols, symbols+1 = padding.
public struct CopyTask: Sendable {
    /// Longest symbol sequence before the separator.
    public var maxSymbols: Int
    /// Alphabet size.
    public var symbols: Int

    /// A copy task with sequences of 1…`maxSymbols` symbols from `symbols`.
    public init(maxSymbols: Int, symbols: Int) {
        self.maxSymbols = maxSymbols
        self.symbols = symbols
    }

    /// Symbols plus separator and padding.
    public var vocabSize: Int { symbols + 2 }
    /// Input length: longest sequence, separator, its copy (the last token is never an input).
    public var length: Int { 2 * maxSymbols + 1 }

    /// A batch of independent examples drawn from `rng`.
    public func batch(_ size: Int, rng: inout RandomGenerator) -> SequenceBatch {
        let t = length, pad = Int32(symbols + 1)
        var inputs = [Int32](repeating: pad, count: size * t), targets = [Int32](repeating: -1, count: size * t)
        for b in 0..<size {
            let n = 1 + rng.nextInt(below: maxSymbols)
            var seq = (0..<n).map { _ in Int32(1 + rng.nextInt(below: symbols)) }
            seq = seq + [0] + seq
            for i in 0..<min(seq.count, t) { inputs[b * t + i] = seq[i] }
            // Position i predicts seq[i + 1]; count only predictions of the copy (after the separator).
            for i in n..<(2 * n) { targets[b * t + i] = seq[i + 1] }
        }
        return SequenceBatch(inputs: inputs, targets: targets, batch: size, length: t)
    }
}

/// Images as pixel sequences for autoregressive modelling: the shipped 14×14 MNIST at 16 grey levels
/// (`Data/mnist14`, see its SOURCE.md). Token 16 starts every image; bits/dim = loss / ln 2.
public struct PixelImages: Sendable {
    /// Image side and grey levels of the shipped data.
    public static let side = 14, levels = 16
    /// Training images, 196 pixel values in 0…15 each.
    public let train: [[UInt8]]
    /// Test images.
    public let test: [[UInt8]]

    /// Grey levels plus the start token.
    public var vocabSize: Int { Self.levels + 1 }
    /// Pixels per image (the sequence length).
    public var length: Int { Self.side * Self.side }

    /// Reads `folder/train-6000.bin` and `folder/test-1000.bin` (98 bytes per image, two pixels per byte).
    public init(folder: URL) throws {
        func read(_ name: String) throws -> [[UInt8]] {
            let url = folder.appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: url.path) else { throw DataError.missingFile(url.path) }
            let bytes = [UInt8](data), per = Self.side * Self.side / 2
            guard !bytes.isEmpty, bytes.count % per == 0 else { throw DataError.tooShort(path: url.path, tokens: bytes.count, needed: per) }
            return stride(from: 0, to: bytes.count, by: per).map { start in
                var image = [UInt8](repeating: 0, count: 2 * per)
                for i in 0..<per {
                    image[2 * i] = bytes[start + i] >> 4
                    image[2 * i + 1] = bytes[start + i] & 15
                }
                return image
            }
        }
        train = try read("train-6000.bin")
        test = try read("test-1000.bin")
    }

    /// Sequences of `images` (indices into `split`): input [start, p0 … p194], target [p0 … p195].
    public func batch(_ images: [Int], from split: [[UInt8]]) -> SequenceBatch {
        let t = length
        var inputs = [Int32](), targets = [Int32]()
        for i in images {
            let px = split[i].map(Int32.init)
            inputs.append(Int32(Self.levels)); inputs.append(contentsOf: px[0..<(t - 1)])
            targets.append(contentsOf: px)
        }
        return SequenceBatch(inputs: inputs, targets: targets, batch: images.count, length: t)
    }
}

/// A plain training loop for token-sequence tasks (copy, pixels): AdamW with warm-up + cosine decay,
/// gradient clipping, evaluation on fixed batches. (Character LMs use `Trainer`.)
public struct SequenceTraining {
    /// Model trained.
    public var config: ModelConfig
    /// Optimisation settings.
    public var training: TrainingSpec
    /// Seed of initialisation, data order and dropout.
    public var seed: UInt64

    /// Loss curves and throughput of a finished training run.
    public struct Outcome {
        /// [step, mean training loss since the previous evaluation].
        public var trainLoss: [[Double]] = []
        /// [step, evaluation loss], starting at step 0.
        public var evalLoss: [[Double]] = []
        /// The last evaluation loss.
        public var finalEvalLoss = Double.nan
        /// Training throughput (optimisation steps only).
        public var tokensPerSecond = 0.0
        /// The trained model.
        public var model: DecoderOnly?
    }

    /// A training run of `config` with `training` from `seed`.
    public init(config: ModelConfig, training: TrainingSpec, seed: UInt64) {
        self.config = config; self.training = training; self.seed = seed
    }

    /// Trains on `next(rng)` batches, evaluating the mean loss over `evaluation` every `evalInterval` steps.
    public func run(next: (inout RandomGenerator) -> SequenceBatch, evaluation: [SequenceBatch],
                    progress: (Int) -> Void = { _ in }) throws -> Outcome {
        var initRNG = RandomGenerator(seed: seed)
        let model = try DecoderOnly(config, rng: &initRNG)
        let optimizer = AdamW(parameters: model.namedParameters(), decayed: model.decayedParameterNames(),
                              learningRate: training.learningRate, beta1: 0.9, beta2: 0.99, epsilon: 1e-8,
                              weightDecay: training.weightDecay)
        let schedule = WarmupCosineSchedule(learningRate: training.learningRate, minLearningRate: training.learningRate / 10,
                                            warmupSteps: training.warmupSteps, decaySteps: training.steps)
        var dataRNG = RandomGenerator(seed: seed).derived(1)
        let context = ForwardContext(training: true, rng: RandomGenerator(seed: seed).derived(2))
        var outcome = Outcome()
        func evaluate() -> Double {
            context.training = false
            defer { context.training = true }
            return withoutGradients {
                var total = 0.0, count = 0.0
                for b in evaluation {
                    let n = Double(b.targets.filter { $0 >= 0 }.count)
                    total += Double(model.loss(inputs: b.inputs, targets: b.targets, batch: b.batch, length: b.length, context: context).item) * n
                    count += n
                }
                return total / max(count, 1)
            }
        }
        outcome.evalLoss.append([0, evaluate()])
        var seconds = 0.0, tokens = 0.0, window: [Double] = []
        for step in 0..<training.steps {
            optimizer.learningRate = schedule(step)
            let b = next(&dataRNG)
            let start = DispatchTime.now().uptimeNanoseconds
            let loss = model.loss(inputs: b.inputs, targets: b.targets, batch: b.batch, length: b.length, context: context)
            let value = loss.item
            guard value.isFinite else { throw TrainError.nonFiniteLoss(step: step + 1, lastCheckpoint: nil) }
            loss.backward()
            if training.gradClip > 0 { _ = clipGradientNorm(optimizer.parameters, maxNorm: training.gradClip) }
            optimizer.update()
            model.zeroGradients()
            seconds += Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            tokens += Double(b.batch * b.length)
            window.append(Double(value))
            let done = step + 1
            if done % training.evalInterval == 0 || done == training.steps {
                outcome.trainLoss.append([Double(done), window.reduce(0, +) / Double(window.count)])
                window.removeAll()
                outcome.evalLoss.append([Double(done), evaluate()])
            }
            progress(done)
        }
        outcome.finalEvalLoss = outcome.evalLoss.last![1]
        outcome.tokensPerSecond = tokens / max(seconds, 1e-9)
        outcome.model = model
        return outcome
    }
}
