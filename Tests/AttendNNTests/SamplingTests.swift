import AttendModels
import AttendNN
import AttendTensor
import Foundation
import Testing

/// Which tokens a truncation keeps: the indices whose candidate logit is finite.
private func kept(_ logits: [Float], _ options: SamplingOptions, context: [Int32] = []) -> [Int] {
    options.candidateLogits(logits, context: context).indices.filter { options.candidateLogits(logits, context: context)[$0].isFinite }
}

/// Logits whose softmax is `probabilities` (up to Float rounding).
private func logits(_ probabilities: [Double]) -> [Float] { probabilities.map { Float(Foundation.log($0)) } }

@Suite("Sampling options")
struct SamplingTests {
    /// p = (0.5, 0.25, 0.125, 0.125): a two-way tie at the bottom.
    let halves = logits([0.5, 0.25, 0.125, 0.125])

    @Test("top-p keeps the smallest most-likely set reaching p, all tokens tied with its last one, and everything at p = 1",
          arguments: [(0.4, [0]), (0.7, [0, 1]), (0.8, [0, 1, 2, 3]), (1.0, [0, 1, 2, 3]), (1e-6, [0])] as [(Float, [Int])])
    func topP(p: Float, expected: [Int]) {
        #expect(kept(halves, SamplingOptions(topP: p)) == expected)
    }

    @Test("top-p on a uniform distribution keeps every token (all tied), and keeps the kept logits unchanged")
    func topPTies() {
        let uniform: [Float] = [0.5, 0.5, 0.5, 0.5, 0.5]
        #expect(kept(uniform, SamplingOptions(topP: 0.1)) == [0, 1, 2, 3, 4])
        let twoTop: [Float] = [2, 0, 2, 1]
        #expect(kept(twoTop, SamplingOptions(topP: 0.01)) == [0, 2])
        #expect(SamplingOptions(temperature: 2, topP: 0.01).candidateLogits(twoTop) == [1, -.infinity, 1, -.infinity])
    }

    @Test("min-p keeps tokens with probability ≥ minP · max: 0 keeps all, 1 keeps the maximum and its ties",
          arguments: [(0, [0, 1, 2, 3]), (0.2, [0, 1, 2, 3]), (0.3, [0, 1]), (0.6, [0]), (1.0, [0])] as [(Float, [Int])])
    func minP(minP: Float, expected: [Int]) {
        #expect(kept(halves, SamplingOptions(minP: minP)) == expected)
    }

    @Test("min-p = 1 keeps every token tied with the maximum")
    func minPTies() {
        #expect(kept([3, 1, 3, 2.9], SamplingOptions(minP: 1)) == [0, 2])
    }

    @Test("truncations apply after the temperature and one after another: penalty, temperature, top-k, top-p, min-p")
    func order() {
        // Temperature 0.5 squares the ratios: p ∝ (0.25, 0.0625, 0.0156, 0.0156) → (0.753, 0.188, 0.047, 0.047).
        #expect(kept(halves, SamplingOptions(temperature: 0.5, topP: 0.7)) == [0])
        #expect(kept(halves, SamplingOptions(temperature: 2, topP: 0.7)) == [0, 1, 2, 3])  // flatter: (0.35, 0.25, 0.18, 0.18)
        // Top-k 2 renormalises to (2/3, 1/3): top-p 0.9 then needs both, top-p 0.6 only the first.
        #expect(kept(halves, SamplingOptions(topK: 2, topP: 0.9)) == [0, 1])
        #expect(kept(halves, SamplingOptions(topK: 2, topP: 0.6)) == [0])
        // Top-k keeps ties too: the third-best value is shared by tokens 2 and 3.
        #expect(kept(halves, SamplingOptions(topK: 3)) == [0, 1, 2, 3])
        // Min-p reads ratios to the maximum, which the temperature changes: at 0.5 they are (1, 1/4, 1/16, 1/16).
        #expect(kept(halves, SamplingOptions(temperature: 0.5, minP: 0.2)) == [0, 1])
        #expect(kept(halves, SamplingOptions(temperature: 1, minP: 0.2)) == [0, 1, 2, 3])
        // The penalty comes first: token 0 penalised below token 1 changes which one top-p keeps.
        #expect(kept([2, 1.5, -3], SamplingOptions(topP: 0.5, repetitionPenalty: 2), context: [0]) == [1])
    }

    @Test("the repetition penalty divides positive and multiplies non-positive logits of context tokens only, each once")
    func repetitionPenalty() {
        let x: [Float] = [2, -1, 0, 3, 5]
        let context: [Int32] = [0, 1, 1, 7, 2, 1, -1]
        #expect(SamplingOptions(repetitionPenalty: 2).penalised(x, context: context) == [1, -2, 0, 3, 5])
        #expect(SamplingOptions(repetitionPenalty: 0.5).penalised(x, context: context) == [4, -0.5, 0, 3, 5])
        #expect(SamplingOptions().penalised(x, context: context) == x)
        // Greedy decoding sees the penalty too.
        var rng = RandomGenerator(seed: 1)
        #expect(DecoderOnly.sample(logits: [2, 1.5], options: .init(temperature: 0), context: [0], rng: &rng) == 0)
        #expect(DecoderOnly.sample(logits: [2, 1.5], options: .init(temperature: 0, repetitionPenalty: 2), context: [0], rng: &rng) == 1)
    }

    @Test("sampling with a fixed seed repeats exactly, draws only kept tokens, in proportion to their renormalised probabilities")
    func reproducible() {
        let options = SamplingOptions(temperature: 1, topP: 0.7)
        func draws(seed: UInt64) -> [Int] {
            var rng = RandomGenerator(seed: seed)
            return (0..<3000).map { _ in DecoderOnly.sample(logits: halves, options: options, rng: &rng) }
        }
        let a = draws(seed: 5)
        #expect(a == draws(seed: 5))
        #expect(a != draws(seed: 6))
        #expect(Set(a) == [0, 1])
        let share = Double(a.filter { $0 == 0 }.count) / Double(a.count)
        #expect(abs(share - 2.0 / 3.0) < 0.03, "token 0 drawn \(share) of the time, expected 2/3")
    }

    @Test("generation with every option repeats exactly for a seed, and stops when emit returns false")
    func generation() throws {
        var init_ = RandomGenerator(seed: 3)
        let model = try DecoderOnly(ModelConfig(vocabSize: 11, contextLength: 8, modelDim: 16, numHeads: 2, numLayers: 1), rng: &init_)
        let options = SamplingOptions(temperature: 1.5, topK: 8, topP: 0.9, minP: 0.05, repetitionPenalty: 1.3)
        func run(_ seed: UInt64) throws -> [Int32] {
            var rng = RandomGenerator(seed: seed)
            return try model.generate(prompt: [1, 2], count: 12, options: options, rng: &rng) { _ in }
        }
        let a = try run(9)
        #expect(a.count == 14)
        #expect(a == (try run(9)))
        #expect(a != (try run(10)))
        var rng = RandomGenerator(seed: 9)
        var emitted = 0
        let stopped = try model.generate(prompt: [1, 2], count: 12, options: options, rng: &rng) { (_: Int32) -> Bool in
            emitted += 1
            return emitted < 5
        }
        #expect(stopped == Array(a.prefix(7)))
    }

    @Test("a stop string ends the text before it, holding back only a tail that could still become the stop string")
    func stopString() {
        var f = StopStringFilter(stop: "STOP")
        #expect(f.feed("ab") == "ab")
        #expect(f.feed("cS") == "c")
        #expect(f.feed("TO") == "")
        #expect(f.feed("X") == "STOX")
        #expect(f.feed("xxST") == "xx")
        #expect(f.feed("OPyy") == "")
        #expect(f.stopped)
        #expect(f.feed("more") == "")
        #expect(f.finish() == "")

        var g = StopStringFilter(stop: "\n\n")
        #expect(g.feed("line\n") == "line")
        #expect(g.feed("next") == "\nnext")
        #expect(g.feed("\n") == "")
        #expect(g.finish() == "\n")
        #expect(!g.stopped)

        var h = StopStringFilter(stop: "ana")  // overlapping prefix: "anana" stops at the first "ana"
        #expect(h.feed("ban") == "b")
        #expect(h.feed("anas") == "")
        #expect(h.stopped)
    }
}
