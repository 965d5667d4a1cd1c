#if canImport(Testing)
import Foundation
import Testing

extension Tag {
    /// End-to-end suites (command-line runs, training to a threshold, replications) that take most of
    /// the suite's time.
    @Tag public static var slow: Tag
}

/// True under `ATTEND_FAST=1`: the fast subset, which skips the suites marked `.slowSuite`.
public let fastSubsetOnly: Bool = {
    guard let value = ProcessInfo.processInfo.environment["ATTEND_FAST"] else { return false }
    return !value.isEmpty && value != "0"
}()

extension Trait where Self == ConditionTrait {
    /// Skips the suite in the fast subset (`ATTEND_FAST=1 swift test`); use with `.tags(.slow)`.
    public static var slowSuite: ConditionTrait {
        .enabled(if: !fastSubsetOnly, "a slow end-to-end suite; ATTEND_FAST=1 skips it")
    }
}
#endif
