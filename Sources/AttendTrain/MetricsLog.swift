import AttendTensor
import Foundation

/// A run's `metrics.jsonl`: one JSON `MetricsRecord` per line, appended as training goes.
struct MetricsLog {
    /// The file, or nil when the run has no folder (nothing is written).
    let url: URL?

    init(run: URL?) { url = run?.appendingPathComponent("metrics.jsonl") }

    /// Appends one record as a line (creating the file atomically the first time).
    func append(_ record: MetricsRecord) throws {
        guard let url else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]  // the same run writes the same bytes
        var line = try encoder.encode(record)
        line.append(0x0A)
        if let handle = try? FileHandle(forWritingTo: url) {
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: line)
        } else {
            try AtomicFile.write(line, to: url)
        }
    }

    /// Drops lines past the resumed step, so a resumed run's log reads as one uninterrupted run.
    func truncate(after step: Int) throws {
        guard let url, let data = FileManager.default.contents(atPath: url.path) else { return }
        let decoder = JSONDecoder()
        let kept = data.split(separator: 0x0A).filter { line in
            (try? decoder.decode(MetricsRecord.self, from: Data(line))).map { $0.step <= step } ?? false
        }
        var out = Data()
        for line in kept { out.append(contentsOf: line); out.append(0x0A) }
        try AtomicFile.write(out, to: url)
    }
}
