import Foundation

/// Problems with a parallel corpus; messages say what to do.
public enum CorpusError: Error, CustomStringConvertible, Equatable {
    /// Thrown when the corpus file at the given path does not exist or cannot be read.
    case missingFile(String)
    /// Thrown when the two files of a corpus differ in their number of lines: `source` has
    /// `sourceLines` lines and `target` has `targetLines`.
    case misaligned(source: String, sourceLines: Int, target: String, targetLines: Int)
    /// Thrown when the corpus files `source` and `target` have no pair in which both sentences are non-empty.
    case empty(source: String, target: String)
    /// Thrown when the file at the given path exists but cannot be read as text (not UTF-8, or `gzip -dc`
    /// failed or could not be started); `reason` says which.
    case unreadable(String, reason: String)

    /// A message saying what went wrong and what to do.
    public var description: String {
        switch self {
        case let .missingFile(p):
            return "corpus file \(p) does not exist or cannot be read; pass existing files with --source and --target"
        case let .misaligned(s, sl, t, tl):
            return "corpus files are not aligned: \(s) has \(sl) lines but \(t) has \(tl); line i of the source must be translated by line i of the target"
        case let .empty(s, t):
            return "corpus \(s) / \(t) has no non-empty sentence pairs"
        case let .unreadable(p, r):
            return "cannot read \(p): \(r)"
        }
    }
}

/// A sentence-aligned parallel corpus: line i of the source file is translated by line i of the
/// target file (UTF-8, one sentence per line; `.gz` files are read through `gzip -dc`).
///
/// Pairs where either side is empty (or only whitespace) are skipped and counted.
public struct ParallelCorpus: Sendable {
    /// Source sentences of the kept pairs.
    public let sources: [String]
    /// Target sentences of the kept pairs, aligned with `sources`.
    public let targets: [String]
    /// Pairs dropped because a side was empty.
    public let skippedEmptyLines: Int

    /// Pairs given directly (both arrays the same length); empty pairs are skipped and counted.
    public init(sources: [String], targets: [String]) {
        precondition(sources.count == targets.count, "parallel arrays differ in length")
        var s: [String] = [], t: [String] = []
        var skipped = 0
        for (a, b) in zip(sources, targets) {
            if a.allSatisfy(\.isWhitespace) || b.allSatisfy(\.isWhitespace) { skipped += 1; continue }
            s.append(a)
            t.append(b)
        }
        self.sources = s
        self.targets = t
        skippedEmptyLines = skipped
    }

    /// Reads two aligned files; throws `CorpusError.misaligned` naming both line counts when they differ.
    public init(sourcePath: String, targetPath: String) throws {
        let s = try Self.readLines(sourcePath), t = try Self.readLines(targetPath)
        guard s.count == t.count else {
            throw CorpusError.misaligned(source: sourcePath, sourceLines: s.count, target: targetPath, targetLines: t.count)
        }
        self.init(sources: s, targets: t)
        if sources.isEmpty { throw CorpusError.empty(source: sourcePath, target: targetPath) }
    }

    /// Number of kept sentence pairs.
    public var count: Int { sources.count }

    /// Lines of a UTF-8 text file (or gzip file ending in `.gz`), without line terminators; a final
    /// newline does not start an extra line. `\r\n` endings are accepted.
    public static func readLines(_ path: String) throws -> [String] {
        let data: Data
        if path.hasSuffix(".gz") {
            data = try gunzip(path)
        } else {
            guard let d = FileManager.default.contents(atPath: path) else { throw CorpusError.missingFile(path) }
            data = d
        }
        // Invalid UTF-8 is refused (never replaced silently), naming the byte offset.
        if let bad = TextDataset.firstInvalidUTF8(data) {
            throw CorpusError.unreadable(path, reason: String(format: "not UTF-8 text: an invalid sequence starting with byte 0x%02X at byte %d; convert it to UTF-8, e.g. iconv -f latin1 -t utf-8",
                                                              data[data.startIndex + bad], bad))
        }
        // Split bytes, not Characters: Swift treats "\r\n" as one Character.
        var lines = data.split(separator: 0x0A, omittingEmptySubsequences: false).map { line -> String in
            String(decoding: line.last == 0x0D ? line.dropLast() : line, as: UTF8.self)
        }
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// Decompresses a gzip file with the system's `gzip -dc`.
    static func gunzip(_ path: String) throws -> Data {
        guard FileManager.default.isReadableFile(atPath: path) else { throw CorpusError.missingFile(path) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-dc", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { throw CorpusError.unreadable(path, reason: "gzip could not be started (\(error))") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CorpusError.unreadable(path, reason: "gzip -dc failed; is it a gzip file?") }
        return data
    }
}
