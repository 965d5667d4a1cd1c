import AttendKernels
import Foundation

/// Process resource readings from /proc (Linux); nil elsewhere.
public enum ResourceUsage {
    /// Peak resident set size (VmHWM) in bytes.
    public static func peakResidentBytes() -> Int? { readStatus("VmHWM:") }
    /// Current resident set size (VmRSS) in bytes.
    public static func residentBytes() -> Int? { readStatus("VmRSS:") }

    private static func readStatus(_ key: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(key) {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count >= 2, let kib = Int(parts[1]) { return kib * 1024 }
        }
        return nil
    }

    /// The CPU model name with its vendor, family and model (`CPUInfo.identity`).
    public static func cpuModel() -> String { CPUInfo.current.identity }
}
