import ArgumentParser
import Attend
import Foundation

/// `attend tokenizer`: Attend's tokenizers as Hugging Face tokenizer.json files.
struct TokenizerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenizer",
        abstract: "Write, learn and apply tokenizers as Hugging Face tokenizer.json files (same ids as the `tokenizers` package).",
        discussion: HelpExamples.discussion("tokenizer"),
        subcommands: [Export.self, Learn.self, Encode.self])

    /// `attend tokenizer export`: a run's tokenizer as tokenizer.json.
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write a run's tokenizer (character vocabulary or translation BPE) as tokenizer.json.",
            discussion: HelpExamples.discussion("export"))
        @Option(help: "Run folder or checkpoint folder written by `attend train`.") var checkpoint: String
        @Option(help: "The tokenizer.json file to write.") var out: String

        func run() throws {
            try reportingErrors {
                let folder = try Checkpoint.resolve(checkpoint)
                let data = FileManager.default.contents(atPath: folder.appendingPathComponent("state.json").path) ?? Data()
                let task = ((try? JSONSerialization.jsonObject(with: data)) as? [String: Any])?["task"] as? String
                let tokenizer: HuggingFaceTokenizer
                if task == nil {
                    tokenizer = .characters(try Checkpoint.loadState(folder).tokenizer)
                } else {
                    guard case let .bpe(bpe) = try TranslationCheckpoint.loadState(folder).vocabulary else {
                        throw CommandError("\(folder.path) was trained on a synthetic task with a fixed digit vocabulary; only character and BPE vocabularies have a tokenizer.json form")
                    }
                    tokenizer = .bytePairs(bpe)
                }
                try tokenizer.write(to: URL(fileURLWithPath: out))
                writeError("wrote \(out)\n")
            }
        }
    }

    /// `attend tokenizer learn`: a tokenizer learned from text as training learns it.
    struct Learn: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Learn a character vocabulary or a byte-level BPE from text files (as `attend train` does) and write it as tokenizer.json.",
            discussion: HelpExamples.discussion("learn"))
        /// Which tokenizer to learn.
        enum Kind: String, ExpressibleByArgument, CaseIterable { case characters, bpe }
        @Option(help: "characters (the sorted set of characters, as a character LM run) or bpe (joint BPE, as a translation run).")
        var kind: Kind
        @Option(parsing: .upToNextOption, help: "Text files to learn from (for bpe: the source and target training files, one sentence a line).")
        var input: [String]
        @Option(help: "BPE vocabulary size (special tokens, 256 bytes and the merges).") var vocabSize: Int = 8000
        @Option(help: "The tokenizer.json file to write.") var out: String

        func run() throws {
            try reportingErrors {
                if input.isEmpty { throw CommandError("--input needs at least one text file") }
                let raw = try input.map { path -> Data in
                    guard let data = FileManager.default.contents(atPath: path) else { throw DataError.missingFile(path) }
                    return data
                }
                let texts = raw.map { String(decoding: $0, as: UTF8.self) }
                let tokenizer: HuggingFaceTokenizer
                switch kind {
                case .characters: tokenizer = .characters(CharTokenizer(text: texts.joined()))
                case .bpe:
                    // One sentence a line, as ParallelCorpus reads a corpus (a translation run learns from the kept pairs:
                    // the same sentences when no line is empty).
                    let sentences = input.indices.flatMap { lines(of: raw[$0]).filter { !$0.isEmpty } }
                    tokenizer = .bytePairs(try BPETokenizer.train(texts: sentences, vocabSize: vocabSize))
                }
                try tokenizer.write(to: URL(fileURLWithPath: out))
                writeError("wrote \(out)\n")
            }
        }
    }

    /// `attend tokenizer encode`: ids of each line of a file.
    struct Encode: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the token ids of each line of a text file (space-separated, one line per input line).",
            discussion: HelpExamples.discussion("encode"))
        @Option(help: "A tokenizer.json written by `attend tokenizer` (or saved from it by the `tokenizers` package).") var tokenizer: String
        @Option(help: "Text file; each line is encoded without its line break.") var input: String
        @Flag(help: "Read each line as a JSON string (so texts may hold line breaks) and print each result as a JSON array.")
        var json = false

        func run() throws {
            try reportingErrors {
                let t = try HuggingFaceTokenizer.read(URL(fileURLWithPath: tokenizer))
                guard let data = FileManager.default.contents(atPath: input) else { throw DataError.missingFile(input) }
                var out = ""
                for (number, line) in lines(of: data).enumerated() {
                    var text = line
                    if json {
                        guard let decoded = try? JSONSerialization.jsonObject(with: Data(line.utf8), options: .fragmentsAllowed) as? String else {
                            throw CommandError("\(input), line \(number + 1): not a JSON string; with --json each line must be one, e.g. \"a\\nb\"")
                        }
                        text = decoded
                    }
                    let ids = try t.encode(text).map(String.init)
                    out += (json ? "[" + ids.joined(separator: ",") + "]" : ids.joined(separator: " ")) + "\n"
                }
                FileHandle.standardOutput.write(Data(out.utf8))
            }
        }
    }
}

/// The lines of a text file as `ParallelCorpus` reads them: split at LF bytes (Swift takes "\r\n" for one
/// Character), a trailing CR dropped, no final empty line.
func lines(of data: Data) -> [String] {
    var lines = data.split(separator: 0x0A, omittingEmptySubsequences: false).map { line -> String in
        String(decoding: line.last == 0x0D ? line.dropLast() : line, as: UTF8.self)
    }
    if lines.last == "" { lines.removeLast() }
    return lines
}
