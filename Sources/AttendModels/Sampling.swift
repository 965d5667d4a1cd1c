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
    /// The context is cropped to the last `contextLength` tokens, as nanoGPT does.
    public func generate(prompt: [Int32], count: Int, options: SamplingOptions, rng: inout RandomGenerator,
                         emit: (Int32) -> Void) -> [Int32] {
        var tokens = prompt
        let context = ForwardContext(training: false)
        withoutGradients {
            for _ in 0..<count {
                let window = Array(tokens.suffix(config.contextLength))
                let logits = self(window, batch: 1, length: window.count, context: context)
                let v = config.vocabSize
                let last = Array(UnsafeBufferPointer(start: logits.pointer + (window.count - 1) * v, count: v))
                let next = Int32(Self.sample(logits: last, options: options, rng: &rng))
                tokens.append(next)
                emit(next)
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
