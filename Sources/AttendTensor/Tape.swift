import AttendKernels
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

private let tapeKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key) { raw in if let raw { Unmanaged<Tape>.fromOpaque(raw).release() } }
    return key
}()

/// Reverse-mode automatic differentiation: ops append pullbacks here; `backward()` replays them.
///
/// Ops are recorded in execution order, which is a topological order of the graph, so running
/// the pullbacks in reverse visits every tensor after all its consumers. Gradients accumulate
/// (`+=`) into `Tensor.grad`; a pullback receives the output gradient and adds into its inputs.
public final class Tape: @unchecked Sendable {
    struct Entry {
        let output: Tensor
        let pullback: (Tensor) -> Void
    }
    var entries: [Entry] = []

    /// Whether ops record pullbacks (false inside `withoutGradients`).
    public var isRecording = true

    /// The calling thread's tape. Each thread records onto its own tape, so independent
    /// computations (and tests) on different threads never mix their graphs.
    public static var current: Tape {
        if let raw = pthread_getspecific(tapeKey) {
            return Unmanaged<Tape>.fromOpaque(raw).takeUnretainedValue()
        }
        let tape = Tape()
        pthread_setspecific(tapeKey, Unmanaged.passRetained(tape).toOpaque())
        return tape
    }

    /// Whether the calling thread's tape records pullbacks.
    public static var isRecording: Bool {
        get { current.isRecording }
        set { current.isRecording = newValue }
    }

    /// Number of recorded ops.
    public var count: Int { entries.count }

    /// Forgets every recorded op (frees the activations they captured).
    public func reset() { entries.removeAll(keepingCapacity: true) }
}

/// Runs `body` with gradient recording off (inference), like `torch.no_grad()`.
public func withoutGradients<T>(_ body: () throws -> T) rethrows -> T {
    let saved = Tape.isRecording
    Tape.isRecording = false
    defer { Tape.isRecording = saved }
    return try body()
}

extension Tensor {
    /// Whether an op with these inputs must record a pullback.
    @inlinable static func needsGrad(_ inputs: Tensor...) -> Bool {
        Tape.isRecording && inputs.contains { $0.requiresGrad }
    }

    /// Records `pullback` for `self` (an op's output) on the current tape and marks it as requiring a gradient.
    func record(_ pullback: @escaping (_ outputGrad: Tensor) -> Void) {
        requiresGrad = true
        Tape.current.entries.append(.init(output: self, pullback: pullback))
    }

    /// Runs `body` with this tensor's gradient buffer and `beta`: 0 when the buffer is new (overwrite
    /// it), 1 when a gradient already exists (accumulate). Does nothing if no gradient is required.
    @inlinable public func accumulateGrad(_ body: (_ grad: UnsafeMutablePointer<Float>, _ beta: Float) -> Void) {
        guard requiresGrad else { return }
        if let g = grad {
            body(g.pointer, 1)
        } else {
            let g = Tensor(uninitializedShape: shape)
            grad = g
            body(g.pointer, 0)
        }
    }

    /// Adds `source` (same element count) into this tensor's gradient.
    public func accumulateGrad(_ source: UnsafePointer<Float>) {
        accumulateGrad { g, beta in
            if beta == 0 { g.update(from: source, count: count) } else { add(g, source, g, count: count) }
        }
    }

    /// Adds `source` — a freshly computed gradient of this tensor's element count that nothing else
    /// references — into the gradient, adopting its buffer as the gradient when there is none yet
    /// (no copy).
    public func accumulateGrad(taking source: Tensor) {
        guard requiresGrad else { return }
        precondition(source.count == count, "gradient of \(source.shape) for a tensor of shape \(shape)")
        if let g = grad { add(g.pointer, source.pointer, g.pointer, count: count) }
        else { grad = source.shape == shape ? source : Tensor(shape: shape, sharing: source.storage) }
    }

    /// Back-propagates from this scalar (seed gradient 1) or with the given seed gradient through
    /// every op recorded on the current tape, then clears the tape.
    public func backward(seed: Tensor? = nil) {
        let g = seed ?? Tensor(repeating: 1, shape: shape)
        precondition(g.count == count, "seed gradient shape \(g.shape) does not match \(shape)")
        if let existing = grad { add(existing.pointer, g.pointer, existing.pointer, count: count) } else { grad = g }
        let tape = Tape.current
        for entry in tape.entries.reversed() {
            if let og = entry.output.grad { entry.pullback(og) }
            entry.output.grad = nil  // intermediate gradients are freed as soon as they are used
        }
        tape.reset()
    }
}
