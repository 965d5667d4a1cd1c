import ArgumentParser
import Attend
import Foundation

extension Bench {
    struct AttentionBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "attention",
            abstract: "Forward+backward time and tensor memory of each attention kind against sequence length, and generation speed against context length; writes CSV and SVG.",
            discussion: HelpExamples.discussion("attention"))
        @Option(help: "Sequence lengths for the training-shape benchmark (B 1, H 8, D 64).")
        var lengths: String = "256,512,1024,2048,4096,8192,16384"
        @Option(help: "Attention kinds, comma-separated.") var kinds: String = AttentionKind.allCases.map(\.rawValue).joined(separator: ",")
        @Option(help: "Context lengths for the generation benchmark (4 layers, width 256, 8 heads).")
        var contexts: String = "256,1024,4096"
        @Option(help: "Batch sizes for the generation benchmark.") var batches: String = "1,64"
        @Option(help: "Tokens timed per generation measurement.") var tokens: Int = 32
        @Option(help: "Folder for attention.csv, generation.csv and the SVG plots.") var out: String = "bench-attention"
        @Option(help: "Weight precisions for the generation benchmark, comma-separated: fp32, bf16.") var weights: String = "fp32"
        @Flag(help: "Skip the generation benchmark.") var noGeneration = false
        @Option(help: "Skip a kind at a length whose forward+backward needs more working memory than this many GB (as its cost states).")
        var memoryLimit: Double = 1

        func parseList(_ s: String, _ name: String) throws -> [Int] {
            let v = s.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !v.isEmpty, v.allSatisfy({ $0 > 0 }) else { throw ValidationError("--\(name) needs positive integers, got '\(s)'") }
            return v
        }

        func run() throws {
            let lengthList = try parseList(lengths, "lengths"), contextList = try parseList(contexts, "contexts")
            let batchList = try parseList(batches, "batches")
            let kindList = try kinds.split(separator: ",").map { name -> AttentionKind in
                guard let k = AttentionKind(rawValue: String(name)) else {
                    throw ValidationError("unknown attention kind '\(name)'; choose from \(AttentionKind.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return k
            }
            let precisions = try weights.split(separator: ",").map { name -> WeightPrecision in
                guard let p = WeightPrecision(rawValue: String(name)) else {
                    throw ValidationError("unknown weight precision '\(name)'; choose from \(WeightPrecision.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return p
            }
            let folder = URL(fileURLWithPath: out)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            print("cpu: \(ResourceUsage.cpuModel()), threads: \(Threading.count), FMA peak \(String(format: "%.0f", measureFMAPeak(threads: Threading.count))) GFLOP/s")

            var csv = "kind,length,forward_backward_ms,peak_tensor_mb,forward_gflop\n"
            var series: [String: [(Double, Double)]] = [:], memory: [String: [(Double, Double)]] = [:]
            print("kind           T   fwd+bwd ms   tensor MB")
            for kind in kindList {
                for t in lengthList {
                    let cost = AttentionSpec(kind: kind).cost(length: t, heads: 8, headDim: 64)
                    let working = cost.workingBytes
                    if working > memoryLimit * 1e9 {
                        print(kind.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)
                              + String(format: " %6d  skipped: needs %.3g GB of working memory (--memory-limit %g)", t, working / 1e9, memoryLimit))
                        continue
                    }
                    let (ms, mb) = timeForwardBackward(kind: kind, length: t)
                    // The mechanism's stated forward cost (B 1), beside the measured time.
                    csv += "\(kind.rawValue),\(t),\(String(format: "%.3f", ms)),\(String(format: "%.1f", mb)),\(String(format: "%.4f", cost.flopsPerToken * Double(t) / 1e9))\n"
                    series[kind.rawValue, default: []].append((Double(t), ms))
                    memory[kind.rawValue, default: []].append((Double(t), mb))
                    print(kind.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0) + String(format: " %6d  %10.2f  %10.1f", t, ms, mb))
                    try AtomicFile.write(Data(csv.utf8), to: folder.appendingPathComponent("attention.csv"))
                }
            }
            try AtomicFile.write(Data(SVGPlot.lines(series, title: "Forward+backward time (B 1, H 8, D 64)", xLabel: "sequence length T", yLabel: "ms", logX: true, logY: true).utf8),
                                 to: folder.appendingPathComponent("attention-time.svg"))
            try AtomicFile.write(Data(SVGPlot.lines(memory, title: "Peak tensor memory, forward+backward", xLabel: "sequence length T", yLabel: "MB", logX: true, logY: true).utf8),
                                 to: folder.appendingPathComponent("attention-memory.svg"))

            if noGeneration { return }
            var gen = "kind,weights,batch,context,ms_per_token,tokens_per_s,state_mb\n"
            var genSeries: [String: [(Double, Double)]] = [:]
            print("kind         weights  batch  context   ms/token   tokens/s")
            for kind in kindList {
                if !AttentionSpec(kind: kind).capabilities.recurrent {
                    print(kind.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)
                          + "  skipped: no recurrent form (its output at t reads later tokens), so it cannot generate")
                    continue
                }
                for precision in precisions {
                    for batch in batchList {
                        for context in contextList {
                            let ms = try AttentionTiming.generationStep(kind: kind, batch: batch, context: context, tokens: tokens,
                                                                        precision: precision)
                            let rate = Double(batch) * 1000 / ms
                            // Recurrent state of the 4-layer, 8-head, width-256 bench model at this context, as the mechanism states it.
                            let state = 4 * Double(batch) * AttentionSpec(kind: kind).cost(length: context, heads: 8, headDim: 32).stateBytes
                            gen += "\(kind.rawValue),\(precision.rawValue),\(batch),\(context),\(String(format: "%.4f", ms)),\(String(format: "%.1f", rate)),\(String(format: "%.2f", state / 1e6))\n"
                            let label = precision == .float32 ? "\(kind.rawValue) b\(batch)" : "\(kind.rawValue) \(precision.rawValue) b\(batch)"
                            genSeries[label, default: []].append((Double(context), rate))
                            print(kind.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0) + " "
                                  + precision.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)
                                  + String(format: " %5d  %7d  %9.3f  %9.0f", batch, context, ms, rate))
                            try AtomicFile.write(Data(gen.utf8), to: folder.appendingPathComponent("generation.csv"))
                        }
                    }
                }
            }
            try AtomicFile.write(Data(SVGPlot.lines(genSeries, title: "Generation (4 layers, width 256, 8 heads)", xLabel: "context length", yLabel: "tokens/s", logX: true, logY: true).utf8),
                                 to: folder.appendingPathComponent("generation.svg"))
            print("wrote \(folder.path)/{attention.csv, generation.csv, attention-time.svg, attention-memory.svg, generation.svg}")
        }

        /// Best forward+backward time (ms) and peak tensor memory (MB) for one kind at length t.
        func timeForwardBackward(kind: AttentionKind, length t: Int) -> (Double, Double) {
            let (ms, bytes) = AttentionTiming.forwardBackward(kind: kind, length: t)
            return (ms, bytes / 1e6)
        }
    }
}
