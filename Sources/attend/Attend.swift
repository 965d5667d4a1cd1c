import ArgumentParser
import Attend
import Foundation

@main
struct AttendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attend",
        abstract: "Build, train, sample and benchmark attention-based sequence models on the CPU, and replicate papers' claims.",
        discussion: HelpExamples.discussion("attend"),
        version: SourceVersion.release,
        subcommands: [Train.self, GlossaryCommand.self, Generate.self, Eval.self, TokenizerCommand.self, Translate.self, BLEUCommand.self, Average.self, ExportCommand.self, ImportCommand.self, LogitsCommand.self, Bench.self, Replicate.self, ReportCommand.self, Doctor.self])
}

/// Runs `body`, turning the library's user-facing errors into a clean message and exit code 1;
/// a training loop stopped by SIGINT/SIGTERM prints `resumeHint` and exits with 130/143.
func reportingErrors(resumeHint: String? = nil, _ body: () throws -> Void) throws {
    do { try body() }
    catch let e as ExitCode { throw e }
    catch let e as ValidationError { throw e }
    catch let TrainError.interrupted(signal, step, run) {
        let error = TrainError.interrupted(signal: signal, step: step, run: run)
        writeError("\n\(error)\n")
        if run != nil, let resumeHint { writeError("resume with: \(resumeHint)\n") }
        throw ExitCode(Interruption.exitStatus(signal))
    }
    catch {
        let message = (error as? CustomStringConvertible)?.description ?? "\(error)"
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        throw ExitCode(1)
    }
}

/// A user mistake found by a command itself (not by argument parsing): printed as "error: …",
/// exit status 1, no usage text.
struct CommandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Writes to standard error without a newline (progress lines).
func writeError(_ s: String) { FileHandle.standardError.write(Data(s.utf8)) }

func formatDuration(_ seconds: Double) -> String {
    guard seconds.isFinite else { return "?" }
    let s = Int(seconds.rounded())
    return s >= 3600 ? String(format: "%dh%02dm", s / 3600, s % 3600 / 60) : String(format: "%dm%02ds", s / 60, s % 60)
}

extension AttentionKind: ExpressibleByArgument {}
extension NormPlacement: ExpressibleByArgument {}
extension Activation: ExpressibleByArgument {}
