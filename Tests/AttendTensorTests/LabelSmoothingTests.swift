import AttendKernels
import AttendTensor
import AttendTestSupport
import Foundation
import Testing

@Suite("Label-smoothed cross-entropy")
struct LabelSmoothingTests {
    @Test("matches a hand-computed value")
    func handComputed() {
        // logits [0, ln 2, ln 3]: p = [1/6, 2/6, 3/6]; target 2, ε = 0.1, V = 3.
        // loss = 0.9·(−log ½) + (0.1/3)·(−log ⅙ − log ⅓ − log ½)
        let logits = Tensor([0, Float(log(2.0)), Float(log(3.0))], shape: [1, 3])
        let expected = 0.9 * log(2.0) + (0.1 / 3) * (log(6.0) + log(3.0) + log(2.0))
        let loss = Tensor.labelSmoothedCrossEntropy(logits: logits, targets: [2], smoothing: 0.1).item
        #expect(abs(Double(loss) - expected) < 1e-5)
    }

    @Test("ε = 0 equals plain cross-entropy; ignored rows count for nothing")
    func reducesToCrossEntropy() {
        let logits = randomTensor([4, 7], seed: 21, scale: 3)
        let targets: [Int32] = [3, -1, 0, 6]
        let a = Tensor.labelSmoothedCrossEntropy(logits: logits, targets: targets, smoothing: 0).item
        let b = Tensor.crossEntropy(logits: logits, targets: targets).item
        #expect(abs(a - b) < 1e-5)
        // Changing an ignored row's logits does not change the loss.
        let other = logits.detached()
        for c in 0..<7 { other[flat: 7 + c] = Float(c) * 5 }
        let c = Tensor.labelSmoothedCrossEntropy(logits: other, targets: targets, smoothing: 0.1).item
        let d = Tensor.labelSmoothedCrossEntropy(logits: logits, targets: targets, smoothing: 0.1).item
        #expect(c == d)
    }

    @Test("the fused kernel matches the Double reference (value and gradient) on odd shapes",
          arguments: [(3, 5), (9, 33), (17, 70)])
    func kernelVersusReference(shape: (Int, Int)) {
        let (rows, cols) = shape
        let logits = randomTensor([rows, cols], seed: UInt64(rows * cols), scale: 4)
        var targets = (0..<rows).map { Int32(($0 * 7) % cols) }
        targets[rows / 2] = -1
        let g1 = Tensor(uninitializedShape: [rows, cols]), g2 = Tensor(uninitializedShape: [rows, cols])
        let (a, b) = targets.withUnsafeBufferPointer { t in
            (labelSmoothedCrossEntropy(logits: logits.pointer, targets: t.baseAddress!, rows: rows, cols: cols, smoothing: 0.1, dLogits: g1.pointer),
             labelSmoothedCrossEntropyReference(logits: logits.pointer, targets: t.baseAddress!, rows: rows, cols: cols, smoothing: 0.1, dLogits: g2.pointer))
        }
        #expect(abs(a - b) < 1e-4 * max(1, abs(b)))
        for i in 0..<(rows * cols) { #expect(abs(g1[flat: i] - g2[flat: i]) < 1e-5) }
    }

    @Test("gradient matches central finite differences")
    func gradient() {
        let logits = randomTensor([5, 6], seed: 31, scale: 2)
        let targets: [Int32] = [1, 5, -1, 0, 2]
        checkGradients([logits], epsilon: 1e-2, tolerance: 2e-2) {
            Tensor.labelSmoothedCrossEntropy(logits: $0[0], targets: targets, smoothing: 0.1)
        }
    }
}
