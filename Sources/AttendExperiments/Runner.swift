import AttendData
import AttendKernels
import AttendModels
import AttendNN
import AttendTensor
import AttendTrain
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a study's missing runs into a `ResultsStore`: skips runs already stored (same id and
/// fingerprint), forecasts each run before starting it, measures wall time and peak memory, and
/// optionally takes only one shard of the runs (`--shard i/n`).
public struct Runner {
    /// The study whose runs are run.
    public var study: Study
    /// Where finished runs are recorded.
    public var store: ResultsStore
    /// Package root: data paths in the spec are relative to it.
    public var root: URL
    /// (index, count): run only the runs assigned to shard `index` of `count`.
    public var shard: (index: Int, count: Int)?
    /// Progress lines (to standard error in the CLI).
    public var log: (String) -> Void
    /// Only forecast: print and store the plan, run nothing.
    public var dryRun = false
    /// Stop each training run after this many steps of this invocation: its checkpoint is kept, nothing is
    /// recorded, and the sweep stops there (`Summary.paused`); the next invocation continues the run. For
    /// time-boxed sessions and the resume tests.
    public var stopAfterSteps: Int?
    /// The commit checked out when the runner was made, recorded with every run: the code that runs is the
    /// build made from it, even if the checkout moves on while a long sweep is running.
    public var commit: String?

    /// A runner of `study` into `store`.
    public init(study: Study, store: ResultsStore, root: URL, shard: (index: Int, count: Int)? = nil, log: @escaping (String) -> Void = { _ in }) {
        self.study = study; self.store = store; self.root = root; self.shard = shard; self.log = log
        commit = SourceVersion.commit(root: root)
    }

    /// A sweep's shard: runs are assigned longest-first (by estimated FLOPs, machine-independent) to the
    /// least-loaded shard, so every machine computes the same split.
    public static func assign(_ runs: [RunSpec], flops: [Double], shards: Int) -> [Int] {
        var load = [Double](repeating: 0, count: shards), owner = [Int](repeating: 0, count: runs.count)
        let order = runs.indices.sorted { flops[$0] != flops[$1] ? flops[$0] > flops[$1] : $0 < $1 }
        for i in order {
            let s = load.indices.min { load[$0] != load[$1] ? load[$0] < load[$1] : $0 < $1 }!
            owner[i] = s
            load[s] += max(flops[i], 1)
        }
        return owner
    }

    /// What `run()` did.
    public struct Summary {
        /// Runs executed now.
        public var ran: Int
        /// Runs of this shard already stored.
        public var skipped: Int
        /// Wall time of this invocation.
        public var seconds: Double
        /// The run that was stopped part-way (`stopAfterSteps`), if any.
        public var paused: RunPaused? = nil
    }

    /// Runs every missing run of this shard, storing each record as soon as it finishes.
    @discardableResult
    public func run() throws -> Summary {
        try FileManager.default.createDirectory(at: store.folder, withIntermediateDirectories: true)
        try store.saveStudy(study)
        let ignore = store.folder.appendingPathComponent(".gitignore")
        if !FileManager.default.fileExists(atPath: ignore.path) { try AtomicFile.write(Data("checkpoints/\n".utf8), to: ignore) }
        let all = study.runs
        let zeroEstimator = Estimator(peakGFLOPs: 1, baseBytes: 0)
        let flops = all.map { zeroEstimator.estimate($0).flops }
        let owner = shard.map { Runner.assign(all, flops: flops, shards: $0.count) }
        let mine = all.indices.filter { owner == nil || owner![$0] == shard!.index }.map { all[$0] }
        let done = Dictionary(try store.records().map { ($0.id, $0.fingerprint) }, uniquingKeysWith: { a, _ in a })
        let todo = mine.filter { done[$0.id] != $0.fingerprint }
        log("study \(study.name), scale \(study.scale.rawValue): \(all.count) runs\(shard.map { ", shard \($0.index)/\($0.count): \(mine.count)" } ?? ""); \(mine.count - todo.count) already stored, \(todo.count) to run")
        if todo.isEmpty { return Summary(ran: 0, skipped: mine.count, seconds: 0) }
        let peak = measureFMAPeak(threads: Threading.count, seconds: 0.2)
        let estimator = Estimator(peakGFLOPs: peak, baseBytes: Double(ResourceUsage.residentBytes() ?? 0))
        let plan = todo.map { ($0.id, estimator.estimate($0)) }
        let total = plan.reduce(0) { $0 + $1.1.seconds }
        log(String(format: "machine: %@, %d threads, FMA peak %.0f GFLOP/s; estimated total %@", ResourceUsage.cpuModel(), Threading.count, peak, Runner.duration(total)))
        try savePlan(plan, peak: peak)
        if dryRun {
            for (id, e) in plan { log(String(format: "  %@: %@, %.0f MB, %.3g GFLOP", id, Runner.duration(e.seconds), e.bytes / 1e6, e.flops / 1e9)) }
            return Summary(ran: 0, skipped: mine.count - todo.count, seconds: 0)
        }
        let started = Date()
        var estimatedSoFar = 0.0, measuredSoFar = 0.0
        for (i, run) in todo.enumerated() {
            // SIGINT/SIGTERM between runs stops the sweep here (a training run in flight checkpoints itself first).
            if let signal = Interruption.requested { throw TrainError.interrupted(signal: signal, step: 0, run: nil) }
            let estimate = plan[i].1
            let remaining = plan[i...].reduce(0) { $0 + $1.1.seconds } * (estimatedSoFar > 0 ? measuredSoFar / estimatedSoFar : 1)
            log(String(format: "[run %d/%d] %@ — estimate %@, %.0f MB, %.2g GFLOP; ETA %@", i + 1, todo.count, run.id,
                       Runner.duration(estimate.seconds), estimate.bytes / 1e6, estimate.flops / 1e9, Runner.duration(remaining)))
            let record: RunRecord
            do { record = try execute(run, estimate: estimate) } catch let paused as RunPaused {
                log("          \(paused)")
                return Summary(ran: i, skipped: mine.count - todo.count, seconds: Date().timeIntervalSince(started), paused: paused)
            }
            try store.append(record)
            try? FileManager.default.removeItem(at: runFolder(run))
            estimatedSoFar += estimate.seconds
            measuredSoFar += record.wallSeconds
            log(String(format: "          done in %@ (estimated %@), peak RSS %.0f MB", Runner.duration(record.wallSeconds),
                       Runner.duration(estimate.seconds), record.peakResidentBytes / 1e6))
        }
        return Summary(ran: todo.count, skipped: mine.count - todo.count, seconds: Date().timeIntervalSince(started))
    }

    /// A run's checkpoint folder: `checkpoints/<id>-<fingerprint>` in the results folder (a changed spec
    /// gets a fresh folder; git ignores them through the results folder's .gitignore).
    func runFolder(_ run: RunSpec) -> URL {
        let name = String(run.id.map { $0.isLetter || $0.isNumber || "-_.=".contains($0) ? $0 : "_" })
        return store.folder.appendingPathComponent("checkpoints").appendingPathComponent("\(name)-\(run.fingerprint)")
    }

    /// Writes the forecasts made before running (`plan.json`).
    func savePlan(_ plan: [(String, Estimate)], peak: Double) throws {
        struct Plan: Codable { var peakGFLOPs: Double; var runs: [String: Estimate] }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var runs: [String: Estimate] = [:]
        for (id, e) in plan { runs[id] = e }
        let name = shard.map { "plan-shard\($0.index)of\($0.count).json" } ?? "plan.json"
        try AtomicFile.write(try encoder.encode(Plan(peakGFLOPs: peak, runs: runs)), to: store.folder.appendingPathComponent(name))
    }

    static func duration(_ s: Double) -> String {
        guard s.isFinite else { return "?" }
        if s < 60 { return String(format: "%.1fs", s) }
        let n = Int(s.rounded())
        return n >= 3600 ? String(format: "%dh%02dm", n / 3600, n % 3600 / 60) : String(format: "%dm%02ds", n / 60, n % 60)
    }

    /// Resets the kernel's peak-RSS counter (VmHWM) so the next reading covers only this run (Linux ≥ 4.0).
    /// Freed heap memory is first handed back to the OS (`malloc_trim`), so the new baseline is what
    /// the process really holds and not what an earlier run left in the allocator.
    static func resetPeakResident() {
        #if canImport(Glibc)
        // malloc_trim is glibc-only and not in Swift's Glibc module map; look it up at run time.
        if let symbol = dlsym(dlopen(nil, RTLD_NOW), "malloc_trim") {
            typealias Trim = @convention(c) (Int) -> Int32
            _ = unsafeBitCast(symbol, to: Trim.self)(0)
        }
        #endif
        if let h = FileHandle(forWritingAtPath: "/proc/self/clear_refs") {
            h.write(Data("5".utf8))
            try? h.close()
        }
    }

    /// Runs one run and returns its record.
    public func execute(_ run: RunSpec, estimate: Estimate) throws -> RunRecord {
        BufferPool.shared.drain()
        Runner.resetPeakResident()
        let start = Date()
        var record = RunRecord(id: run.id, experiment: run.experiment.name, task: run.experiment.task, parameters: run.parameters,
                               fingerprint: run.fingerprint, values: [:], timings: [:], curves: [:], timingCurves: [:],
                               estimate: estimate, wallSeconds: 0, peakResidentBytes: 0, flops: estimate.flops,
                               machine: "\(ResourceUsage.cpuModel()), \(Threading.count) threads", finishedAt: "")
        // Timing runs are repeated (up to twice) when other processes used more than `MachineLoad.disturbedAbove`
        // of the machine meanwhile; the least disturbed measurement is kept and its load recorded.
        let task = run.experiment.settings
        // A checkpoint folder with anything in it is an earlier invocation's unfinished run, which this one continues.
        let resumed = (try? FileManager.default.contentsOfDirectory(atPath: runFolder(run).path))?.isEmpty == false
        let context = RunContext(root: root, folder: runFolder(run), estimate: estimate, stopAfterSteps: stopAfterSteps)
        var best: (record: RunRecord, load: Double)?
        for attempt in 0..<(type(of: task).measuresSpeed ? 3 : 1) {
            var attemptRecord = record
            let (_, load) = try MachineLoad.measure { try task.execute(run, in: context, record: &attemptRecord) }
            if best == nil || (load ?? 0) < best!.load { best = (attemptRecord, load ?? 0) }
            if (load ?? 0) <= MachineLoad.disturbedAbove { break }
            log(String(format: "          other processes used %.0f%% of the machine during this measurement%@", 100 * (load ?? 0),
                       attempt < 2 && type(of: task).measuresSpeed ? "; repeating it" : ""))
        }
        record = best!.record
        record.timings["otherLoad"] = best!.load
        record.wallSeconds = Date().timeIntervalSince(start)
        record.peakResidentBytes = Double(ResourceUsage.peakResidentBytes() ?? 0)
        record.finishedAt = ISO8601DateFormatter().string(from: Date())
        record.commit = commit
        record.resumed = resumed ? true : nil
        BufferPool.shared.drain()
        return record
    }
}
