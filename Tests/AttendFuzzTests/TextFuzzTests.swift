import Attend
import AttendTestSupport
import Foundation
import PropertyBased
import Testing

@Suite("Fuzzed text loaders")
struct TextFuzzTests {
    @Test("a mutated text file loads or is refused with a typed error naming the file")
    func textDataset() async throws {
        let folder = temporaryFolder("fuzz-text")
        let valid = Data(String(repeating: "To be, or not to be: that is the question.\n", count: 40).utf8)
        await propertyCheck(count: 200, input: Mutation.generator) { mutation in
            let url = folder.appendingPathComponent("t.txt")
            try mutation.apply(to: valid).write(to: url)
            do {
                _ = try TextDataset(path: url.path)
            } catch {
                #expect("\(error)".contains(url.path), "\(mutation): \(error)")
            }
        }
    }
}
