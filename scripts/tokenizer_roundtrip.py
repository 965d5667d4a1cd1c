#!/usr/bin/env python3
"""Checks that Attend's tokenizers, written as Hugging Face tokenizer.json by `attend tokenizer`, give the
same ids in the Python `tokenizers` package, on every line of the Tatoeba splits (Data/tatoeba-spa-eng/):

  1. byte-level BPE, learned by Attend from train.es + train.en (8000 tokens, as `attend train --task
     translation`): Attend's ids (`attend tokenizer encode`) == tokenizers' ids for every line of every split,
     and tokenizers' decode (special tokens skipped) gives the line back;
  2. the same file re-saved by the tokenizers package and read back by Attend: the same ids again;
  3. the character vocabulary of all splits (WordLevel over grapheme clusters): the same, both directions.

With --fixtures it also writes the small tokenizer.json fixtures and the ids the tokenizers package gives
for them (Tests/Fixtures/tokenizers/), which the Swift tests check without Python.

Usage: swift build && pip install tokenizers && python3 scripts/tokenizer_roundtrip.py [--attend PATH] [--fixtures]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import unicodedata

from tokenizers import Tokenizer

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), ".."))
DATA = os.path.join(ROOT, "Data", "tatoeba-spa-eng")
SPLITS = [f"{s}.{l}" for s in ("train", "valid", "test") for l in ("es", "en")]
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures", "tokenizers")

# Sentences for the fixtures: whitespace runs, tabs, CR LF, digits, punctuation runs, marks, emoji, non-Latin
# scripts, a leading space, and Unicode spaces.
PROBES = [
    "¿Dónde está el baño?",
    "Tom doesn't like it; he's 42 years old.",
    "  two leading spaces and a trailing one ",
    "tabs\tand\t\ttabs   then\u00a0no-break\u2003em space",
    "line one\r\nline two\n\nafter a blank",
    "naïve café, résumé — “quotes” … x² ½ ٣",
    "emoji 😀👍🏽 and e\u0301 combined",
    "日本語のテキスト、中文文本。",
    "numbers 3.14159 and 1,000,000 and v2.0!!!",
    "a",
]


def attend_ids(attend, tokenizer, lines):
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".txt", delete=False) as f:
        f.write("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
        path = f.name
    run = subprocess.run([attend, "tokenizer", "encode", "--json", "--tokenizer", tokenizer, "--input", path],
                         capture_output=True, text=True)
    os.unlink(path)
    if run.returncode != 0:
        return run.stderr.strip()
    return [json.loads(row) for row in run.stdout.split("\n")[:-1]]


def hf_ids(tok, lines):
    try:
        return [e.ids for e in tok.encode_batch(lines, add_special_tokens=False)]
    except Exception as e:  # noqa: BLE001 - the tokenizers package raises plain Exceptions
        return str(e)


def read_lines(path):
    # As Attend's ParallelCorpus: split at LF, drop a trailing CR, no final empty line.
    with open(path, "rb") as f:
        lines = [l[:-1] if l.endswith(b"\r") else l for l in f.read().split(b"\n")]
    if lines and lines[-1] == b"":
        lines.pop()
    return [l.decode("utf-8", errors="replace") for l in lines]


def compare(name, attend, tokenizer_file, splits, check_decode):
    tok = Tokenizer.from_file(tokenizer_file)
    total_lines = total_tokens = total_mismatch = total_decode = 0
    for split, lines in splits.items():
        ours = attend_ids(attend, tokenizer_file, lines)
        theirs = hf_ids(tok, lines)
        if isinstance(ours, str) or isinstance(theirs, str):
            print(f"  {name:28s} {split:9s} Attend: {ours if isinstance(ours, str) else 'ok'}; tokenizers: {theirs if isinstance(theirs, str) else 'ok'}")
            total_mismatch += 1
            continue
        mismatch = sum(a != b for a, b in zip(ours, theirs)) + abs(len(ours) - len(theirs))
        # Character vocabularies decode to NFC text (see HuggingFaceTokenizer.swift): compare canonically.
        same = (lambda a, b: a == b) if "bpe" in name else (lambda a, b: unicodedata.normalize("NFC", a) == unicodedata.normalize("NFC", b))
        decode = sum(not same(tok.decode(ids, skip_special_tokens=True), line) for ids, line in zip(theirs, lines)) if check_decode else 0
        tokens = sum(len(t) for t in theirs)
        print(f"  {name:28s} {split:9s} {len(lines):7d} sentences {tokens:9d} tokens  id mismatches {mismatch}  decode mismatches {decode}")
        total_lines += len(lines); total_tokens += tokens; total_mismatch += mismatch; total_decode += decode
    print(f"  {name:28s} {'all':9s} {total_lines:7d} sentences {total_tokens:9d} tokens  id mismatches {total_mismatch}  decode mismatches {total_decode}")
    return total_mismatch + total_decode


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--attend", default=None, help="the attend executable (default: .build/release or .build/debug)")
    parser.add_argument("--fixtures", action="store_true", help="also write Tests/Fixtures/tokenizers")
    args = parser.parse_args()
    attend = args.attend or next(p for p in (os.path.join(ROOT, ".build", c, "attend") for c in ("release", "debug")) if os.path.exists(p))
    work = tempfile.mkdtemp(prefix="attend-tokenizer-")
    splits = {s: read_lines(os.path.join(DATA, s)) for s in SPLITS}
    failures = 0

    bpe = os.path.join(work, "bpe.json")
    subprocess.run([attend, "tokenizer", "learn", "--kind", "bpe", "--vocab-size", "8000", "--out", bpe,
                    "--input", os.path.join(DATA, "train.es"), os.path.join(DATA, "train.en")], check=True)
    print(f"tokenizers {__import__('tokenizers').__version__}; BPE vocabulary {Tokenizer.from_file(bpe).get_vocab_size()}")
    failures += compare("bpe (written by Attend)", attend, bpe, splits, check_decode=True)
    resaved = os.path.join(work, "bpe.resaved.json")
    Tokenizer.from_file(bpe).save(resaved)
    failures += compare("bpe (re-saved by tokenizers)", attend, resaved, splits, check_decode=True)

    chars = os.path.join(work, "chars.json")
    subprocess.run([attend, "tokenizer", "learn", "--kind", "characters", "--out", chars, "--input"]
                   + [os.path.join(DATA, s) for s in SPLITS], check=True)
    failures += compare("characters (Attend)", attend, chars, splits, check_decode=True)
    chars_resaved = os.path.join(work, "chars.resaved.json")
    Tokenizer.from_file(chars).save(chars_resaved)
    failures += compare("characters (re-saved)", attend, chars_resaved, splits, check_decode=True)

    failures += compare("bpe probes", attend, bpe, {"probes": PROBES}, check_decode=True)
    probe_chars = os.path.join(work, "probe-chars.json")
    with open(os.path.join(work, "probes.txt"), "w", encoding="utf-8") as f:
        f.write("".join(PROBES))
    subprocess.run([attend, "tokenizer", "learn", "--kind", "characters", "--out", probe_chars, "--input", os.path.join(work, "probes.txt")], check=True)
    failures += compare("character probes", attend, probe_chars, {"probes": PROBES + ["e\u0301 and \u00e9"]}, check_decode=True)

    if args.fixtures:
        os.makedirs(FIXTURES, exist_ok=True)
        source = os.path.join(work, "fixture-source.txt")
        with open(source, "w", encoding="utf-8") as f:
            f.write("".join(l + "\n" for l in splits["valid.es"][:150] + splits["valid.en"][:150] + PROBES))
        small_bpe = os.path.join(FIXTURES, "bpe.tokenizer.json")
        subprocess.run([attend, "tokenizer", "learn", "--kind", "bpe", "--vocab-size", "400", "--out", small_bpe, "--input", source], check=True)
        small_chars = os.path.join(FIXTURES, "characters.tokenizer.json")
        subprocess.run([attend, "tokenizer", "learn", "--kind", "characters", "--out", small_chars, "--input", source], check=True)
        Tokenizer.from_file(small_bpe).save(os.path.join(FIXTURES, "bpe.saved-by-tokenizers.json"))
        Tokenizer.from_file(small_chars).save(os.path.join(FIXTURES, "characters.saved-by-tokenizers.json"))
        texts = list(dict.fromkeys(PROBES + splits["test.es"][:10] + splits["test.en"][:10]))
        expected = {"texts": texts}
        for name, path in [("bpe", small_bpe), ("characters", small_chars)]:
            tok = Tokenizer.from_file(path)
            known = [t for t in texts if not isinstance(hf_ids(tok, [t]), str)]
            expected[name] = {t: tok.encode(t, add_special_tokens=False).ids for t in known}
            if name == "characters":  # texts with characters outside the vocabulary: refused by both
                expected["charactersRefused"] = [t for t in texts if t not in known]
            failures += compare(f"{name} fixture", attend, path, {"fixture": known}, check_decode=True)
        with open(os.path.join(FIXTURES, "expected.json"), "w", encoding="utf-8") as f:  # one entry a line
            def dumps(v):
                return json.dumps(v, ensure_ascii=False, separators=(",", ":"))
            f.write("{\n")
            for i, (key, value) in enumerate(expected.items()):
                if isinstance(value, dict):
                    inner = ",\n".join(f"  {dumps(k)}:{dumps(v)}" for k, v in value.items())
                    f.write(f" {dumps(key)}:{{\n{inner}\n }}")
                else:
                    f.write(f" {dumps(key)}:{dumps(value)}")
                f.write(",\n" if i < len(expected) - 1 else "\n")
            f.write("}\n")
        print("fixtures written to", os.path.relpath(FIXTURES, ROOT))

    print("OK: identical ids" if failures == 0 else f"FAILED: {failures} mismatches")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
