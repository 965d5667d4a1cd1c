import Foundation

/// Which code produced a result: the package's release and the git commit of the source tree it was
/// built from (read from `.git` without running git), stored with every run record and printed in reports.
public enum SourceVersion {
    /// The package's release number (also `attend --version`).
    public static let release = "0.6.0"

    /// The commit checked out in `root` (short hash), or nil when `root` is not a git checkout.
    public static func commit(root: URL) -> String? {
        var git = root.appendingPathComponent(".git")
        // A worktree's .git is a file naming the real git directory.
        if let text = try? String(contentsOf: git, encoding: .utf8), text.hasPrefix("gitdir:") {
            git = URL(fileURLWithPath: text.dropFirst(7).trimmingCharacters(in: .whitespacesAndNewlines), relativeTo: root)
        }
        guard let head = try? String(contentsOf: git.appendingPathComponent("HEAD"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines) else { return nil }
        guard head.hasPrefix("ref: ") else { return String(head.prefix(12)) }
        let ref = String(head.dropFirst(5))
        // Refs live in files, or in packed-refs; a worktree shares the main repository's refs (commondir).
        var dirs = [git]
        if let common = try? String(contentsOf: git.appendingPathComponent("commondir"), encoding: .utf8) {
            dirs.append(URL(fileURLWithPath: common.trimmingCharacters(in: .whitespacesAndNewlines), relativeTo: git))
        }
        for dir in dirs {
            if let hash = try? String(contentsOf: dir.appendingPathComponent(ref), encoding: .utf8) {
                return String(hash.trimmingCharacters(in: .whitespacesAndNewlines).prefix(12))
            }
            if let packed = try? String(contentsOf: dir.appendingPathComponent("packed-refs"), encoding: .utf8),
               let line = packed.split(separator: "\n").first(where: { $0.hasSuffix(" " + ref) }) {
                return String(line.prefix(12))
            }
        }
        return nil
    }
}
