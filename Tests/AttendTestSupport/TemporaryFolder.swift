import Foundation

/// A fresh temporary folder for one test (created; unique per process and call). Every folder made here is
/// removed when the test process exits normally; set `ATTEND_KEEP_TEST_FOLDERS=1` to keep them for inspection
/// (a crashed run keeps them too).
public func temporaryFolder(_ name: String) -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("attend-tests-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    TemporaryFolders.shared.register(url)
    return url
}

/// The folders `temporaryFolder` made in this process, removed at exit.
final class TemporaryFolders: @unchecked Sendable {
    static let shared = TemporaryFolders()
    private let lock = NSLock()
    private var folders: [URL] = []
    private var installed = false

    func register(_ url: URL) {
        lock.lock(); defer { lock.unlock() }
        folders.append(url)
        guard !installed else { return }
        installed = true
        if ProcessInfo.processInfo.environment["ATTEND_KEEP_TEST_FOLDERS"] != "1" {
            atexit { TemporaryFolders.shared.removeAll() }
        }
    }

    func removeAll() {
        lock.lock(); let all = folders; folders = []; lock.unlock()
        for url in all { try? FileManager.default.removeItem(at: url) }
    }
}
