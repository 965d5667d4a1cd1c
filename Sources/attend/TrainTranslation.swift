import ArgumentParser
import Attend
import Foundation

/// `attend train --task …`: the encoder–decoder path (parallel corpus or synthetic task).
extension Train {
    /// Default files of the shipped Tatoeba English→Spanish corpus.
    static let tatoebaFolder = "Data/tatoeba-spa-eng"

    /// The configuration of an encoder–decoder `task` before any flag: the synthetic tasks' small
    /// model, or the tatoeba-en-es preset with its corpus files; `model.vocabSize` is the BPE size
    /// to learn (synthetic tasks: their fixed vocabulary).
    static func defaultSeq2SeqConfig(task: String) -> TranslationRunConfig {
        let synthetic = task != "translation"
        var m = EncoderDecoderConfig(vocabSize: synthetic ? Seq2SeqTask.vocabSize : 8000)
        var t = TranslationTrainConfig()
        let data: [String: String]
        if synthetic {
            m.modelDim = 64; m.numHeads = 4; m.numEncoderLayers = 2; m.numDecoderLayers = 2; m.hiddenDim = 256; m.dropout = 0
            m.maxLength = 64
            t.batchTokens = 2048; t.maxSteps = 1500; t.warmupSteps = 200; t.learningRateScale = 1
            t.evalInterval = 250; t.checkpointInterval = 250
            data = ["task": task, "examples": "20000", "taskLength": "8"]
        } else {
            m.modelDim = 256; m.numHeads = 4; m.numEncoderLayers = 3; m.numDecoderLayers = 3; m.hiddenDim = 1024; m.dropout = 0.1
            m.maxLength = 256
            // Checkpoints every 250 steps so that the 5 kept for `attend average` cover the last ~1000 steps.
            t.batchTokens = 4096; t.maxSteps = 100_000; t.warmupSteps = 1000
            t.evalInterval = 500; t.checkpointInterval = 250
            let f = tatoebaFolder
            data = ["source": "\(f)/train.en", "target": "\(f)/train.es", "validSource": "\(f)/valid.en", "validTarget": "\(f)/valid.es",
                    "testSource": "\(f)/test.en", "testTarget": "\(f)/test.es"]
        }
        return TranslationRunConfig(task: task, model: m, training: t, data: data)
    }

    /// The requested configuration of an encoder–decoder run: `file` (--config, or the stored run
    /// under --resume) or the task's defaults, with the flags given applied, each group onto its part.
    func seq2seqConfig(task: String, file: TranslationRunConfig?) -> TranslationRunConfig {
        let fresh = file == nil
        var c = file ?? Self.defaultSeq2SeqConfig(task: task)
        if fresh && task == "translation" && (dataOptions.source != nil || dataOptions.target != nil) {
            // Other corpus files: the preset's validation and test files no longer apply.
            c.data["validSource"] = ""; c.data["validTarget"] = ""
            c.data["testSource"] = nil; c.data["testTarget"] = nil
        }
        modelOptions.apply(to: &c.model, fresh: fresh)
        attentionOptions.apply(to: &c.model)
        encoderDecoderOptions.apply(to: &c.model)
        optimisationOptions.apply(to: &c.training)
        checkpointOptions.apply(to: &c.training, fresh: fresh)
        if let initFrom = runOptions.initFrom { c.initFrom = initFrom }
        dataOptions.apply(to: &c)
        return c
    }

    /// The configuration to resume the encoder–decoder run in `runURL` with: its config.json with the
    /// flags given applied (over the --config file when one is given), refused (naming each flag)
    /// where this changes anything but `maxSteps`; nil when the folder has no config.json.
    func resumedSeq2SeqConfig(_ runURL: URL, task: String, file: TranslationRunConfig?) throws -> TranslationRunConfig? {
        guard let stored = try Self.storedConfig(TranslationRunConfig.self, in: runURL) else { return nil }
        if stored.task != task {
            throw CommandError("cannot resume \(runURL.path): it is a --task \(stored.task) run, not --task \(task); drop --task (or --config) to resume it")
        }
        var requested = seq2seqConfig(task: task, file: file ?? stored)
        // The stored vocabulary size is the one learned; a --config file or no flag keeps it.
        if dataOptions.vocabSize == nil { requested.model.vocabSize = stored.model.vocabSize }
        var comparable = requested
        comparable.training.maxSteps = stored.training.maxSteps
        try refuseChanges(runURL, stored: stored, given: comparable)
        return requested
    }

    func runTranslation(task taskName: String, file: TranslationRunConfig?) throws {
        Interruption.install()
        let out = runOptions.out ?? (preset == .tatoebaEnEs ? "runs/tatoeba-en-es" : "runs/\(taskName)")
        try reportingErrors(resumeHint: "attend train --out \(out) --resume") {
            let synthetic = Seq2SeqTask(rawValue: taskName)
            let runURL = URL(fileURLWithPath: out)
            var requested = seq2seqConfig(task: taskName, file: file)
            if resume, let stored = try resumedSeq2SeqConfig(runURL, task: taskName, file: file) { requested = stored }
            var training = requested.training
            try training.validate()
            let existing = resume ? (try? Checkpoint.resolve(runURL.path)) : nil
            let savedVocabulary = try existing.map { try TranslationCheckpoint.loadState($0).vocabulary }

            var vocabulary: TranslationVocabulary
            var trainExamples: [TranslationExample], validExamples: [TranslationExample]
            var dataNote: [String: String]
            var exportSplits: [(String, [TranslationExample])] = []
            var model = requested.model
            func path(_ key: String) -> String? { requested.data[key].flatMap { $0.isEmpty ? nil : $0 } }
            if let synthetic {
                vocabulary = .synthetic(synthetic)
                guard let n = Int(requested.data["examples"] ?? ""), let length = Int(requested.data["taskLength"] ?? "") else {
                    throw CommandError("--task \(taskName) needs whole numbers for data.examples and data.taskLength (--examples, --task-length)")
                }
                guard n >= 1, length >= 1 else {
                    throw CommandError("--examples and --task-length must be ≥ 1 (got \(n) and \(length))")
                }
                guard length < model.maxLength / 2 else {
                    throw CommandError("--task-length \(length) does not fit --max-length \(model.maxLength) (an example's sequences need ≤ max-length / 2 tokens); use a shorter task or a larger --max-length")
                }
                // 2 sequences of ≤ length + 1 Int32 ids (plus array overhead) per example.
                let bytes = Double(n) * (Double(length) * 8 + 128)
                guard bytes < Double(ProcessInfo.processInfo.physicalMemory) / 4 else {
                    throw CommandError(String(format: "--examples %d of length %d would take ~%.1f GiB; use fewer examples", n, length, bytes / 1_073_741_824))
                }
                trainExamples = synthetic.examples(count: n, minLength: 1, maxLength: length, seed: training.seed)
                validExamples = synthetic.examples(count: 500, minLength: 1, maxLength: length, seed: training.seed &+ 1)
                dataNote = ["task": synthetic.rawValue, "examples": "\(n)", "taskLength": "\(length)"]
            } else {
                guard let sourcePath = path("source"), let targetPath = path("target") else {
                    throw CommandError("--task translation needs a corpus: --source and --target (data.source, data.target)")
                }
                let validPaths = (path("validSource"), path("validTarget"))
                let testPaths = (path("testSource"), path("testTarget"))
                let corpus = try ParallelCorpus(sourcePath: sourcePath, targetPath: targetPath)
                writeError("corpus: \(corpus.count) pairs from \(sourcePath) / \(targetPath)\(corpus.skippedEmptyLines > 0 ? ", \(corpus.skippedEmptyLines) pairs with an empty line skipped" : "")\n")
                let size = requested.model.vocabSize
                if let savedVocabulary {
                    if case let .bpe(t) = savedVocabulary, dataOptions.vocabSize != nil, t.vocabSize != size {
                        throw CheckpointError.incompatible("the run's vocabulary has \(t.vocabSize) tokens, not --vocab-size \(size); drop the flag or start a new --out")
                    }
                    vocabulary = savedVocabulary
                } else {
                    let started = Date()
                    let bpe = try BPETokenizer.train(texts: corpus.sources + corpus.targets, vocabSize: size)
                    writeError(String(format: "BPE: %d tokens learned in %.1f s\n", bpe.vocabSize, Date().timeIntervalSince(started)))
                    vocabulary = .bpe(bpe)
                }
                let maxLength = model.maxLength
                func encode(_ c: ParallelCorpus) -> (kept: [TranslationExample], dropped: Int) {
                    var kept: [TranslationExample] = []
                    var dropped = 0
                    for (s, t) in zip(c.sources, c.targets) {
                        let e = TranslationExample(source: vocabulary.encode(s), target: vocabulary.encode(t))
                        if e.source.count >= maxLength || e.target.count >= maxLength || e.source.isEmpty || e.target.isEmpty { dropped += 1 } else { kept.append(e) }
                    }
                    return (kept, dropped)
                }
                let encoded = encode(corpus)
                trainExamples = encoded.kept
                if encoded.dropped > 0 { writeError("dropped \(encoded.dropped) pairs longer than --max-length \(maxLength) tokens\n") }
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
            model.vocabSize = vocabulary.vocabSize
            let config = TranslationRunConfig(task: taskName, model: model, training: training, data: dataNote,
                                              initFrom: requested.initFrom)
            let trainer = try TranslationTrainer(config: config, vocabulary: vocabulary, train: trainExamples,
                                                 validation: validExamples, run: runURL, resume: resume)
            if let initFrom = config.initFrom, trainer.step == 0 {
                try trainer.initializeWeights(from: try Checkpoint.resolve(initFrom))
                writeError("attend train: starting from the weights of \(initFrom) (optimizer state fresh)\n")
            }
            if existing == nil && !exportSplits.isEmpty { try exportTokenIDs(exportSplits, vocabulary: vocabulary, run: runURL) }
            let tokens = trainExamples.reduce(0) { $0 + $1.source.count + $1.target.count + 2 }
            writeError("attend train --task \(taskName): \(trainer.model.parameterCount) parameters, \(model.numEncoderLayers)+\(model.numDecoderLayers) layers × \(model.numHeads) heads, width \(model.modelDim), FFN \(model.hiddenDim), attention enc/dec/cross \(model.encoderAttention.rawValue)/\(model.decoderAttention.rawValue)/\(model.crossAttention.rawValue)\(model.positionBias == .none ? "" : " + \(model.positionBias.rawValue) self-attention bias")\(model.dotProduct ? "" : " (dot-product-free self-attention)")\(model.rotary ? " + rotary" : "")\(model.keyDim.map { ", key size \($0) per head" } ?? ""), \(model.positions.rawValue) positions, \(model.normPlacement.rawValue)-LN, \(Threading.count) threads\n")
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
                case let .evaluation(step, va, bleu):
                    writeError(String(format: "%@step %d: validation loss %.4f (perplexity %.2f)%@\n", interactive && !quiet ? "\r\u{1B}[K" : "", step, va,
                                      exp(Double(va)), bleu.map { String(format: ", BLEU %.2f", $0) } ?? ""))
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
