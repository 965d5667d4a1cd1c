import AttendNN
import Foundation

/// What an experiment measures, in one file per task: its settings (read strictly from the scale file),
/// the runs they expand into, the forecast, the execution and its part of the report. A new task is
/// that file plus one line in `ExperimentTasks.all`.
protocol ExperimentTask: Sendable {
    /// The name scale files use (`"task": "copy"`).
    static var name: String { get }
    /// The keys of the experiment object the task reads, besides `name` and `task`, in the order it writes them.
    static var keys: [String] { get }
    /// Keys holding the lists runs are drawn from (kinds, lengths, seeds, variants …): left out of
    /// fingerprints, so adding an entry runs only the new runs.
    static var listKeys: [String] { get }
    /// Whether the runs measure speed (then a run disturbed by other load is repeated, see `MachineLoad`).
    static var measuresSpeed: Bool { get }
    /// Reads the settings (keys outside `keys` are already rejected).
    init(_ c: StrictContainer) throws
    /// Writes the settings under `keys`, so a stored study decodes again with the strict decoder.
    func encode(to c: inout KeyedEncodingContainer<AnyKey>) throws
    /// The parameters of each run, in a fixed order (its id is built from them).
    func runs() -> [[String: String]]
    /// What defines one run beyond the settings (a sweep's resolved configuration); part of its fingerprint.
    func definition(of parameters: [String: String]) -> JSONValue
    /// The forecast of one run.
    func estimate(_ run: RunSpec, with estimator: Estimator) -> Estimate
    /// Runs one run, filling its record's values, curves and timings.
    func execute(_ run: RunSpec, in context: RunContext, record: inout RunRecord) throws
    /// The report's model table cells after the experiment and task: attention | layers | heads | width | parameters.
    func modelCells(_ w: ReportWords) -> String
    /// The report's data line for experiment `name`.
    func dataLine(_ name: String, _ w: ReportWords) -> String
    /// The report's hyperparameter lines for experiment `name` (empty for untrained tasks).
    func hyperparameters(_ name: String, _ w: ReportWords) -> String
    /// The report's results for this experiment from its stored records.
    func section(_ e: Experiment, records: [RunRecord], figures: inout [String: String], _ w: ReportWords) -> String
    /// The same, given the study's other experiments with their records, for a section that sets its runs beside
    /// another experiment's (ablations beside their baseline); by default the others are not used.
    func section(_ e: Experiment, records: [RunRecord], others: [(Experiment, [RunRecord])], figures: inout [String: String],
                 _ w: ReportWords) -> String
}

extension ExperimentTask {
    static var measuresSpeed: Bool { false }
    func definition(of parameters: [String: String]) -> JSONValue { .null }
    func hyperparameters(_ name: String, _ w: ReportWords) -> String { "" }
    func section(_ e: Experiment, records: [RunRecord], others: [(Experiment, [RunRecord])], figures: inout [String: String],
                 _ w: ReportWords) -> String {
        section(e, records: records, figures: &figures, w)
    }
}

/// The registered experiment tasks: one line per task.
enum ExperimentTasks {
    static let all: [any ExperimentTask.Type] = [
        AttentionScalingExperiment.self,
        GenerationExperiment.self,
        CopyExperiment.self,
        PixelsExperiment.self,
        CharLMExperiment.self,
        CharLMAuditExperiment.self,
        Seq2SeqExperiment.self,
        MemoryRegressionExperiment.self,
        TranslationExperiment.self,
    ]

    static var names: [String] { all.map { $0.name } }

    static func named(_ name: String) -> (any ExperimentTask.Type)? { all.first { $0.name == name } }
}

/// What a running task may use besides its run.
public struct RunContext: Sendable {
    /// Package root: data paths in specs are relative to it.
    public var root: URL
    /// The run's own folder for checkpoints (training runs resume from it; the runner deletes it once the
    /// run's record is stored).
    public var folder: URL
    /// The run's forecast (training runs space their checkpoints by it).
    public var estimate: Estimate
    /// Stop a training run after this many more steps (checkpointed, not recorded; see `Runner.stopAfterSteps`).
    public var stopAfterSteps: Int?
}

/// A training run stopped before its last step on purpose (`Runner.stopAfterSteps`); its checkpoint is kept.
public struct RunPaused: Error, CustomStringConvertible {
    /// The run and the step it stopped after.
    public var id: String, step: Int
    public var description: String { "\(id) stopped after step \(step); its checkpoint is kept and the next run continues it" }
}

/// One experiment of a scale file: a name, a task and the task's settings; it expands into runs.
/// Keys its task does not read are rejected.
public struct Experiment: Codable, Equatable, Sendable {
    /// Unique name within the scale (claims select runs by it).
    public var name: String
    /// The task's name (`attention-scaling`, `generation`, `copy`, `pixels`, `char-lm`, `seq2seq`).
    public var task: String { type(of: settings).name }
    /// The task with its settings.
    var settings: any ExperimentTask

    public init(from decoder: Decoder) throws {
        let probe = try decoder.container(keyedBy: AnyKey.self)
        let taskName = try probe.decode(String.self, forKey: AnyKey("task"))
        guard let type = ExperimentTasks.named(taskName) else {
            throw DecodingError.dataCorrupted(.init(codingPath: probe.codingPath + [AnyKey("task")],
                debugDescription: "'\(taskName)' is not allowed; choose from \(ExperimentTasks.names.joined(separator: ", "))"))
        }
        let c = try StrictContainer(decoder, allowed: ["name", "task"] + type.keys)
        name = try c("name")
        if name.isEmpty || name.contains("/") { throw c.invalid("name", "must be a non-empty name without '/'") }
        settings = try type.init(c)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: AnyKey.self)
        try c.encode(name, forKey: AnyKey("name"))
        try c.encode(task, forKey: AnyKey("task"))
        try settings.encode(to: &c)
    }

    /// The experiment as JSON (its stored form).
    public var json: JSONValue { (try? JSONValue(encoding: self)) ?? .null }

    public static func == (a: Experiment, b: Experiment) -> Bool { a.json == b.json }

    /// A copy with the stored form patched (JSON merge patch), decoded strictly again — e.g. a test adding a kind.
    public func patched(_ patch: JSONValue) throws -> Experiment { try json.merged(with: patch).decode() }

    /// The runs this experiment expands into, in a fixed order.
    public func runs() -> [RunSpec] { settings.runs().map { RunSpec(experiment: self, parameters: $0) } }
}

/// One run: an experiment with its varying parameters fixed (kind, length, seed, variant, …).
public struct RunSpec: Sendable {
    /// The experiment the run belongs to.
    public var experiment: Experiment
    /// The values that distinguish this run inside its experiment (claims select runs by them).
    public var parameters: [String: String]

    /// Stable identifier, e.g. `scaling/kind=linear,length=1024`.
    public var id: String {
        experiment.name + "/" + parameters.keys.sorted().map { "\($0)=\(parameters[$0]!)" }.joined(separator: ",")
    }

    /// Fingerprint of everything that defines the run (the experiment's settings without the lists runs
    /// are drawn from, the run's resolved definition and its id), so a stored result of a changed spec is
    /// not mistaken for this run's, while adding a kind or a seed re-runs only the new runs.
    public var fingerprint: String {
        var settings = experiment.json.members
        for key in type(of: experiment.settings).listKeys { settings[key] = nil }
        var bytes = Array(JSONValue.object(settings).description.utf8)
        bytes += Array(experiment.settings.definition(of: parameters).description.utf8)
        bytes += Array(id.utf8)
        var hash: UInt64 = 0xcbf29ce484222325  // FNV-1a
        for b in bytes { hash = (hash ^ UInt64(b)) &* 0x100000001b3 }
        return String(hash, radix: 16)
    }

    /// The run's attention kind (softmax if it has none).
    public var kind: AttentionKind { AttentionKind(rawValue: parameters["kind"] ?? "") ?? .softmax }
    /// An integer parameter (0 if absent).
    public func int(_ key: String) -> Int { Int(parameters[key] ?? "") ?? 0 }
}
