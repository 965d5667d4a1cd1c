import Attend
import Foundation
import Testing

@Suite("Machine load during measurements")
struct MachineLoadTests {
    @Test("another process spinning on a core shows up as other load; this process's own work does not")
    func otherProcess() throws {
        #if os(Linux)
        let hog = Process()
        hog.executableURL = URL(fileURLWithPath: "/bin/sh")
        hog.arguments = ["-c", "while :; do :; done"]
        try hog.run()
        // SIGKILL: a blocked SIGTERM is inherited through exec, and the test runner may block it.
        func stop() { if hog.isRunning { kill(hog.processIdentifier, SIGKILL) }; hog.waitUntilExit() }
        defer { stop() }
        Thread.sleep(forTimeInterval: 0.1)
        let (_, busy) = MachineLoad.measure { Thread.sleep(forTimeInterval: 0.6) }
        let cores = Double(ProcessInfo.processInfo.activeProcessorCount)
        // One spinning core of `cores`, less scheduling slack.
        #expect(try #require(busy) > 0.6 / cores, "other load \(busy!) with a spinning process on \(Int(cores)) cores")
        stop()
        // Own work: a spin of this thread counts as our CPU time, not as other load — it adds about nothing to
        // the load measured while idle (were it counted, it would add about 1/cores).
        let (_, idle) = MachineLoad.measure { Thread.sleep(forTimeInterval: 0.4) }
        let (_, own) = MachineLoad.measure {
            let end = Date().addingTimeInterval(0.4)
            var x = 0.0
            while Date() < end { x += 1 }
            return x
        }
        #expect(try #require(own) < (idle ?? 0) + 0.5 / cores, "own work counted as other load: \(own!) (idle \(idle ?? 0))")
        #endif
    }
}
