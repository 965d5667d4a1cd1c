import Attend
import AttendTestSupport
import Foundation
import Testing

/// `attend export hf`, `export pytorch` / `import` and `train --init-from`, checked without Python: the files
/// are read back and compared with the Attend weights they came from.
@Suite("Export, import and --init-from")
struct InteropTests {
    static let text = String(repeating: "To be, or not to be: that is the question. Whether 'tis nobler in the mind to suffer. ", count: 8)

    static func config(vocab: Int, bias: Bool = false, modelDim: Int = 8) -> RunConfig {
        var m = ModelConfig(vocabSize: vocab, contextLength: 8, modelDim: modelDim, numHeads: 2, numLayers: 2, hiddenDim: 12, bias: bias)
        m.activation = .gelu
        var t = TrainConfig()
        t.batchSize = 2; t.maxSteps = 3; t.warmupSteps = 1; t.decaySteps = 3; t.evalInterval = 3; t.evalBatches = 1
        t.checkpointInterval = 3; t.learningRate = 1e-2
        return RunConfig(model: m, training: t, data: "<text>")
    }

    /// A checkpoint folder of a model trained 3 steps (so no weight keeps its initial value).
    static func trainedCheckpoint(_ name: String, bias: Bool) throws -> URL {
        let dataset = try TextDataset(text: text)
        let run = temporaryFolder(name)
        let trainer = try Trainer(config: config(vocab: dataset.tokenizer.vocabSize, bias: bias), dataset: dataset, run: run)
        try trainer.run()
        return try Checkpoint.resolve(run.path)
    }

    @Test("export hf writes GPT-2 names, Conv1D-transposed weights, zero biases for bias=false and GPT-2's config keys",
          arguments: [false, true])
    func huggingFaceFolder(bias: Bool) throws {
        let checkpoint = try Self.trainedCheckpoint("hf-\(bias)", bias: bias)
        let out = temporaryFolder("hf-out-\(bias)")
        try HuggingFaceExport.write(checkpoint: checkpoint, to: out)
        let ours = try Safetensors.read(checkpoint.appendingPathComponent("model.safetensors")).tensors
        let (theirs, metadata) = try Safetensors.read(out.appendingPathComponent("model.safetensors"))
        #expect(metadata["format"] == "pt")
        #expect(theirs.count == 4 + 2 * 12, "wte, wpe, ln_f ×2 and 12 tensors per block; got \(theirs.keys.sorted())")
        #expect(theirs["transformer.wte.weight"]?.scalars == ours["tokenEmbedding.weight"]?.scalars)
        #expect(theirs["transformer.wpe.weight"]?.shape == [8, 8])
        for i in 0..<2 {
            for (gpt, attend, rows, cols) in [("attn.c_attn", "attention.qkv", 24, 8), ("attn.c_proj", "attention.output", 8, 8),
                                              ("mlp.c_fc", "feedForward.up", 12, 8), ("mlp.c_proj", "feedForward.down", 8, 12)] {
                let w = try #require(theirs["transformer.h.\(i).\(gpt).weight"]), a = try #require(ours["blocks.\(i).\(attend).weight"])
                #expect(a.shape == [rows, cols] && w.shape == [cols, rows], "\(gpt): \(w.shape) from \(a.shape)")
                var transposed = true
                for r in 0..<rows { for c in 0..<cols where w.scalars[c * rows + r] != a.scalars[r * cols + c] { transposed = false } }
                #expect(transposed, "\(gpt).weight is not the transpose of \(attend).weight")
                let b = try #require(theirs["transformer.h.\(i).\(gpt).bias"])
                #expect(b.shape == [rows])
                if bias { #expect(b.scalars == ours["blocks.\(i).\(attend).bias"]?.scalars) }
                else { #expect(b.scalars.allSatisfy { $0 == 0 }) }
            }
            #expect(theirs["transformer.h.\(i).ln_1.weight"]?.scalars == ours["blocks.\(i).norm1.weight"]?.scalars)
        }
        #expect(theirs["lm_head.weight"] == nil, "tied: GPT-2 ties lm_head to wte itself")
        let config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("config.json"))) as? [String: Any])
        #expect(config["activation_function"] as? String == "gelu_new")
        #expect(config["n_inner"] as? Int == 12 && config["n_embd"] as? Int == 8 && config["n_positions"] as? Int == 8)
        #expect(config["layer_norm_epsilon"] as? Double == 1e-5)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("tokenizer.json").path))
    }

    @Test("export hf refuses what GPT-2 cannot express, naming the setting")
    func refusals() throws {
        let base = Self.config(vocab: 10).model
        var cases: [(String, ModelConfig)] = []
        var c = base; c.attention = .linear; cases.append(("attention 'linear'", c))
        c = base; c.positionBias = .alibi; cases.append(("positionBias 'alibi'", c))
        c = base; c.rotary = true; cases.append(("rotary true", c))
        c = base; c.positionBias = .alibi; c.dotProduct = false; c.attention = .softmax; cases.append(("positionBias", c))
        c = base; c.normPlacement = .post; cases.append(("normPlacement 'post'", c))
        c = base; c.activation = .relu; cases.append(("activation 'relu'", c))
        c = base; c.positions = .none; c.positionBias = .alibi; cases.append(("positionBias", c))
        for (setting, config) in cases {
            #expect(throws: ExportError.self) { try HuggingFaceExport.check(config) }
            do { try HuggingFaceExport.check(config); Issue.record("\(setting) was not refused") }
            catch { #expect("\(error)".hasPrefix("cannot export: \(setting)"), "\(error)") }
        }
        c = base; c.activation = .geluExact
        try HuggingFaceExport.check(c)
        #expect(HuggingFaceExport.activationName(.geluExact) == "gelu" && HuggingFaceExport.activationName(.gelu) == "gelu_new")
        #expect(throws: ExportError.unsupported(setting: "attention", message: "'correlation': model.py implements softmax, linear and linear-relu attention")) {
            try PyTorchExport.check(kinds: [("attention", .correlation)], spec: AttentionSpec(kind: .correlation))
        }
    }

    @Test("export pytorch then import gives a run whose weights are bit-identical and whose state is the source's")
    func importRoundTrip() throws {
        let checkpoint = try Self.trainedCheckpoint("pt", bias: true)
        let folder = temporaryFolder("pt-out"), run = temporaryFolder("pt-run")
        try PyTorchExport.write(checkpoint: checkpoint, to: folder)
        for file in ["model.py", "train_ddp.py", "attend_config.json", "attend_state.json", "model.safetensors"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path), "\(file) missing")
        }
        let imported = try PyTorchExport.importFolder(folder, run: run)
        let a = try Safetensors.read(checkpoint.appendingPathComponent("model.safetensors")).tensors
        let b = try Safetensors.read(imported.appendingPathComponent("model.safetensors")).tensors
        #expect(a.keys.sorted() == b.keys.sorted())
        for (name, t) in a {
            let u = try #require(b[name])
            #expect(t.shape == u.shape && t.scalars.map(\.bitPattern) == u.scalars.map(\.bitPattern), "\(name) differs")
        }
        let (source, target) = (try Checkpoint.loadState(checkpoint), try Checkpoint.loadState(imported))
        #expect(source == target)
        #expect(throws: ExportError.self) { try PyTorchExport.importFolder(folder, run: run) }   // refuses to overwrite
        #expect(throws: ExportError.self) { try PyTorchExport.importFolder(temporaryFolder("empty"), run: temporaryFolder("x")) }
    }

    @Test("--init-from starts from the given weights (first loss = the source's loss on the same batch) and refuses another model")
    func initFrom() throws {
        let checkpoint = try Self.trainedCheckpoint("init-source", bias: false)
        let dataset = try TextDataset(text: Self.text)
        let (source, _) = try Checkpoint.loadModel(checkpoint)
        var config = Self.config(vocab: dataset.tokenizer.vocabSize)
        config.initFrom = checkpoint.path
        config.training.seed = 7
        let inputs: [Int32] = Array(dataset.train[0..<8]) + Array(dataset.train[8..<16])
        let targets: [Int32] = Array(dataset.train[1..<9]) + Array(dataset.train[9..<17])
        let expected = withoutGradients {
            source.loss(inputs: inputs, targets: targets, batch: 2, length: 8, context: ForwardContext(training: false)).scalars[0]
        }
        let fresh = try Trainer(config: config, dataset: dataset, run: nil)
        let freshLoss = fresh.computeGradients(inputs: inputs, targets: targets, batchSize: 2)
        let tuned = try Trainer(config: config, dataset: dataset, run: nil)
        try tuned.initializeWeights(from: checkpoint)
        let loss = tuned.computeGradients(inputs: inputs, targets: targets, batchSize: 2)
        #expect(abs(loss - expected) < 1e-6, "first loss \(loss), source checkpoint \(expected)")
        #expect(abs(freshLoss - expected) > 1e-3, "a random start must not match the source (\(freshLoss) vs \(expected))")

        var other = Self.config(vocab: dataset.tokenizer.vocabSize, modelDim: 12)
        other.model.hiddenDim = 12
        let mismatched = try Trainer(config: other, dataset: dataset, run: nil)
        do { try mismatched.initializeWeights(from: checkpoint); Issue.record("a different modelDim was accepted") }
        catch { #expect("\(error)".contains("modelDim (8 there, 12 here)"), "\(error)") }
        let otherText = try TextDataset(text: Self.text + "XYZ")
        let otherVocabulary = try Trainer(config: Self.config(vocab: dataset.tokenizer.vocabSize), dataset: otherText, run: nil)
        do { try otherVocabulary.initializeWeights(from: checkpoint); Issue.record("a different vocabulary was accepted") }
        catch { #expect("\(error)".contains("vocabulary"), "\(error)") }
    }

    @Test("encoder–decoder: export pytorch → import is bit-identical, and --init-from starts from the weights (same first loss) or refuses another model")
    func encoderDecoder() throws {
        let train = Seq2SeqTask.reverse.examples(count: 40, minLength: 1, maxLength: 4, seed: 3)
        let validation = Seq2SeqTask.reverse.examples(count: 8, minLength: 1, maxLength: 4, seed: 4)
        var config = reverseConfig(steps: 2)
        config.model.modelDim = 8; config.model.hiddenDim = 12; config.training.batchTokens = 60
        config.training.checkpointInterval = 2; config.training.evalInterval = 2
        let run = temporaryFolder("ed-source")
        let source = try TranslationTrainer(config: config, vocabulary: .synthetic(.reverse), train: train, validation: validation, run: run)
        try source.run()
        let checkpoint = try Checkpoint.resolve(run.path)

        let folder = temporaryFolder("ed-pt"), imported = temporaryFolder("ed-imported")
        try PyTorchExport.write(checkpoint: checkpoint, to: folder)
        let meta = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("attend_config.json"))) as? [String: Any])
        #expect(meta["family"] as? String == "encoder-decoder")
        let importedCheckpoint = try PyTorchExport.importFolder(folder, run: imported)
        let a = try Safetensors.read(checkpoint.appendingPathComponent("model.safetensors")).tensors
        let b = try Safetensors.read(importedCheckpoint.appendingPathComponent("model.safetensors")).tensors
        #expect(a.keys.sorted() == b.keys.sorted() && a.count > 20)
        for (name, t) in a { #expect(t.scalars.map(\.bitPattern) == b[name]?.scalars.map(\.bitPattern), "\(name) differs") }
        #expect(try TranslationCheckpoint.loadState(importedCheckpoint) == TranslationCheckpoint.loadState(checkpoint))

        let batch = TranslationBatch(Array(train.prefix(4)), padID: 0, bosID: 1, eosID: 2)
        let expected = withoutGradients { source.model.loss(batch, smoothing: 0, context: ForwardContext(training: false)).scalars[0] }
        var tunedConfig = config
        tunedConfig.training.seed = 99
        let tuned = try TranslationTrainer(config: tunedConfig, vocabulary: .synthetic(.reverse), train: train, validation: validation, run: nil)
        let fresh = withoutGradients { tuned.model.loss(batch, smoothing: 0, context: ForwardContext(training: false)).scalars[0] }
        try tuned.initializeWeights(from: importedCheckpoint)
        let loss = withoutGradients { tuned.model.loss(batch, smoothing: 0, context: ForwardContext(training: false)).scalars[0] }
        #expect(loss == expected, "first loss \(loss), source \(expected)")
        #expect(abs(fresh - expected) > 1e-3, "a random start must not match the source")
        var other = config
        other.model.numDecoderLayers = 2
        let mismatched = try TranslationTrainer(config: other, vocabulary: .synthetic(.reverse), train: train, validation: validation, run: nil)
        do { try mismatched.initializeWeights(from: checkpoint); Issue.record("another numDecoderLayers was accepted") }
        catch { #expect("\(error)".contains("numDecoderLayers (1 there, 2 here)"), "\(error)") }
    }

    @Test("encoder–decoder with a key width and learned positions: the checkpoint loads the same model, export pytorch → import is bit-identical")
    func encoderDecoderKeyDim() throws {
        let train = Seq2SeqTask.reverse.examples(count: 40, minLength: 1, maxLength: 4, seed: 3)
        let validation = Seq2SeqTask.reverse.examples(count: 8, minLength: 1, maxLength: 4, seed: 4)
        var config = reverseConfig(steps: 2)
        config.model.modelDim = 8; config.model.hiddenDim = 12; config.training.batchTokens = 60
        config.model.keyDim = 3; config.model.positions = .learned
        config.training.checkpointInterval = 2; config.training.evalInterval = 2
        let run = temporaryFolder("ed-keydim-source")
        let source = try TranslationTrainer(config: config, vocabulary: .synthetic(.reverse), train: train, validation: validation, run: run)
        try source.run()
        let checkpoint = try Checkpoint.resolve(run.path)

        // Checkpoint save + load: the same configuration, tensors and logits.
        let (loaded, state) = try TranslationCheckpoint.loadModel(checkpoint)
        #expect(state.config.model == config.model && loaded.config.keyDim == 3 && loaded.config.positions == .learned)
        let names = Set(loaded.namedParameters().map(\.name))
        #expect(names.isSuperset(of: ["encoderPositions.weight", "decoderPositions.weight"]))
        for ((name, a), (_, b)) in zip(source.model.namedParameters(), loaded.namedParameters()) {
            #expect(a.shape == b.shape && a.scalars == b.scalars, "\(name)")
        }
        #expect(loaded.namedParameters().first { $0.name == "decoder.0.crossAttention.keyValue.weight" }?.tensor.shape == [2 * 3 + 8, 8])
        let batch = TranslationBatch(Array(train.prefix(4)), padID: 0, bosID: 1, eosID: 2)
        let context = ForwardContext(training: false)
        #expect(withoutGradients { loaded(batch, context: context).scalars } == withoutGradients { source.model(batch, context: context).scalars })

        let folder = temporaryFolder("ed-keydim-pt"), imported = temporaryFolder("ed-keydim-imported")
        try PyTorchExport.write(checkpoint: checkpoint, to: folder)
        let meta = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("attend_config.json"))) as? [String: Any])
        let model = try #require(meta["model"] as? [String: Any])
        #expect(model["keyDim"] as? Int == 3 && model["positions"] as? String == "learned")
        let script = try String(contentsOf: folder.appendingPathComponent("model.py"), encoding: .utf8)
        #expect(script.contains(#"cfg.get("keyDim")"#) && script.contains("self.encoderPositions = nn.Embedding"))
        let importedCheckpoint = try PyTorchExport.importFolder(folder, run: imported)
        let a = try Safetensors.read(checkpoint.appendingPathComponent("model.safetensors")).tensors
        let b = try Safetensors.read(importedCheckpoint.appendingPathComponent("model.safetensors")).tensors
        #expect(a.keys.sorted() == b.keys.sorted() && a.keys.contains("decoderPositions.weight"))
        for (name, t) in a { #expect(t.scalars.map(\.bitPattern) == b[name]?.scalars.map(\.bitPattern), "\(name) differs") }
    }

    @Test("gelu-exact is 0.5·x·(1 + erf(x/√2)) with the matching derivative")
    func geluExact() throws {
        let x = Tensor([-3, -1, -0.5, 0, 0.5, 1, 3], shape: [7], requiresGrad: true)
        let y = x.geluExact()
        let expected: [Float] = [-0.004_049_7, -0.158_655_3, -0.154_268_8, 0, 0.345_731_2, 0.841_344_7, 2.995_950_3]
        for (a, b) in zip(y.scalars, expected) { #expect(abs(a - b) < 1e-6, "\(a) vs \(b)") }
        y.sum().backward()
        for (i, v) in x.scalars.enumerated() {
            let h: Double = 1e-3, d = Double(v)
            func g(_ t: Double) -> Double { 0.5 * t * (1 + erf(t / 2.0.squareRoot())) }
            let numeric = (g(d + h) - g(d - h)) / (2 * h)
            #expect(abs(Double(x.grad!.scalars[i]) - numeric) < 1e-4, "x = \(v)")
        }
    }
}
