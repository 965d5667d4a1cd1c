import AttendTensor
import Foundation

/// The runner's forecast for one run, made (and stored) before the run starts.
public struct Estimate: Codable, Equatable, Sendable {
    /// Forecast wall time.
    public var seconds: Double
    /// Forecast peak resident memory.
    public var bytes: Double
    /// Forecast floating-point operations (2 per multiply–add).
    public var flops: Double

    /// A forecast.
    public init(seconds: Double, bytes: Double, flops: Double) {
        self.seconds = seconds; self.bytes = bytes; self.flops = flops
    }
}

/// What one finished run produced: deterministic `values` and `curves` (same seed ⇒ same numbers),
/// machine-dependent `timings` and `timingCurves`, and the resources it used next to the estimate.
public struct RunRecord: Codable, Equatable, Sendable {
    /// The run's stable id (`RunSpec.id`).
    public var id: String
    /// Name of the run's experiment.
    public var experiment: String
    /// What the run measured.
    public var task: String
    /// The run's parameters (kind, length, seed, …).
    public var parameters: [String: String]
    /// Fingerprint of the spec that produced the record (`RunSpec.fingerprint`).
    public var fingerprint: String
    /// Results that depend only on the spec and the seed (losses, bits/dim).
    public var values: [String: Double]
    /// Results that depend on the machine (milliseconds, tokens/s, bytes).
    public var timings: [String: Double]
    /// Deterministic series, e.g. `evalLoss` as [[step, loss]].
    public var curves: [String: [[Double]]]
    /// Machine-dependent series, e.g. `msPerToken` as [[position, ms]].
    public var timingCurves: [String: [[Double]]]
    /// The forecast made before the run.
    public var estimate: Estimate
    /// Measured wall time of the whole run.
    public var wallSeconds: Double
    /// Peak resident set size of the process during the run (VmHWM, reset before the run).
    public var peakResidentBytes: Double
    /// Estimated floating-point operations of the run (from the shapes).
    public var flops: Double
    /// CPU model and thread count.
    public var machine: String
    /// ISO 8601 time the run finished.
    public var finishedAt: String
    /// The git commit of the code that ran it (nil in records written before this field, or outside a checkout).
    public var commit: String?
    /// True when the run continued from a checkpoint an earlier, interrupted runner left (nil otherwise, and in
    /// records written before this field): its wall time, tokens/s and peak memory cover only the part after resuming.
    public var resumed: Bool?

    /// A record with every field given.
    public init(id: String, experiment: String, task: String, parameters: [String: String], fingerprint: String,
                values: [String: Double], timings: [String: Double], curves: [String: [[Double]]], timingCurves: [String: [[Double]]],
                estimate: Estimate, wallSeconds: Double, peakResidentBytes: Double, flops: Double, machine: String, finishedAt: String) {
        self.id = id; self.experiment = experiment; self.task = task; self.parameters = parameters; self.fingerprint = fingerprint
        self.values = values; self.timings = timings; self.curves = curves; self.timingCurves = timingCurves
        self.estimate = estimate; self.wallSeconds = wallSeconds; self.peakResidentBytes = peakResidentBytes; self.flops = flops
        self.machine = machine; self.finishedAt = finishedAt
    }

    /// The record without anything that depends on the machine or the clock (for comparing stores).
    public var withoutTimings: RunRecord {
        var r = self
        r.timings = [:]; r.timingCurves = [:]; r.wallSeconds = 0; r.peakResidentBytes = 0
        r.estimate = Estimate(seconds: 0, bytes: 0, flops: 0); r.machine = ""; r.finishedAt = ""; r.resumed = nil
        return r
    }

    /// A measure by name from `values` or `timings`.
    public func measure(_ name: String) -> Double? { values[name] ?? timings[name] }
}

/// A results folder: `study.json` (the resolved study, so reports regenerate without the spec folder),
/// `plan.json` (estimates made before running) and `results.jsonl` (one `RunRecord` per line).
/// Every write replaces the file atomically, so a killed runner leaves only whole records.
public struct ResultsStore {
    /// The results folder.
    public let folder: URL

    /// The store in `folder` (created on first write).
    public init(folder: URL) { self.folder = folder }

    var resultsURL: URL { folder.appendingPathComponent("results.jsonl") }
    var studyURL: URL { folder.appendingPathComponent("study.json") }

    /// Finished runs, in the order they were stored; unreadable trailing lines are ignored.
    public func records() throws -> [RunRecord] {
        guard let data = FileManager.default.contents(atPath: resultsURL.path) else { return [] }
        let decoder = JSONDecoder()
        return data.split(separator: 0x0A).compactMap { try? decoder.decode(RunRecord.self, from: Data($0)) }
    }

    /// Appends `record` (replacing any earlier record with the same id) by rewriting the file atomically.
    public func append(_ record: RunRecord) throws {
        var all = try records().filter { $0.id != record.id }
        all.append(record)
        try write(all)
    }

    /// Replaces the whole store with `records`.
    public func write(_ records: [RunRecord]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var out = Data()
        for r in records { out.append(try encoder.encode(r)); out.append(0x0A) }
        try AtomicFile.write(out, to: resultsURL)
    }

    /// Stores the resolved study next to the results.
    public func saveStudy(_ study: Study) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(study), to: studyURL)
    }

    /// The study stored by `saveStudy`.
    public func loadStudy() throws -> Study {
        guard let data = FileManager.default.contents(atPath: studyURL.path) else {
            throw SpecError(file: studyURL.path, field: "", message: "no study.json here; is this a results folder written by `attend replicate`?")
        }
        do { return try JSONDecoder().decode(Study.self, from: data) } catch { throw SpecError.from(error, file: studyURL.path) }
    }

    /// Combines the stores in `folders` into this one: the study must agree; a run stored twice keeps the
    /// first copy. Records are ordered as the study lists its runs.
    public func merge(_ folders: [URL]) throws -> Study {
        guard let first = folders.first else { throw SpecError(file: folder.path, field: "--merge", message: "give at least one results folder") }
        let study = try ResultsStore(folder: first).loadStudy()
        var byID: [String: RunRecord] = [:]
        for f in folders {
            let other = ResultsStore(folder: f)
            let s = try other.loadStudy()
            guard s.name == study.name, s.scale == study.scale, s.experiments == study.experiments else {
                throw SpecError(file: other.studyURL.path, field: "", message: "holds study \(s.name) at scale \(s.scale.rawValue) with other experiments than \(first.path); only shards of one sweep can be merged")
            }
            for r in try other.records() where byID[r.id] == nil { byID[r.id] = r }
        }
        let order = study.runs.map(\.id)
        let sorted = order.compactMap { byID[$0] } + byID.values.filter { !order.contains($0.id) }.sorted { $0.id < $1.id }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try saveStudy(study)
        try write(sorted)
        return study
    }
}
