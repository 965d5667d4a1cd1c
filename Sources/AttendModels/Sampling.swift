import AttendNN
import AttendTensor
import Foundation

/// Autoregressive sampling settings (temperature and top-k, as nanoGPT's `generate`).
public struct SamplingOptions: Sendable {
    public var temperature: Float
    /// Keep only the k most likely tokens (nil = all).
    public var topK: Int?

    public init(temperature: Float = 1, topK: Int? = nil) {
        self.temperature = temperature
        self.topK = topK
    }
}

extension DecoderOnly {
    /// Samples `count` tokens after `prompt`, calling `emit` with each new token as it is drawn.
    ///
    /// Uses the recurrent form of the attention (KV cache for softmax, the (S, Z) state for linear
    /// attention): each token costs one step through the model. Past `contextLength` positions the
    /// learned position table runs out, so the window is cropped to the last `contextLength` tokens
    /// and recomputed in parallel form, as nanoGPT does. Throws `AttentionError.noRecurrentForm` for a
    /// kind without a recurrent form. `precision` selects how the stepper reads the weight matrices.
    public func generate(prompt: [Int32], count: Int, options: SamplingOptions, precision: WeightPrecision = .float32,
                         rng: inout RandomGenerator, emit: (Int32) -> Void) throws -> [Int32] {
        precondition(!prompt.isEmpty, "generate needs a non-empty prompt")
        var tokens = prompt
        let v = config.vocabSize
        try withoutGradients {
            let stepper = try makeStepper(batch: 1, precision: precision)
            var logits: [Float] = []
            for token in prompt.prefix(config.contextLength) { logits = stepper.step([token]) }
            for _ in 0..<count {
                if tokens.count > config.contextLength {
                    let window = Array(tokens.suffix(config.contextLength))
                    let all = self(window, batch: 1, length: window.count, context: ForwardContext(training: false))
                    logits = Array(UnsafeBufferPointer(start: all.pointer + (window.count - 1) * v, count: v))
                }
                let next = Int32(Self.sample(logits: logits, options: options, rng: &rng))
                tokens.append(next)
                emit(next)
                if tokens.count <= config.contextLength { logits = stepper.step([next]) }
            }
        }
        return tokens
    }

    /// Draws one index from softmax(logits / temperature) restricted to the top k; temperature 0 is argmax.
    public static func sample(logits: [Float], options: SamplingOptions, rng: inout RandomGenerator) -> Int {
        if options.temperature <= 0 { return logits.indices.max { logits[$0] < logits[$1] }! }
        var scaled = logits.map { $0 / options.temperature }
        if let k = options.topK, k < scaled.count {
            let threshold = scaled.sorted(by: >)[max(k, 1) - 1]
            scaled = scaled.map { $0 < threshold ? -.infinity : $0 }
        }
        let m = scaled.max()!
        let weights = scaled.map { Foundation.exp(Double($0 - m)) }
        let total = weights.reduce(0, +)
        var r = Double(rng.nextUniform()) * total
        for (i, w) in weights.enumerated() {
            r -= w
            if r < 0 { return i }
        }
        return weights.lastIndex { $0 > 0 }!
    }
}
