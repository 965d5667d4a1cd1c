import AttendKernels

/// An n-dimensional array of Float32 in contiguous row-major storage, with an optional gradient.
///
/// `Tensor` is a reference type, as in PyTorch: parameters are updated in place by optimizers and
/// reshaped views share storage. When gradients are enabled and an input requires a gradient,
/// every op records a pullback on the current `Tape`; `backward()` runs them in reverse.
public final class Tensor: @unchecked Sendable {
    /// Dimensions, outermost first.
    public let shape: [Int]
    /// Backing buffer (shared by reshaped views).
    public let storage: Storage
    /// Whether gradients flow to this tensor.
    public var requiresGrad: Bool
    /// Accumulated gradient (same shape), created by `backward()`; nil until then.
    public var grad: Tensor?

    /// Uninitialised tensor of the given shape.
    public init(uninitializedShape shape: [Int], requiresGrad: Bool = false) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        self.shape = shape
        self.storage = Storage(count: shape.reduce(1, *))
        self.requiresGrad = requiresGrad
    }

    /// A view of `storage` with a new shape (element counts must match).
    public init(shape: [Int], sharing storage: Storage, requiresGrad: Bool = false) {
        precondition(shape.reduce(1, *) == storage.count, "shape \(shape) does not match \(storage.count) elements")
        self.shape = shape
        self.storage = storage
        self.requiresGrad = requiresGrad
    }

    /// Tensor filled with `value`.
    public convenience init(repeating value: Float, shape: [Int], requiresGrad: Bool = false) {
        self.init(uninitializedShape: shape, requiresGrad: requiresGrad)
        storage.pointer.update(repeating: value, count: count)
    }

    /// Tensor with the given elements in row-major order.
    public convenience init(_ values: [Float], shape: [Int], requiresGrad: Bool = false) {
        precondition(values.count == shape.reduce(1, *), "\(values.count) values do not fill shape \(shape)")
        self.init(uninitializedShape: shape, requiresGrad: requiresGrad)
        values.withUnsafeBufferPointer { storage.pointer.update(from: $0.baseAddress!, count: values.count) }
    }

    /// Zeros.
    public static func zeros(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        Tensor(repeating: 0, shape: shape, requiresGrad: requiresGrad)
    }

    /// Samples from N(mean, std²) drawn from `rng`.
    public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1,
                              rng: inout RandomGenerator, requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(uninitializedShape: shape, requiresGrad: requiresGrad)
        for i in 0..<t.count { t.storage.pointer[i] = mean + std * rng.nextNormal() }
        return t
    }

    /// Samples from U(low, high).
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1,
                               rng: inout RandomGenerator, requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(uninitializedShape: shape, requiresGrad: requiresGrad)
        for i in 0..<t.count { t.storage.pointer[i] = low + (high - low) * rng.nextUniform() }
        return t
    }

    /// Number of elements.
    @inlinable public var count: Int { storage.count }
    /// Number of dimensions.
    public var rank: Int { shape.count }
    /// Raw element pointer (row-major).
    @inlinable public var pointer: UnsafeMutablePointer<Float> { storage.pointer }
    /// Elements as an array (copies).
    public var scalars: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
    /// The single element of a one-element tensor.
    public var item: Float {
        precondition(count == 1, "item needs a one-element tensor, shape is \(shape)")
        return pointer[0]
    }

    /// Element at a flat row-major index.
    public subscript(flat index: Int) -> Float {
        get { pointer[index] }
        set { pointer[index] = newValue }
    }

    /// A copy that does not require a gradient and is not on the tape.
    public func detached() -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        t.pointer.update(from: pointer, count: count)
        return t
    }

    /// Overwrites the elements with `other`'s (same element count).
    public func copyValues(from other: Tensor) {
        precondition(other.count == count, "copy of \(other.shape) into \(shape)")
        pointer.update(from: other.pointer, count: count)
    }

    /// Sets every element to `value`.
    public func fill(_ value: Float) { pointer.update(repeating: value, count: count) }
}

extension Tensor: CustomStringConvertible {
    /// Shape and the first few values.
    public var description: String {
        let head = scalars.prefix(8).map { String(format: "%.4f", $0) }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(head)\(count > 8 ? ", …" : "")])"
    }
}

import Foundation
