import Attend
import AttendTestSupport
import Foundation
import Testing

@Suite("Help and doctor", .serialized, .tags(.slow), .slowSuite)
struct HelpTests {
    static let commands: [[String]] = [
        [], ["train"], ["glossary"], ["generate"], ["eval"], ["tokenizer"], ["tokenizer", "export"], ["tokenizer", "learn"],
        ["tokenizer", "encode"], ["translate"], ["bleu"], ["average"], ["bench"], ["bench", "peak"], ["bench", "gemm"],
        ["bench", "train"], ["bench", "attention"], ["replicate"], ["report"], ["doctor"],
        ["export"], ["export", "hf"], ["export", "pytorch"], ["import"], ["logits"],
    ]

    /// The subcommand names a help text lists under SUBCOMMANDS.
    func subcommands(_ help: String) -> [String] {
        guard let section = help.range(of: "SUBCOMMANDS:") else { return [] }
        return help[section.upperBound...].split(separator: "\n").compactMap { line in
            guard line.hasPrefix("  "), !line.hasPrefix("   "), !line.hasPrefix("  See ") else { return nil }
            return line.split(separator: " ").first.map(String.init)
        }
    }

    @Test("every command's --help ends with examples that start with `attend`, and the list above covers every subcommand")
    func examples() throws {
        for command in Self.commands {
            let r = try AttendProcess.run(command + ["--help"])
            #expect(r.status == 0, "\(command): \(r.output)")
            guard let at = r.output.range(of: "Examples:") else {
                Issue.record("attend \(command.joined(separator: " ")) --help has no examples")
                continue
            }
            let lines = r.output[at.upperBound...].split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(lines.first.map { $0.contains("attend " + command.joined(separator: " ")) } == true, "\(command): \(lines.first ?? "")")
            for name in subcommands(r.output) where name != "help" {
                #expect(Self.commands.contains(command + [name]), "attend \((command + [name]).joined(separator: " ")) is not checked here")
            }
        }
    }

    @Test("attend doctor reports the build (this test binary is a debug build: it warns) and the machine")
    func doctor() throws {
        let r = try AttendProcess.run(["doctor", "--no-measure"])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.contains("build: debug, -target-cpu native"), "\(r.output)")
        #expect(r.output.contains("warning: this is a debug build"), "\(r.output)")
        #expect(r.output.contains("threads: ") && r.output.contains("bf16 matrix products"), "\(r.output)")
        #expect(!r.output.contains("fp32 FMA, one thread"), "--no-measure still measured")
    }
}
