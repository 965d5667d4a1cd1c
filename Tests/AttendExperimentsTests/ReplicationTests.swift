import Attend
import AttendTestSupport
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// One unsharded tiny-scale replication shared by the tests below (it takes a few seconds in debug).
enum TinyRun {
    static let folder: URL = {
        let out = temporaryFolder("tiny")
        _ = try! Replication.replicate(study: "linear-attention", scale: .tiny, root: packageRoot, out: out)
        return out
    }()
}

func copyFolder(_ from: URL, _ name: String) throws -> URL {
    let to = temporaryFolder(name).appendingPathComponent("copy")
    try FileManager.default.copyItem(at: from, to: to)
    return to
}

@Suite("Replication end to end", .serialized, .tags(.slow), .slowSuite)
struct ReplicationTests {
    @Test("replicate linear-attention --scale tiny writes a complete report: every section, every claim with a verdict, SVGs that parse")
    func tinyReport() throws {
        let folder = TinyRun.folder
        let study = try ResultsStore(folder: folder).loadStudy()
        let records = try ResultsStore(folder: folder).records()
        #expect(records.count == study.runs.count)
        let md = try String(contentsOf: folder.appendingPathComponent("report.md"), encoding: .utf8)
        for heading in ["## 1. Introduction", "## 2. Scope of the replication", "## 3. Methods", "### 3.1 Model description", "### 3.2 Data description",
                        "### 3.3 Hyperparameters", "### 3.4 Implementation", "### 3.5 Experimental setup",
                        "### 3.6 Computational resources (estimated vs. measured)", "## 4. Results", "### 4.0 Overview",
                        "Additional results not in the original paper", "## 5. Discussion", "**Overall judgement**", "### 5.1 What was easy",
                        "### 5.2 What was difficult", "### 5.3 Recommendations for reproducibility", "## 6. Communication with the authors"] {
            #expect(md.contains(heading), "missing \(heading)")
        }
        for claim in study.claims {
            let verdict = Verdict.decide(claim, records: records)
            #expect(md.contains("Claim \(claim.id): \(claim.title) — **\(verdict.rawValue)**"))
        }
        #expect(md.contains("0.621") && md.contains("317×"))  // the paper's numbers are quoted
        let svgs = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".svg") }
        #expect(svgs.count >= 20)
        let german = try String(contentsOf: folder.appendingPathComponent("report.de.md"), encoding: .utf8)
        for name in svgs {
            // The German report links its own figures (German reference labels), the English one the rest.
            let linking = name.hasSuffix(".de.svg") ? german : md
            #expect(linking.contains("(\(name))"), "\(name) is not linked from its report")
            let parser = XMLParser(contentsOf: folder.appendingPathComponent(name))!
            #expect(parser.parse(), "\(name) is not well-formed XML")
        }
        // The report regenerates from the stored results alone, identically.
        try Replication.report(folder: folder)
        #expect(try String(contentsOf: folder.appendingPathComponent("report.md"), encoding: .utf8) == md)
    }

    @Test("report.de.md follows the German template: its headings, and no English phrase of the report machinery")
    func germanReport() throws {
        let folder = try copyFolder(TinyRun.folder, "de")
        try Replication.report(folder: folder, language: .de)
        let md = try String(contentsOf: folder.appendingPathComponent("report.de.md"), encoding: .utf8)
        for heading in ["## 1. Einleitung", "## 2. Umfang der Replikation", "## 3. Methoden", "### 3.1 Modellbeschreibung", "### 3.2 Datenbeschreibung",
                        "### 3.3 Hyperparameter", "### 3.4 Implementierung", "### 3.5 Aufbau der Experimente",
                        "### 3.6 Ressourcen für Berechnungen (geschätzt und gemessen)", "## 4. Ergebnisse", "### 4.0 Überblick",
                        "Zusätzliche Ergebnisse, die nicht im Originalartikel enthalten waren", "## 5. Diskussion", "**Gesamturteil**",
                        "### 5.1 Was war einfach?", "### 5.2 Was war schwer?", "### 5.3 Empfehlungen für die Replizierbarkeit / Reproduzierbarkeit",
                        "## 6. Kommunikation mit den Autoren"] {
            #expect(md.contains(heading), "missing \(heading)")
        }
        // Every phrase the machinery writes has its German form: no English one is left (long ones, which
        // cannot occur in German prose by chance; format phrases up to their first value).
        for phrase in ReportWords.phrases {
            let head = String(phrase.prefix { $0 != "%" }).trimmingCharacters(in: .whitespaces)
            guard head.count >= 24, ReportWords(language: .de)(phrase) != phrase else { continue }
            #expect(!md.contains(head), "untranslated: \(head)")
        }
        // Claims cite their source in German (`sourceDe`), not the English one.
        #expect(md.contains("(§3.2, §4.1.2, Abb. 1)") && !md.contains("Fig. 1)"))
        // The German figures carry German titles and axis labels too.
        let figures = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".de.svg") }
        #expect(figures.contains { $0.hasSuffix("-loss.de.svg") } && figures.contains { $0.hasSuffix("-time.de.svg") }
                && figures.contains { $0.hasSuffix("-throughput.de.svg") })
        for name in figures {
            let svg = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            for english in ["during training", "by variant (mean", "training throughput", "Forward+backward time", "Peak tensor memory",
                            "Cost of each generated token", "Generated sequences per second", "sequence length T", ">step<", " seed "] {
                #expect(!svg.contains(english), "\(name): untranslated “\(english)”")
            }
            if name.hasSuffix("-loss.de.svg") { #expect(svg.contains("während des Trainings"), "\(name)") }
        }
    }

    @Test("a killed sweep resumes: rerunning skips the stored runs and runs only the missing ones")
    func resume() throws {
        let folder = try copyFolder(TinyRun.folder, "resume")
        let store = ResultsStore(folder: folder)
        let all = try store.records()
        // Simulate a kill: three runs never finished (the cheap first ones, to keep the test fast), and the
        // store ends in a torn line that must be ignored.
        let kept = Array(all.dropFirst(3))
        try store.write(kept)
        let handle = try FileHandle(forWritingTo: folder.appendingPathComponent("results.jsonl"))
        try handle.seekToEnd(); try handle.write(contentsOf: Data(#"{"id": "copy/kind=li"#.utf8)); try handle.close()
        let (summary, _) = try Replication.replicate(study: "linear-attention", scale: .tiny, root: packageRoot, out: folder)
        #expect(summary.ran == 3)
        #expect(summary.skipped == all.count - 3)
        let after = try store.records()
        #expect(after.count == all.count)
        #expect(Array(after.prefix(kept.count)) == kept)  // finished runs untouched (same timings, same timestamps)
        #expect(Set(after.map(\.id)) == Set(all.map(\.id)))
        let byID: (RunRecord, RunRecord) -> Bool = { $0.id < $1.id }
        let afterSorted = after.map(\.withoutTimings).sorted(by: byID), allSorted = all.map(\.withoutTimings).sorted(by: byID)
        #expect(afterSorted == allSorted)
        // Nothing left to do.
        #expect(try Replication.replicate(study: "linear-attention", scale: .tiny, root: packageRoot, out: folder).0.ran == 0)
    }

    @Test("shard 0/2 + shard 1/2 + merge gives the unsharded results and report (timings aside)")
    func shardsMerge() throws {
        let a = temporaryFolder("shard0"), b = temporaryFolder("shard1"), merged = temporaryFolder("merged")
        let (s0, _) = try Replication.replicate(study: "linear-attention", scale: .tiny, root: packageRoot, out: a, shard: (0, 2))
        let (s1, _) = try Replication.replicate(study: "linear-attention", scale: .tiny, root: packageRoot, out: b, shard: (1, 2))
        let whole = try ResultsStore(folder: TinyRun.folder).records()
        #expect(s0.ran > 0 && s1.ran > 0 && s0.ran + s1.ran == whole.count)
        try Replication.report(folder: merged, merge: [a, b])
        let combined = try ResultsStore(folder: merged).records()
        #expect(combined.map(\.withoutTimings) == whole.map(\.withoutTimings))
        let study = try ResultsStore(folder: merged).loadStudy()
        let r1 = Report(study: study, records: combined.map(\.withoutTimings)).render()
        let r2 = Report(study: try ResultsStore(folder: TinyRun.folder).loadStudy(), records: whole.map(\.withoutTimings)).render()
        #expect(r1.markdown == r2.markdown)
        #expect(r1.figures == r2.figures)
        #expect(FileManager.default.fileExists(atPath: merged.appendingPathComponent("report.md").path))
    }

    @Test("merging folders of different sweeps is refused with a message")
    func mergeMismatch() throws {
        let other = try copyFolder(TinyRun.folder, "mismatch")
        var study = try ResultsStore(folder: other).loadStudy()
        study.experiments.removeLast()
        try ResultsStore(folder: other).saveStudy(study)
        #expect(throws: SpecError.self) { try Replication.report(folder: temporaryFolder("m"), merge: [TinyRun.folder, other]) }
    }
}
