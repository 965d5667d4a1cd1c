import Attend
import Foundation

/// `attend train --config FILE`: a run configuration in the format of a run folder's config.json,
/// read strictly — a missing key, a value of the wrong type or an unknown key is an error naming
/// the file and the key.
enum ConfigFile {
    /// The two formats: a character language model (RunConfig) or an encoder–decoder run
    /// (TranslationRunConfig, recognised by its "task" key).
    enum Contents {
        case languageModel(RunConfig)
        case seq2seq(TranslationRunConfig)
    }

    /// Keys an encoder–decoder run's `data` object may hold.
    static let seq2seqDataKeys: Set<String> = ["task", "examples", "taskLength", "source", "target", "validSource", "validTarget",
                                               "testSource", "testTarget"]

    /// Reads `path`; errors name it as `label` (default "--config PATH"; a resumed run's stored
    /// configuration passes "the run's config.json PATH").
    static func load(_ path: String, label: String? = nil) throws -> Contents {
        let name = label ?? "--config \(path)"
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw CommandError("\(name) does not exist or cannot be read; pass a run folder's config.json")
        }
        let json: JSONTree
        do { json = try JSONDecoder().decode(JSONTree.self, from: bytes) }
        catch { throw CommandError("\(name) is not valid JSON (\(describe(error)))") }
        guard case let .object(top) = json else {
            throw CommandError("\(name) must hold a JSON object (a run folder's config.json), not \(json.text.prefix(40))")
        }
        do {
            if let task = top["task"] {
                guard case let .string(taskName) = task, taskName == "translation" || Seq2SeqTask(rawValue: taskName) != nil else {
                    throw CommandError("\(name): task must be translation or one of \(Seq2SeqTask.allCases.map(\.rawValue).joined(separator: ", ")), got \(task.text)")
                }
                let c = try JSONDecoder().decode(TranslationRunConfig.self, from: bytes)
                try checkKnownKeys(json, against: c, name: name, openObjects: ["data"])
                if case let .object(data)? = top["data"], let bad = data.keys.sorted().first(where: { !seq2seqDataKeys.contains($0) }) {
                    throw CommandError("\(name): unknown key data.\(bad) (an encoder–decoder run's data holds \(seq2seqDataKeys.sorted().joined(separator: ", ")))")
                }
                if taskName != "translation" {
                    for key in ["examples", "taskLength"] where Int(c.data[key] ?? "") == nil {
                        throw CommandError("\(name): data.\(key) must be a whole number in quotes (as config.json writes it), got \(c.data[key].map { "\"\($0)\"" } ?? "nothing")")
                    }
                }
                return .seq2seq(c)
            }
            let c = try JSONDecoder().decode(RunConfig.self, from: bytes)
            try checkKnownKeys(json, against: c, name: name, openObjects: [])
            return .languageModel(c)
        } catch let e as DecodingError {
            var hint = ""
            if case .keyNotFound = e { hint = "; a run folder's config.json has every key (docs/CONFIG.md lists them)" }
            throw CommandError("\(name): \(describe(e))\(hint)")
        }
    }

    /// Refuses keys of `json` that the decoded value does not write back (keys with a null value,
    /// and the contents of `openObjects`, are exempt).
    static func checkKnownKeys<T: Encodable>(_ json: JSONTree, against value: T, name: String, openObjects: Set<String>) throws {
        let known = try JSONDecoder().decode(JSONTree.self, from: JSONEncoder().encode(value))
        func walk(_ given: JSONTree, _ written: JSONTree?, _ prefix: String) throws {
            guard case let .object(g) = given else { return }
            let w: [String: JSONTree]
            if case let .object(x)? = written { w = x } else { w = [:] }
            for (key, value) in g.sorted(by: { $0.key < $1.key }) {
                let dotted = prefix.isEmpty ? key : "\(prefix).\(key)"
                if openObjects.contains(dotted) || value == .null { continue }
                guard let sub = w[key] else {
                    let siblings = w.keys.sorted().joined(separator: ", ")
                    throw CommandError("\(name): unknown key \(dotted) (\(prefix.isEmpty ? "the top level" : prefix) takes \(siblings))")
                }
                try walk(value, sub, dotted)
            }
        }
        try walk(json, known, "")
    }

    /// A decoding error as "missing key model.numHeads" / "model.dropout: expected Float …".
    static func describe(_ error: any Error) -> String {
        func dotted(_ path: [any CodingKey]) -> String {
            path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        guard let e = error as? DecodingError else { return "\(error)" }
        switch e {
        case let .keyNotFound(key, context):
            return "missing key \(dotted(context.codingPath + [key]))"
        case let .typeMismatch(type, context):
            return "\(dotted(context.codingPath)): expected \(type)"
        case let .valueNotFound(type, context):
            return "\(dotted(context.codingPath)): expected \(type), found null"
        case let .dataCorrupted(context):
            let at = dotted(context.codingPath)
            return (at.isEmpty ? "" : "\(at): ") + context.debugDescription
        @unknown default:
            return "\(e)"
        }
    }
}
