import ArgumentParser
import Attend
import Foundation

extension Scale: ExpressibleByArgument {}
extension Report.Language: ExpressibleByArgument {}

/// Parses `i/n` for `--shard`.
func parseShard(_ s: String) throws -> (index: Int, count: Int) {
    let parts = s.split(separator: "/").map { Int($0) }
    guard parts.count == 2, let i = parts[0], let n = parts[1], n > 0, i >= 0, i < n else {
        throw ValidationError("--shard expects i/n with 0 ≤ i < n (e.g. 0/2), got '\(s)'")
    }
    return (i, n)
}

struct Replicate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a replication study's missing runs (resumable, shardable) and write its report.",
        discussion: HelpExamples.discussion("replicate", "Studies are JSON specs under Experiments/<study>/ (study.json + tiny/quick/full.json). Results go to --out as results.jsonl (one record per finished run); re-running skips stored runs. With --shard i/n only that part of the sweep runs; combine shards with `attend report <out> --merge <shard folders…>`."))

    @Argument(help: "Study name, a folder under Experiments/ (e.g. linear-attention).") var study: String
    @Option(help: "tiny (seconds, tests), quick (≤ 10 min in release) or full (the report's scale; hours).") var scale: Scale = .quick
    @Option(help: "Results and report folder (default reports/<study> for full, reports/<study>-<scale> otherwise).") var out: String?
    @Option(help: "Run only shard i of n (e.g. 0/2), for batch schedulers such as Slurm job arrays.") var shard: String?
    @Option(help: "Write only this report: en (report.md) or de (report.de.md); default both.") var language: Report.Language?
    @Flag(help: "Only print and store (plan.json) the time/memory forecast of the missing runs; run nothing.") var dryRun = false

    func run() throws {
        let shardValue = try shard.map(parseShard)
        Interruption.install()
        let again = (["attend", "replicate", study, "--scale", scale.rawValue] + (out.map { ["--out", $0] } ?? []) + (shard.map { ["--shard", $0] } ?? [])).joined(separator: " ")
        try reportingErrors {
            do {
                let root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
                let started = Date()
                let (summary, folder) = try Replication.replicate(study: study, scale: scale, root: root, out: out.map { URL(fileURLWithPath: $0) },
                                                                  shard: shardValue, language: language, dryRun: dryRun) { writeError($0 + "\n") }
                if dryRun { return }
                if let paused = summary.paused { print("\(paused); continue with: \(again)") }
                print("\(summary.ran) run(s) done, \(summary.skipped) already stored; wall time \(formatDuration(Date().timeIntervalSince(started))); report: \(folder.path)/report.md")
            } catch let TrainError.interrupted(signal, _, run) {
                // Every finished run is stored; a training run in flight left its checkpoint, which the next invocation continues.
                writeError("\n\(Interruption.name(signal)): the sweep stopped\(run.map { " mid-run (checkpoint kept in \($0))" } ?? " between runs"); finished runs are stored\n")
                writeError("continue with: \(again)\n")
                throw ExitCode(Interruption.exitStatus(signal))
            }
        }
    }
}

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Rewrite a study's report from stored results (no retraining); --merge combines shard folders first.",
            discussion: HelpExamples.discussion("report"))

    @Argument(help: "Results folder, or a study name (then reports/<study>).") var target: String
    @Option(parsing: .upToNextOption, help: "Results folders of shards to merge into the target folder.") var merge: [String] = []
    @Option(help: "Write only this report: en (report.md) or de (report.de.md); default both.") var language: Report.Language?

    func run() throws {
        try reportingErrors {
            var folder = URL(fileURLWithPath: target)
            let isFolder = FileManager.default.fileExists(atPath: folder.appendingPathComponent("study.json").path) || !merge.isEmpty
            if !isFolder && !target.contains("/") { folder = URL(fileURLWithPath: "reports").appendingPathComponent(target) }
            for file in try Replication.report(folder: folder, merge: merge.map { URL(fileURLWithPath: $0) }, language: language) {
                print("wrote \(file.path)")
            }
        }
    }
}
