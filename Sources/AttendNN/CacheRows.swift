import AttendTensor

/// Growable per-sequence caches ([rows, capacity, width…] tensors whose first `length` positions of
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
