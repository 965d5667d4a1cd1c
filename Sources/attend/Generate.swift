import ArgumentParser
import Attend
import Foundation

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Sample text from a trained checkpoint, streaming it as it is drawn.",
        discussion: HelpExamples.discussion("generate"))

    @Option(help: "Run folder or checkpoint folder written by `attend train`.") var checkpoint: String
    @Option(help: "Text to continue.") var prompt: String = "\n"
    @Option(help: "Number of tokens to sample.") var tokens: Int = 500
    @Option(help: "Softmax temperature (0 = greedy).") var temperature: Float = 0.8
    @Option(help: "Sample only among the k most likely tokens.") var topK: Int?
    @Option(help: "Nucleus sampling: keep the most likely tokens until their probability sums to p, in (0, 1] (1 = all).")
    var topP: Float?
    @Option(help: "Min-p sampling: keep tokens at least p × the most likely token's probability, in [0, 1] (0 = all).")
    var minP: Float?
    @Option(help: "Repetition penalty (CTRL / Hugging Face): logits of tokens already in the text are divided by it when positive, multiplied when negative; 1 = off.")
    var repetitionPenalty: Float = 1
    @Option(help: "Samples to draw from the prompt, one after another with the same generator (each headed by a line `--- sample i/N ---` when N > 1).")
    var numSamples: Int = 1
    @Option(help: "End each sample before the first occurrence of this string in the generated text (the string is not printed).")
    var stop: String?
    @Option var seed: UInt64 = 1337
    @Option(help: "Weight matrices read in fp32 (default) or bf16 (a rounded copy: half the memory traffic per token).")
    var weights: WeightPrecision?
    @Option(help: "bf16: bf16 weights for the per-token steps (bandwidth-bound matrix–vector products; unless --weights says otherwise) and vdpbf16ps products when the text outgrows the context and the window is recomputed. Needs AVX512-BF16 for the products, else fp32 with a notice.")
    var precision: MatrixPrecision = .fp32

    func validate() throws {
        if tokens < 0 { throw ValidationError("--tokens must be ≥ 0, got \(tokens)") }
        if temperature < 0 || !temperature.isFinite { throw ValidationError("--temperature must be ≥ 0, got \(temperature)") }
        if let topK, topK <= 0 { throw ValidationError("--top-k must be positive, got \(topK)") }
        if let topP, !(topP > 0 && topP <= 1) { throw ValidationError("--top-p must be in (0, 1], got \(topP)") }
        if let minP, !(minP >= 0 && minP <= 1) { throw ValidationError("--min-p must be in [0, 1], got \(minP)") }
        if !(repetitionPenalty > 0) || !repetitionPenalty.isFinite {
            throw ValidationError("--repetition-penalty must be positive (1 = off), got \(repetitionPenalty)")
        }
        if numSamples < 1 { throw ValidationError("--num-samples must be ≥ 1, got \(numSamples)") }
        if stop == "" { throw ValidationError("--stop must not be empty") }
    }

    func run() throws {
        try reportingErrors {
            let (model, state) = try Checkpoint.loadModel(try Checkpoint.resolve(checkpoint))
            try model.config.attentionSpec.requireRecurrentForm()
            let tokenizer = state.tokenizer
            // A byte-level run (--bytes) reads the prompt's UTF-8 bytes and writes raw bytes.
            let byteLevel = tokenizer.bytes
            func inVocabulary(_ text: String) -> String { byteLevel ? CharTokenizer.byteText(Data(text.utf8)) : text }
            func emit(_ text: String) {
                if byteLevel {
                    FileHandle.standardOutput.write(Data(text.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value &- 0x100) }))
                } else {
                    print(text, terminator: "")
                }
            }
            let ids = try tokenizer.encode(inVocabulary(prompt))
            if ids.isEmpty { throw ValidationError("--prompt must not be empty") }
            let resolved = BFloat16Support.resolve(precision)
            if let notice = resolved.notice { writeError(notice + "\n") }
            Tensor.linearPrecision = resolved.precision
            let weights = self.weights ?? (precision == .bf16 ? .bfloat16 : .float32)
            var rng = RandomGenerator(seed: seed)
            let options = SamplingOptions(temperature: temperature, topK: topK, topP: topP, minP: minP,
                                          repetitionPenalty: repetitionPenalty)
            for sample in 1...numSamples {
                if numSamples > 1 { print("\(sample > 1 ? "\n" : "")--- sample \(sample)/\(numSamples) ---") }
                var filter = StopStringFilter(stop: stop.map(inVocabulary) ?? "")
                print(prompt, terminator: "")
                fflush(stdout)
                _ = try model.generate(prompt: ids, count: tokens, options: options, precision: weights,
                                       rng: &rng) { (id: Int32) -> Bool in
                    emit(filter.feed(tokenizer.decode([id])))
                    fflush(stdout)
                    return !filter.stopped
                }
                emit(filter.finish())
                print()
            }
        }
    }
}

extension WeightPrecision: ExpressibleByArgument {}
