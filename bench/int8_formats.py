#!/usr/bin/env python3
"""int8 formats side by side on one CPU, in one run: `splade quantize --target ...` against
onnxruntime's own quantize_dynamic with each of its options, on the same fp32 model (splade
convert + splade optimize of MODEL_DIR, SPLADE pooled head) and the same texts.

For every variant: fidelity against the fp32 model (Jaccard of the non-zero term sets,
top-10 overlap, max and mean abs error over the union of non-zero terms, as `splade quantize`
reports them) and batch-1 latency p50 (1 thread), all run by onnxruntime (Python) with the
HF tokenizer:
  - as ORT runs it by default on this CPU ("default kernels"),
  - as splade runs it here ("splade"): u8s8 models on a CPU whose vpmaddubsw pairs saturate
    get ORT's exact U8U8 kernels (session.x64quantprecision), as splade::Encoder does.

Usage: bench/int8_formats.py MODEL_DIR [--texts N] [--work DIR] [--splade BIN] [--out FILE.md]
"""
import argparse
import itertools
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np
import onnx
import onnxruntime as ort
from onnxruntime.quantization import QuantType, quantize_dynamic
from tokenizers import Tokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "data")


def cpu_line():
    model, flags = "", set()
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name") and not model:
            model = line.split(":", 1)[1].strip()
        if line.startswith("flags") and not flags:
            flags = set(line.split(":", 1)[1].split())
    keep = [f for f in ("avx2", "avx512f", "avx512bw", "avx512_vnni", "avx_vnni", "amx_int8") if f in flags]
    saturates = platform.machine() == "x86_64" and not ({"avx512_vnni", "avx_vnni", "amx_int8"} & flags)
    return f"{model} ({' '.join(keep)})", saturates


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode:
        sys.exit(f"{' '.join(cmd)} failed:\n{r.stdout}{r.stderr}")
    return r.stdout


def session(path, precision=False):
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    if precision:
        so.add_session_config_entry("session.x64quantprecision", "1")
    return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])


def vectors(sess, encodings):
    names = {i.name for i in sess.get_inputs()}
    out, times = [], []
    for e in encodings:
        feeds = {"input_ids": np.array([e.ids], np.int64), "attention_mask": np.array([e.attention_mask], np.int64)}
        if "token_type_ids" in names:
            feeds["token_type_ids"] = np.array([e.type_ids], np.int64)
        t0 = time.perf_counter()
        v = sess.run(None, feeds)[0][0]
        times.append(time.perf_counter() - t0)
        out.append(v)
    return out, statistics.median(times) * 1e3


def fidelity(ref, got):
    jac, top, err_sum, err_n, err_max = [], [], 0.0, 0, 0.0
    for a, b in zip(ref, got):
        sa, sb = set(np.flatnonzero(a)), set(np.flatnonzero(b))
        union = sorted(sa | sb)
        jac.append(len(sa & sb) / len(union) if union else 1.0)
        if union:
            d = np.abs(a[union].astype(np.float64) - b[union])
            err_sum, err_n, err_max = err_sum + d.sum(), err_n + len(union), max(err_max, d.max())
        ta, tb = set(np.argsort(-a)[:10][a[np.argsort(-a)[:10]] > 0]), set(np.argsort(-b)[:10][b[np.argsort(-b)[:10]] > 0])
        top.append(len(ta & tb) / max(1, min(10, max(len(ta), len(tb)))))
    return {"jaccard": np.mean(jac), "top10": np.mean(top), "max": err_max, "mean": err_sum / max(1, err_n)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model_dir")
    ap.add_argument("--texts", type=int, default=200)
    ap.add_argument("--work", default=os.path.join(ROOT, "work", "bench-int8"))
    ap.add_argument("--splade", default=os.path.join(ROOT, "build", "tools", "splade", "splade"))
    ap.add_argument("--out", default="")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    conv, fp32 = os.path.join(args.work, "conv"), os.path.join(args.work, "fp32.onnx")
    run([args.splade, "convert", args.model_dir, "-o", conv, "--head", "splade-pooled", "--no-validate"])
    run([args.splade, "optimize", os.path.join(conv, "model.onnx"), "-o", fp32])

    variants = []  # (label, tool, path)
    for target, gran in itertools.product(["portable", "avx512-vnni"], ["per-channel", "per-tensor"]):
        p = os.path.join(args.work, f"splade-{target}-{gran}.onnx")
        run([args.splade, "quantize", fp32, "-o", p, "--target", target, f"--{gran}", "--no-report"])
        fmt = "u8u8" if target == "portable" else "u8s8"
        variants.append((f"splade quantize --target {target} --{gran}", fmt, p))
    for (wname, wtype), rr, pc in itertools.product([("QInt8", QuantType.QInt8), ("QUInt8", QuantType.QUInt8)],
                                                     [False, True], [False, True]):
        if rr and wtype == QuantType.QUInt8:
            continue  # reduce_range only changes int8 weights' saturation
        p = os.path.join(args.work, f"qd-{wname}{'-rr' if rr else ''}{'-pc' if pc else ''}.onnx")
        quantize_dynamic(fp32, p, weight_type=wtype, reduce_range=rr, per_channel=pc,
                         extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
        fmt = "u8u8" if wtype == QuantType.QUInt8 else ("u8s7" if rr else "u8s8")
        label = f"quantize_dynamic {wname}" + (" reduce_range" if rr else "") + (" per_channel" if pc else "")
        variants.append((label, fmt, p))

    tok = Tokenizer.from_file(os.path.join(conv, "tokenizer.json"))
    tok.enable_truncation(128)
    topics = os.path.join(SHARED, "msmarco-passage", "topics.msmarco-passage.dev-subset.txt")
    texts = [line.split("\t", 1)[1].strip() for line in itertools.islice(open(topics, encoding="utf-8"), args.texts)]
    enc = tok.encode_batch(texts)
    cpu, saturates = cpu_line()
    ref, ref_ms = vectors(session(fp32), enc)
    rows = [("fp32 (splade optimize)", "fp32", None, None, ref_ms, os.path.getsize(fp32))]
    for label, fmt, p in variants:
        got, ms = vectors(session(p), enc)
        f_default = fidelity(ref, got)
        f_splade, ms_splade = f_default, ms
        if fmt == "u8s8" and saturates:
            got, ms_splade = vectors(session(p, precision=True), enc)
            f_splade = fidelity(ref, got)
        rows.append((label, fmt, f_default, f_splade, (ms, ms_splade), os.path.getsize(p)))
        print(label, fmt, f_default, f_splade, ms, ms_splade, flush=True)

    out = [f"CPU: {cpu}; u8s8 pairs saturate here: {'yes' if saturates else 'no'}; onnxruntime {ort.__version__} "
           f"(Python), 1 thread, batch 1, {len(texts)} MS MARCO dev queries, model {args.model_dir}", "",
           "| variant | format | Jaccard (default kernels) | Jaccard (as splade runs it) | top-10 | max abs err | mean abs err "
           "| p50 ms (default) | p50 ms (splade) | vs fp32 | size |",
           "|---|---|---|---|---|---|---|---|---|---|---|"]
    for label, fmt, fd, fs, ms, size in rows:
        if fd is None:
            out.append(f"| {label} | fp32 | 1 | 1 | 1 | 0 | 0 | {ms:.2f} | {ms:.2f} | 1.00 | {size / 1e6:.1f} MB |")
            continue
        out.append(f"| {label} | {fmt} | {fd['jaccard']:.4f} | {fs['jaccard']:.4f} | {fs['top10']:.4f} | {fs['max']:.4f} | "
                   f"{fs['mean']:.4f} | {ms[0]:.2f} | {ms[1]:.2f} | {ms[1] / ref_ms:.2f} | {size / 1e6:.1f} MB |")
    text = "\n".join(out) + "\n"
    print(text)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
