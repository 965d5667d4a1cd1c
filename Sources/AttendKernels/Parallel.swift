import Foundation
import Synchronization

/// Thread settings shared by every kernel.
///
/// Kernels split work over `Threading.count` threads, but only when the work is large enough to
/// pay for starting it (see `WorkerPool`).
public enum Threading {
    /// Number of threads kernels may use (default: active processor count, at least 1).
    /// Set `ATTEND_THREADS` in the environment to override.
    nonisolated(unsafe) public static var count: Int = {
        if let s = ProcessInfo.processInfo.environment["ATTEND_THREADS"], let n = Int(s), n > 0 { return n }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()

    /// Work (in flops or element-operations) below which kernels stay on one thread.
    public static let minParallelWork = 200_000
}

/// Runs `body(i)` for every `i in 0..<iterations`, spread over the calling thread and the pool's
/// workers — `DispatchQueue.concurrentPerform` semantics with a cheaper hand-off.
///
/// Calls from inside a running job (nested parallelism) run serially on the calling thread.
@inlinable
public func concurrentPerform(iterations: Int, _ body: (Int) -> Void) {
    WorkerPool.shared.run(iterations: iterations, body)
}

/// Runs `body(range)` over contiguous chunks of `0..<count`, one chunk per thread, when `work`
/// (an estimate of the total flops) is large enough; otherwise runs `body(0..<count)` serially.
@inlinable
public func parallelChunks(_ count: Int, work: Int, threads: Int = Threading.count,
                           _ body: (Range<Int>) -> Void) {
    let workers = min(threads, count)
    if workers <= 1 || work < Threading.minParallelWork {
        if count > 0 { body(0..<count) }
        return
    }
    concurrentPerform(iterations: workers) { w in
        let lo = count * w / workers
        let hi = count * (w + 1) / workers
        if lo < hi { body(lo..<hi) }
    }
}

/// A fixed set of worker threads that spin briefly between jobs before sleeping.
///
/// Training issues hundreds of small parallel regions per step, tens of microseconds apart.
/// `DispatchQueue.concurrentPerform` puts its threads to sleep between them and pays a kernel
/// wake-up each time (~5–10 % of a training step); these workers spin for ~100 µs first, so
/// back-to-back regions start in well under a microsecond.
public final class WorkerPool: @unchecked Sendable {
    /// The process-wide pool with `Threading.count − 1` workers (the caller is the other thread).
    public static let shared = WorkerPool(workers: max(0, Threading.count - 1))

    private let workerCount: Int
    private let generation = Atomic<Int>(0)
    private let nextIndex = Atomic<Int>(0)
    private let unfinished = Atomic<Int>(0)
    private var iterations = 0
    private var job: ((Int) -> Void)?
    private let mutex = NSCondition()
    private var sleepers = 0
    private let submitLock = NSLock()

    init(workers: Int) {
        workerCount = workers
        for i in 0..<workers {
            let t = Thread { [unowned self] in self.workerLoop() }
            t.name = "attend-worker-\(i)"
            t.stackSize = 1 << 20
            t.start()
        }
    }

    /// Runs `body(i)` for `i in 0..<iterations` on the caller and the workers; returns when all are done.
    public func run(iterations n: Int, _ body: (Int) -> Void) {
        if n <= 0 { return }
        if n == 1 || workerCount == 0 || WorkerPool.isWorkerOrBusy || !submitLock.try() {
            for i in 0..<n { body(i) }
            return
        }
        defer { submitLock.unlock() }
        withoutActuallyEscaping(body) { escapable in
            job = escapable
            iterations = n
            nextIndex.store(0, ordering: .relaxed)
            unfinished.store(workerCount, ordering: .relaxed)
            generation.add(1, ordering: .releasing)
            mutex.lock()
            if sleepers > 0 { mutex.broadcast() }
            mutex.unlock()
            WorkerPool.isWorkerOrBusy = true
            drain(escapable)
            WorkerPool.isWorkerOrBusy = false
            // Wait for the workers to leave the job before it goes out of scope.
            while unfinished.load(ordering: .acquiring) > 0 { spinPause() }
            job = nil
        }
    }

    private func drain(_ body: (Int) -> Void) {
        while true {
            let i = nextIndex.add(1, ordering: .relaxed).oldValue
            if i >= iterations { return }
            body(i)
        }
    }

    private func workerLoop() {
        WorkerPool.isWorkerOrBusy = true
        var seen = 0
        while true {
            var spins = 0
            while generation.load(ordering: .acquiring) == seen {
                spins += 1
                if spins < 20_000 { spinPause(); continue }
                mutex.lock()
                sleepers += 1
                while generation.load(ordering: .acquiring) == seen { mutex.wait() }
                sleepers -= 1
                mutex.unlock()
            }
            seen = generation.load(ordering: .acquiring)
            if let job { drain(job) }
            unfinished.subtract(1, ordering: .releasing)
        }
    }

    /// True on pool workers and on a thread currently submitting a job (nested calls run serially).
    static var isWorkerOrBusy: Bool {
        get { pthread_getspecific(busyKey) != nil }
        set { pthread_setspecific(busyKey, newValue ? UnsafeRawPointer(bitPattern: 1) : nil) }
    }
}

private let busyKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key, nil)
    return key
}()

/// One iteration of a spin-wait (the atomic load in the loop is the real work).
@inline(__always) func spinPause() {}
