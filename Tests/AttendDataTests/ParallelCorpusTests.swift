import AttendData
import AttendTestSupport
import Foundation
import Testing

private func write(_ text: String, _ name: String) -> String {
    let url = temporaryFolder("corpus").appendingPathComponent(name)
    try! Data(text.utf8).write(to: url)
    return url.path
}

@Suite("Parallel corpora, token batches and synthetic tasks")
struct ParallelCorpusTests {
    @Test("misaligned files are reported with both line counts")
    func misaligned() {
        let s = write("a\nb\nc\n", "mis.src"), t = write("x\ny\n", "mis.tgt")
        #expect(throws: CorpusError.misaligned(source: s, sourceLines: 3, target: t, targetLines: 2)) {
            try ParallelCorpus(sourcePath: s, targetPath: t)
        }
        let message = CorpusError.misaligned(source: s, sourceLines: 3, target: t, targetLines: 2).description
        #expect(message.contains("3 lines") && message.contains("2"))
    }

    @Test("empty lines are skipped and counted; CRLF and a missing final newline are accepted")
    func emptyLines() throws {
        let s = write("Hello.\r\n\nGood night.\nYes.", "empty.src"), t = write("Hola.\r\nNada.\nBuenas noches.\n  \n", "empty.tgt")
        let corpus = try ParallelCorpus(sourcePath: s, targetPath: t)
        #expect(corpus.sources == ["Hello.", "Good night."])
        #expect(corpus.targets == ["Hola.", "Buenas noches."])
        #expect(corpus.skippedEmptyLines == 2)
    }

    @Test("missing files name the path; gzip files are read")
    func missingAndGzip() throws {
        #expect(throws: CorpusError.missingFile("/nonexistent/x.en")) { try ParallelCorpus.readLines("/nonexistent/x.en") }
        let plain = write("uno\ndos\n", "gz.txt")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["gzip", "-kf", plain]
        try p.run()
        p.waitUntilExit()
        #expect(try ParallelCorpus.readLines(plain + ".gz") == ["uno", "dos"])
    }

    @Test("token batches stay within budget, cover every example once, and depend only on seed and epoch")
    func batches() {
        let examples = Seq2SeqTask.copy.examples(count: 300, minLength: 1, maxLength: 12, seed: 5)
        let batcher = TokenBatcher(examples: examples, batchTokens: 120, seed: 9)
        let epoch0 = batcher.batches(epoch: 0)
        #expect(epoch0.flatMap { $0 }.sorted() == Array(0..<300))
        for b in epoch0 {
            let s = b.map { examples[$0].source.count + 1 }.max()!, t = b.map { examples[$0].target.count + 1 }.max()!
            #expect(b.count * (s + t) <= 120 || b.count == 1)
        }
        #expect(batcher.batches(epoch: 0) == epoch0)
        #expect(batcher.batches(epoch: 1) != epoch0)
        let batch = TranslationBatch([examples[0], examples[1]], padID: 0, bosID: 1, eosID: 2)
        #expect(batch.sourceLengths == [Int32(examples[0].source.count + 1), Int32(examples[1].source.count + 1)])
        #expect(batch.targetInput[0] == 1)
        #expect(batch.targetTokens == examples[0].target.count + examples[1].target.count + 2)
    }

    @Test("synthetic tasks: copy, reverse, sort and addition are what they say, and seeded")
    func tasks() {
        for task in Seq2SeqTask.allCases {
            let a = task.examples(count: 50, minLength: 1, maxLength: 6, seed: 3)
            #expect(a == task.examples(count: 50, minLength: 1, maxLength: 6, seed: 3))
            #expect(a != task.examples(count: 50, minLength: 1, maxLength: 6, seed: 4))
            for e in a {
                #expect(e.source.allSatisfy { $0 >= 4 && $0 < Int32(Seq2SeqTask.vocabSize) })
                switch task {
                case .copy: #expect(e.target == e.source)
                case .reverse: #expect(e.target == e.source.reversed())
                case .sort: #expect(e.target == e.source.sorted())
                case .addition:
                    let parts = Seq2SeqTask.render(e.source).split(separator: "+").map { Int($0)! }
                    #expect(Int(Seq2SeqTask.render(e.target)) == parts[0] + parts[1])
                }
            }
        }
    }
}
