#!/usr/bin/env python3
"""Writes Tests/AttendDataTests/BLEUFixture.swift: sacreBLEU's corpus BLEU and 13a tokenisations on
a small, nasty set, as Swift literals (no resource bundle needed).

Usage: pip install sacrebleu==2.6.0 && python3 scripts/make_bleu_fixture.py
Sentences come from the Tatoeba spa-eng test split (CC BY 2.0 FR, tatoeba.org via manythings.org)
plus hand-written edge cases. Hypotheses are deterministic perturbations (seeded), so the file is
reproducible byte for byte.
"""
import os
import random
import unicodedata

import sacrebleu
from sacrebleu.metrics import BLEU

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.environ.get("TATOEBA", "/work/shared/data/tatoeba-spa-eng")
OUT = os.path.join(ROOT, "Tests", "AttendDataTests", "BLEUFixture.swift")


def read_lines(name):
    with open(os.path.join(DATA, name), encoding="utf-8") as f:
        return f.read().split("\n")[:-1]


def perturb(sentence, rng, vocabulary):
    """A plausible MT error: drop, substitute, swap, truncate, recase, or keep."""
    words = sentence.split(" ")
    kind = rng.randrange(7)
    if kind == 0 and len(words) > 1:
        del words[rng.randrange(len(words))]
    elif kind == 1:
        words[rng.randrange(len(words))] = rng.choice(vocabulary)
    elif kind == 2 and len(words) > 1:
        i = rng.randrange(len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
    elif kind == 3 and len(words) > 2:
        words = words[: len(words) // 2 + 1]
    elif kind == 4:
        words[0] = words[0].lower()
    elif kind == 5:
        words.append(rng.choice(vocabulary))
    return " ".join(words)


# (hypothesis, reference) edge cases: punctuation, numbers, entities, dashes, quotes, Spanish, Unicode.
EDGE_PAIRS = [
    ("The price rose to $1,250.75 (up 3.5%) in 2019-2020.", "The price rose to $1,250.75 (up 3.5 %) in 2019 - 2020."),
    ("He said &quot;no&quot; &amp; left &lt;quickly&gt;.", 'He said "no" & left <quickly>.'),
    ("&amp;quot; is double-escaped; &nbsp; and &#39; stay.", "&quot; is double-escaped; &nbsp; and ' stay."),
    ("Well-known state-of-the-art results -- really.", "Well-known, state-of-the-art results — really."),
    ("Line one con-\ntinues here.\nSecond line <skipped> ends.", "Line one continues here. Second line ends."),
    ("¿Dónde está la biblioteca? ¡Allí!", "¿Dónde está la biblioteca?¡Allí!"),
    ("Él comió 2,5 kg de pimientos... ¿verdad?", "Él comió 2.5 kg de pimientos… ¿verdad?"),
    ("«Sí», dijo ella: «mañana».", "\"Sí\", dijo ella: \"mañana\"."),
    ("Ca\u0301mara y ca\u0301mara.", "Cámara y cámara."),
    ("Tom's 'quoted' `code` {braces} [brackets] ~tilde^ |pipe|", "Tom's \"quoted\" code {braces} [brackets] ~tilde^|pipe|"),
    ("", "This reference has no hypothesis."),
    ("Trailing spaces and tabs\t  ", "Trailing spaces and tabs"),
    ("\u00a0Non-breaking\u00a0space\u2009and\u3000ideographic space.", "Non-breaking space and ideographic space."),
    ("Emoji 🙂 and 你好，世界。 mixed.", "Emoji 🙂 and 你好 ，世界。 mixed."),
    ("Version 1.2.3, item 4,5 and -7 degrees, a.b,c.", "Version 1.2.3 , item 4,5 and - 7 degrees , a . b , c ."),
    ("U.S.A. e.g. i.e. etc...", "U.S.A. e.g. i.e. etc. . ."),
    ("3-4 players vs. 10-12.", "3 - 4 players vs . 10-12 ."),
    ("Ok.", "Ok."),
    ("Yes", "No"),
]

# Very short sentences: no 4-gram (and few 3-gram) matches, so `exp` smoothing decides the score.
SHORT_PAIRS = [
    ("Go.", "Go."),
    ("Hi.", "Hello."),
    ("Run!", "Run!"),
    ("I won!", "I won."),
    ("Help me.", "Help me!"),
    ("Sí.", "Sí."),
    ("¡Corre!", "¡Corred!"),
    ("Tom is here now", "Tom is not here now"),
]

# Only one- and two-token hypotheses: totals for n = 3, 4 are zero, so sacreBLEU stops early.
TINY_PAIRS = [("Go", "Go away"), ("Hi there", "Hi there"), ("x", "y")]

# Nasty lines for the tokenizer alone.
TOKENIZER_LINES = [
    "", " ", "\t\n", "a\r\nb", "-\n", "x-\ny", "<skipped>", "<skip>ped", "&quot;&amp;&lt;&gt;", "&amp;amp;",
    "&QUOT; &Amp;", "1,000.50", "3.14.", "a.b,c", "...", ".,.,", ",5", "5,", "5-6", "-5", "a-b", "5--6",
    "e.g.", "$5", "50%", "(paren)", "[bra]{ce}", "`tick`", "'single'", "«guillemets»", "—em—", "a–b",
    "¿Qué?", "¡Hola!", "naïve café", "e\u0301.", "٣.٤", "１２.３", "Ｆｕｌｌ．", "x\u0085y", "x\u001cy",
    "x\u200by", "x\u2028y", "  leading and trailing  ", "trailing nbsp\u00a0", "trailing ideographic\u3000",
    "mixed\u2003em\u2002en", "\\back\\slash/", "tab\tinside", "@user #tag", "a:b;c?d!e", "12:30", "9/11",
    "O'Neil's", "Tom's.", "end.\"", "\"start", "(1.5)", "[2,3]", "x.5", "5.x", ".5", "5.",
]


def swift_string(s):
    if s is None:
        return "nil"
    out = []
    for ch in s:
        code = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif code < 0x20 or 0x7F <= code < 0xA0 or unicodedata.category(ch)[0] in "MZC" and ch != " ":
            out.append("\\u{%X}" % code)
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def swift_array(items, indent):
    pad = " " * indent
    return "[\n" + "".join(f"{pad}    {item},\n" for item in items) + f"{pad}]"


def score_case(name, hypotheses, references):
    """references: list of streams; None entries are missing references."""
    bleu = BLEU()
    result = bleu.corpus_score(hypotheses, references)
    return {
        "name": name,
        "hypotheses": hypotheses,
        "references": references,
        "score": result.score,
        "counts": list(result.counts),
        "totals": list(result.totals),
        "precisions": list(result.precisions),
        "bp": result.bp,
        "sys_len": result.sys_len,
        "ref_len": result.ref_len,
        "signature": str(bleu.get_signature()),
        "formatted": str(result),
    }


def group(sources, references):
    """The grouping `BLEU.groupReferences` must reproduce: first-occurrence order, None padding."""
    slot, unique, grouped = {}, [], []
    for s, r in zip(sources, references):
        if s in slot:
            grouped[slot[s]].append(r)
        else:
            slot[s] = len(unique)
            unique.append(s)
            grouped.append([r])
    streams = max(len(g) for g in grouped)
    return unique, [[g[k] if k < len(g) else None for g in grouped] for k in range(streams)]


def main():
    assert sacrebleu.__version__ == "2.6.0", f"fixture is pinned to sacreBLEU 2.6.0, found {sacrebleu.__version__}"
    rng = random.Random(20240611)
    test_en, test_es = read_lines("test.en"), read_lines("test.es")

    # Single reference: 36 Tatoeba sentences (spread over the length-sorted file) + edge cases.
    picks = [test_en[i] for i in range(0, len(test_en), len(test_en) // 36)][:36]
    vocabulary = sorted({w for s in test_en for w in s.split(" ")})
    single_refs = picks + [r for _, r in EDGE_PAIRS]
    single_hyps = [perturb(s, rng, vocabulary) for s in picks] + [h for h, _ in EDGE_PAIRS]
    cases = [
        score_case("single", single_hyps, [single_refs]),
        score_case("short", [h for h, _ in SHORT_PAIRS], [[r for _, r in SHORT_PAIRS]]),
        score_case("tiny", [h for h, _ in TINY_PAIRS], [[r for _, r in TINY_PAIRS]]),
        score_case("nomatch", ["alpha beta", "gamma"], [["delta epsilon zeta", "eta theta"]]),
        score_case("emptyhypotheses", ["", ""], [["a b c", "d"]]),
    ]

    # Multi-reference: English sources that repeat in the test split, Spanish translations as references.
    unique, grouped = group(test_en, test_es)
    multi = [i for i in range(len(unique)) if grouped[1][i] is not None][:24]
    multi_sources = [unique[i] for i in multi]
    streams = [[grouped[k][i] for i in multi] for k in range(3)]
    es_vocabulary = sorted({w for s in test_es for w in s.split(" ")})
    multi_hyps = [perturb(streams[rng.randrange(2)][j], rng, es_vocabulary) for j in range(len(multi))]
    cases.append(score_case("multi3missing", multi_hyps, streams))
    cases.append(score_case("multi3empty", multi_hyps, [[r if r is not None else "" for r in s] for s in streams]))
    two = [s[:] for s in streams[:2]]
    cases.append(score_case("multi2", multi_hyps, two))

    # groupReferences on a raw slice of the parallel files (English → Spanish, sources repeat).
    first_repeat = next(i for i, s in enumerate(test_en) if test_en.count(s) > 2)
    raw_sources = test_en[first_repeat - 10: first_repeat + 30]
    raw_refs = test_es[first_repeat - 10: first_repeat + 30]
    g_unique, g_refs = group(raw_sources, raw_refs)
    g_hyps = [perturb(g_refs[0][i], rng, es_vocabulary) for i in range(len(g_unique))]
    grouping = score_case("grouped", g_hyps, g_refs)

    tok = BLEU().tokenizer
    lines = []
    for case in cases + [grouping]:
        lines += case["hypotheses"] + [r for s in case["references"] for r in s if r is not None]
    lines += TOKENIZER_LINES
    seen, tokenization = set(), []
    for line in lines:
        if line not in seen:
            seen.add(line)
            tokenization.append((line, tok(line.rstrip())))

    w = []
    w.append("// Generated by scripts/make_bleu_fixture.py with sacreBLEU %s; do not edit by hand." % sacrebleu.__version__)
    w.append("// Sentences: Tatoeba spa-eng test split (CC BY 2.0 FR, tatoeba.org via manythings.org/anki)")
    w.append("// and hand-written edge cases.")
    w.append("")
    w.append("/// sacreBLEU's output on a small, nasty corpus, for BLEUTests.")
    w.append("enum BLEUFixture {")
    w.append("    /// The sacreBLEU release that produced these numbers.")
    w.append('    static let sacreBLEUVersion = "%s"' % sacrebleu.__version__)
    w.append("")
    w.append("    /// One `BLEU().corpus_score(hypotheses, references)` call and its result.")
    w.append("    struct Case: Sendable {")
    w.append("        let name: String")
    w.append("        let hypotheses: [String]")
    w.append("        /// references[r][i]; nil is sacreBLEU's None (missing).")
    w.append("        let references: [[String?]]")
    w.append("        let score: Double")
    w.append("        let counts: [Int]")
    w.append("        let totals: [Int]")
    w.append("        let precisions: [Double]")
    w.append("        let brevityPenalty: Double")
    w.append("        let systemLength: Int")
    w.append("        let referenceLength: Int")
    w.append("        let signature: String")
    w.append("        let formatted: String")
    w.append("    }")
    w.append("")

    def case_literal(c, indent):
        pad = " " * indent
        refs = "[\n" + "".join(
            f"{pad}        {swift_array([swift_string(r) for r in s], indent + 8)},\n" for s in c["references"]) + f"{pad}    ]"
        return (f"{pad}Case(\n"
                f"{pad}    name: {swift_string(c['name'])},\n"
                f"{pad}    hypotheses: {swift_array([swift_string(h) for h in c['hypotheses']], indent + 4)},\n"
                f"{pad}    references: {refs},\n"
                f"{pad}    score: {c['score']!r},\n"
                f"{pad}    counts: {c['counts']},\n"
                f"{pad}    totals: {c['totals']},\n"
                f"{pad}    precisions: [{', '.join(repr(float(p)) for p in c['precisions'])}],\n"
                f"{pad}    brevityPenalty: {float(c['bp'])!r},\n"
                f"{pad}    systemLength: {c['sys_len']},\n"
                f"{pad}    referenceLength: {c['ref_len']},\n"
                f"{pad}    signature: {swift_string(c['signature'])},\n"
                f"{pad}    formatted: {swift_string(c['formatted'])})")

    w.append("    /// Corpus scores: single reference, short sentences (smoothing), multi-reference with missing")
    w.append("    /// (None) and empty (\"\") references.")
    w.append("    static let cases: [Case] = [")
    for c in cases:
        w.append(case_literal(c, 8) + ",")
    w.append("    ]")
    w.append("")
    w.append("    /// Raw parallel lines (English sources repeat) for `BLEU.groupReferences`.")
    w.append(f"    static let groupingSources: [String] = {swift_array([swift_string(s) for s in raw_sources], 4)}")
    w.append(f"    static let groupingReferences: [String] = {swift_array([swift_string(s) for s in raw_refs], 4)}")
    w.append(f"    static let groupedSources: [String] = {swift_array([swift_string(s) for s in g_unique], 4)}")
    w.append("    /// Scored against the grouped references (`grouped.references` are the expected streams).")
    w.append("    static let grouped: Case =")
    w.append(case_literal(grouping, 8))
    w.append("")
    w.append("    /// (line, sacreBLEU 13a tokenisation of line.rstrip()).")
    w.append("    static let tokenization: [(line: String, tokens: String)] = [")
    for line, toks in tokenization:
        w.append(f"        ({swift_string(line)}, {swift_string(toks)}),")
    w.append("    ]")
    w.append("}")
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        f.write("\n".join(w) + "\n")
    for c in cases + [grouping]:
        print(f"{c['name']:>16}: {c['formatted']}  {c['signature']}")
    print(f"{len(tokenization)} tokenisation lines -> {os.path.relpath(OUT, ROOT)}")


if __name__ == "__main__":
    main()
