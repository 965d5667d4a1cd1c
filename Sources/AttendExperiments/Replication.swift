import Foundation

/// The two commands of the experiment system as library calls: run a study's missing runs and write
/// its report (`attend replicate`), and rewrite a report from stored results, optionally merging
/// shards first (`attend report`).
public enum Replication {
    /// Default results folder of a study at a scale: `reports/<study>` for full, `reports/<study>-<scale>` otherwise.
    public static func defaultFolder(study: String, scale: Scale, root: URL) -> URL {
        root.appendingPathComponent("reports").appendingPathComponent(scale == .full ? study : "\(study)-\(scale.rawValue)")
    }

    /// Loads `Experiments/<study>` under `root`, runs what is missing into `out` and writes the report there
    /// (with `dryRun`, only prints and stores the forecast).
    @discardableResult
    public static func replicate(study name: String, scale: Scale, root: URL, out: URL? = nil, shard: (index: Int, count: Int)? = nil,
                                 language: Report.Language? = nil, dryRun: Bool = false,
                                 log: @escaping (String) -> Void = { _ in }) throws -> (Runner.Summary, URL) {
        let folder = root.appendingPathComponent("Experiments").appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: folder.path) else {
            let known = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("Experiments").path))?.sorted() ?? []
            throw SpecError(file: folder.path, field: "", message: "no such study; studies under Experiments/: \(known.isEmpty ? "none (run from the package root)" : known.joined(separator: ", "))")
        }
        let study = try Study.load(folder: folder, scale: scale)
        let target = out ?? defaultFolder(study: name, scale: scale, root: root)
        let store = ResultsStore(folder: target)
        var runner = Runner(study: study, store: store, root: root, shard: shard, log: log)
        runner.dryRun = dryRun
        let summary = try runner.run()
        if dryRun { return (summary, target) }
        for written in try writeReports(study: study, records: try store.records(), language: language, folder: target) {
            log("wrote \(written.path)")
        }
        return (summary, target)
    }

    /// Rewrites the report in `folder` from its stored results; with `merge`, first combines those
    /// results folders (shards) into `folder`. Writes `report.md` and `report.de.md`, or the one `language` names.
    @discardableResult
    public static func report(folder: URL, merge: [URL] = [], language: Report.Language? = nil) throws -> [URL] {
        let store = ResultsStore(folder: folder)
        let study = merge.isEmpty ? try store.loadStudy() : try store.merge(merge)
        return try writeReports(study: study, records: try store.records(), language: language, folder: folder)
    }

    /// Writes the report in `language`, or in every language when nil; returns the files written.
    static func writeReports(study: Study, records: [RunRecord], language: Report.Language?, folder: URL) throws -> [URL] {
        try (language.map { [$0] } ?? Report.Language.allCases).map { l in
            let report = Report(study: study, records: records, language: l)
            try report.write(to: folder)
            return folder.appendingPathComponent(report.fileName)
        }
    }
}
