import ArgumentParser
import Attend
import Foundation

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Sample text from a trained checkpoint, streaming it as it is drawn.")

    @Option(help: "Run folder or checkpoint folder written by `attend train`.") var checkpoint: String
    @Option(help: "Text to continue.") var prompt: String = "\n"
    @Option(help: "Number of tokens to sample.") var tokens: Int = 500
    @Option(help: "Softmax temperature (0 = greedy).") var temperature: Float = 0.8
    @Option(help: "Sample only among the k most likely tokens.") var topK: Int?
    @Option var seed: UInt64 = 1337
    @Option(help: "Weight matrices read in fp32 (default) or bf16 (a rounded copy: half the memory traffic per token).")
    var weights: WeightPrecision?
    @Option(help: "bf16: bf16 weights for the per-token steps (bandwidth-bound matrix–vector products; unless --weights says otherwise) and vdpbf16ps products when the text outgrows the context and the window is recomputed. Needs AVX512-BF16 for the products, else fp32 with a notice.")
    var precision: MatrixPrecision = .fp32

    func validate() throws {
        if tokens < 0 { throw ValidationError("--tokens must be ≥ 0, got \(tokens)") }
        if temperature < 0 || !temperature.isFinite { throw ValidationError("--temperature must be ≥ 0, got \(temperature)") }
        if let topK, topK <= 0 { throw ValidationError("--top-k must be positive, got \(topK)") }
    }

    func run() throws {
        try reportingErrors {
            let (model, state) = try Checkpoint.loadModel(try Checkpoint.resolve(checkpoint))
            try model.config.attentionSpec.requireRecurrentForm()
            let tokenizer = state.tokenizer
            let ids = try tokenizer.encode(prompt)
            if ids.isEmpty { throw ValidationError("--prompt must not be empty") }
            let resolved = BFloat16Support.resolve(precision)
            if let notice = resolved.notice { writeError(notice + "\n") }
            Tensor.linearPrecision = resolved.precision
            let weights = self.weights ?? (precision == .bf16 ? .bfloat16 : .float32)
            var rng = RandomGenerator(seed: seed)
            print(prompt, terminator: "")
            _ = try model.generate(prompt: ids, count: tokens, options: SamplingOptions(temperature: temperature, topK: topK),
                                   precision: weights, rng: &rng) { id in
                print(tokenizer.decode([id]), terminator: "")
                fflush(stdout)
            }
            print()
        }
    }
}

extension WeightPrecision: ExpressibleByArgument {}
