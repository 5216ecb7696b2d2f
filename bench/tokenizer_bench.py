#!/usr/bin/env python3
"""splade.cpp's tokenizer vs Hugging Face tokenizers on the same real corpus, in one run.

The corpus: every real text of ../shared/data (queries, and the four collections' documents
split into passages: tests/oracle/tokenizer_corpus.real_texts), one text per line, newlines
inside a text turned into spaces. Both sides run [CLS] ... [SEP] with truncation at 512 and
count the same ids. HF is timed in-process through its Python binding, as its users run it:
  single thread: Tokenizer.encode_batch with RAYON_NUM_THREADS=1 (one thread, no Python
                 per-text overhead beyond building the Encoding objects),
  batch:         Tokenizer.encode_batch on all cores.
splade.cpp: bench/tokenizer_bench (encode() per text; encode_batch() on all cores).
Best of --repeats runs each. Usage:
  .venv/bin/python bench/tokenizer_bench.py [--build build-bench] [--repeats 3]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "oracle"))
from tokenizer_corpus import real_texts  # noqa: E402

HF_TIMER = r"""
import json, sys, time
from tokenizers import Tokenizer
tk = Tokenizer.from_file(sys.argv[1])
tk.enable_truncation(max_length=512)
texts = open(sys.argv[2], encoding="utf-8").read().split("\n")[:-1]
best = 1e30
for _ in range(int(sys.argv[3])):
    t0 = time.perf_counter()
    enc = tk.encode_batch(texts)
    best = min(best, time.perf_counter() - t0)
print(json.dumps({"seconds": best, "tokens": sum(len(e.ids) for e in enc)}))
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build-bench"))
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    shared = os.path.join(ROOT, "..", "shared", "data")
    vocab = os.path.join(shared, "vocab", "bert-base-uncased-vocab.txt")
    subprocess.run(["cmake", "-S", ROOT, "-B", args.build, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
                    "-DSPLADE_BUILD_BENCH=ON", "-DSPLADE_BUILD_TESTS=OFF"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", args.build, "--target", "tokenizer_bench"], check=True, stdout=subprocess.DEVNULL)
    cores = os.cpu_count()
    with tempfile.TemporaryDirectory() as tmp:
        from transformers import BertTokenizerFast
        BertTokenizerFast(vocab_file=vocab).save_pretrained(tmp)
        corpus = os.path.join(tmp, "corpus.txt")
        texts = [" ".join(t.split("\n")) for t in real_texts(shared)]
        with open(corpus, "w", encoding="utf-8") as f:
            f.write("".join(t + "\n" for t in texts))
        ours = json.loads(subprocess.run([os.path.join(args.build, "bench", "tokenizer_bench"), tmp, corpus, str(cores),
                                          str(args.repeats)], check=True, capture_output=True, text=True).stdout)
        hf = {}
        for name, threads in [("single", "1"), ("batch", str(cores))]:
            env = dict(os.environ, RAYON_NUM_THREADS=threads, RAYON_RS_NUM_THREADS=threads, TOKENIZERS_PARALLELISM="true")
            r = subprocess.run([sys.executable, "-c", HF_TIMER, os.path.join(tmp, "tokenizer.json"), corpus,
                                str(args.repeats)], check=True, capture_output=True, text=True, env=env)
            hf[name] = json.loads(r.stdout)
    assert hf["single"]["tokens"] == ours["tokens"], (hf, ours)
    n = ours["tokens"]
    print(f"corpus: {ours['texts']} texts, {ours['bytes'] / 1e6:.1f} MB, {n} tokens; {cores} cores; best of {args.repeats}")
    print(f"{'':<28}{'splade.cpp':>14}{'HF tokenizers':>16}{'ratio':>8}")
    for name, label, s_ours in [("single", "1 thread", ours["single_s"]), ("batch", f"batch, {cores} threads", ours["batch_s"])]:
        a, b = n / s_ours, n / hf[name]["seconds"]
        print(f"{label + ' (tokens/s)':<28}{a:>14,.0f}{b:>16,.0f}{a / b:>7.2f}x")


if __name__ == "__main__":
    main()
