import ArgumentParser
import Attend
import Foundation

struct Translate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Translate sentences (one per line, from --input or stdin) with a trained encoder–decoder checkpoint.",
        discussion: HelpExamples.discussion("translate", "Greedy for --beam 1, beam search otherwise (GNMT length penalty α, at most source length + --max-extra-length tokens)."))

    @Option(help: "Run folder or checkpoint folder written by `attend train --task …` or `attend average`.") var checkpoint: String
    @Option(help: "File of source sentences (default: standard input).") var input: String?
    @Option(help: "Write translations here (default: standard output).") var output: String?
    @Option(help: "Beam size (1 = greedy).") var beam: Int = 4
    @Option(help: "Length penalty α in ((5 + |Y|)/6)^α.") var lengthPenalty: Double = 0.6
    @Option(help: "Output may be this many tokens longer than the source.") var maxExtraLength: Int = 50
    @Option(help: "Sentences decoded together.") var batchSize: Int = 64
    @Option(help: "How the decoder reads its weight matrices: fp32, or bf16 (rounded copies, half the bytes per step).")
    var weights: WeightPrecision = .float32
    @Option(help: "Matrix products of the linear layers: fp32 (default) or bf16 (bfloat16 operands, fp32 accumulation; needs AVX512-BF16, else fp32 with a notice).")
    var precision: MatrixPrecision = .fp32

    func validate() throws {
        if beam < 1 { throw ValidationError("--beam must be ≥ 1, got \(beam)") }
        if batchSize < 1 { throw ValidationError("--batch-size must be ≥ 1, got \(batchSize)") }
        if maxExtraLength < 0 { throw ValidationError("--max-extra-length must be ≥ 0, got \(maxExtraLength)") }
    }

    func run() throws {
        try reportingErrors {
            let (model, state) = try TranslationCheckpoint.loadModel(try Checkpoint.resolve(checkpoint))
            let resolved = BFloat16Support.resolve(precision)
            if let notice = resolved.notice { writeError(notice + "\n") }
            Tensor.linearPrecision = resolved.precision
            let lines: [String]
            if let input { lines = try ParallelCorpus.readLines(input) }
            else {
                var read: [String] = []
                while let line = Swift.readLine() { read.append(line) }
                lines = read
            }
            let ids = lines.map { state.vocabulary.encode($0) }
            let started = Date()
            let options = DecodingOptions(beamSize: beam, lengthPenalty: lengthPenalty, maxExtraLength: maxExtraLength, precision: weights)
            let outputs = withoutGradients { model.translate(ids, options: options, batchSize: batchSize) }
            let text = outputs.map { state.vocabulary.decode($0) + "\n" }.joined()
            if let output { try AtomicFile.write(Data(text.utf8), to: URL(fileURLWithPath: output)) } else { print(text, terminator: "") }
            writeError(String(format: "translated %d sentences in %.1f s (beam %d, step %d%@)\n", lines.count,
                              Date().timeIntervalSince(started), beam, state.step,
                              state.averagedSteps.map { ", average of steps \($0.map(String.init).joined(separator: ","))" } ?? ""))
        }
    }
}

struct BLEUCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bleu",
        abstract: "Corpus BLEU (sacreBLEU-compatible: 13a tokenization, mixed case, exp smoothing) of hypotheses against references.",
        discussion: HelpExamples.discussion("bleu", "Pass --references once per reference stream. With --sources, lines whose source sentence repeats are grouped into one multi-reference sentence (the hypothesis of its first occurrence is scored)."))

    @Option(help: "Hypotheses, one per line.") var hypotheses: String
    @Option(help: "References, one per line, aligned with the hypotheses (repeat for more streams).") var references: [String]
    @Option(help: "Source sentences aligned with the lines: group repeated sources into multi-reference sentences.") var sources: String?

    func run() throws {
        try reportingErrors {
            let hyps = try ParallelCorpus.readLines(hypotheses)
            let streams = try references.map { try ParallelCorpus.readLines($0) }
            for (path, s) in zip(references, streams) where s.count != hyps.count {
                throw CorpusError.misaligned(source: hypotheses, sourceLines: hyps.count, target: path, targetLines: s.count)
            }
            let score: BLEUScore
            if let sources {
                let src = try ParallelCorpus.readLines(sources)
                guard src.count == hyps.count else {
                    throw CorpusError.misaligned(source: hypotheses, sourceLines: hyps.count, target: sources, targetLines: src.count)
                }
                guard streams.count == 1 else { throw ValidationError("--sources groups one --references stream; pass exactly one") }
                score = try BLEU.groupedScore(hypotheses: hyps, sources: src, references: streams[0])
            } else {
                score = try BLEU.corpusScore(hypotheses: hyps, references: streams)
            }
            print(score.formatted)
            print(score.signature)
        }
    }
}

struct Average: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Average the weights of a run's newest checkpoints into a new checkpoint folder (Vaswani et al. average the last 5).",
            discussion: HelpExamples.discussion("average"))

    @Option(name: .customLong("run"), help: "Run folder written by `attend train --task …`.") var runFolder: String
    @Option(help: "Number of newest checkpoints to average.") var last: Int = 5
    @Option(help: "Checkpoint folder to write.") var out: String

    func validate() throws { if last < 1 { throw ValidationError("--last must be ≥ 1, got \(last)") } }

    func run() throws {
        try reportingErrors {
            let steps = try TranslationCheckpoint.average(run: URL(fileURLWithPath: runFolder), last: last, out: URL(fileURLWithPath: out))
            print("averaged steps \(steps.map(String.init).joined(separator: ", ")) into \(out)")
        }
    }
}
