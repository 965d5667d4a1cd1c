import AttendKernels
import Dispatch
import Foundation
import Synchronization
import Testing

@Suite("Worker pool")
struct ParallelTests {
    @Test("every iteration runs exactly once, for many back-to-back jobs", arguments: [1, 2, 3, 17, 1000])
    func exactlyOnce(iterations: Int) {
        for _ in 0..<200 {
            let counts = UnsafeMutablePointer<Int>.allocate(capacity: iterations)
            counts.initialize(repeating: 0, count: iterations)
            concurrentPerform(iterations: iterations) { i in counts[i] += 1 }
            #expect((0..<iterations).allSatisfy { counts[$0] == 1 })
            counts.deallocate()
        }
    }

    @Test("nested and concurrent submissions complete and cover every index")
    func nestedAndConcurrent() {
        let total = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for _ in 0..<50 {
                concurrentPerform(iterations: 8) { _ in
                    concurrentPerform(iterations: 3) { _ in total.add(1, ordering: .relaxed) }
                }
            }
        }
        #expect(total.load(ordering: .relaxed) == 4 * 50 * 8 * 3)
    }

    @Test("parallelChunks covers 0..<count with disjoint ranges")
    func chunks() {
        for count in [0, 1, 5, 1001] {
            let hits = UnsafeMutablePointer<Int>.allocate(capacity: max(count, 1))
            hits.initialize(repeating: 0, count: max(count, 1))
            parallelChunks(count, work: 10_000_000) { range in for i in range { hits[i] += 1 } }
            #expect((0..<count).allSatisfy { hits[$0] == 1 })
            hits.deallocate()
        }
    }
}

@Suite("Feature-map kernels")
struct FeatureMapKernelTests {
    @Test("elu+1 matches its reference on odd sizes, including large negative inputs", arguments: [1, 7, 17, 129, 1000])
    func eluPlusOne(count: Int) {
        let x = UnsafeMutablePointer<Float>.allocate(capacity: count)
        let y = UnsafeMutablePointer<Float>.allocate(capacity: count), r = UnsafeMutablePointer<Float>.allocate(capacity: count)
        defer { x.deallocate(); y.deallocate(); r.deallocate() }
        for i in 0..<count { x[i] = Float((i * 7919) % 2001) / 100 - 10 - (i % 13 == 0 ? 90 : 0) }
        eluPlusOneForward(x, y, count: count)
        eluPlusOneForwardReference(x, r, count: count)
        for i in 0..<count { #expect(abs(y[i] - r[i]) <= 1e-6 * max(1, abs(r[i])), "x = \(x[i])") }
    }

    @Test("elu+1 backward from the output equals dy·φ'(x) computed from x, including x = 0 and tiny x",
          arguments: [1, 17, 1000])
    func eluPlusOneBackwardFromOutput(count: Int) {
        var x = (0..<count).map { Float(($0 * 7919) % 2001) / 100 - 10 }
        for i in stride(from: 0, to: count, by: 5) { x[i] = [0, 1e-9, -1e-9, 3e-8, -0.0][i / 5 % 5] }
        let dy = (0..<count).map { Float($0 % 17) - 8.5 }
        var y = [Float](repeating: 0, count: count), dx = y
        eluPlusOneForward(x, &y, count: count)
        eluPlusOneBackward(y: y, dy: dy, dx: &dx, count: count)
        for i in 0..<count {
            let expected = x[i] > 0 ? dy[i] : dy[i] * Float(exp(Double(x[i])))
            #expect(abs(dx[i] - expected) <= 1e-6 * max(1, abs(expected)), "x = \(x[i])")
        }
    }
}
