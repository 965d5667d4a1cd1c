import Dispatch
import Foundation

/// Thread settings shared by every kernel.
///
/// Kernels split work over `Threading.count` workers with `DispatchQueue.concurrentPerform`,
/// but only when the work is large enough to pay for dispatch (~1.3 µs per call).
public enum Threading {
    /// Number of worker threads kernels may use (default: active processor count, at least 1).
    /// Set `ATTEND_THREADS` in the environment to override.
    nonisolated(unsafe) public static var count: Int = {
        if let s = ProcessInfo.processInfo.environment["ATTEND_THREADS"], let n = Int(s), n > 0 { return n }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()

    /// Work (in flops or element-operations) below which kernels stay on one thread.
    public static let minParallelWork = 200_000
}

/// Runs `body(i)` for `i in 0..<count`, spread over up to `Threading.count` threads when
/// `work` (an estimate of the total flops) is large enough; otherwise runs serially.
///
/// `body` receives a contiguous chunk `range` of indices so per-chunk setup is amortised.
@inlinable
public func parallelChunks(_ count: Int, work: Int, threads: Int = Threading.count,
                           _ body: (Range<Int>) -> Void) {
    let workers = min(threads, count)
    if workers <= 1 || work < Threading.minParallelWork {
        if count > 0 { body(0..<count) }
        return
    }
    DispatchQueue.concurrentPerform(iterations: workers) { w in
        let lo = count * w / workers
        let hi = count * (w + 1) / workers
        if lo < hi { body(lo..<hi) }
    }
}
