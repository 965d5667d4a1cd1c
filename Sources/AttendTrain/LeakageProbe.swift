import AttendData
import AttendModels
import AttendNN
import AttendTensor
import Foundation

/// How far a trained character model's evaluation loss moves when it is denied what a causal model never
/// reads: (a) the future tokens of each evaluation sequence, (b) the other sequences of its batch.
///
/// (a) For each scored position p of a window x[0..<T] (targets y[t] = x[t + 1]) every input after p,
/// x[p+1..<T], is replaced by a uniformly random token and only position p is scored: −log P(x[p+1] | ·).
/// A causal model's logits at p depend on x[0...p] alone, so its loss is unchanged; a model that reads the
/// future (Leviathan's published correlation, `correlation-as-written`) loses what it copied, and
/// `futureReplacedNats` is its honest loss at those positions. Each cut runs as its own batch of
/// `windows` rows, all cut at the same p, so no row holds another's true future.
/// (b) The first half of the rows is kept and the second half replaced by random tokens; the loss of the kept
/// rows over all positions must not move for a model whose rows are independent.
public struct LeakageResult: Codable, Equatable, Sendable {
    /// Mean loss (nats/char) at the scored positions of the untouched windows.
    public var cleanNats: Double
    /// Mean loss at the same positions with every later input replaced by a random token (the honest loss).
    public var futureReplacedNats: Double
    /// Mean loss over all positions of the kept rows (first half of the batch), untouched.
    public var batchCleanNats: Double
    /// The same rows' loss with the other half of the batch replaced by random tokens.
    public var batchChangedNats: Double

    /// |futureReplaced − clean| / clean: 0 for a causal model (up to float rounding).
    public var futureShift: Double { abs(futureReplacedNats - cleanNats) / cleanNats }
    /// |batchChanged − batchClean| / batchClean: 0 for a model whose sequences do not interact.
    public var batchShift: Double { abs(batchChangedNats - batchCleanNats) / batchCleanNats }
}

/// Measures `LeakageResult` for a `DecoderOnly` character model (see there for the two perturbations).
public struct LeakageProbe: Sendable {
    /// Sequences per evaluation batch (≥ 2; a model that mixes the batch, as `correlation-as-written`
    /// does, should be probed at its training batch size).
    public var windows: Int
    /// Positions scored per window in the future-replacement probe (each costs one forward pass of the batch).
    public var cuts: Int
    /// Seed of the windows' offsets and of the random replacement tokens.
    public var seed: UInt64

    /// A probe of `windows` sequences and `cuts` scored positions; throws `LeakageProbeError.invalid` on a
    /// batch below 2 or no cuts.
    public init(windows: Int, cuts: Int, seed: UInt64) throws {
        guard windows >= 2 else { throw LeakageProbeError.invalid("windows must be ≥ 2 (half the batch is kept, half changed), got \(windows)") }
        guard cuts >= 1 else { throw LeakageProbeError.invalid("cuts must be ≥ 1, got \(cuts)") }
        self.windows = windows; self.cuts = cuts; self.seed = seed
    }

    /// The scored positions of a window of `length` inputs: `cuts` positions spread evenly over 0..<length − 1
    /// (distinct; the last position has no future to replace and is never scored).
    public func positions(length: Int) -> [Int] {
        let n = min(cuts, max(length - 1, 1))
        return (0..<n).map { k in min(length - 2, max(0, ((2 * k + 1) * (length - 1)) / (2 * n))) }
    }

    /// Probes `model` on `windows` windows of the dataset's `split` (offsets drawn from `seed`, as nanoGPT's
    /// get_batch), each of the model's context length.
    public func measure(_ model: DecoderOnly, dataset: TextDataset, split: TextDataset.Split = .validation) throws -> LeakageResult {
        let length = model.config.contextLength
        let data = split == .train ? dataset.train : dataset.validation
        guard data.count > length + 1 else {
            throw LeakageProbeError.invalid("the \(split.rawValue) split holds \(data.count) tokens, fewer than a window of \(length + 1)")
        }
        var rng = RandomGenerator(seed: seed)
        let rows: [[Int32]] = (0..<windows).map { _ in
            let start = rng.nextInt(below: data.count - length)
            return Array(data[start...(start + length)])
        }
        return try measure(model, rows: rows)
    }

    /// Probes `model` on explicit rows: each holds contextLength + 1 token ids (inputs, then the last target).
    public func measure(_ model: DecoderOnly, rows: [[Int32]]) throws -> LeakageResult {
        let length = model.config.contextLength, vocab = model.config.vocabSize, batch = rows.count
        guard batch >= 2 else { throw LeakageProbeError.invalid("need at least 2 rows, got \(batch)") }
        guard length >= 2 else { throw LeakageProbeError.invalid("contextLength must be ≥ 2 to have a future, got \(length)") }
        for (i, r) in rows.enumerated() {
            guard r.count == length + 1 else { throw LeakageProbeError.invalid("row \(i) holds \(r.count) tokens; expected contextLength + 1 = \(length + 1)") }
            guard r.allSatisfy({ $0 >= 0 && Int($0) < vocab }) else { throw LeakageProbeError.invalid("row \(i) has a token outside the vocabulary of \(vocab)") }
        }
        var rng = RandomGenerator(seed: seed).derived(1)
        let context = ForwardContext(training: false)
        let inputs = rows.map { Array($0.prefix(length)) }, targets = rows.map { Array($0.dropFirst()) }
        return withoutGradients {
            /// −log softmax(logits[b, t])[target] for each requested (row, position), in Float64.
            func losses(_ input: [[Int32]], _ at: [(row: Int, position: Int)]) -> [Double] {
                let logits = model(input.flatMap { $0 }, batch: batch, length: length, context: context)
                let p = logits.pointer
                return at.map { (b, t) in
                    let row = p + (b * length + t) * vocab
                    var m = -Double.infinity
                    for v in 0..<vocab { m = max(m, Double(row[v])) }
                    var sum = 0.0
                    for v in 0..<vocab { sum += Foundation.exp(Double(row[v]) - m) }
                    return m + Foundation.log(sum) - Double(row[Int(targets[b][t])])
                }
            }
            func mean(_ x: [Double]) -> Double { x.reduce(0, +) / Double(max(x.count, 1)) }
            let cuts = positions(length: length)
            let kept = batch / 2
            let all = (0..<batch).flatMap { b in (0..<length).map { (row: b, position: $0) } }
            let clean = losses(inputs, all)
            // (a) future replaced, one batch per cut position.
            var cleanAtCuts: [Double] = [], replaced: [Double] = []
            for p in cuts {
                var cut = inputs
                for b in 0..<batch { for t in (p + 1)..<length { cut[b][t] = Int32(rng.nextInt(below: vocab)) } }
                replaced += losses(cut, (0..<batch).map { (row: $0, position: p) })
                cleanAtCuts += (0..<batch).map { clean[$0 * length + p] }
            }
            // (b) the second half of the batch replaced.
            var changed = inputs
            for b in kept..<batch { for t in 0..<length { changed[b][t] = Int32(rng.nextInt(below: vocab)) } }
            let keptPositions = (0..<kept).flatMap { b in (0..<length).map { (row: b, position: $0) } }
            return LeakageResult(cleanNats: mean(cleanAtCuts), futureReplacedNats: mean(replaced),
                                 batchCleanNats: mean(Array(clean[0..<(kept * length)])),
                                 batchChangedNats: mean(losses(changed, keptPositions)))
        }
    }
}

/// A leakage probe asked for something impossible (a batch of one, no cuts, windows longer than the data).
public enum LeakageProbeError: Error, CustomStringConvertible, Equatable {
    /// The message says what to change.
    case invalid(String)

    /// The message.
    public var description: String {
        switch self { case let .invalid(m): return "leakage probe: \(m)" }
    }
}
