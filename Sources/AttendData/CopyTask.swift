import AttendTensor

/// The copy task of Katharopoulos et al. (2020, §4.1, Fig. 2): a random sequence of
/// `minSymbols`…`maxSymbols` symbols from an alphabet of `symbols`, a separator, then the same sequence
/// again; the loss counts only the copied part. Tokens: 0 = separator, 1…symbols = symbols,
/// symbols+1 = padding. (The authors' released script draws 32…62 symbols of 10: maximum length 128.)
public struct CopyTask: Sendable {
    /// Longest symbol sequence before the separator.
    public var maxSymbols: Int
    /// Alphabet size.
    public var symbols: Int
    /// Shortest symbol sequence before the separator.
    public var minSymbols: Int

    /// A copy task with sequences of `minSymbols`…`maxSymbols` symbols from `symbols`.
    public init(maxSymbols: Int, symbols: Int, minSymbols: Int = 1) {
        precondition(1 <= minSymbols && minSymbols <= maxSymbols, "1 ≤ minSymbols ≤ maxSymbols")
        self.maxSymbols = maxSymbols
        self.symbols = symbols
        self.minSymbols = minSymbols
    }

    /// Symbols plus separator and padding.
    public var vocabSize: Int { symbols + 2 }
    /// Input length: longest sequence, separator, its copy (the last token is never an input).
    public var length: Int { 2 * maxSymbols + 1 }

    /// A batch of independent examples drawn from `rng`.
    public func batch(_ size: Int, rng: inout RandomGenerator) -> SequenceBatch {
        let t = length, pad = Int32(symbols + 1)
        var inputs = [Int32](repeating: pad, count: size * t), targets = [Int32](repeating: -1, count: size * t)
        for b in 0..<size {
            let n = minSymbols + rng.nextInt(below: maxSymbols - minSymbols + 1)
            var seq = (0..<n).map { _ in Int32(1 + rng.nextInt(below: symbols)) }
            seq = seq + [0] + seq
            for i in 0..<min(seq.count, t) { inputs[b * t + i] = seq[i] }
            // Position i predicts seq[i + 1]; count only predictions of the copy (after the separator).
            for i in n..<(2 * n) { targets[b * t + i] = seq[i + 1] }
        }
        return SequenceBatch(inputs: inputs, targets: targets, batch: size, length: t)
    }
}
