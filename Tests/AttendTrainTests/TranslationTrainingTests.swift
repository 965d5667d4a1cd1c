import Attend
import AttendTestSupport
import Foundation
import Testing

/// A small reverse-task run configuration (tiny shapes so it runs in a debug build).
func reverseConfig(steps: Int, seed: UInt64 = 11) -> TranslationRunConfig {
    let model = EncoderDecoderConfig(vocabSize: Seq2SeqTask.vocabSize, maxLength: 16, modelDim: 32, numHeads: 2,
                                     numEncoderLayers: 1, numDecoderLayers: 1, hiddenDim: 64, dropout: 0)
    var t = TranslationTrainConfig()
    t.batchTokens = 400
    t.maxSteps = steps
    t.warmupSteps = 60
    t.learningRateScale = 2
    t.evalInterval = 100
    t.checkpointInterval = 100
    t.keepCheckpoints = 3
    t.seed = seed
    return TranslationRunConfig(task: "reverse", model: model, training: t, data: [:])
}

@Suite("Translation training", .serialized, .tags(.slow), .slowSuite)
struct TranslationTrainingTests {
    @Test("Noam schedule: warm-up, peak at the warm-up step, then 1/√step; the scale multiplies")
    func noam() {
        let s = NoamSchedule(modelDim: 512, warmupSteps: 4000)
        let d = pow(512.0, -0.5)
        #expect(abs(Double(s(1)) - d * pow(4000, -1.5)) < 1e-12)
        #expect(abs(Double(s(4000)) - d / 4000.0.squareRoot()) < 1e-9)
        #expect(abs(Double(s(16000)) - d / 16000.0.squareRoot()) < 1e-9)
        #expect(s(2000) < s(4000) && s(8000) < s(4000))
        #expect(abs(NoamSchedule(modelDim: 512, warmupSteps: 4000, scale: 2)(100) - 2 * s(100)) < 1e-12)
    }

    @Test("AdamW with β = (0.9, 0.98), ε = 1e-9 and no decay is the paper's Adam step")
    func adam() {
        let p = Tensor([1, -2], shape: [2], requiresGrad: true)
        p.grad = Tensor([0.5, -0.25], shape: [2])
        let opt = AdamW(parameters: [("p", p)], decayed: [], learningRate: 0.01, beta1: 0.9, beta2: 0.98, epsilon: 1e-9, weightDecay: 0)
        opt.update()
        // First step: m̂ = g, v̂ = g², so the update is lr·g/(|g| + ε) = lr·sign(g).
        #expect(abs(p[flat: 0] - 0.99) < 1e-6 && abs(p[flat: 1] + 1.99) < 1e-6)
    }

    /// Reverse task, 1–4 digits: 20,000 training pairs, width 64, 2 heads, 1+1 layers, batches of
    /// ≤ 800 tokens, Noam warm-up 100, 1200 steps (≈ 20 s in release). PyTorch's nn.Transformer with
    /// the same settings learns at the same rate (checked with scripts/torch_translation.py).
    static let reverseFlags = ["--task", "reverse", "--task-length", "4", "--examples", "20000", "--model-dim", "64",
                               "--hidden-dim", "128", "--num-heads", "2", "--num-layers", "1", "--max-length", "16",
                               "--batch-tokens", "800", "--warmup-steps", "100", "--max-steps", "1200", "--quiet"]

    /// The release-built `attend` (debug builds are ~50× slower, too slow to train 1200 steps in a test).
    static var releaseAttend: URL? {
        let release = AttendProcess.executable.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("release").appendingPathComponent("attend")
        return FileManager.default.isExecutableFile(atPath: release.path) ? release : nil
    }

    static var optimizedBuild: Bool {
        #if DEBUG
        return false
        #else
        return true
        #endif
    }

    @Test("a small encoder–decoder learns to reverse digit strings (≥ 99 % exact match, greedy); runs in an optimized build or through .build/release/attend",
          .enabled(if: optimizedBuild || releaseAttend != nil, "needs `swift build -c release` (or swift test -c release)"))
    func learnsReverse() throws {
        let test = Seq2SeqTask.reverse.examples(count: 300, minLength: 1, maxLength: 4, seed: 99)
        let outputs: [String]
        if Self.optimizedBuild {
            var config = reverseConfig(steps: 1200)
            config.model.modelDim = 64; config.model.hiddenDim = 128
            config.training.batchTokens = 800; config.training.warmupSteps = 100; config.training.learningRateScale = 1
            config.training.seed = 1337
            let train = Seq2SeqTask.reverse.examples(count: 20000, minLength: 1, maxLength: 4, seed: 1337)
            let trainer = try TranslationTrainer(config: config, vocabulary: .synthetic(.reverse), train: train, validation: [], run: nil)
            try trainer.run()
            outputs = trainer.model.translate(test.map(\.source), options: .greedy).map(Seq2SeqTask.render)
        } else {
            let binary = Self.releaseAttend!
            let run = temporaryFolder("reverse")
            let input = run.appendingPathComponent("test.txt"), output = run.appendingPathComponent("out.txt")
            try Data(test.map { Seq2SeqTask.render($0.source) + "\n" }.joined().utf8).write(to: input)
            for args in [Self.reverseFlags + ["--out", run.appendingPathComponent("run").path],
                         ["translate", "--checkpoint", run.appendingPathComponent("run").path, "--beam", "1",
                          "--input", input.path, "--output", output.path]] {
                let p = Process()
                p.executableURL = binary
                p.arguments = args[0] == "translate" ? args : ["train"] + args
                p.standardOutput = FileHandle.nullDevice
                p.standardError = FileHandle.nullDevice
                try p.run()
                p.waitUntilExit()
                #expect(p.terminationStatus == 0, "attend \(args.prefix(3)) failed")
            }
            outputs = try ParallelCorpus.readLines(output.path)
        }
        let exact = zip(outputs, test).filter { $0 == Seq2SeqTask.render($1.target) }.count
        #expect(Double(exact) / Double(test.count) >= 0.99, "exact match \(exact)/\(test.count)")
    }

    @Test("checkpoints resume exactly, average into a loadable checkpoint, and other tasks are refused")
    func checkpoints() throws {
        let run = temporaryFolder("translation")
        let train = Seq2SeqTask.copy.examples(count: 200, minLength: 1, maxLength: 4, seed: 1)
        var config = reverseConfig(steps: 6)
        config.task = "copy"
        config.training.evalInterval = 2
        config.training.checkpointInterval = 2
        let full = try TranslationTrainer(config: config, vocabulary: .synthetic(.copy), train: train, validation: Array(train.prefix(8)), run: nil)
        try full.run()
        let first = try TranslationTrainer(config: config, vocabulary: .synthetic(.copy), train: train, validation: Array(train.prefix(8)), run: run)
        try first.run(stopAfter: 4)
        let resumed = try TranslationTrainer(config: config, vocabulary: .synthetic(.copy), train: train, validation: Array(train.prefix(8)),
                                             run: run, resume: true)
        #expect(resumed.step == 4)
        try resumed.run()
        #expect(resumed.losses == Array(full.losses.suffix(2)))
        #expect(throws: TrainError.self) {
            try TranslationTrainer(config: config, vocabulary: .synthetic(.copy), train: train, validation: [], run: run)
        }
        // A different vocabulary is refused on resume.
        #expect(throws: CheckpointError.self) {
            try TranslationTrainer(config: config, vocabulary: .synthetic(.reverse), train: train, validation: [], run: run, resume: true)
        }
        // Averaging the last 3 checkpoints (steps 2, 4, 6) gives their mean weights.
        let averaged = run.appendingPathComponent("averaged")
        let steps = try TranslationCheckpoint.average(run: run, last: 3, out: averaged)
        #expect(steps == [2, 4, 6])
        let (model, state) = try TranslationCheckpoint.loadModel(averaged)
        #expect(state.averagedSteps == [2, 4, 6])
        let folders = [2, 4, 6].map { Checkpoint.folder(run: run).appendingPathComponent(String(format: "step-%06d", $0)) }
        let loaded = try folders.map { try TranslationCheckpoint.loadModel($0).model }
        let name = "decoder.0.crossAttention.query.weight"
        let w = model.namedParameters().first { $0.name == name }!.tensor
        let ws = loaded.map { m in m.namedParameters().first { $0.name == name }!.tensor }
        for i in [0, 7, w.count - 1] {
            #expect(abs(w[flat: i] - (ws[0][flat: i] + ws[1][flat: i] + ws[2][flat: i]) / 3) < 1e-6)
        }
        // A character-LM checkpoint is refused by the translation loader, and vice versa.
        let lmRun = temporaryFolder("lm-for-translate")
        let dataset = try TextDataset(text: shortText)
        try Trainer(config: tinyConfig(vocab: dataset.tokenizer.vocabSize, steps: 2), dataset: dataset, run: lmRun).run()
        do {
            _ = try TranslationCheckpoint.loadModel(try Checkpoint.resolve(lmRun.path))
            Issue.record("a character LM checkpoint was accepted")
        } catch let e as CheckpointError {
            #expect(e.description.contains("not an encoder–decoder"))
        }
        do {
            _ = try Checkpoint.loadModel(try Checkpoint.resolve(run.path))
            Issue.record("a translation checkpoint was accepted as a character LM")
        } catch let e as CheckpointError {
            #expect(e.description.contains("translation"))
        }
    }
}

@Suite("Translation command line", .serialized, .tags(.slow), .slowSuite)
struct TranslationCommandLineTests {
    @Test("misaligned corpus files are an error naming both line counts")
    func misalignedCorpus() throws {
        let dir = temporaryFolder("misaligned")
        let s = dir.appendingPathComponent("a.en"), t = dir.appendingPathComponent("a.es")
        try Data("one\ntwo\nthree\n".utf8).write(to: s)
        try Data("uno\ndos\n".utf8).write(to: t)
        let (status, output) = try AttendProcess.run(["train", "--task", "translation", "--source", s.path, "--target", t.path,
                                                      "--out", dir.appendingPathComponent("run").path])
        #expect(status == 1)
        #expect(output.contains("3 lines") && output.contains("has 2"), "\(output)")
        #expect(!output.contains("Fatal error"))
    }

    @Test("attend translate refuses a character-LM checkpoint; attend bleu scores and prints the signature")
    func refusalAndBLEU() throws {
        let lmRun = temporaryFolder("lm-cli")
        let dataset = try TextDataset(text: shortText)
        try Trainer(config: tinyConfig(vocab: dataset.tokenizer.vocabSize, steps: 2), dataset: dataset, run: lmRun).run()
        let (status, output) = try AttendProcess.run(["translate", "--checkpoint", lmRun.path, "--input", "/dev/null"])
        #expect(status == 1)
        #expect(output.contains("not an encoder–decoder"), "\(output)")

        let dir = temporaryFolder("bleu-cli")
        let hyp = dir.appendingPathComponent("hyp.txt"), ref = dir.appendingPathComponent("ref.txt"), src = dir.appendingPathComponent("src.txt")
        try Data("El gato duerme en la casa.\nEl gato duerme en la casa.\nHola.\n".utf8).write(to: hyp)
        try Data("El gato duerme en la casa.\nEl gato está durmiendo en casa.\nHola.\n".utf8).write(to: ref)
        try Data("The cat sleeps.\nThe cat sleeps.\nHi.\n".utf8).write(to: src)
        let multi = try AttendProcess.run(["bleu", "--hypotheses", hyp.path, "--references", ref.path, "--sources", src.path])
        #expect(multi.status == 0)
        #expect(multi.output.contains("BLEU = 100.00"), "\(multi.output)")
        #expect(multi.output.contains("nrefs:var|case:mixed|eff:no|tok:13a|smooth:exp"), "\(multi.output)")
        let single = try AttendProcess.run(["bleu", "--hypotheses", hyp.path, "--references", ref.path])
        #expect(single.status == 0 && single.output.contains("nrefs:1") && !single.output.contains("BLEU = 100.00"), "\(single.output)")
    }

    @Test("--eval-bleu logs the validation BLEU of every evaluation in metrics.jsonl and prints it; it equals TranslationBLEU on the same model")
    func evalBleu() throws {
        let dir = temporaryFolder("eval-bleu")
        let source = dir.appendingPathComponent("s.txt"), target = dir.appendingPathComponent("t.txt")
        try Data(String(repeating: "the cat sat on the mat\nthe dog ate 42 bones\nI like tea\n", count: 10).utf8).write(to: source)
        try Data(String(repeating: "el gato se sentó\nel perro comió 42 huesos\nme gusta el té\n", count: 10).utf8).write(to: target)
        let run = dir.appendingPathComponent("run")
        let trained = try AttendProcess.run(["train", "--task", "translation", "--source", source.path, "--target", target.path,
                                             "--vocab-size", "300", "--model-dim", "16", "--num-heads", "2", "--max-steps", "4",
                                             "--eval-interval", "2", "--eval-bleu", "1", "--out", run.path])
        #expect(trained.status == 0, "\(trained.output)")
        #expect(trained.output.contains("step 2: validation loss") && trained.output.contains(", BLEU "), "\(trained.output)")
        let lines = try String(contentsOf: run.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n")
        let evals = try lines.map { try JSONDecoder().decode(MetricsRecord.self, from: Data($0.utf8)) }.filter { $0.kind == "eval" }
        #expect(evals.map(\.step) == [2, 4])
        for e in evals { #expect(e.metrics?["bleu"].map { (0...100).contains($0) } == true, "step \(e.step): \(String(describing: e.metrics))") }
        // The logged number is the BLEU of the step-4 model's greedy translations of the held-out pairs.
        let (model, state) = try TranslationCheckpoint.loadModel(try Checkpoint.resolve(run.path))
        let corpus = try ParallelCorpus(sourcePath: source.path, targetPath: target.path)
        var training = state.config.training
        training.maxSteps = 4
        let examples = zip(corpus.sources, corpus.targets).map { TranslationExample(source: state.vocabulary.encode($0.0), target: state.vocabulary.encode($0.1)) }
        let held = Array(examples.suffix(max(1, examples.count / 100)))
        let direct = try TranslationBLEU.measure(model, vocabulary: state.vocabulary, examples: held, options: .greedy)
        #expect(abs(direct.single - evals.last!.metrics!["bleu"]!) < 1e-9, "\(direct.single) vs \(evals.last!.metrics!["bleu"]!)")
        // A bad beam size is refused naming the flag.
        let bad = try AttendProcess.run(["train", "--task", "translation", "--source", source.path, "--target", target.path,
                                         "--eval-bleu", "0", "--out", dir.appendingPathComponent("bad").path])
        #expect(bad.status != 0 && bad.output.contains("evalBleu"), "\(bad.output)")
    }

    @Test("TranslationBLEU: a perfect system scores 100 single- and multi-reference; multi-reference forgives a valid other translation")
    func bleuScores() throws {
        let sources = ["I am tired.", "I am tired.", "He left early today."]
        let references = ["Estoy cansado.", "Estoy cansada.", "Él se fue temprano hoy."]
        let perfect = try TranslationBLEU.score(hypotheses: references, sources: sources, references: references)
        #expect(abs(perfect.single - 100) < 1e-9 && abs(perfect.multi - 100) < 1e-9)
        // The second line's hypothesis is the first line's valid translation: single-reference penalises it, multi-reference does not.
        let other = try TranslationBLEU.score(hypotheses: ["Estoy cansado.", "Estoy cansado.", "Él se fue temprano hoy."], sources: sources, references: references)
        #expect(other.single < 100 && abs(other.multi - 100) < 1e-9)
        #expect(abs(other.single - (try BLEU.corpusScore(hypotheses: ["Estoy cansado.", "Estoy cansado.", "Él se fue temprano hoy."], references: [references]).score)) < 1e-12)
    }
}
