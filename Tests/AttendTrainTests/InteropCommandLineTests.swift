import Attend
import AttendTestSupport
import Foundation
import Testing

/// `attend export`, `attend import`, `attend logits` and `train --init-from` as a user runs them.
@Suite("Export and import commands", .serialized, .tags(.slow), .slowSuite)
struct InteropCommandLineTests {
    let text = cliTextFile("interop-text")

    func train(_ name: String, _ flags: [String]) throws -> URL {
        let run = temporaryFolder(name)
        let r = try AttendProcess.run(["train", "--preset", "tiny", "--data", text.path, "--max-steps", "2", "--quiet", "--out", run.path] + flags)
        #expect(r.status == 0, "\(r.output)")
        return run
    }

    @Test("export hf of a linear-attention model and a post-LN model fails with one error line naming the setting")
    func refusal() throws {
        for (flags, setting) in [(["--attention", "linear"], "attention 'linear'"), (["--norm-placement", "post"], "normPlacement 'post'")] {
            let run = try train("refuse", flags)
            let r = try AttendProcess.run(["export", "hf", "--checkpoint", run.path, "--out", temporaryFolder("refused").path])
            #expect(r.status == 1)
            let lines = r.output.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].hasPrefix("error: cannot export: \(setting)"), "\(r.output)")
        }
        let missing = try AttendProcess.run(["import", "--from", temporaryFolder("nothing").path, "--out", temporaryFolder("x").path])
        #expect(missing.status == 1 && missing.output.contains("has no attend_state.json"), "\(missing.output)")
    }

    @Test("export pytorch → import: attend logits prints the same numbers for both runs; --init-from records initFrom")
    func roundTrip() throws {
        let run = try train("rt", ["--attention", "linear"])
        let folder = temporaryFolder("rt-pt"), imported = temporaryFolder("rt-imported")
        #expect(try AttendProcess.run(["export", "pytorch", "--checkpoint", run.path, "--out", folder.path]).status == 0)
        let i = try AttendProcess.run(["import", "--from", folder.path, "--out", imported.path])
        #expect(i.status == 0, "\(i.output)")
        let ids = ["--ids", "1,2,3,4,5"]
        let a = try AttendProcess.run(["logits", "--checkpoint", run.path] + ids)
        let b = try AttendProcess.run(["logits", "--checkpoint", imported.path] + ids)
        #expect(a.status == 0 && a.output.hasPrefix("{\"shape\": [5, "), "\(a.output.prefix(200))")
        #expect(a.output == b.output)
        let tuned = temporaryFolder("rt-tuned")
        let t = try AttendProcess.run(["train", "--config", imported.appendingPathComponent("config.json").path, "--init-from", imported.path,
                                       "--max-steps", "1", "--quiet", "--out", tuned.path])
        #expect(t.status == 0 && t.output.contains("starting from the weights of"), "\(t.output)")
        let stored = try JSONDecoder().decode(RunConfig.self, from: Data(contentsOf: tuned.appendingPathComponent("config.json")))
        #expect(stored.initFrom == imported.path)
    }
}
