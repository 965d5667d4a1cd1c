/// One tokenized sentence pair, without `<bos>`/`<eos>` (the batcher adds them).
public struct TranslationExample: Equatable, Sendable, Codable {
    /// Source token ids.
    public var source: [Int32]
    /// Target token ids.
    public var target: [Int32]

    /// A pair of token-id sequences.
    public init(source: [Int32], target: [Int32]) {
        self.source = source
        self.target = target
    }
}

/// A padded batch for teacher-forced training of an encoder–decoder model.
///
/// source: x + `<eos>`, padded with `padID` → [B, S]; targetInput: `<bos>` + y → [B, T];
/// targetOutput: y + `<eos>`, padded with −1 (ignored by the loss) → [B, T].
public struct TranslationBatch: Sendable {
    /// Number of sentence pairs (rows).
    public var batchSize: Int
    /// Padded source length S (longest source + `<eos>`).
    public var sourceLength: Int
    /// Padded target length T (longest target + 1).
    public var targetLength: Int
    /// Source token ids.
    public var source: [Int32]
    /// Real source tokens per row (`<eos>` included); the key-padding mask.
    public var sourceLengths: [Int32]
    /// Decoder inputs `<bos>` + y, padded with padID, [B, T].
    public var targetInput: [Int32]
    /// Prediction targets y + `<eos>`, padded with −1 (ignored), [B, T].
    public var targetOutput: [Int32]

    /// Pads `examples` into one batch with the given special ids.
    public init(_ examples: [TranslationExample], padID: Int32, bosID: Int32, eosID: Int32) {
        precondition(!examples.isEmpty, "a batch needs at least one example")
        batchSize = examples.count
        sourceLength = examples.map(\.source.count).max()! + 1
        targetLength = examples.map(\.target.count).max()! + 1
        source = []; targetInput = []; targetOutput = []; sourceLengths = []
        source.reserveCapacity(batchSize * sourceLength)
        for e in examples {
            let s = e.source + [eosID]
            source += s + Array(repeating: padID, count: sourceLength - s.count)
            sourceLengths.append(Int32(s.count))
            let tIn = [bosID] + e.target, tOut = e.target + [eosID]
            targetInput += tIn + Array(repeating: padID, count: targetLength - tIn.count)
            targetOutput += tOut + Array(repeating: -1, count: targetLength - tOut.count)
        }
    }

    /// Real (unpadded) source tokens, `<eos>` included.
    public var sourceTokens: Int { sourceLengths.reduce(0) { $0 + Int($1) } }
    /// Real target tokens predicted (y + `<eos>`).
    public var targetTokens: Int { targetOutput.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) } }

    /// Rows `range` as a batch of their own (keeps this batch's padded lengths).
    public func rows(_ range: Range<Int>) -> TranslationBatch {
        var b = self
        b.batchSize = range.count
        b.source = Array(source[(range.lowerBound * sourceLength)..<(range.upperBound * sourceLength)])
        b.sourceLengths = Array(sourceLengths[range])
        b.targetInput = Array(targetInput[(range.lowerBound * targetLength)..<(range.upperBound * targetLength)])
        b.targetOutput = Array(targetOutput[(range.lowerBound * targetLength)..<(range.upperBound * targetLength)])
        return b
    }
}

/// Length-bucketed batches by token count, as fairseq's `--max-tokens`: examples sorted by
/// (source length, target length) with ties in a seeded random order, packed greedily so that
/// a batch's padded size B·(S + T) stays within `batchTokens`, and the batch order shuffled.
/// Epoch e's batches come from the seed and e alone, so a resumed run sees the same batches.
public struct TokenBatcher: Sendable {
    /// All training examples.
    public let examples: [TranslationExample]
    /// Budget of padded source + target tokens per batch.
    public let batchTokens: Int
    /// Seed of the shuffles.
    public let seed: UInt64

    /// Batches `examples` into about `batchTokens` padded tokens each, shuffled from `seed`.
    public init(examples: [TranslationExample], batchTokens: Int, seed: UInt64) {
        self.examples = examples
        self.batchTokens = batchTokens
        self.seed = seed
    }

    /// Example indices of every batch of epoch `epoch` (0-based), in training order.
    public func batches(epoch: Int) -> [[Int]] {
        var rng = RandomGenerator(seed: seed).derived(0xBA7C4 &+ UInt64(epoch))
        var rank = Array(0..<examples.count)
        rank.shuffle(using: &rng)
        let order = examples.indices.sorted { a, b in
            let (ea, eb) = (examples[a], examples[b])
            if ea.source.count != eb.source.count { return ea.source.count < eb.source.count }
            if ea.target.count != eb.target.count { return ea.target.count < eb.target.count }
            return rank[a] < rank[b]
        }
        var result: [[Int]] = []
        var current: [Int] = []
        var maxSource = 0, maxTarget = 0
        for i in order {
            let s = examples[i].source.count + 1, t = examples[i].target.count + 1
            let ms = max(maxSource, s), mt = max(maxTarget, t)
            if !current.isEmpty && (current.count + 1) * (ms + mt) > batchTokens {
                result.append(current)
                current = []
                maxSource = 0; maxTarget = 0
            }
            current.append(i)
            maxSource = max(maxSource, s); maxTarget = max(maxTarget, t)
        }
        if !current.isEmpty { result.append(current) }
        result.shuffle(using: &rng)
        return result
    }
}
