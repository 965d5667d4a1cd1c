import Foundation

/// How much of the machine other processes used while a measurement ran, from /proc/stat (all CPUs'
/// busy time, including time the hypervisor stole) minus this process's own CPU time (/proc/self/stat).
/// Linux only; nil elsewhere.
public enum MachineLoad {
    /// A load above this share of the machine marks a timing as disturbed (and makes the runner repeat it).
    public static let disturbedAbove = 0.10

    struct Sample { var busy, total, own: Double }

    static func sample() -> Sample? {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = stat.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }),
              let mine = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
              let close = mine.lastIndex(of: ")") else { return nil }
        // user nice system idle iowait irq softirq steal (guest time is already inside user).
        let v = line.split(separator: " ").dropFirst().prefix(8).compactMap { Double($0) }
        guard v.count == 8 else { return nil }
        // After the command name: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime.
        let fields = mine[mine.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let utime = Double(fields[11]), let stime = Double(fields[12]) else { return nil }
        return Sample(busy: v[0] + v[1] + v[2] + v[5] + v[6] + v[7], total: v.reduce(0, +), own: utime + stime)
    }

    /// Runs `body` and returns its result with the share (0…1) of the machine's CPU time that others used meanwhile.
    public static func measure<T>(_ body: () throws -> T) rethrows -> (result: T, otherLoad: Double?) {
        let before = sample()
        let result = try body()
        guard let before, let after = sample(), after.total > before.total else { return (result, nil) }
        let others = (after.busy - before.busy) - (after.own - before.own)
        return (result, min(1, max(0, others / (after.total - before.total))))
    }
}
