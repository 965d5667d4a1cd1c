/// The examples each command's `--help` ends with (a test runs every command's help and checks that
/// it shows them).
enum HelpExamples {
    static let byCommand: [String: [String]] = [
        "attend": [
            "attend train --preset shakespeare-char --out runs/shakespeare-char   # train the character LM (bundled data)",
            "attend generate --checkpoint runs/shakespeare-char --prompt \"ROMEO:\" --tokens 300",
            "attend replicate linear-attention --scale quick                    # a study's runs, then its report",
            "attend doctor                                                      # how this binary was built",
        ],
        "train": [
            "attend train --preset shakespeare-char --out runs/x",
            "attend train --data my.txt --model-dim 192 --num-heads 6 --max-steps 5000 --out runs/mine",
            "attend train --data blob.bin --bytes --out runs/bytes        # any file, one token per byte",
            "attend train --out runs/x --resume                           # continue as configured (after Ctrl-C or a kill)",
            "attend train --preset tatoeba-en-es --time-limit 60          # English→Spanish translation",
            "attend train --task reverse --max-steps 800                  # a synthetic seq2seq task",
        ],
        "glossary": ["attend glossary > flags.md"],
        "generate": [
            "attend generate --checkpoint runs/x --prompt \"ROMEO:\" --tokens 300 --temperature 0.8 --top-k 40",
            "attend generate --checkpoint runs/x --top-p 0.9 --num-samples 3 --stop \"\\n\\n\"",
        ],
        "eval": ["attend eval --checkpoint runs/x --data Data/tinyshakespeare.txt --json"],
        "tokenizer": [
            "attend tokenizer export --checkpoint runs/x --out tokenizer.json",
            "attend tokenizer encode --tokenizer tokenizer.json --input lines.txt",
        ],
        "export": ["attend tokenizer export --checkpoint runs/tatoeba-en-es --out tokenizer.json"],
        "learn": ["attend tokenizer learn --kind bpe --input train.en train.es --vocab-size 8000 --out tokenizer.json"],
        "encode": ["attend tokenizer encode --tokenizer tokenizer.json --input lines.txt --json"],
        "translate": [
            "echo \"I like cats.\" | attend translate --checkpoint runs/tatoeba-en-es --beam 4",
            "attend translate --checkpoint runs/tatoeba-en-es --input test.en --output test.es",
        ],
        "bleu": ["attend bleu --hypotheses test.out.es --references Data/tatoeba-spa-eng/test.es"],
        "average": ["attend average --run runs/tatoeba-en-es --last 5 --out runs/tatoeba-en-es/averaged"],
        "bench": ["attend bench peak", "attend bench gemm --precision fp32,bf16", "attend bench train", "attend bench attention"],
        "bench-train": ["attend bench train --steps 200"],
        "peak": ["attend bench peak --seconds 2"],
        "gemm": ["attend bench gemm --shapes 1024x1024x1024,768x128x512:nt"],
        "attention": ["attend bench attention --lengths 512,1024,2048"],
        "replicate": [
            "attend replicate linear-attention --scale full --dry-run     # forecast only",
            "attend replicate linear-attention --scale full               # re-run to resume; finished runs are skipped",
            "attend replicate linear-attention --scale full --shard 0/2 --out part0",
        ],
        "report": ["attend report reports/linear-attention", "attend report reports/x --merge part0 part1"],
        "doctor": ["attend doctor", "attend doctor --no-measure"],
        "export-model": [
            "attend export hf --checkpoint runs/x --out hf/x           # transformers.GPT2LMHeadModel.from_pretrained(\"hf/x\")",
            "attend export pytorch --checkpoint runs/x --out torch/x   # model.py + weights + train_ddp.py",
        ],
        "export-hf": ["attend export hf --checkpoint runs/shakespeare-char --out hf/shakespeare-char"],
        "export-pytorch": [
            "attend export pytorch --checkpoint runs/x --out torch/x",
            "cd torch/x && torchrun --nproc_per_node 1 train_ddp.py --data input.txt --steps 100 --out ../y",
        ],
        "logits": [
            "attend logits --checkpoint runs/x --ids 18,47,56,57",
            "attend logits --checkpoint runs/reverse --source-ids 5,6,7,2 --target-ids 1,7,6,5",
        ],
        "import": ["attend import --from torch/y --out runs/y    # then: attend generate --checkpoint runs/y"],
    ]

    /// `text` followed by the command's examples.
    static func discussion(_ command: String, _ text: String = "") -> String {
        let examples = (byCommand[command] ?? []).map { "  " + $0 }.joined(separator: "\n")
        return (text.isEmpty ? "" : text + "\n\n") + "Examples:\n" + examples
    }
}
