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
/// wake-up each time (tens of µs on a virtual machine); these workers spin for a few milliseconds
/// first, so back-to-back regions start in well under a microsecond.
///
/// Protocol: `state` packs (job generation << 32 | next iteration index). The submitter publishes a
/// job by storing a new generation with index 0; anyone (submitter or worker) claims an iteration by
/// compare-and-swap on `state`, so a late worker can never run a stale job. The submitter returns
/// once `completed` reaches the iteration count — it never waits for a sleeping worker.
public final class WorkerPool: @unchecked Sendable {
    /// The process-wide pool with `Threading.count − 1` workers (the caller is the other thread).
    public static let shared = WorkerPool(workers: max(0, Threading.count - 1))

    private let workerCount: Int
    private let state = Atomic<Int>(0)
    private let completed = Atomic<Int>(0)
    private var iterations = 0
    private var job: ((Int) -> Void)?
    private let mutex = NSCondition()
    private var sleepers = 0
    private let submitLock = NSLock()
    /// How long an idle worker spins before sleeping.
    private let spinNanoseconds: UInt64 = 3_000_000

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
            completed.store(0, ordering: .relaxed)
            let generation = (state.load(ordering: .relaxed) >> 32) &+ 1
            state.store(generation << 32, ordering: .releasing)
            mutex.lock()
            if sleepers > 0 { mutex.broadcast() }
            mutex.unlock()
            WorkerPool.isWorkerOrBusy = true
            work(generation: generation)
            WorkerPool.isWorkerOrBusy = false
            while completed.load(ordering: .acquiring) < n { spinPause() }
            job = nil
        }
    }

    /// Claims and runs iterations of job `generation` until none are left.
    private func work(generation: Int) {
        while true {
            let s = state.load(ordering: .acquiring)
            guard s >> 32 == generation else { return }
            let index = s & 0xFFFF_FFFF
            guard index < iterations else { return }
            guard state.compareExchange(expected: s, desired: s + 1, ordering: .acquiringAndReleasing).exchanged else { continue }
            job!(index)
            completed.add(1, ordering: .releasing)
        }
    }

    private func workerLoop() {
        WorkerPool.isWorkerOrBusy = true
        var seen = 0
        while true {
            var spins = 0
            var spinStart: UInt64 = 0
            while state.load(ordering: .acquiring) >> 32 == seen {
                spins += 1
                if spins & 1023 != 0 { spinPause(); continue }
                let now = DispatchTime.now().uptimeNanoseconds
                if spinStart == 0 { spinStart = now; continue }
                if now - spinStart < spinNanoseconds { continue }
                mutex.lock()
                sleepers += 1
                while state.load(ordering: .acquiring) >> 32 == seen { mutex.wait() }
                sleepers -= 1
                mutex.unlock()
            }
            seen = state.load(ordering: .acquiring) >> 32
            work(generation: seen)
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
