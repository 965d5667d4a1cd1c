import AttendNN
import AttendTensor
import Foundation

/// Decoding settings: beam size and GNMT length penalty (Wu et al., 2016) as used by Vaswani et
/// al. (2017, §6.1): beam 4, α = 0.6, at most source length + 50 output tokens.
public struct DecodingOptions: Sendable, Equatable {
    /// Hypotheses kept per sentence; 1 is greedy decoding.
    public var beamSize: Int
    /// α in lp(Y) = ((5 + |Y|)/6)^α; hypotheses are ranked by log P(Y|X) / lp(Y).
    public var lengthPenalty: Double
    /// Output may be at most this many tokens longer than the source.
    public var maxExtraLength: Int
    /// How the decoder reads the weight matrices (bfloat16 halves the bytes streamed per step).
    public var precision: WeightPrecision

    /// Decoding settings; the defaults are the paper's beam 4, α = 0.6, source length + 50, fp32 weights.
    public init(beamSize: Int = 4, lengthPenalty: Double = 0.6, maxExtraLength: Int = 50, precision: WeightPrecision = .float32) {
        self.beamSize = beamSize
        self.lengthPenalty = lengthPenalty
        self.maxExtraLength = maxExtraLength
        self.precision = precision
    }

    /// Greedy decoding (beam 1).
    public static let greedy = DecodingOptions(beamSize: 1)

    /// lp(Y) = ((5 + length)/6)^α.
    public func penalty(length: Int) -> Double { pow((5 + Double(length)) / 6, lengthPenalty) }
}

extension EncoderDecoder {
    /// Encodes token sequences (without `<eos>`; truncated to fit `maxLength`) as one padded batch.
    func encodeForDecoding(_ sources: [[Int32]]) -> (memory: Tensor, lengths: [Int32], tokens: [Int]) {
        let trimmed = sources.map { Array($0.prefix(config.maxLength - 1)) }
        let batch = TranslationBatchSources(trimmed, pad: config.padID, eos: config.eosID)
        let memory = withoutGradients {
            encode(source: batch.ids, batch: trimmed.count, length: batch.length, sourceLengths: batch.lengths,
                   context: ForwardContext(training: false))
        }
        let limits = trimmed.map { min($0.count + 0, config.maxLength) }
        return (memory, batch.lengths, limits)
    }

    /// Output-token limit for a source of `count` tokens: source length + `maxExtraLength`, capped by `maxLength`.
    func outputLimit(sourceCount: Int, options: DecodingOptions) -> Int {
        max(1, min(sourceCount + options.maxExtraLength, config.maxLength))
    }

    /// Log-softmax of one logits row, in Double.
    static func logSoftmax(_ row: UnsafePointer<Float>, count: Int) -> [Double] {
        var m = -Double.infinity
        for i in 0..<count { m = max(m, Double(row[i])) }
        var s = 0.0
        for i in 0..<count { s += exp(Double(row[i]) - m) }
        let logZ = m + log(s)
        return (0..<count).map { Double(row[$0]) - logZ }
    }

    /// Greedy decoding of a batch: at each position the most likely token (lowest id on ties),
    /// until `<eos>` or the length limit; returns the output ids without `<eos>`.
    public func greedyDecode(_ sources: [[Int32]], options: DecodingOptions = .greedy) -> [[Int32]] {
        if sources.isEmpty { return [] }
        let (memory, lengths, counts) = encodeForDecoding(sources)
        let limits = counts.map { outputLimit(sourceCount: $0, options: options) }
        let decoder = makeDecoder(memory: memory, sourceLengths: lengths, precision: options.precision)
        let v = config.vocabSize
        var outputs = [[Int32]](repeating: [], count: sources.count)
        var done = [Bool](repeating: false, count: sources.count)
        var last = [Int32](repeating: config.bosID, count: sources.count)
        var t = 0
        while done.contains(false) {
            let logits = decoder.step(last)
            for b in sources.indices where !done[b] {
                let logp = Self.logSoftmax(logits.pointer + b * v, count: v)
                var best = 0
                for i in 1..<v where logp[i] > logp[best] { best = i }
                let token = Int32(best)
                if token == config.eosID { done[b] = true; continue }
                outputs[b].append(token)
                last[b] = token
                if t + 1 >= limits[b] { done[b] = true }
            }
            t += 1
        }
        return outputs
    }

    /// Batched beam search (beam K, GNMT length penalty): every sentence keeps K live hypotheses
    /// ranked by cumulative log-probability; among the best 2K extensions, `<eos>` extensions that
    /// rank within the first K are finished (scored by log P / lp), and the best K others stay live.
    /// A sentence stops once K hypotheses have finished or at the length limit (live ones are then
    /// finished as they are). Returns each sentence's best finished hypothesis without `<eos>`.
    /// With K = 1 this is exactly `greedyDecode`.
    public func beamSearch(_ sources: [[Int32]], options: DecodingOptions = DecodingOptions()) -> [[Int32]] {
        if sources.isEmpty { return [] }
        let k = max(1, options.beamSize)
        let (memory, lengths, counts) = encodeForDecoding(sources)
        let limits = counts.map { outputLimit(sourceCount: $0, options: options) }
        let b = sources.count, n = b * k, v = config.vocabSize
        let decoder = makeDecoder(memory: memory, sourceLengths: lengths, rows: (0..<n).map { $0 / k }, precision: options.precision)
        var scores = (0..<n).map { $0 % k == 0 ? 0.0 : -Double.infinity }
        var hypotheses = [[Int32]](repeating: [], count: n)
        var finished = [[(tokens: [Int32], score: Double)]](repeating: [], count: b)
        var done = [Bool](repeating: false, count: b)
        var last = [Int32](repeating: config.bosID, count: n)
        var t = 0
        while done.contains(false) {
            let logits = decoder.step(last)
            var reorder = Array(0..<n)
            var newHypotheses = hypotheses, newScores = scores, newLast = last
            for s in 0..<b where !done[s] {
                var candidates: [Candidate] = []
                for j in 0..<k {
                    let row = s * k + j
                    guard scores[row] > -Double.infinity else { continue }
                    let logp = Self.logSoftmax(logits.pointer + row * v, count: v)
                    // The row's best 2K tokens (enough: at most 2K candidates survive overall).
                    var best: [Candidate] = []
                    for tok in 0..<v {
                        let c = Candidate(score: scores[row] + logp[tok], logp: logp[tok], row: row, token: Int32(tok))
                        if best.count < 2 * k { best.append(c); best.sort(by: Self.ranks) }
                        else if Self.ranks(c, best[best.count - 1]) { best[best.count - 1] = c; best.sort(by: Self.ranks) }
                    }
                    candidates += best
                }
                candidates.sort(by: Self.ranks)
                var live: [Candidate] = []
                for (rank, c) in candidates.prefix(2 * k).enumerated() {
                    if c.token == config.eosID {
                        if rank < k {
                            let length = hypotheses[c.row].count + 1
                            finished[s].append((hypotheses[c.row], c.score / options.penalty(length: length)))
                        }
                    } else if live.count < k {
                        live.append(c)
                    }
                }
                for (j, c) in live.enumerated() {
                    let row = s * k + j
                    reorder[row] = c.row
                    newHypotheses[row] = hypotheses[c.row] + [c.token]
                    newScores[row] = c.score
                    newLast[row] = c.token
                }
                if finished[s].count >= k {
                    done[s] = true
                } else if t + 1 >= limits[s] {
                    for j in 0..<live.count {
                        let row = s * k + j
                        finished[s].append((newHypotheses[row], newScores[row] / options.penalty(length: newHypotheses[row].count)))
                    }
                    done[s] = true
                }
            }
            hypotheses = newHypotheses
            scores = newScores
            last = newLast
            if done.contains(false) { decoder.reorder(rows: reorder) }
            t += 1
        }
        return finished.map { list in
            var best = list[0]
            for f in list.dropFirst() where f.score > best.score { best = f }
            return best.tokens
        }
    }

    /// Candidate order: higher cumulative score, then higher step log-probability, then lower row and token.
    private static func ranks(_ a: Candidate, _ b: Candidate) -> Bool {
        if a.score != b.score { return a.score > b.score }
        if a.logp != b.logp { return a.logp > b.logp }
        if a.row != b.row { return a.row < b.row }
        return a.token < b.token
    }

    /// Translates many token sequences: sorts them by length, decodes `batchSize` at a time (greedy
    /// for beam 1, beam search otherwise) and returns outputs in the input order.
    public func translate(_ sources: [[Int32]], options: DecodingOptions = DecodingOptions(), batchSize: Int = 64,
                          progress: (Int) -> Void = { _ in }) -> [[Int32]] {
        let order = sources.indices.sorted { sources[$0].count < sources[$1].count }
        var outputs = [[Int32]](repeating: [], count: sources.count)
        var start = 0
        while start < order.count {
            let chunk = Array(order[start..<min(start + batchSize, order.count)])
            let batch = chunk.map { sources[$0] }
            let decoded = options.beamSize <= 1 ? greedyDecode(batch, options: options) : beamSearch(batch, options: options)
            for (i, o) in zip(chunk, decoded) { outputs[i] = o }
            start += chunk.count
            progress(start)
        }
        return outputs
    }
}

/// One extension of a live beam hypothesis.
private struct Candidate { var score: Double; var logp: Double; var row: Int; var token: Int32 }

/// Padded source ids (x + `<eos>`) and their lengths for decoding.
struct TranslationBatchSources {
    var ids: [Int32] = []
    var lengths: [Int32] = []
    var length: Int

    init(_ sources: [[Int32]], pad: Int32, eos: Int32) {
        length = (sources.map(\.count).max() ?? 0) + 1
        for s in sources {
            ids += s + [eos] + Array(repeating: pad, count: length - s.count - 1)
            lengths.append(Int32(s.count + 1))
        }
    }
}
