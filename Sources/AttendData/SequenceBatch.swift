/// A batch of token sequences for next-token training: inputs and targets [batch · length] row-major;
/// a target of −1 is ignored by the loss.
public struct SequenceBatch: Sendable {
    /// Input tokens [batch · length].
    public var inputs: [Int32]
    /// Next-token targets [batch · length]; −1 is ignored.
    public var targets: [Int32]
    /// Sequences in the batch.
    public var batch: Int
    /// Tokens per sequence.
    public var length: Int

    /// A batch of `batch` sequences of `length` tokens (inputs and targets [batch · length]).
    public init(inputs: [Int32], targets: [Int32], batch: Int, length: Int) {
        precondition(inputs.count == batch * length && targets.count == batch * length, "inputs and targets must hold batch · length tokens")
        self.inputs = inputs; self.targets = targets; self.batch = batch; self.length = length
    }

    /// Targets that count in the loss (not −1).
    public var countedTargets: Int { targets.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) } }

    /// Sequences `range` as a batch of their own (a data-parallel shard).
    public func rows(_ range: Range<Int>) -> SequenceBatch {
        let span = (range.lowerBound * length)..<(range.upperBound * length)
        return SequenceBatch(inputs: Array(inputs[span]), targets: Array(targets[span]), batch: range.count, length: length)
    }
}
