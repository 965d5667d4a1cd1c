import Foundation

/// Writes files so a reader never sees a half-written one: write a temporary file in the same
/// folder, flush it to disk, then rename it over the destination (rename is atomic on POSIX).
public enum AtomicFile {
    /// Atomically replaces (or creates) `url` with `data`.
    public static func write(_ data: Data, to url: URL) throws {
        let dir = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        guard FileManager.default.createFile(atPath: tmp.path, contents: nil) else {
            throw TensorFileError.unreadable(path: tmp.path, reason: "cannot create file (is the folder writable?)")
        }
        let handle = try FileHandle(forWritingTo: tmp)
        do {
            try handle.write(contentsOf: data)
            try handle.synchronize()
            try handle.close()
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(at: tmp)
            throw error
        }
        if rename(tmp.path, url.path) != 0 {
            try? FileManager.default.removeItem(at: tmp)
            throw TensorFileError.unreadable(path: url.path, reason: "rename failed (errno \(errno))")
        }
    }
}
