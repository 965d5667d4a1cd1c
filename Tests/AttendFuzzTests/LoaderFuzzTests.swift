import Attend
import AttendTestSupport
import Foundation
import PropertyBased
import Testing

/// The package root (Tests/AttendFuzzTests/ is two folders down).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Whether `error` names `path` in its description (every loader's typed error does).
func names(_ error: any Error, _ path: String) -> Bool { "\(error)".contains(path) }

@Suite("Fuzzed loaders: study specs, run configurations, checkpoints, pixel images, parallel corpora")
struct LoaderFuzzTests {
    @Test("a mutated study.json or scale file loads or throws a SpecError naming the file (a claim that no longer matches an experiment names both)")
    func studySpec() async throws {
        let source = packageRoot.appendingPathComponent("Experiments/linear-attention")
        let study = try Data(contentsOf: source.appendingPathComponent("study.json"))
        let tiny = try Data(contentsOf: source.appendingPathComponent("tiny.json"))
        let folder = temporaryFolder("fuzz-study")
        await propertyCheck(count: 150, input: Mutation.generator, Gen.bool) { mutation, mutateStudy in
            let studyURL = folder.appendingPathComponent("study.json"), tinyURL = folder.appendingPathComponent("tiny.json")
            try (mutateStudy ? mutation.apply(to: study) : study).write(to: studyURL)
            try (mutateStudy ? tiny : mutation.apply(to: tiny)).write(to: tinyURL)
            do {
                _ = try Study.load(folder: folder, scale: .tiny)
            } catch let e as SpecError {
                let mutated = (mutateStudy ? studyURL : tinyURL).path
                #expect(e.file == mutated || (e.field.hasPrefix("claims") && names(e, mutated)), "\(mutation): \(e)")
            } catch {
                Issue.record("\(mutation): not a SpecError: \(error)")
            }
        }
    }

    @Test("a mutated run config.json decodes or throws a DecodingError; a decoded one validates or names the bad field — and never asks for more memory than the machine has")
    func runConfig() async throws {
        var model = ModelConfig(vocabSize: 65, contextLength: 32, modelDim: 32, numHeads: 2, numLayers: 1)
        model.hiddenDim = 128
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let valid = try encoder.encode(RunConfig(model: model, training: TrainConfig(), data: "Data/tinyshakespeare.txt"))
        await propertyCheck(count: 300, input: Mutation.generator) { mutation in
            let config: RunConfig
            do { config = try JSONDecoder().decode(RunConfig.self, from: mutation.apply(to: valid)) } catch is DecodingError { return }
            do {
                try config.model.validate()
                try config.training.validate()
                // Valid ⇒ small enough to build here.
                var rng = RandomGenerator(seed: 1)
                let m = try DecoderOnly(config.model, rng: &rng)
                #expect(m.parameterCount > 0)
            } catch is ConfigError {
            } catch {
                Issue.record("\(mutation): unexpected \(type(of: error)): \(error)")
            }
        }
    }

    @Test("sizes that would not fit in memory are refused before any allocation")
    func hugeSizes() throws {
        var model = ModelConfig(vocabSize: 65, contextLength: 32, modelDim: 1 << 20, numHeads: 1, numLayers: 1)
        model.hiddenDim = 1 << 22
        #expect(throws: ConfigError.self) { try model.validate() }
        model.modelDim = Int.max / 2
        model.hiddenDim = Int.max
        #expect(throws: ConfigError.self) { try model.validate() }
        var ed = EncoderDecoderConfig(vocabSize: 1 << 40)
        ed.hiddenDim = 64
        #expect(throws: ConfigError.self) { try ed.validate() }
        do {
            try ModelConfig.checkMemory(parameters: 2e9, memory: 16e9)
            Issue.record("32 GB of training state was accepted on 16 GB")
        } catch let e as ConfigError {
            #expect("\(e)".contains("GiB"))
        }
        #expect(throws: Never.self) { try ModelConfig.checkMemory(parameters: 1e8, memory: 16e9) }
    }

    @Test("a mutated checkpoint state.json is reported as damaged (CheckpointError naming the file) or loads")
    func checkpointState() async throws {
        let text = String(repeating: "First Citizen: we are accounted poor citizens.\n", count: 30)
        let dataset = try TextDataset(text: text)
        var config = RunConfig(model: ModelConfig(vocabSize: dataset.tokenizer.vocabSize, contextLength: 8, modelDim: 8, numHeads: 2, numLayers: 1),
                               training: TrainConfig(), data: "<text>")
        config.model.hiddenDim = 16
        config.training.maxSteps = 1
        config.training.batchSize = 2
        config.training.evalBatches = 1
        let run = temporaryFolder("fuzz-checkpoint")
        let trainer = try Trainer(config: config, dataset: dataset, run: run)
        try trainer.run { _ in }
        let checkpoint = try Checkpoint.resolve(run.path)
        let stateURL = checkpoint.appendingPathComponent("state.json")
        let valid = try Data(contentsOf: stateURL)
        await propertyCheck(count: 200, input: Mutation.generator) { mutation in
            try mutation.apply(to: valid).write(to: stateURL)
            do {
                _ = try Checkpoint.loadModel(checkpoint)
            } catch let e as CheckpointError {
                if case let .corrupt(path, _) = e { #expect(path.hasPrefix(checkpoint.path), "\(mutation): \(e)") }
            } catch is ConfigError {
            } catch {
                Issue.record("\(mutation): unexpected \(type(of: error)): \(error)")
            }
        }
    }

    @Test("mutated pixel-image files load as 0…15 grey levels or throw a DataError naming the file")
    func pixelImages() async throws {
        let source = packageRoot.appendingPathComponent("Data/mnist14")
        let train = try Data(contentsOf: source.appendingPathComponent("train-6000.bin")).prefix(98 * 20)
        let test = try Data(contentsOf: source.appendingPathComponent("test-1000.bin")).prefix(98 * 5)
        let folder = temporaryFolder("fuzz-pixels")
        try test.write(to: folder.appendingPathComponent("test-1000.bin"))
        await propertyCheck(count: 200, input: Mutation.generator) { mutation in
            let url = folder.appendingPathComponent("train-6000.bin")
            try mutation.apply(to: Data(train)).write(to: url)
            do {
                let images = try PixelImages(folder: folder)
                #expect(images.train.allSatisfy { $0.count == 196 && $0.allSatisfy { $0 < 16 } })
            } catch let e as DataError {
                #expect(names(e, url.path), "\(mutation): \(e)")
            }
        }
    }

    @Test("mutated parallel-corpus files (plain and .gz) load or throw a CorpusError naming the file")
    func parallelCorpus() async throws {
        let source = packageRoot.appendingPathComponent("Data/tatoeba-spa-eng")
        func head(_ name: String) throws -> Data {
            let lines = try String(contentsOf: source.appendingPathComponent(name), encoding: .utf8).split(separator: "\n").prefix(50)
            return Data((lines.joined(separator: "\n") + "\n").utf8)
        }
        let en = try head("valid.en"), es = try head("valid.es")
        let folder = temporaryFolder("fuzz-corpus")
        let target = folder.appendingPathComponent("t.es")
        try es.write(to: target)
        // A valid gzip of the source side, made with the system gzip (as users make theirs).
        let plain = folder.appendingPathComponent("s.en")
        try en.write(to: plain)
        let gz = Process()
        gz.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gz.arguments = ["gzip", "-kf", plain.path]
        try gz.run()
        gz.waitUntilExit()
        let gzipped = try Data(contentsOf: folder.appendingPathComponent("s.en.gz"))
        await propertyCheck(count: 100, input: Mutation.generator, Gen.bool) { mutation, compressed in
            let url = folder.appendingPathComponent(compressed ? "m.en.gz" : "m.en")
            try mutation.apply(to: compressed ? gzipped : en).write(to: url)
            do {
                let corpus = try ParallelCorpus(sourcePath: url.path, targetPath: target.path)
                #expect(corpus.count <= 50)
            } catch let e as CorpusError {
                #expect(names(e, url.path), "\(mutation): \(e)")
            }
        }
    }
}
