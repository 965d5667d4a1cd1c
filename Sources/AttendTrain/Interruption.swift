import Foundation
import Synchronization

/// Graceful stop on SIGINT (Ctrl-C) and SIGTERM (what batch schedulers send before they preempt):
/// the first signal asks the running training loop to finish its current step, write a checkpoint
/// and stop with `TrainError.interrupted`; a second SIGINT exits at once (status 130).
///
/// Nothing changes until `install()` is called (the `attend` command does; library users who
/// handle signals themselves can set `request(_:)` from their own handler instead).
public enum Interruption {
    /// The signal that asked to stop (0: none). Written from the signal handler.
    static let pending = Atomic<Int32>(0)

    /// Installs the SIGINT and SIGTERM handlers and unblocks both signals on the calling thread
    /// (a parent that spawned us from a thread with them blocked — test runners, some process
    /// supervisors — passes the blocked mask on through exec). Call it from the main thread before
    /// starting worker threads, which inherit the mask.
    public static func install() {
        signal(SIGINT, interruptionHandler)
        signal(SIGTERM, interruptionHandler)
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// The signal number that asked the loop to stop, or nil.
    public static var requested: Int32? {
        let s = pending.load(ordering: .acquiring)
        return s == 0 ? nil : s
    }

    /// Asks the running loop to stop as if `signal` had arrived.
    public static func request(_ signal: Int32) { pending.store(signal, ordering: .releasing) }

    /// Forgets a request (after it has been handled, or in tests).
    public static func reset() { pending.store(0, ordering: .releasing) }

    /// The conventional exit status of a process stopped by `signal` (128 + its number: 130 for
    /// SIGINT, 143 for SIGTERM).
    public static func exitStatus(_ signal: Int32) -> Int32 { 128 + signal }

    /// The signal's name ("SIGINT", "SIGTERM", or "signal N").
    public static func name(_ signal: Int32) -> String {
        switch signal {
        case SIGINT: return "SIGINT"
        case SIGTERM: return "SIGTERM"
        default: return "signal \(signal)"
        }
    }
}

/// The notice written (async-signal-safely, by `write`) when the first signal arrives.
private let interruptionNotice: [UInt8] = Array(
    "\nattend: stopping after this step and writing a checkpoint (Ctrl-C again quits at once)\n".utf8)

/// Records the first signal; a second SIGINT exits immediately with status 130.
private func interruptionHandler(_ signal: Int32) {
    let previous = Interruption.pending.exchange(signal, ordering: .acquiringAndReleasing)
    if previous != 0 && signal == SIGINT { _exit(130) }
    interruptionNotice.withUnsafeBufferPointer { _ = write(2, $0.baseAddress, $0.count) }
}
