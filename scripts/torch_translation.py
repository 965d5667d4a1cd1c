#!/usr/bin/env python3
"""PyTorch `nn.Transformer` baseline for Attend's Tatoeba English->Spanish translation run.

Same data, same tokens, same recipe as `attend train --preset tatoeba-en-es`:
- reads the token ids the Swift trainer exported into `<run>/data/` (train/valid/test .src.ids and
  .tgt.ids, one sentence per line, space-separated ids, no <bos>/<eos>) and the vocabulary bytes
  (`vocab.hex`, one line per id) -- so both sides use the identical joint BPE vocabulary;
- model: `nn.Transformer` of the same size (default width 256, 4 heads, 3+3 layers, FFN 1024,
  dropout 0.1, post-LN, ReLU), built with `norm=None` for post-LN so it has no extra final layer
  norms (as the paper and the Swift model), shared source/target/output embedding scaled by
  sqrt(d_model), sinusoidal positions, Xavier-uniform init (nn.Transformer's own), embedding
  N(0, 1/d_model);
- loss: cross-entropy with label_smoothing 0.1, padding ignored;
- Adam(betas=(0.9, 0.98), eps=1e-9) with lr = scale * d^-0.5 * min(step^-0.5, step * warmup^-1.5);
- batches of <= --batch-tokens padded source+target tokens, bucketed by length, shuffled per epoch;
- the same wall-clock budget (--time-limit minutes, training loop incl. validation) on --threads 2.

Reports (one JSON line on stdout): tokens/s (real source+target tokens incl. <eos>, per second of
training steps), steps, losses, and test BLEU (sacrebleu; greedy and beam 4 with GNMT length penalty
0.6, single-reference and multi-reference: repeated English sources grouped). Hypotheses are written
next to --out.

Smoke run (a minute):
    python3 scripts/torch_translation.py --run runs/tatoeba-en-es --time-limit 1 --test-limit 50
Full comparison:
    python3 scripts/torch_translation.py --run runs/tatoeba-en-es --time-limit 60 --out runs/torch-tatoeba
"""

import argparse
import json
import math
import os
import platform
import random
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

PAD, BOS, EOS = 0, 1, 2


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def read_ids(path):
    with open(path) as f:
        return [[int(t) for t in line.split()] for line in f.read().split("\n")[:-1]]


def read_vocab(path):
    with open(path) as f:
        return [bytes.fromhex(line) for line in f.read().split("\n")[:-1]]


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [l[:-1] if l.endswith("\r") else l for l in lines]


class Seq2Seq(nn.Module):
    def __init__(self, vocab, d, heads, enc_layers, dec_layers, ffn, dropout, max_len, pre_ln):
        super().__init__()
        self.d = d
        self.embedding = nn.Embedding(vocab, d)
        enc_layer = nn.TransformerEncoderLayer(d, heads, ffn, dropout, activation="relu", batch_first=True, norm_first=pre_ln)
        dec_layer = nn.TransformerDecoderLayer(d, heads, ffn, dropout, activation="relu", batch_first=True, norm_first=pre_ln)
        encoder = nn.TransformerEncoder(enc_layer, enc_layers, norm=nn.LayerNorm(d) if pre_ln else None, enable_nested_tensor=False)
        decoder = nn.TransformerDecoder(dec_layer, dec_layers, norm=nn.LayerNorm(d) if pre_ln else None)
        self.transformer = nn.Transformer(d, heads, custom_encoder=encoder, custom_decoder=decoder, batch_first=True)
        nn.init.normal_(self.embedding.weight, std=d ** -0.5)
        pe = torch.zeros(max_len, d)
        pos = torch.arange(max_len, dtype=torch.float64).unsqueeze(1)
        div = torch.pow(10000.0, torch.arange(0, d, 2, dtype=torch.float64) / d)
        pe[:, 0::2] = torch.sin(pos / div).float()
        pe[:, 1::2] = torch.cos(pos / div).float()
        self.register_buffer("pe", pe)
        self.dropout = nn.Dropout(dropout)

    def embed(self, ids):
        return self.dropout(self.embedding(ids) * math.sqrt(self.d) + self.pe[: ids.shape[1]])

    def encode(self, src, src_pad):
        return self.transformer.encoder(self.embed(src), src_key_padding_mask=src_pad)

    def decode(self, tgt_in, memory, src_pad):
        t = tgt_in.shape[1]
        mask = torch.triu(torch.full((t, t), float("-inf")), diagonal=1)
        h = self.transformer.decoder(self.embed(tgt_in), memory, tgt_mask=mask, tgt_is_causal=True,
                                     memory_key_padding_mask=src_pad)
        return h @ self.embedding.weight.t()

    def forward(self, src, src_pad, tgt_in):
        return self.decode(tgt_in, self.encode(src, src_pad), src_pad)


def make_batches(src, tgt, batch_tokens, rng):
    rank = list(range(len(src)))
    rng.shuffle(rank)
    order = sorted(range(len(src)), key=lambda i: (len(src[i]), len(tgt[i]), rank[i]))
    batches, cur, ms, mt = [], [], 0, 0
    for i in order:
        s, t = len(src[i]) + 1, len(tgt[i]) + 1
        if cur and (len(cur) + 1) * (max(ms, s) + max(mt, t)) > batch_tokens:
            batches.append(cur)
            cur, ms, mt = [], 0, 0
        cur.append(i)
        ms, mt = max(ms, s), max(mt, t)
    if cur:
        batches.append(cur)
    rng.shuffle(batches)
    return batches


def collate(idx, src, tgt):
    S = max(len(src[i]) for i in idx) + 1
    T = max(len(tgt[i]) for i in idx) + 1
    s = torch.full((len(idx), S), PAD, dtype=torch.long)
    ti = torch.full((len(idx), T), PAD, dtype=torch.long)
    to = torch.full((len(idx), T), -100, dtype=torch.long)
    for r, i in enumerate(idx):
        a = src[i] + [EOS]
        s[r, : len(a)] = torch.tensor(a)
        ti[r, : len(tgt[i]) + 1] = torch.tensor([BOS] + tgt[i])
        to[r, : len(tgt[i]) + 1] = torch.tensor(tgt[i] + [EOS])
    return s, s == PAD, ti, to


def encode_sources(model, sources, max_len):
    sources = [s[: max_len - 1] for s in sources]
    S = max(len(s) for s in sources) + 1
    src = torch.full((len(sources), S), PAD, dtype=torch.long)
    for r, s in enumerate(sources):
        src[r, : len(s) + 1] = torch.tensor(s + [EOS])
    pad = src == PAD
    return model.encode(src, pad), pad, [min(len(s) + 50, max_len) for s in sources]


@torch.no_grad()
def greedy(model, sources, max_len):
    memory, pad, limits = encode_sources(model, sources, max_len)
    B = len(sources)
    out = [[] for _ in range(B)]
    done = [False] * B
    prefix = torch.full((B, 1), BOS, dtype=torch.long)
    t = 0
    while not all(done):
        logp = F.log_softmax(model.decode(prefix, memory, pad)[:, -1].double(), -1)
        nxt = logp.argmax(-1)
        for b in range(B):
            if done[b]:
                continue
            tok = int(nxt[b])
            if tok == EOS:
                done[b] = True
                continue
            out[b].append(tok)
            if t + 1 >= limits[b]:
                done[b] = True
        prefix = torch.cat([prefix, nxt.unsqueeze(1)], 1)
        t += 1
    return out


@torch.no_grad()
def beam_search(model, sources, max_len, k=4, alpha=0.6):
    """Same algorithm as Attend's EncoderDecoder.beamSearch (fairseq-style finishing, GNMT penalty)."""
    lp = lambda n: ((5 + n) / 6) ** alpha
    memory, pad, limits = encode_sources(model, sources, max_len)
    B = len(sources)
    rows = torch.arange(B * k) // k
    memory, pad = memory[rows], pad[rows]
    scores = torch.tensor([0.0 if j % k == 0 else -math.inf for j in range(B * k)], dtype=torch.float64)
    hyps = [[] for _ in range(B * k)]
    finished = [[] for _ in range(B)]
    done = [False] * B
    prefix = torch.full((B * k, 1), BOS, dtype=torch.long)
    t = 0
    while not all(done):
        logp = F.log_softmax(model.decode(prefix, memory, pad)[:, -1].double(), -1)
        V = logp.shape[1]
        cand = (scores.unsqueeze(1) + logp).view(B, k * V)
        top_s, top_i = cand.topk(2 * k, dim=1)
        reorder = list(range(B * k))
        new_hyps, new_scores, last = list(hyps), scores.clone(), prefix[:, -1].clone()
        for s in range(B):
            if done[s]:
                continue
            live = []
            for rank in range(2 * k):
                sc = float(top_s[s, rank])
                if sc == -math.inf:
                    break
                row = s * k + int(top_i[s, rank]) // V
                tok = int(top_i[s, rank]) % V
                if tok == EOS:
                    if rank < k:
                        finished[s].append((hyps[row], sc / lp(len(hyps[row]) + 1)))
                elif len(live) < k:
                    live.append((row, tok, sc))
            for j, (row, tok, sc) in enumerate(live):
                r = s * k + j
                reorder[r] = row
                new_hyps[r] = hyps[row] + [tok]
                new_scores[r] = sc
                last[r] = tok
            if len(finished[s]) >= k:
                done[s] = True
            elif t + 1 >= limits[s]:
                for j in range(len(live)):
                    r = s * k + j
                    finished[s].append((new_hyps[r], float(new_scores[r]) / lp(len(new_hyps[r]))))
                done[s] = True
        prefix = torch.cat([prefix[torch.tensor(reorder)], last.unsqueeze(1)], 1)
        hyps, scores = new_hyps, new_scores
        t += 1
    return [max(f, key=lambda x: x[1])[0] for f in finished]


def translate(model, sources, max_len, beam, batch):
    order = sorted(range(len(sources)), key=lambda i: len(sources[i]))
    out = [None] * len(sources)
    for start in range(0, len(order), batch):
        idx = order[start : start + batch]
        chunk = [sources[i] for i in idx]
        res = greedy(model, chunk, max_len) if beam == 1 else beam_search(model, chunk, max_len, beam)
        for i, r in zip(idx, res):
            out[i] = r
    return out


def bleu(hyps, refs, srcs):
    import sacrebleu

    single = sacrebleu.corpus_bleu(hyps, [refs])
    groups, first = {}, {}
    for i, (s, r) in enumerate(zip(srcs, refs)):
        groups.setdefault(s, []).append(r)
        first.setdefault(s, i)
    uniq = list(groups)
    n = max(len(v) for v in groups.values())
    streams = [[groups[s][j] if j < len(groups[s]) else None for s in uniq] for j in range(n)]
    multi = sacrebleu.corpus_bleu([hyps[first[s]] for s in uniq], streams)
    return {"single": round(single.score, 2), "multi": round(multi.score, 2),
            "single_text": str(single), "multi_text": str(multi)}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--run", required=True, help="Attend run folder with data/*.ids and data/vocab.hex")
    p.add_argument("--out", default=None, help="folder for hypotheses and the JSON result (default <run>-torch)")
    p.add_argument("--time-limit", type=float, default=60, help="training wall-clock budget in minutes")
    p.add_argument("--max-steps", type=int, default=100000)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=1337)
    p.add_argument("--model-dim", type=int, default=256)
    p.add_argument("--num-heads", type=int, default=4)
    p.add_argument("--num-encoder-layers", type=int, default=3)
    p.add_argument("--num-decoder-layers", type=int, default=3)
    p.add_argument("--hidden-dim", type=int, default=1024)
    p.add_argument("--dropout", type=float, default=0.1)
    p.add_argument("--max-length", type=int, default=256)
    p.add_argument("--norm-placement", choices=["post", "pre"], default="post")
    p.add_argument("--batch-tokens", type=int, default=4096)
    p.add_argument("--warmup-steps", type=int, default=1000)
    p.add_argument("--learning-rate-scale", type=float, default=1.0)
    p.add_argument("--label-smoothing", type=float, default=0.1)
    p.add_argument("--eval-interval", type=int, default=500)
    p.add_argument("--test-source", default="Data/tatoeba-spa-eng/test.en")
    p.add_argument("--test-target", default="Data/tatoeba-spa-eng/test.es")
    p.add_argument("--test-limit", type=int, default=None, help="score only the first N test lines (smoke runs)")
    p.add_argument("--decode-batch", type=int, default=64)
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = random.Random(a.seed)
    data = os.path.join(a.run, "data")
    tr_s, tr_t = read_ids(f"{data}/train.src.ids"), read_ids(f"{data}/train.tgt.ids")
    va_s, va_t = read_ids(f"{data}/valid.src.ids"), read_ids(f"{data}/valid.tgt.ids")
    te_s = read_ids(f"{data}/test.src.ids")
    vocab = read_vocab(f"{data}/vocab.hex")
    V = len(vocab)
    out_dir = a.out or a.run.rstrip("/") + "-torch"
    os.makedirs(out_dir, exist_ok=True)

    model = Seq2Seq(V, a.model_dim, a.num_heads, a.num_encoder_layers, a.num_decoder_layers, a.hidden_dim,
                    a.dropout, a.max_length, a.norm_placement == "pre")
    params = sum(p.numel() for p in model.parameters())
    log(f"torch {torch.__version__}: {params} parameters, vocabulary {V}, {len(tr_s)} train pairs, {a.threads} threads")
    opt = torch.optim.Adam(model.parameters(), lr=1.0, betas=(0.9, 0.98), eps=1e-9)
    noam = lambda step: a.learning_rate_scale * a.model_dim ** -0.5 * min(max(step, 1) ** -0.5, max(step, 1) * a.warmup_steps ** -1.5)
    loss_fn = nn.CrossEntropyLoss(ignore_index=-100, label_smoothing=a.label_smoothing)

    def validate():
        model.eval()
        total, n = 0.0, 0
        with torch.no_grad():
            for idx in make_batches(va_s, va_t, a.batch_tokens, random.Random(0)):
                s, sp, ti, to = collate(idx, va_s, va_t)
                logits = model(s, sp, ti)
                k = int((to != -100).sum())
                total += float(F.cross_entropy(logits.reshape(-1, V), to.reshape(-1), ignore_index=-100)) * k
                n += k
        model.train()
        return total / max(n, 1)

    model.train()
    budget = a.time_limit * 60
    start = time.time()
    step, epoch, tokens, train_seconds = 0, 0, 0, 0.0
    evals, losses = [], []
    stop = False
    while not stop:
        for idx in make_batches(tr_s, tr_t, a.batch_tokens, random.Random(a.seed * 1000 + epoch)):
            if time.time() - start >= budget or step >= a.max_steps:
                stop = True
                break
            t0 = time.time()
            s, sp, ti, to = collate(idx, tr_s, tr_t)
            for g in opt.param_groups:
                g["lr"] = noam(step + 1)
            logits = model(s, sp, ti)
            loss = loss_fn(logits.reshape(-1, V), to.reshape(-1))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            train_seconds += time.time() - t0
            tokens += int((sp == False).sum()) + int((to != -100).sum())
            step += 1
            losses.append(loss.item())
            if step % 50 == 0 or step == 1:
                log(f"step {step}  loss {losses[-1]:.4f}  lr {noam(step):.2e}  {tokens / train_seconds:.0f} tok/s  {time.time() - start:.0f}s")
            if step % a.eval_interval == 0:
                v = validate()
                evals.append([step, v])
                log(f"step {step}: validation loss {v:.4f}")
        epoch += 1
    elapsed = time.time() - start
    v = validate()
    evals.append([step, v])
    log(f"trained {step} steps in {elapsed:.0f}s; validation loss {v:.4f}")
    model.eval()

    srcs = read_lines(a.test_source)
    refs = read_lines(a.test_target)
    if a.test_limit:
        te_s, srcs, refs = te_s[: a.test_limit], srcs[: a.test_limit], refs[: a.test_limit]
    detok = lambda ids: b"".join(vocab[i] for i in ids if i >= 4).decode("utf-8", errors="replace")
    result = {"impl": "pytorch nn.Transformer", "torch": torch.__version__, "threads": a.threads, "parameters": params,
              "steps": step, "epochs_started": epoch, "train_seconds": round(train_seconds, 1), "elapsed_seconds": round(elapsed, 1),
              "tokens_per_s": round(tokens / max(train_seconds, 1e-9), 1), "final_train_loss": losses[-1] if losses else None,
              "final_validation_loss": v, "evals": evals, "cpu": platform.processor() or platform.machine(), "args": vars(a)}
    for beam in (1, 4):
        t0 = time.time()
        hyps = [detok(h) for h in translate(model, te_s, a.max_length, beam, a.decode_batch if beam == 1 else max(1, a.decode_batch // 4))]
        name = "greedy" if beam == 1 else f"beam{beam}"
        with open(os.path.join(out_dir, f"test.{name}.es"), "w", encoding="utf-8") as f:
            f.write("".join(h + "\n" for h in hyps))
        try:
            result[f"bleu_{name}"] = bleu(hyps, refs, srcs)
        except ImportError:
            result[f"bleu_{name}"] = "sacrebleu not installed (pip install sacrebleu)"
        log(f"{name}: {result[f'bleu_{name}']} ({time.time() - t0:.0f}s)")
    with open(os.path.join(out_dir, "result.json"), "w") as f:
        json.dump(result, f, indent=1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
