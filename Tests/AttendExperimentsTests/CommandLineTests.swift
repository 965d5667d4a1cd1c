import Attend
import AttendTestSupport
import Foundation
import Testing

/// Runs the built `attend` executable (beside the test bundle) in `directory`; returns status and output.
func runAttend(_ args: [String], in directory: URL = packageRoot) throws -> (status: Int32, output: String) {
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    if dir.lastPathComponent.hasSuffix(".xctest") { dir = dir.deletingLastPathComponent() }
    let log = temporaryFolder("cli").appendingPathComponent("log.txt")
    FileManager.default.createFile(atPath: log.path, contents: nil)
    let handle = try FileHandle(forWritingTo: log)
    let p = Process()
    p.executableURL = dir.appendingPathComponent("attend")
    p.arguments = args
    p.currentDirectoryURL = directory
    p.standardOutput = handle
    p.standardError = handle
    try p.run()
    p.waitUntilExit()
    return (p.terminationStatus, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
}

@Suite("attend replicate / report on the command line", .serialized, .tags(.slow), .slowSuite)
struct ReplicateCommandLineTests {
    @Test("an unknown study, a bad --shard and a malformed spec are one-line errors, not stack traces")
    func userErrors() throws {
        let unknown = try runAttend(["replicate", "no-such-study", "--scale", "tiny", "--dry-run"])
        #expect(unknown.status == 1)
        #expect(unknown.output.contains("no such study") && unknown.output.contains("linear-attention"))
        let shard = try runAttend(["replicate", "linear-attention", "--scale", "tiny", "--shard", "2/2", "--dry-run"])
        #expect(shard.status == 64)
        #expect(shard.output.contains("--shard expects i/n"))
        // A copy of the study with a typo in one experiment.
        let root = temporaryFolder("badspec")
        let study = root.appendingPathComponent("Experiments/broken")
        try FileManager.default.createDirectory(at: study, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: packageRoot.appendingPathComponent("Experiments/linear-attention/study.json"), to: study.appendingPathComponent("study.json"))
        try Data(#"{"experiments": [{"name": "scaling", "task": "attention-scaling", "kinds": ["softmax", "linear-elu"], "lengths": [16]}]}"#.utf8)
            .write(to: study.appendingPathComponent("tiny.json"))
        let bad = try runAttend(["replicate", "broken", "--scale", "tiny"], in: root)
        #expect(bad.status == 1)
        #expect(bad.output.contains("tiny.json: field 'experiments[0].kinds[1]': 'linear-elu' is not allowed; choose from softmax, linear"), "\(bad.output)")
        #expect(!bad.output.contains("Fatal error"))
    }

    @Test("--dry-run prints the forecast of every run and runs nothing")
    func dryRun() throws {
        let out = temporaryFolder("dry")
        let r = try runAttend(["replicate", "linear-attention", "--scale", "full", "--dry-run", "--out", out.path])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.contains("estimated total"))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("plan.json").path))
        #expect(try ResultsStore(folder: out).records().isEmpty)
    }
}
