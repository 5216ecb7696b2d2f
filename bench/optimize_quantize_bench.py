#!/usr/bin/env python3
"""splade optimize/quantize vs the seed's Python pipeline, on one model, in one run.

Seed pipeline (Anserini's optimize_onnx_model.py + quantize_onnx_model.py):
  onnxruntime.transformers.optimizer.optimize_model(model_type, num_heads, hidden_size)
  -> quantize_dynamic(QInt8, DefaultTensorType FLOAT) on the optimized model,
  and the seed's optional fp16 (optimized_model.convert_float_to_float16, with
  keep_io_types=True so both sides keep fp32 I/O).
splade.cpp: splade optimize -> splade quantize (int8 per tensor) / --fp16, on the optimized model.

Every model is timed by the same runtime (onnxruntime Python, CPU, default graph
optimizations) so the numbers compare the models, not the runtimes:
  batch-1 latency p50/p99 over real MS MARCO dev queries (HF tokenizer) at 1 and 2 threads,
  batch 32 x 128 tokens throughput (sequences/s) at 2 threads,
plus node count, file size and the int8/fp16 fidelity against fp32 on the same queries.

  bench/optimize_quantize_bench.py MODEL_DIR [--splade build/tools/splade/splade] [--queries 100]
(MODEL_DIR from scripts/make_test_model.py MODEL_DIR --size base --export-onnx splade)
"""
import argparse
import os
import subprocess
import sys
import time

import numpy as np
import onnx
import onnxruntime as ort

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def run(cmd):
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def seed_pipeline(src, out_dir):
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers import optimizer

    meta = {p.key: p.value for p in onnx.load(src, load_external_data=False).metadata_props}
    t = time.perf_counter()
    m = optimizer.optimize_model(src, model_type=meta["model_type"], num_heads=int(meta["num_heads"]),
                                 hidden_size=int(meta["hidden_size"]))
    opt = os.path.join(out_dir, "model-optimized.onnx")
    m.save_model_to_file(opt)
    t_opt = time.perf_counter() - t
    t = time.perf_counter()
    q = os.path.join(out_dir, "model-optimized-8bit.onnx")
    quantize_dynamic(model_input=opt, model_output=q, weight_type=QuantType.QInt8,
                     extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    t_q = time.perf_counter() - t
    t = time.perf_counter()
    m.convert_float_to_float16(keep_io_types=True)
    h = os.path.join(out_dir, "model-optimized-fp16.onnx")
    m.save_model_to_file(h)
    t_h = time.perf_counter() - t
    return {"optimized": opt, "int8": q, "fp16": h}, {"optimize": t_opt, "int8": t_q, "fp16": t_h}


def ours_pipeline(splade, src, out_dir):
    opt = os.path.join(out_dir, "model-optimized.onnx")
    t_opt = run([splade, "optimize", src, "-o", opt])
    q = os.path.join(out_dir, "model-optimized-8bit.onnx")
    t_q = run([splade, "quantize", opt, "-o", q, "--no-report"])
    h = os.path.join(out_dir, "model-optimized-fp16.onnx")
    t_h = run([splade, "quantize", opt, "--fp16", "-o", h, "--no-report"])
    return {"optimized": opt, "int8": q, "fp16": h}, {"optimize": t_opt, "int8": t_q, "fp16": t_h}


def feeds(sess, ids_rows):
    seq = max(len(r) for r in ids_rows)
    ids = np.zeros((len(ids_rows), seq), dtype=np.int64)
    mask = np.zeros_like(ids)
    for i, r in enumerate(ids_rows):
        ids[i, : len(r)] = r
        mask[i, : len(r)] = 1
    return {i.name: (mask if "mask" in i.name else np.zeros_like(ids) if "type" in i.name else ids)
            for i in sess.get_inputs()}


def session(path, threads):
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])


def vectors(outs):
    return {int(i): float(w) for i, w in zip(outs[0], outs[1]) if w != 0}


def measure(path, queries, batch_rows):
    row = {"nodes": len(onnx.load(path, load_external_data=False).graph.node), "mb": os.path.getsize(path) / 1e6}
    vecs = []
    for threads in (1, 2):
        s = session(path, threads)
        s.run(None, feeds(s, [queries[0]]))
        times = []
        for q in queries:
            f = feeds(s, [q])
            t = time.perf_counter()
            o = s.run(None, f)
            times.append((time.perf_counter() - t) * 1e3)
            if threads == 1:
                vecs.append(vectors(o))
        row[f"p50_{threads}t"] = float(np.percentile(times, 50))
        row[f"p99_{threads}t"] = float(np.percentile(times, 99))
        if threads == 2:
            f = feeds(s, batch_rows)
            s.run(None, f)
            t = time.perf_counter()
            reps = 3
            for _ in range(reps):
                s.run(None, f)
            row["batch32_seq_per_s"] = reps * len(batch_rows) / (time.perf_counter() - t)
        del s
    return row, vecs


def fidelity(ref, got):
    errs, jac, top = [], [], []
    for a, b in zip(ref, got):
        keys = set(a) | set(b)
        errs.extend(abs(a.get(k, 0.0) - b.get(k, 0.0)) for k in keys)
        jac.append(len(set(a) & set(b)) / max(1, len(keys)))
        ta = set(sorted(a, key=lambda k: -a[k])[:10])
        top.append(len(ta & set(sorted(b, key=lambda k: -b[k])[:10])) / 10)
    return {"max_err": max(errs), "mean_err": float(np.mean(errs)), "jaccard": float(np.mean(jac)),
            "top10": float(np.mean(top))}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model_dir")
    ap.add_argument("--splade", default=os.path.join(ROOT, "build", "tools", "splade", "splade"))
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--work", default=None, help="output folder (default MODEL_DIR/bench)")
    args = ap.parse_args()
    import transformers

    src = os.path.join(args.model_dir, "model.onnx")
    work = args.work or os.path.join(args.model_dir, "bench")
    os.makedirs(os.path.join(work, "seed"), exist_ok=True)
    os.makedirs(os.path.join(work, "ours"), exist_ok=True)
    tok = transformers.BertTokenizerFast.from_pretrained(args.model_dir)
    topics = os.path.join(ROOT, "..", "shared", "data", "msmarco-passage", "topics.msmarco-passage.dev-subset.txt")
    texts = [l.rstrip("\n").split("\t", 1)[1] for l, _ in zip(open(topics, encoding="utf-8"), range(args.queries))]
    queries = [tok(t)["input_ids"] for t in texts]
    rng = np.random.default_rng(0)
    batch_rows = [[101] + list(rng.integers(1000, 29000, 126)) + [102] for _ in range(32)]

    seed_models, seed_t = seed_pipeline(src, os.path.join(work, "seed"))
    our_models, our_t = ours_pipeline(args.splade, src, os.path.join(work, "ours"))
    print(f"# pipeline wall time (s): seed optimize {seed_t['optimize']:.1f}, int8 {seed_t['int8']:.1f}, fp16 "
          f"{seed_t['fp16']:.1f} | splade.cpp optimize(+check) {our_t['optimize']:.1f}, int8 {our_t['int8']:.1f}, "
          f"fp16 {our_t['fp16']:.1f}")
    rows = []
    base_row, base_vecs = measure(src, queries, batch_rows)
    rows.append(("fp32 (torch export)", "-", base_row, None))
    for variant in ("optimized", "int8", "fp16"):
        for who, models in (("seed", seed_models), ("splade.cpp", our_models)):
            r, v = measure(models[variant], queries, batch_rows)
            rows.append((variant, who, r, fidelity(base_vecs, v)))
    print("| model | pipeline | nodes | MB | b1 p50 1t ms | b1 p99 1t ms | b1 p50 2t ms | b1 p99 2t ms | "
          "32x128 seq/s 2t | max abs err | mean abs err | Jaccard | top-10 |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for variant, who, r, fid in rows:
        f = fid or {"max_err": 0, "mean_err": 0, "jaccard": 1, "top10": 1}
        print(f"| {variant} | {who} | {r['nodes']} | {r['mb']:.1f} | {r['p50_1t']:.2f} | {r['p99_1t']:.2f} | "
              f"{r['p50_2t']:.2f} | {r['p99_2t']:.2f} | {r['batch32_seq_per_s']:.2f} | {f['max_err']:.4f} | "
              f"{f['mean_err']:.5f} | {f['jaccard']:.4f} | {f['top10']:.3f} |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
