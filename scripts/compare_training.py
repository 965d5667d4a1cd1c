#!/usr/bin/env python3
"""Side-by-side training benchmark: Attend (Swift) vs PyTorch eager CPU on nanoGPT's
shakespeare-char CPU recipe, on the same machine, in one run.

For each seed it runs `attend bench train --json` and `scripts/torch_char_gpt.py`
(torch.set_num_threads(2)) one after the other, then prints a table with step time,
tokens/s, the speed ratio, final validation loss and peak memory, and writes all
JSON lines to --out.

    swift build -c release
    pip install torch numpy          # once
    python3 scripts/compare_training.py --seeds 1 2 3 --steps 2000 --out bench-train.jsonl
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(cmd):
    print("$ " + " ".join(cmd), file=sys.stderr, flush=True)
    out = subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.PIPE).stdout.decode()
    return json.loads([line for line in out.splitlines() if line.startswith("{")][-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--eval-batches", type=int, default=200)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default="bench-train.jsonl")
    ap.add_argument("--skip-torch", action="store_true")
    args = ap.parse_args()

    attend = os.path.join(ROOT, ".build", "release", "attend")
    rows = []
    for seed in args.seeds:
        a = run([attend, "bench", "train", "--steps", str(args.steps), "--seed", str(seed),
                 "--eval-batches", str(args.eval_batches), "--json"])
        rows.append(a)
        if not args.skip_torch:
            t = run([sys.executable, "scripts/torch_char_gpt.py", "--steps", str(args.steps), "--seed", str(seed),
                     "--threads", str(args.threads), "--eval-iters", str(args.eval_batches),
                     "--eval-interval", str(args.steps)])
            t.pop("evals", None)
            rows.append(t)
    with open(os.path.join(ROOT, args.out) if not os.path.isabs(args.out) else args.out, "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")

    print(f"cpu: {rows[0].get('cpu')}; {args.steps} steps; seeds {args.seeds}")
    print(f"{'impl':10} {'seed':>4} {'ms/step':>9} {'tokens/s':>10} {'val loss':>9} {'peak MB':>8}")
    for r in rows:
        print(f"{r['impl']:10} {r['seed']:>4} {r['ms_per_step_mean']:9.2f} {r['tokens_per_s']:10.0f} "
              f"{r['final_val_loss']:9.4f} {r['peak_rss_mb']:8.0f}")
    by = {}
    for r in rows:
        by.setdefault(r["impl"], []).append(r)
    for impl, rs in by.items():
        print(f"{impl}: mean val loss {statistics.mean(r['final_val_loss'] for r in rs):.4f}, "
              f"mean tokens/s {statistics.mean(r['tokens_per_s'] for r in rs):.0f}")
    if "attend" in by and "pytorch" in by:
        ratio = statistics.mean(r["tokens_per_s"] for r in by["attend"]) / statistics.mean(r["tokens_per_s"] for r in by["pytorch"])
        print(f"speed ratio attend / pytorch: {ratio:.2f}x")


if __name__ == "__main__":
    main()
