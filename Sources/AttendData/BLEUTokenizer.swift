/// sacreBLEU's default `13a` tokenizer (mteval-v13a.pl, as used by WMT), ported rule for rule from
/// sacreBLEU 2.6.0 `tokenizer_13a.py` + `tokenizer_re.py`.
///
/// Everything works on Unicode scalars, as Python's `str` and `re` do (never on Swift `Character`s,
/// which would merge "\r\n" or a letter and its combining accent into one unit).
extension BLEU {
    /// Tokenizes one line exactly as sacreBLEU's `Tokenizer13a` does after `BLEU` has stripped the
    /// line's trailing whitespace (`sent.rstrip()`), so `tokenize13a(x)` equals
    /// `BLEU(tokenize='13a')._preprocess_segment(x)`.
    ///
    /// Steps: strip trailing whitespace; remove `<skipped>`; join `-\n`; `\n` → space; unescape
    /// `&quot; &amp; &lt; &gt;` (in that order); then the four mteval regexes — pad the symbols
    /// ``{|}~ [\]^_` space!"#$%& (-+ :;<=>?@ /``; split `.`/`,` unless preceded by a digit; split
    /// `.`/`,` unless followed by a digit; split `-` after a digit — and collapse whitespace.
    public static func tokenize13a(_ line: String) -> String {
        var s = Array(line.unicodeScalars)
        while let last = s.last, isPythonWhitespace(last) { s.removeLast() }
        s = replacing(s, "<skipped>", "")
        s = replacing(s, "-\n", "")
        s = replacing(s, "\n", " ")
        if s.contains("&") {
            s = replacing(s, "&quot;", "\"")
            s = replacing(s, "&amp;", "&")
            s = replacing(s, "&lt;", "<")
            s = replacing(s, "&gt;", ">")
        }
        s = [" "] + s + [" "]
        // ([\{-\~\[-\` -\&\(-\+\:-\@\/]) → " \1 "
        var padded: [Unicode.Scalar] = []
        padded.reserveCapacity(s.count * 2)
        for c in s {
            if isMtevalSymbol(c) { padded.append(" "); padded.append(c); padded.append(" ") } else { padded.append(c) }
        }
        s = padded
        // ([^0-9])([\.,]) → "\1 \2 "
        s = substitutePairs(s, first: { !isDigit($0) }, second: isPeriodOrComma) { a, b in [a, " ", b, " "] }
        // ([\.,])([^0-9]) → " \1 \2"
        s = substitutePairs(s, first: isPeriodOrComma, second: { !isDigit($0) }) { a, b in [" ", a, " ", b] }
        // ([0-9])(-) → "\1 \2 "
        s = substitutePairs(s, first: isDigit, second: { $0 == "-" }) { a, b in [a, " ", b, " "] }
        // ' '.join(line.split())
        return joinedWords(s)
    }

    /// Python's `str.isspace()`: bidirectional class WS, B or S, or general category Zs.
    static func isPythonWhitespace(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A,
             0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    private static func isDigit(_ c: Unicode.Scalar) -> Bool { c.value >= 0x30 && c.value <= 0x39 }
    private static func isPeriodOrComma(_ c: Unicode.Scalar) -> Bool { c == "." || c == "," }

    /// The first mteval character class: `{-~`, `[-\``, ` -&`, `(-+`, `:-@`, `/`.
    private static func isMtevalSymbol(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x7B...0x7E, 0x5B...0x60, 0x20...0x26, 0x28...0x2B, 0x3A...0x40, 0x2F: return true
        default: return false
        }
    }

    /// `re.sub` for a two-scalar pattern `(A)(B)`: scans left to right, and after a match resumes
    /// after both matched scalars (matches never overlap), as Python's regex engine does.
    private static func substitutePairs(
        _ s: [Unicode.Scalar], first: (Unicode.Scalar) -> Bool, second: (Unicode.Scalar) -> Bool,
        replacement: (Unicode.Scalar, Unicode.Scalar) -> [Unicode.Scalar]
    ) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(s.count + s.count / 2)
        var i = 0
        while i < s.count {
            if i + 1 < s.count, first(s[i]), second(s[i + 1]) {
                out.append(contentsOf: replacement(s[i], s[i + 1]))
                i += 2
            } else {
                out.append(s[i])
                i += 1
            }
        }
        return out
    }

    /// Python's `str.replace(old, new)`: every non-overlapping occurrence, left to right, scalar by scalar.
    private static func replacing(_ s: [Unicode.Scalar], _ old: String, _ new: String) -> [Unicode.Scalar] {
        let pattern = Array(old.unicodeScalars), replacement = Array(new.unicodeScalars)
        guard s.count >= pattern.count, s.contains(pattern[0]) else { return s }
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(s.count)
        var i = 0
        while i < s.count {
            if s[i] == pattern[0], i + pattern.count <= s.count, s[i..<(i + pattern.count)].elementsEqual(pattern) {
                out.append(contentsOf: replacement)
                i += pattern.count
            } else {
                out.append(s[i])
                i += 1
            }
        }
        return out
    }

    /// `' '.join(line.split())` on scalars.
    private static func joinedWords(_ s: [Unicode.Scalar]) -> String {
        var view = String.UnicodeScalarView()
        var pendingSpace = false
        for c in s {
            if isPythonWhitespace(c) {
                pendingSpace = !view.isEmpty
            } else {
                if pendingSpace { view.append(" "); pendingSpace = false }
                view.append(c)
            }
        }
        return String(view)
    }
}
