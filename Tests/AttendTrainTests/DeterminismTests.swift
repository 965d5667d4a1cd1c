import Attend
import AttendTestSupport
import Foundation
import Testing

@Suite("Determinism: the same seed on the same machine and thread count writes the same bytes")
struct DeterminismTests {
    @Test("two runs of one configuration: byte-identical weights, optimizer moments and metrics (timings aside)")
    func sameBytes() throws {
        let dataset = try TextDataset(text: shortText)
        var config = tinyConfig(vocab: dataset.tokenizer.vocabSize, steps: 6)
        config.training.evalInterval = 3
        config.model.dropout = 0.1  // dropout masks come from the seed too
        let runs = [temporaryFolder("same-a"), temporaryFolder("same-b")]
        for run in runs { try Trainer(config: config, dataset: dataset, run: run).run() }
        for file in ["model.safetensors", "optimizer.safetensors"] {
            let bytes = try runs.map { try Data(contentsOf: Checkpoint.folder(run: $0).appendingPathComponent("step-000006/\(file)")) }
            #expect(bytes[0] == bytes[1], "\(file) differs")
        }
        func metrics(_ run: URL) throws -> [String] {
            try String(contentsOf: run.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n").map { line in
                // Timings differ between runs; everything else is the same text (sorted keys).
                String(line).replacingOccurrences(of: #""elapsedSeconds":[0-9.e+-]+,?"#, with: "", options: .regularExpression)
                    .replacingOccurrences(of: #""tokensPerSecond":[0-9.e+-]+,?"#, with: "", options: .regularExpression)
            }
        }
        let (a, b) = (try metrics(runs[0]), try metrics(runs[1]))
        #expect(!a.isEmpty && a == b)
    }
}
