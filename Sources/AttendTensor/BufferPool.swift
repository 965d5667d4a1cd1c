import Foundation

/// Recycles Float buffers by exact element count so a training step does not churn the allocator.
///
/// Every `Storage` returns its buffer here when it dies; the next request of the same size
/// reuses it. A training step allocates the same sizes every time, so after the first step
/// the allocator is out of the loop.
public final class BufferPool: @unchecked Sendable {
    /// The process-wide pool.
    public static let shared = BufferPool()

    private var free: [Int: [UnsafeMutablePointer<Float>]] = [:]
    private var pooledFloats = 0
    private let lock = NSLock()
    /// Upper bound on floats kept idle in the pool (default 64 Mi floats = 256 MiB).
    public var capacity = 64 << 20
    private var liveFloats = 0
    private var peakFloats = 0

    /// Bytes held by live tensors now.
    public var liveBytes: Int { lock.lock(); defer { lock.unlock() }; return liveFloats * 4 }
    /// Most bytes held by live tensors at once since the last `resetPeak()`.
    public var peakLiveBytes: Int { lock.lock(); defer { lock.unlock() }; return peakFloats * 4 }
    /// Starts a new peak measurement from the current live size.
    public func resetPeak() { lock.lock(); peakFloats = liveFloats; lock.unlock() }

    /// A buffer of `count` floats; contents are unspecified.
    public func acquire(_ count: Int) -> UnsafeMutablePointer<Float> {
        lock.lock()
        liveFloats += count
        peakFloats = max(peakFloats, liveFloats)
        if var list = free[count], let p = list.popLast() {
            free[count] = list
            pooledFloats -= count
            lock.unlock()
            return p
        }
        lock.unlock()
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        return UnsafeMutableRawPointer(
            UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        ).bindMemory(to: Float.self, capacity: max(count, 1))
    }

    /// Gives a buffer obtained from `acquire(count)` back to the pool.
    public func release(_ pointer: UnsafeMutablePointer<Float>, count: Int) {
        lock.lock()
        liveFloats -= count
        if pooledFloats + count <= capacity {
            free[count, default: []].append(pointer)
            pooledFloats += count
            lock.unlock()
            return
        }
        lock.unlock()
        UnsafeMutableRawPointer(pointer).deallocate()
    }

    /// Frees every idle buffer.
    public func drain() {
        lock.lock()
        for (_, list) in free { for p in list { UnsafeMutableRawPointer(p).deallocate() } }
        free = [:]
        pooledFloats = 0
        lock.unlock()
    }
}

/// A contiguous Float buffer owned by one or more tensors (views share it).
public final class Storage: @unchecked Sendable {
    /// First element.
    public let pointer: UnsafeMutablePointer<Float>
    /// Number of elements.
    public let count: Int

    /// Uninitialised storage of `count` floats from the pool.
    public init(count: Int) {
        self.count = count
        self.pointer = BufferPool.shared.acquire(count)
    }

    deinit { BufferPool.shared.release(pointer, count: count) }
}
