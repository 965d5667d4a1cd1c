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
    python3 scripts/compare_training.py --precisions fp32 bf16   # also bf16: Attend --precision bf16
                                                                 # and PyTorch's CPU bf16 autocast

Runs alternate (for each seed: each precision: Attend, then PyTorch) so that slow phases of a
shared machine hit both sides alike; the ratios are taken from the same script run.
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
    ap.add_argument("--precisions", nargs="+", choices=["fp32", "bf16"], default=["fp32"])
    args = ap.parse_args()

    attend = os.path.join(ROOT, ".build", "release", "attend")
    rows = []
    for seed in args.seeds:
        for precision in args.precisions:
            a = run([attend, "bench", "train", "--steps", str(args.steps), "--seed", str(seed),
                     "--eval-batches", str(args.eval_batches), "--precision", precision, "--json"])
            rows.append(a)
            if not args.skip_torch:
                t = run([sys.executable, "scripts/torch_char_gpt.py", "--steps", str(args.steps), "--seed", str(seed),
                         "--threads", str(args.threads), "--eval-iters", str(args.eval_batches),
                         "--eval-interval", str(args.steps), "--precision", precision])
                t.pop("evals", None)
                rows.append(t)
    with open(os.path.join(ROOT, args.out) if not os.path.isabs(args.out) else args.out, "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")

    print(f"cpu: {rows[0].get('cpu')}; {args.steps} steps; seeds {args.seeds}")
    print(f"{'impl':10} {'prec':>5} {'seed':>4} {'ms/step':>9} {'tokens/s':>10} {'val loss':>9} {'peak MB':>8}")
    for r in rows:
        print(f"{r['impl']:10} {r.get('precision', 'fp32'):>5} {r['seed']:>4} {r['ms_per_step_mean']:9.2f} "
              f"{r['tokens_per_s']:10.0f} {r['final_val_loss']:9.4f} {r['peak_rss_mb']:8.0f}")
    by = {}
    for r in rows:
        by.setdefault((r["impl"], r.get("precision", "fp32")), []).append(r)
    mean = lambda rs, key: statistics.mean(r[key] for r in rs)
    for (impl, precision), rs in by.items():
        print(f"{impl} {precision}: mean val loss {mean(rs, 'final_val_loss'):.4f}, "
              f"mean tokens/s {mean(rs, 'tokens_per_s'):.0f}")
    for precision in args.precisions:
        a, t = by.get(("attend", precision)), by.get(("pytorch", precision))
        if a and t:
            print(f"speed ratio attend / pytorch ({precision}): {mean(a, 'tokens_per_s') / mean(t, 'tokens_per_s'):.2f}x")
    for impl in ("attend", "pytorch"):
        f, b = by.get((impl, "fp32")), by.get((impl, "bf16"))
        if f and b:
            print(f"{impl}: bf16 / fp32 speed {mean(b, 'tokens_per_s') / mean(f, 'tokens_per_s'):.2f}x, "
                  f"val loss bf16 - fp32 {mean(b, 'final_val_loss') - mean(f, 'final_val_loss'):+.4f}")


if __name__ == "__main__":
    main()
