/// Synthetic sequence-to-sequence tasks over digit tokens, for tests and studies: copy, reverse,
/// sort, and multi-digit addition, generated from an explicit seed.
///
/// Vocabulary (15 ids): 0 `<pad>`, 1 `<bos>`, 2 `<eos>`, 3 `<unk>` (as `BPETokenizer`), 4…13 the
/// digits 0…9, 14 `+`.
public enum Seq2SeqTask: String, Codable, CaseIterable, Sendable {
    /// y = x.
    case copy
    /// y = x reversed.
    case reverse
    /// y = x sorted ascending.
    case sort
    /// x = "a+b" in decimal digits, y = a + b.
    case addition

    /// Number of token ids the tasks use.
    public static let vocabSize = 15
    /// Id of the digit 0 (digit d is `digitOffset + d`).
    public static let digitOffset: Int32 = 4
    /// Id of `+`.
    public static let plusID: Int32 = 14

    /// `count` examples with sequences (or, for addition, operands) of `minLength...maxLength`
    /// digits, drawn from `seed`.
    public func examples(count: Int, minLength: Int, maxLength: Int, seed: UInt64) -> [TranslationExample] {
        precondition(minLength >= 1 && maxLength >= minLength, "lengths must satisfy 1 ≤ minLength ≤ maxLength")
        var rng = RandomGenerator(seed: seed)
        func digits(_ n: Int) -> [Int32] { (0..<n).map { _ in Int32(rng.nextInt(below: 10)) + Self.digitOffset } }
        return (0..<count).map { _ in
            let n = minLength + rng.nextInt(below: maxLength - minLength + 1)
            switch self {
            case .copy:
                let x = digits(n)
                return TranslationExample(source: x, target: x)
            case .reverse:
                let x = digits(n)
                return TranslationExample(source: x, target: x.reversed())
            case .sort:
                let x = digits(n)
                return TranslationExample(source: x, target: x.sorted())
            case .addition:
                let m = minLength + rng.nextInt(below: maxLength - minLength + 1)
                let a = Self.number(digits(n)), b = Self.number(digits(m))
                return TranslationExample(source: Self.digitIDs(a) + [Self.plusID] + Self.digitIDs(b), target: Self.digitIDs(a + b))
            }
        }
    }

    /// Readable text for task ids ("12+7"); special ids are skipped.
    public static func render(_ ids: [Int32]) -> String {
        String(ids.compactMap { id -> Character? in
            if id == plusID { return "+" }
            if id >= digitOffset && id < digitOffset + 10 { return Character(String(id - digitOffset)) }
            return nil
        })
    }

    static func number(_ ids: [Int32]) -> Int { ids.reduce(0) { $0 * 10 + Int($1 - digitOffset) } }
    static func digitIDs(_ n: Int) -> [Int32] { String(n).map { Int32($0.wholeNumberValue!) + digitOffset } }
}
