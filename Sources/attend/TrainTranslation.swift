import ArgumentParser
import Attend
import Foundation

/// `attend train --task …`: the encoder–decoder path (parallel corpus or synthetic task).
extension Train {
    /// Default files of the shipped Tatoeba English→Spanish corpus.
    static let tatoebaFolder = "Data/tatoeba-spa-eng"

    /// The model configuration from flags over the task defaults.
    func translationModelConfig(vocabSize: Int, synthetic: Bool) -> EncoderDecoderConfig {
        var m = EncoderDecoderConfig(vocabSize: vocabSize)
        if synthetic {
            m.modelDim = 64; m.numHeads = 4; m.numEncoderLayers = 2; m.numDecoderLayers = 2; m.hiddenDim = 256; m.dropout = 0
            m.maxLength = 64
        } else {
            m.modelDim = 256; m.numHeads = 4; m.numEncoderLayers = 3; m.numDecoderLayers = 3; m.hiddenDim = 1024; m.dropout = 0.1
            m.maxLength = 256
        }
        if let modelDim { m.modelDim = modelDim; m.hiddenDim = 4 * modelDim }
        if let numHeads { m.numHeads = numHeads }
        if let numLayers { m.numEncoderLayers = numLayers; m.numDecoderLayers = numLayers }
        if let numEncoderLayers { m.numEncoderLayers = numEncoderLayers }
        if let numDecoderLayers { m.numDecoderLayers = numDecoderLayers }
        if let hiddenDim { m.hiddenDim = hiddenDim }
        if let dropout { m.dropout = dropout }
        if let bias { m.bias = bias }
        if let normPlacement { m.normPlacement = normPlacement }
        if let activation { m.activation = activation }
        if let maxLength { m.maxLength = maxLength }
        let all = attention
        if let kind = encoderAttention ?? all { m.encoderAttention = kind }
        if let kind = decoderAttention ?? all { m.decoderAttention = kind }
        if let kind = crossAttention ?? all { m.crossAttention = kind }
        if let positions { m.positions = positions }
        if let positionBias { m.positionBias = positionBias }
        if let positionBuckets { m.positionBuckets = positionBuckets }
        if let positionMaxDistance { m.positionMaxDistance = positionMaxDistance }
        if let dotProduct { m.dotProduct = dotProduct }
        if let rotary { m.rotary = rotary }
        return m
    }

    /// The optimisation settings from flags over the task defaults.
    func translationTrainConfig(synthetic: Bool) -> TranslationTrainConfig {
        var t = TranslationTrainConfig()
        if synthetic {
            t.batchTokens = 2048; t.maxSteps = 1500; t.warmupSteps = 200; t.learningRateScale = 1
            t.evalInterval = 250; t.checkpointInterval = 250
        } else {
            // Checkpoints every 250 steps so that the 5 kept for `attend average` cover the last ~1000 steps.
            t.batchTokens = 4096; t.maxSteps = 100_000; t.warmupSteps = 1000
            t.evalInterval = 500; t.checkpointInterval = 250
        }
        if let batchTokens { t.batchTokens = batchTokens }
        if let maxSteps { t.maxSteps = maxSteps }
        if let warmupSteps { t.warmupSteps = warmupSteps }
        if let learningRateScale { t.learningRateScale = learningRateScale }
        if let labelSmoothing { t.labelSmoothing = labelSmoothing }
        if let beta1 { t.beta1 = beta1 }
        if let beta2 { t.beta2 = beta2 }
        if let gradClip { t.gradClip = gradClip }
        if let evalInterval { t.evalInterval = evalInterval; if checkpointInterval == nil { t.checkpointInterval = evalInterval } }
        if let checkpointInterval { t.checkpointInterval = checkpointInterval }
        if let keepCheckpoints { t.keepCheckpoints = keepCheckpoints }
        if let timeLimit { t.timeLimitMinutes = timeLimit }
        if let seed { t.seed = seed }
        if let precision { t.precision = precision }
        return t
    }

    func runTranslation() throws {
        Interruption.install()
        // A translation run is resumed with its flags repeated plus --resume.
        let given = CommandLine.arguments.dropFirst().map { $0.contains(" ") ? "'\($0)'" : $0 }
        let resumeHint = "attend " + given.joined(separator: " ") + (given.contains("--resume") ? "" : " --resume")
        try reportingErrors(resumeHint: resumeHint) {
            let taskName = task ?? "translation"
            let synthetic: Seq2SeqTask?
            if taskName == "translation" { synthetic = nil }
            else if let s = Seq2SeqTask(rawValue: taskName) { synthetic = s }
            else { throw ValidationError("unknown --task \(taskName); use translation, \(Seq2SeqTask.allCases.map(\.rawValue).joined(separator: ", ")), or omit it for the character LM") }
            let runURL = URL(fileURLWithPath: outOption ?? (preset == .tatoebaEnEs ? "runs/tatoeba-en-es" : "runs/\(taskName)"))
            var training = translationTrainConfig(synthetic: synthetic != nil)
            try training.validate()
            let existing = resume ? (try? Checkpoint.resolve(runURL.path)) : nil
            let savedVocabulary = try existing.map { try TranslationCheckpoint.loadState($0).vocabulary }

            var vocabulary: TranslationVocabulary
            var trainExamples: [TranslationExample], validExamples: [TranslationExample]
            var dataNote: [String: String]
            var exportSplits: [(String, [TranslationExample])] = []
            if let synthetic {
                vocabulary = .synthetic(synthetic)
                let n = examples ?? 20000, length = taskLength ?? 8
                trainExamples = synthetic.examples(count: n, minLength: 1, maxLength: length, seed: training.seed)
                validExamples = synthetic.examples(count: 500, minLength: 1, maxLength: length, seed: training.seed &+ 1)
                dataNote = ["task": synthetic.rawValue, "examples": "\(n)", "taskLength": "\(length)"]
            } else {
                let folder = Train.tatoebaFolder
                let sourcePath = source ?? "\(folder)/train.en", targetPath = target ?? "\(folder)/train.es"
                let usePresetFiles = source == nil && target == nil
                let validPaths = (validSource ?? (usePresetFiles ? "\(folder)/valid.en" : nil), validTarget ?? (usePresetFiles ? "\(folder)/valid.es" : nil))
                let testPaths = (testSource ?? (usePresetFiles ? "\(folder)/test.en" : nil), testTarget ?? (usePresetFiles ? "\(folder)/test.es" : nil))
                let corpus = try ParallelCorpus(sourcePath: sourcePath, targetPath: targetPath)
                writeError("corpus: \(corpus.count) pairs from \(sourcePath) / \(targetPath)\(corpus.skippedEmptyLines > 0 ? ", \(corpus.skippedEmptyLines) pairs with an empty line skipped" : "")\n")
                let size = vocabSize ?? 8000
                if let savedVocabulary {
                    if case let .bpe(t) = savedVocabulary, vocabSize != nil, t.vocabSize != size {
                        throw CheckpointError.incompatible("the run's vocabulary has \(t.vocabSize) tokens, not --vocab-size \(size); drop the flag or start a new --out")
                    }
                    vocabulary = savedVocabulary
                } else {
                    let started = Date()
                    let bpe = try BPETokenizer.train(texts: corpus.sources + corpus.targets, vocabSize: size)
                    writeError(String(format: "BPE: %d tokens learned in %.1f s\n", bpe.vocabSize, Date().timeIntervalSince(started)))
                    vocabulary = .bpe(bpe)
                }
                let model = translationModelConfig(vocabSize: vocabulary.vocabSize, synthetic: false)
                func encode(_ c: ParallelCorpus) -> (kept: [TranslationExample], dropped: Int) {
                    var kept: [TranslationExample] = []
                    var dropped = 0
                    for (s, t) in zip(c.sources, c.targets) {
                        let e = TranslationExample(source: vocabulary.encode(s), target: vocabulary.encode(t))
                        if e.source.count >= model.maxLength || e.target.count >= model.maxLength || e.source.isEmpty || e.target.isEmpty { dropped += 1 } else { kept.append(e) }
                    }
                    return (kept, dropped)
                }
                let encoded = encode(corpus)
                trainExamples = encoded.kept
                if encoded.dropped > 0 { writeError("dropped \(encoded.dropped) pairs longer than --max-length \(model.maxLength) tokens\n") }
                if let vs = validPaths.0, let vt = validPaths.1 {
                    validExamples = encode(try ParallelCorpus(sourcePath: vs, targetPath: vt)).kept
                } else {
                    let held = max(1, trainExamples.count / 100)
                    validExamples = Array(trainExamples.suffix(held))
                    trainExamples.removeLast(held)
                    writeError("no --valid-source/--valid-target: holding out the last \(held) training pairs for validation\n")
                }
                dataNote = ["source": sourcePath, "target": targetPath, "validSource": validPaths.0 ?? "", "validTarget": validPaths.1 ?? ""]
                exportSplits = [("train", trainExamples), ("valid", validExamples)]
                if let ts = testPaths.0, let tt = testPaths.1 {
                    let test = try ParallelCorpus(sourcePath: ts, targetPath: tt)
                    exportSplits.append(("test", test.sources.indices.map {
                        TranslationExample(source: vocabulary.encode(test.sources[$0]), target: vocabulary.encode(test.targets[$0]))
                    }))
                    dataNote["testSource"] = ts
                    dataNote["testTarget"] = tt
                }
            }
            let model = translationModelConfig(vocabSize: vocabulary.vocabSize, synthetic: synthetic != nil)
            let config = TranslationRunConfig(task: taskName, model: model, training: training, data: dataNote)
            let trainer = try TranslationTrainer(config: config, vocabulary: vocabulary, train: trainExamples,
                                                 validation: validExamples, run: runURL, resume: resume)
            if existing == nil && !exportSplits.isEmpty { try exportTokenIDs(exportSplits, vocabulary: vocabulary, run: runURL) }
            let tokens = trainExamples.reduce(0) { $0 + $1.source.count + $1.target.count + 2 }
            writeError("attend train --task \(taskName): \(trainer.model.parameterCount) parameters, \(model.numEncoderLayers)+\(model.numDecoderLayers) layers × \(model.numHeads) heads, width \(model.modelDim), FFN \(model.hiddenDim), attention enc/dec/cross \(model.encoderAttention.rawValue)/\(model.decoderAttention.rawValue)/\(model.crossAttention.rawValue)\(model.positionBias == .none ? "" : " + \(model.positionBias.rawValue) self-attention bias")\(model.dotProduct ? "" : " (dot-product-free self-attention)")\(model.rotary ? " + rotary" : ""), \(model.positions.rawValue) positions, \(model.normPlacement.rawValue)-LN, \(Threading.count) threads\n")
            writeError("data: \(trainExamples.count) train pairs (\(tokens) tokens with <eos>), \(validExamples.count) validation pairs, vocabulary \(vocabulary.summary); batches of ≤ \(training.batchTokens) tokens, Noam warmup \(training.warmupSteps)\(training.timeLimitMinutes.map { String(format: ", time limit %.1f min", $0) } ?? "")\n")
            training = config.training
            let interactive = isatty(STDERR_FILENO) != 0
            var lastPrint = Date.distantPast
            try trainer.run(stopAfter: stopAfter) { event in
                switch event {
                case let .step(step, loss, lr, rate, elapsed):
                    if quiet { break }
                    let line = String(format: "step %d  loss %.4f  lr %.2e  %.0f tok/s  %@ elapsed", step, loss, lr, rate, formatDuration(elapsed))
                    if interactive {
                        if Date().timeIntervalSince(lastPrint) >= 0.2 { writeError("\r\u{1B}[K" + line); lastPrint = Date() }
                    } else if step % 50 == 0 || step == 1 {
                        writeError(line + "\n")
                    }
                case let .evaluation(step, va):
                    writeError(String(format: "%@step %d: validation loss %.4f (perplexity %.2f)\n", interactive && !quiet ? "\r\u{1B}[K" : "", step, va, exp(Double(va))))
                case .checkpoint: break
                case let .resumed(step): writeError("resumed from checkpoint at step \(step)\n")
                case let .timeLimit(step, elapsed):
                    writeError("\(interactive && !quiet ? "\r\u{1B}[K" : "")time limit reached after \(formatDuration(elapsed)) at step \(step)\n")
                }
            }
            if !quiet && interactive { writeError("\n") }
            let rate = Double(trainer.tokensProcessed) / max(trainer.trainSeconds, 1e-9)
            print(String(format: "run folder: %@ (step %d, %.0f source+target tokens/s, last loss %@, validation loss %@)",
                         runURL.path, trainer.step, rate, trainer.losses.last.map { String(format: "%.4f", $0) } ?? "n/a",
                         trainer.lastValidationLoss.map { String(format: "%.4f", $0) } ?? "n/a"))
        }
    }

    /// Writes the tokenized splits (one sentence per line, space-separated ids, no `<bos>`/`<eos>`)
    /// and the vocabulary (hex bytes of each id; empty for special tokens) into `<run>/data/`, so
    /// the PyTorch baseline (scripts/torch_translation.py) trains on exactly the same tokens.
    func exportTokenIDs(_ splits: [(String, [TranslationExample])], vocabulary: TranslationVocabulary, run: URL) throws {
        guard case let .bpe(bpe) = vocabulary else { return }
        let folder = run.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, examples) in splits {
            for (side, path) in [("src", \TranslationExample.source), ("tgt", \TranslationExample.target)] {
                var text = ""
                for e in examples { text += e[keyPath: path].map(String.init).joined(separator: " ") + "\n" }
                try AtomicFile.write(Data(text.utf8), to: folder.appendingPathComponent("\(name).\(side).ids"))
            }
        }
        var hex = ""
        for id in 0..<bpe.vocabSize { hex += bpe.bytes(of: Int32(id)).map { String(format: "%02x", $0) }.joined() + "\n" }
        try AtomicFile.write(Data(hex.utf8), to: folder.appendingPathComponent("vocab.hex"))
    }
}
