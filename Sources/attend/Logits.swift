import ArgumentParser
import Attend
import Foundation

/// `attend logits`: a checkpoint's logits for given token ids, as JSON (what interop checks compare).
struct LogitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logits",
        abstract: "Print a checkpoint's next-token logits for given token ids as JSON (to compare with another tool's).",
        discussion: HelpExamples.discussion("logits", """
            A character language model takes --ids (one sequence, at most contextLength ids); an encoder–decoder \
            model takes --source-ids and --target-ids (the decoder input, starting with <bos>). Prints \
            {"shape": [T, vocab], "logits": [...]} with every value in full float precision.
            """))
    @Option(help: "Run folder or checkpoint folder.") var checkpoint: String
    @Option(help: "Comma-separated token ids (character language model).") var ids: String?
    @Option(help: "Comma-separated source token ids (encoder–decoder).") var sourceIds: String?
    @Option(help: "Comma-separated decoder input ids (encoder–decoder).") var targetIds: String?

    func parse(_ text: String?, _ flag: String) throws -> [Int32] {
        guard let text else { throw CommandError("\(flag) is required for this checkpoint") }
        let values = text.split(separator: ",").map { Int32($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else { throw CommandError("\(flag) must be comma-separated integers, got \(text)") }
        return values.map { $0! }
    }

    func run() throws {
        try reportingErrors {
            let folder = try Checkpoint.resolve(checkpoint)
            let logits: Tensor
            switch try PyTorchExport.family(of: folder) {
            case .decoderOnly:
                let (model, _) = try Checkpoint.loadModel(folder)
                let tokens = try parse(ids, "--ids")
                let c = model.config
                guard tokens.count <= c.contextLength, tokens.allSatisfy({ $0 >= 0 && Int($0) < c.vocabSize }) else {
                    throw CommandError("--ids must hold at most \(c.contextLength) ids in 0..<\(c.vocabSize)")
                }
                logits = withoutGradients { model(tokens, batch: 1, length: tokens.count, context: ForwardContext(training: false)) }
            case .encoderDecoder:
                let (model, _) = try TranslationCheckpoint.loadModel(folder)
                let source = try parse(sourceIds, "--source-ids"), target = try parse(targetIds, "--target-ids")
                let c = model.config
                guard max(source.count, target.count) <= c.maxLength, (source + target).allSatisfy({ $0 >= 0 && Int($0) < c.vocabSize }) else {
                    throw CommandError("--source-ids and --target-ids must hold at most \(c.maxLength) ids in 0..<\(c.vocabSize)")
                }
                logits = withoutGradients {
                    let context = ForwardContext(training: false)
                    let memory = model.encode(source: source, batch: 1, length: source.count, sourceLengths: [Int32(source.count)], context: context)
                    return model.decode(targetInput: target, batch: 1, length: target.count, memory: memory,
                                        sourceLengths: [Int32(source.count)], context: context)
                }
            }
            let vocab = logits.shape.last!, rows = logits.count / vocab
            let values = (0..<logits.count).map { "\(logits.pointer[$0])" }.joined(separator: ",")
            print("{\"shape\": [\(rows), \(vocab)], \"logits\": [\(values)]}")
        }
    }
}
