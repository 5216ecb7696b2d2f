#!/usr/bin/env python3
"""The Python peers of `splade encode`, timed the same way as bench/encode_latency.cpp.

  encode_peers.py latency MODEL_DIR TOPICS.tsv N THREADS {onnx|torch}
      batch-1 query encoding, text to vector: the seed's path (HF tokenizer +
      onnxruntime InferenceSession on the same model.onnx) or PyTorch eager
      (transformers BertForMaskedLM + the seed's SPLADE pooling).
  encode_peers.py throughput MODEL_DIR PASSAGES.tsv N BATCH THREADS
      document encoding, fastembed-style: HF tokenizer batch + ORT + numpy pooling.
Prints one JSON object.
"""
import json
import resource
import sys
import time

import numpy as np


def read(path, n):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            out.append(line.rstrip("\n").split("\t", 1)[1])
            if len(out) == n:
                break
    return out


def session(model_dir, threads):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    return ort.InferenceSession(f"{model_dir}/model.onnx", so, providers=["CPUExecutionProvider"])


def latency(model_dir, topics, n, threads, impl):
    import transformers
    tok = transformers.BertTokenizerFast.from_pretrained(model_dir)
    queries = read(topics, n)
    if impl == "onnx":
        sess = session(model_dir, threads)
        names = [i.name for i in sess.get_inputs()]

        def encode(q):
            enc = tok(q, truncation=True, max_length=512, return_tensors="np")
            feed = {k: enc[k].astype(np.int64) for k in names if k in enc}
            if "token_type_ids" in names and "token_type_ids" not in feed:
                feed["token_type_ids"] = np.zeros_like(feed["input_ids"])
            outs = sess.run(None, feed)
            if len(outs) == 2:  # output_idx, output_weights
                return dict(zip(outs[0].tolist(), outs[1].tolist()))
            w = outs[0][0]
            nz = np.nonzero(w)[0]
            return dict(zip(nz.tolist(), w[nz].tolist()))
    else:
        import torch
        torch.set_num_threads(threads)
        model = transformers.BertForMaskedLM.from_pretrained(model_dir).eval()

        def encode(q):
            with torch.no_grad():
                enc = tok(q, truncation=True, max_length=512, return_tensors="pt")
                logits = model(**enc).logits
                w = torch.max(torch.log1p(torch.relu(logits)) * enc["attention_mask"].unsqueeze(-1), dim=1).values[0]
                nz = torch.nonzero(w).flatten()
                return dict(zip(nz.tolist(), w[nz].tolist()))
    for q in queries[:10]:
        encode(q)
    times = []
    for q in queries:
        t0 = time.perf_counter()
        encode(q)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    print(json.dumps({"impl": f"python-{impl}", "queries": len(queries), "threads": threads,
                      "p50_ms": times[int(0.5 * (len(times) - 1))], "p99_ms": times[int(0.99 * (len(times) - 1))],
                      "mean_ms": sum(times) / len(times)}))


def throughput(model_dir, passages, n, batch, threads):
    import transformers
    tok = transformers.BertTokenizerFast.from_pretrained(model_dir)
    texts = read(passages, n)
    sess = session(model_dir, threads)
    names = [i.name for i in sess.get_inputs()]
    t0 = time.perf_counter()
    written = 0
    for b in range(0, len(texts), batch):
        enc = tok(texts[b:b + batch], truncation=True, max_length=512, padding=True, return_tensors="np")
        feed = {k: enc[k].astype(np.int64) for k in names if k in enc}
        out = sess.run(None, feed)[0]
        if out.ndim == 3:  # logits: pool here
            out = np.max(np.log1p(np.maximum(out, 0)) * enc["attention_mask"][:, :, None], axis=1)
        for row in out:
            nz = np.nonzero(row)[0]
            dict(zip(nz.tolist(), row[nz].tolist()))
            written += 1
    secs = time.perf_counter() - t0
    print(json.dumps({"impl": "python-onnx", "passages": written, "batch": batch, "threads": threads,
                      "seconds": secs, "passages_per_s": written / secs,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "latency":
        latency(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6])
    else:
        throughput(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]))
