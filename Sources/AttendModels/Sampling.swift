import AttendNN
import AttendTensor
import Foundation

/// Autoregressive sampling settings: temperature, top-k, nucleus (top-p) and min-p truncation and a
/// repetition penalty, applied in Hugging Face `generate`'s order — penalty, temperature, top-k, top-p, min-p.
///
/// Ties are kept: every truncation keeps all tokens whose (processed) logit equals the boundary
/// token's, so the result never depends on the order of the vocabulary.
public struct SamplingOptions: Sendable, Equatable {
    /// Softmax temperature: logits are divided by it; 0 is greedy (argmax after the penalty).
    public var temperature: Float
    /// Keep only the k most likely tokens (nil = all).
    public var topK: Int?
    /// Nucleus sampling (Holtzman et al. 2020): keep the most likely tokens until their probability sums
    /// to at least p, in (0, 1] (nil or 1 = all).
    public var topP: Float?
    /// Min-p sampling (Nguyen et al. 2024): keep tokens whose probability is at least `minP` × the largest
    /// probability, in [0, 1] (nil or 0 = all).
    public var minP: Float?
    /// Repetition penalty (Keskar et al. 2019, CTRL; Hugging Face semantics): the logit of every token
    /// already in the context is divided by it when positive and multiplied by it otherwise; 1 = off.
    public var repetitionPenalty: Float

    /// Settings for `DecoderOnly.generate`; the defaults sample from the full softmax.
    public init(temperature: Float = 1, topK: Int? = nil, topP: Float? = nil, minP: Float? = nil, repetitionPenalty: Float = 1) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.minP = minP
        self.repetitionPenalty = repetitionPenalty
    }

    /// The logits after the repetition penalty over `context` (each distinct id once; ids outside the
    /// vocabulary are ignored): x / penalty where x > 0, x · penalty otherwise.
    public func penalised(_ logits: [Float], context: [Int32]) -> [Float] {
        guard repetitionPenalty != 1 else { return logits }
        var out = logits
        for id in Set(context) where id >= 0 && Int(id) < out.count {
            let x = logits[Int(id)]
            out[Int(id)] = x > 0 ? x / repetitionPenalty : x * repetitionPenalty
        }
        return out
    }

    /// The logits a draw samples from: penalised, divided by the temperature, and −∞ at every token a
    /// truncation (top-k, top-p, min-p, in that order) removes. The most likely token always stays.
    /// Needs temperature > 0.
    public func candidateLogits(_ logits: [Float], context: [Int32] = []) -> [Float] {
        precondition(temperature > 0, "candidateLogits needs a positive temperature (0 is argmax)")
        var scaled = penalised(logits, context: context).map { $0 / temperature }
        if let k = topK, k < scaled.count {
            let threshold = scaled.sorted(by: >)[max(k, 1) - 1]
            scaled = scaled.map { $0 < threshold ? -.infinity : $0 }
        }
        if let p = topP, p < 1 {
            let probabilities = Self.softmax(scaled)
            let order = scaled.indices.sorted { probabilities[$0] > probabilities[$1] }
            var mass = 0.0, threshold = probabilities[order[0]]
            for i in order {
                threshold = probabilities[i]
                mass += probabilities[i]
                if mass >= Double(p) { break }
            }
            scaled = scaled.indices.map { probabilities[$0] < threshold ? -.infinity : scaled[$0] }
        }
        if let minP, minP > 0 {
            let probabilities = Self.softmax(scaled)
            let threshold = Double(minP) * probabilities.max()!
            scaled = scaled.indices.map { probabilities[$0] < threshold ? -.infinity : scaled[$0] }
        }
        return scaled
    }

    /// softmax(x) in Float64 (−∞ entries get probability 0).
    static func softmax(_ x: [Float]) -> [Double] {
        let m = x.max()!
        let e = x.map { Foundation.exp(Double($0 - m)) }
        let total = e.reduce(0, +)
        return e.map { $0 / total }
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
        try generate(prompt: prompt, count: count, options: options, precision: precision, rng: &rng) { token -> Bool in
            emit(token)
            return true
        }
    }

    /// As `generate(prompt:count:options:precision:rng:emit:)`, but stops early when `emit` returns
    /// false (a stop string was reached); returns the prompt and the tokens drawn.
    ///
    /// The repetition penalty sees the whole text so far (prompt and drawn tokens), as Hugging Face's does.
    public func generate(prompt: [Int32], count: Int, options: SamplingOptions, precision: WeightPrecision = .float32,
                         rng: inout RandomGenerator, emit: (Int32) -> Bool) throws -> [Int32] {
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
                let next = Int32(Self.sample(logits: logits, options: options, context: tokens, rng: &rng))
                tokens.append(next)
                if !emit(next) { break }
                if tokens.count <= config.contextLength { logits = stepper.step([next]) }
            }
        }
        return tokens
    }

    /// Draws one index from softmax(`options.candidateLogits(logits, context:)`) with one uniform number
    /// from `rng`; temperature 0 is the argmax of the penalised logits (no number drawn).
    public static func sample(logits: [Float], options: SamplingOptions, context: [Int32] = [], rng: inout RandomGenerator) -> Int {
        if options.temperature <= 0 {
            let penalised = options.penalised(logits, context: context)
            return penalised.indices.max { penalised[$0] < penalised[$1] }!
        }
        let weights = SamplingOptions.softmax(options.candidateLogits(logits, context: context))
        var r = Double(rng.nextUniform())
        for (i, w) in weights.enumerated() {
            r -= w
            if r < 0 { return i }
        }
        return weights.lastIndex { $0 > 0 }!
    }
}

/// Ends streamed text before a stop string: text goes in piece by piece (each sampled token's
/// text), and what may be printed comes out — everything except a tail that could still grow into
/// the stop string; once the stop string appears, the text before it and `stopped` = true.
public struct StopStringFilter: Sendable {
    /// The string that ends the output (not printed); empty never stops.
    public let stop: String
    private var pending = ""
    /// True once the stop string has been seen; later input is ignored.
    public private(set) var stopped = false

    /// A filter for `stop`.
    public init(stop: String) { self.stop = stop }

    /// Adds `text`; returns the part that is now safe to print.
    public mutating func feed(_ text: String) -> String {
        guard !stopped else { return "" }
        guard !stop.isEmpty else { return text }
        pending += text
        if let range = pending.range(of: stop) {
            stopped = true
            let out = String(pending[..<range.lowerBound])
            pending = ""
            return out
        }
        // Hold back the longest suffix of `pending` that is a proper prefix of `stop`.
        var keep = min(pending.count, stop.count - 1)
        while keep > 0 && !stop.hasPrefix(pending.suffix(keep)) { keep -= 1 }
        let out = String(pending.dropLast(keep))
        pending = String(pending.suffix(keep))
        return out
    }

    /// The held-back text, once the input has ended without the stop string.
    public mutating func finish() -> String {
        defer { pending = "" }
        return stopped ? "" : pending
    }
}
