import Attend
import AttendTestSupport
import Foundation
import Testing

/// One row of the glossary table in docs/CONFIG.md.
struct GlossaryRow {
    let flag: String
    let keys: String
    /// Default per task column (character LM, synthetic, translation); "—" = not read by that task.
    let defaults: [String]
}

/// docs/CONFIG.md, its generated table, and the table's rows.
enum GlossaryDoc {
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The text between the glossary markers.
    static func table() throws -> String {
        let doc = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/CONFIG.md"), encoding: .utf8)
        guard let begin = doc.range(of: "<!-- glossary:begin"), let end = doc.range(of: "<!-- glossary:end -->") else {
            Issue.record("docs/CONFIG.md has no glossary markers")
            return ""
        }
        let afterBegin = doc[begin.upperBound...].firstIndex(of: "\n").map { doc.index(after: $0) } ?? begin.upperBound
        return String(doc[afterBegin..<end.lowerBound])
    }

    /// The table's body rows, cells split at unescaped "|".
    static func rows(_ table: String) -> [GlossaryRow] {
        table.split(separator: "\n").dropFirst(2).map { line in
            var cells: [String] = [], cell = "", escaped = false
            for ch in line.dropFirst().dropLast() {
                if ch == "\\" { escaped = true; cell.append(ch); continue }
                if ch == "|" && !escaped { cells.append(cell.trimmingCharacters(in: .whitespaces)); cell = "" } else { cell.append(ch) }
                escaped = false
            }
            cells.append(cell.trimmingCharacters(in: .whitespaces))
            return GlossaryRow(flag: cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`")), keys: cells[2],
                               defaults: Array(cells[4...]))
        }
    }
}

@Suite("attend train: option groups, --config and the glossary", .serialized, .tags(.slow), .slowSuite)
struct ConfigCommandLineTests {
    let text = cliTextFile("config-text")

    /// The smallest arguments selecting each task column of the glossary (LM, synthetic, translation).
    static let taskArgs: [[String]] = [[], ["--task", "reverse"], ["--task", "translation"]]
    static let taskNames = ["the character language model (no --task)", "--task reverse", "--task translation"]

    static let tinyReverse = ["--task", "reverse", "--task-length", "3", "--examples", "200", "--model-dim", "16", "--num-heads", "2",
                              "--num-layers", "1", "--hidden-dim", "32", "--max-length", "12", "--batch-tokens", "200",
                              "--max-steps", "4", "--eval-interval", "2", "--seed", "5", "--quiet"]

    @Test("attend train --task reverse --context-length 64 fails with one line naming the flag, the task and what to use instead")
    func refusesContextLengthForReverse() throws {
        let r = try AttendProcess.run(["train", "--task", "reverse", "--context-length", "64", "--out", temporaryFolder("refuse").path])
        #expect(r.status == 1, "\(r.output)")
        #expect(r.output.contains("error: --context-length is not used by --task reverse"), "\(r.output)")
        #expect(r.output.contains("--max-length"), "\(r.output)")
        #expect(!r.output.contains("Fatal error") && !r.output.contains("Usage:"), "\(r.output)")
        let lm = try AttendProcess.run(["train", "--data", text.path, "--label-smoothing", "0.2", "--batch-tokens", "100",
                                        "--out", temporaryFolder("refuse-lm").path])
        #expect(lm.status == 1, "\(lm.output)")
        #expect(lm.output.contains("--batch-tokens, --label-smoothing are not used by the character language model (no --task)"), "\(lm.output)")
    }

    @Test("every flag a task does not read (— in the glossary) is refused for that task, naming flag and task")
    func refusesEveryUnreadFlag() throws {
        let rows = GlossaryDoc.rows(try GlossaryDoc.table())
        #expect(rows.count > 50)
        var checked = 0
        for row in rows {
            for (column, value) in row.defaults.enumerated() where value == "—" {
                // A value of the flag's type: another task's default, else 1.
                let example = row.defaults.first { $0 != "—" && $0 != "none" && !$0.contains(" ") && !$0.contains("<") } ?? "1"
                // A pure flag (default "off", e.g. --bytes) takes no value.
                let args = ["train"] + Self.taskArgs[column] + [row.flag] + (example == "off" ? [] : [example]) + ["--out", temporaryFolder("unread").path]
                let r = try AttendProcess.run(args)
                #expect(r.status == 1, "\(args): \(r.output)")
                #expect(r.output.contains("\(row.flag) is not used by \(Self.taskNames[column])"), "\(args): \(r.output)")
                checked += 1
            }
        }
        #expect(checked > 40)
    }

    @Test("docs/CONFIG.md's glossary is the code's (attend glossary), has a row for every attend train flag, and names real config.json keys")
    func glossaryInStep() throws {
        let generated = try AttendProcess.run(["glossary"])
        #expect(generated.status == 0)
        let table = try GlossaryDoc.table()
        #expect(generated.output == table, "docs/CONFIG.md is out of date: regenerate its table with `attend glossary`")

        // Every flag of attend train, from ArgumentParser's own description of the command.
        let dump = try AttendProcess.run(["train", "--experimental-dump-help"])
        #expect(dump.status == 0)
        struct Dump: Decodable {
            struct Command: Decodable { let arguments: [Argument] }
            struct Argument: Decodable { let names: [Name]?; let shouldDisplay: Bool }
            struct Name: Decodable { let kind: String; let name: String }
            let command: Command
        }
        let parsed = try JSONDecoder().decode(Dump.self, from: Data(dump.output.utf8))
        let shown: [Dump.Argument] = parsed.command.arguments.filter(\.shouldDisplay)
        let names: [Dump.Name] = shown.flatMap { $0.names ?? [] }
        let longNames: [String] = names.filter { $0.kind == "long" && $0.name != "help" && $0.name != "version" }.map { "--" + $0.name }
        let flags = Set(longNames)
        let rows = GlossaryDoc.rows(table)
        let documented = Set(rows.map(\.flag))
        #expect(flags.subtracting(documented).isEmpty, "flags without a glossary row: \(flags.subtracting(documented).sorted())")
        #expect(documented.subtracting(flags).isEmpty, "glossary rows that are not flags: \(documented.subtracting(flags).sorted())")
        #expect(rows.count == documented.count, "a flag has two rows")

        // The keys are real: every one appears in an encoded configuration of a task that reads it.
        var lm = tinyConfig(vocab: 30)
        lm.data = "x"
        var seq2seq = TranslationRunConfig(task: "reverse", model: EncoderDecoderConfig(vocabSize: 15), training: TranslationTrainConfig(), data: [:])
        seq2seq.training.timeLimitMinutes = 1
        seq2seq.training.precision = .fp32
        seq2seq.model.keyDim = 8  // optional keys are written only when set
        func keys<T: Encodable>(_ value: T) throws -> Set<String> {
            var out: Set<String> = []
            func walk(_ x: Any, _ path: String) {
                if let d = x as? [String: Any] { for (k, v) in d { walk(v, path.isEmpty ? k : "\(path).\(k)") } } else { out.insert(path) }
            }
            walk(try JSONSerialization.jsonObject(with: JSONEncoder().encode(value)), "")
            return out
        }
        let lmKeys = try keys(lm)
        let seq2seqKeys = try keys(seq2seq).union(["examples", "taskLength", "source", "target", "validSource", "validTarget",
                                                  "testSource", "testTarget"].map { "data.\($0)" })
        for row in rows {
            let named = row.keys.split(separator: "`").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
            for key in named {
                let lmOnly = row.defaults[1] == "—" && row.defaults[2] == "—"
                let family: Set<String> = row.defaults[0] == "—" ? seq2seqKeys : (lmOnly ? lmKeys : lmKeys.union(seq2seqKeys))
                #expect(family.contains(key), "\(row.flag): \(key) is not a config.json key")
            }
        }
    }

    @Test("attend train --config runs/x/config.json --out runs/y reproduces run x's losses (character LM and --task reverse), and flags override single keys")
    func configReproducesRun() throws {
        // Character LM, with non-default settings that must come from the file.
        let x = temporaryFolder("config-x")
        let first = try AttendProcess.run(["train", "--preset", "tiny", "--data", text.path, "--max-steps", "12", "--eval-interval", "6",
                                           "--eval-batches", "2", "--learning-rate", "2e-3", "--seed", "9", "--model-dim", "16",
                                           "--out", x.path, "--quiet"])
        #expect(first.status == 0, "\(first.output)")
        let y = temporaryFolder("config-y")
        let again = try AttendProcess.run(["train", "--config", x.appendingPathComponent("config.json").path, "--out", y.path, "--quiet"])
        #expect(again.status == 0, "\(again.output)")
        func config(_ run: URL) throws -> RunConfig {
            try JSONDecoder().decode(RunConfig.self, from: Data(contentsOf: run.appendingPathComponent("config.json")))
        }
        #expect(try config(y) == config(x))
        let a = try runMetrics(x), b = try runMetrics(y)
        #expect(!a.isEmpty && a.map(\.step) == b.map(\.step))
        #expect(a.map(\.loss) == b.map(\.loss))
        #expect(a.map(\.validationLoss) == b.map(\.validationLoss))

        // A flag with --config changes its own key only (no derived defaults).
        let z = temporaryFolder("config-z")
        let changed = try AttendProcess.run(["train", "--config", x.appendingPathComponent("config.json").path, "--out", z.path,
                                             "--learning-rate", "1e-3", "--max-steps", "3", "--quiet"])
        #expect(changed.status == 0, "\(changed.output)")
        var expected = try config(x)
        expected.training.learningRate = 1e-3
        expected.training.maxSteps = 3
        #expect(try config(z) == expected)

        // Synthetic reverse task.
        let rx = temporaryFolder("config-rx"), ry = temporaryFolder("config-ry")
        let r1 = try AttendProcess.run(["train"] + Self.tinyReverse + ["--label-smoothing", "0.2", "--out", rx.path])
        #expect(r1.status == 0, "\(r1.output)")
        let r2 = try AttendProcess.run(["train", "--config", rx.appendingPathComponent("config.json").path, "--out", ry.path, "--quiet"])
        #expect(r2.status == 0, "\(r2.output)")
        func seq2seq(_ run: URL) throws -> TranslationRunConfig {
            try JSONDecoder().decode(TranslationRunConfig.self, from: Data(contentsOf: run.appendingPathComponent("config.json")))
        }
        #expect(try seq2seq(ry) == seq2seq(rx))
        #expect(try seq2seq(ry).training.labelSmoothing == 0.2)
        let c = try runMetrics(rx), d = try runMetrics(ry)
        #expect(!c.isEmpty && c.map(\.step) == d.map(\.step))
        #expect(c.map(\.loss) == d.map(\.loss))
        #expect(c.map(\.validationLoss) == d.map(\.validationLoss))
    }

    @Test("a bad --config file, or flags that contradict it, give one error line naming the file and the problem")
    func badConfigFiles() throws {
        let x = temporaryFolder("config-bad-x")
        let first = try AttendProcess.run(["train", "--preset", "tiny", "--data", text.path, "--max-steps", "2", "--eval-interval", "2",
                                           "--eval-batches", "1", "--out", x.path, "--quiet"])
        #expect(first.status == 0, "\(first.output)")
        let original = try JSONSerialization.jsonObject(with: Data(contentsOf: x.appendingPathComponent("config.json"))) as! [String: Any]
        let folder = temporaryFolder("config-bad")
        func file(_ name: String, _ edit: (inout [String: Any]) -> Void) throws -> String {
            var json = original
            edit(&json)
            let url = folder.appendingPathComponent(name)
            try JSONSerialization.data(withJSONObject: json).write(to: url)
            return url.path
        }
        let unknown = try file("unknown.json") { j in var m = j["model"] as! [String: Any]; m["numHead"] = 2; j["model"] = m }
        let missing = try file("missing.json") { j in var m = j["model"] as! [String: Any]; m["numHeads"] = nil; j["model"] = m }
        let wrongType = try file("type.json") { j in var t = j["training"] as! [String: Any]; t["learningRate"] = "fast"; j["training"] = t }
        let notJSON = folder.appendingPathComponent("broken.json")
        try Data("{\"model\": ".utf8).write(to: notJSON)
        let good = x.appendingPathComponent("config.json").path
        for (args, expected) in [(["--config", unknown], ["\(unknown)", "unknown key model.numHead"]),
                                 (["--config", missing], ["\(missing)", "missing key model.numHeads"]),
                                 (["--config", wrongType], ["\(wrongType)", "training.learningRate"]),
                                 (["--config", notJSON.path], ["\(notJSON.path)", "not valid JSON"]),
                                 (["--config", "/nonexistent/config.json"], ["/nonexistent/config.json", "does not exist"]),
                                 (["--config", good, "--task", "reverse"], ["--task reverse does not match"]),
                                 (["--config", good, "--preset", "tiny"], ["--preset tiny and --config"]),
                                 (["--config", good, "--label-smoothing", "0.1"], ["--label-smoothing is not used by the character language model of --config"])] {
            let r = try AttendProcess.run(["train"] + args + ["--out", temporaryFolder("config-bad-out").path])
            #expect(r.status == 1, "\(args): \(r.output)")
            for e in expected { #expect(r.output.contains(e), "\(args): \(r.output)") }
            #expect(!r.output.contains("Fatal error") && !r.output.contains("Usage:"), "\(args): \(r.output)")
        }
    }
}
