import AttendTensor

/// Keys and values seen so far, the recurrent state of softmax-style attention: [B·H, capacity, Dk]
/// and [B·H, capacity, Dv] buffers whose first `length` positions are filled. Capacity doubles as
/// needed, so appending is amortised O(D). The one key–value append of every cache-keeping mechanism.
public struct KeyValueCache {
    /// Cached keys [B·H, capacity, Dk] (Dk may be 0: dot-product-free attention).
    public var keys: Tensor
    /// Cached values [B·H, capacity, Dv].
    public var values: Tensor
    /// Positions stored so far (the next step's query sits at position `length`).
    public var length = 0
    /// Positions allocated per row.
    public var capacity: Int { keys.shape[1] }

    /// An empty cache for `rows` = B·H rows with room for 16 positions.
    public init(rows: Int, keyDim: Int, valueDim: Int) {
        keys = .zeros([rows, 16, keyDim])
        values = .zeros([rows, 16, valueDim])
    }

    /// Appends key [B, H, Dk] and value [B, H, Dv] at position `length`; returns true when the
    /// buffers had to grow (callers keeping per-position buffers of their own grow them too).
    @discardableResult
    public mutating func append(key: Tensor, value: Tensor) -> Bool {
        let grew = length == capacity
        if grew {  // grow: copy rows into buffers twice as long
            keys = keys.doublingCapacity(keeping: length)
            values = values.doublingCapacity(keeping: length)
        }
        keys.writeRows(key, at: length)
        values.writeRows(value, at: length)
        length += 1
        return grew
    }

    /// Beam search: sequence n continues old sequence `rows[n]`.
    public mutating func reorder(rows: [Int]) {
        keys = keys.gatheringSequences(rows)
        values = values.gatheringSequences(rows)
    }

    /// Bytes held for `positions` positions of `rows` rows (without spare capacity).
    public static func bytes(positions: Int, rows: Int, keyDim: Int, valueDim: Int) -> Double {
        Double(positions * rows * (keyDim + valueDim) * 4)
    }
}

/// Growable per-sequence buffers ([rows, capacity, width…] tensors whose first `length` positions of
/// every row are filled), shared by the recurrent forms that keep keys and values.
extension Tensor {
    /// A zeroed buffer with twice the capacity holding the first `length` positions of every row:
    /// [rows, capacity, width…] → [rows, 2·capacity, width…] (amortised O(1) appends).
    func doublingCapacity(keeping length: Int) -> Tensor {
        let (rows, capacity) = (shape[0], shape[1])
        let width = count / max(rows * capacity, 1)
        let grown = Tensor.zeros([rows, 2 * capacity] + shape.dropFirst(2))
        for i in 0..<rows {
            (grown.pointer + i * 2 * capacity * width).update(from: pointer + i * capacity * width, count: length * width)
        }
        return grown
    }

    /// Writes row i of `source` [rows, width] at `position` of row i of this cache [rows, capacity, width].
    func writeRows(_ source: Tensor, at position: Int) {
        let (rows, capacity) = (shape[0], shape[1])
        let width = count / max(rows * capacity, 1)
        precondition(source.count == rows * width, "cache rows hold \(width) values, got \(source.count / max(rows, 1))")
        for i in 0..<rows { (pointer + (i * capacity + position) * width).update(from: source.pointer + i * width, count: width) }
    }
}
