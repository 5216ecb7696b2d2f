#!/usr/bin/env python3
"""splade_cpp measured from Python (bench/python_package.sh), in the venv the wheel is
installed in:

  package_bench.py MODEL_DIR DOCS.jsonl INDEX_DIR QUERIES.tsv BATCH THREADS

- encode: SparseEncoder(threads=THREADS).encode_document(docs, batch_size=BATCH), documents/s
  of the loop (model loaded);
- concurrency: 8 Python threads sharing one SparseEncoder(threads=1), each encoding its share
  of the documents; the process' CPU seconds over wall seconds is how many cores they kept
  busy (the GIL is released inside encode);
- search: Searcher(Index.open(INDEX_DIR)).search({token: weight}, k) for each query of an
  Anserini query TSV, mean microseconds a call for k = 10 and 1000, the best of 5 passes (the
  CLI's best of 5 runs on the same queries is printed beside it by the shell script); and
  k = 1000 with every docid read from the returned HitList.
Prints one JSON object.
"""
import collections
import json
import os
import sys
import threading
import time

import splade_cpp


def main():
    model, docs_path, index_dir, queries_path, batch, threads = sys.argv[1:7]
    batch, threads = int(batch), int(threads)
    texts = [json.loads(l)["contents"] for l in open(docs_path, encoding="utf-8")]
    out = {"documents": len(texts), "batch": batch, "threads": threads}

    enc = splade_cpp.SparseEncoder(model, threads=threads)
    enc.encode_document(texts[:batch], batch_size=batch)  # warm-up
    t0 = time.monotonic()
    embs = enc.encode_document(texts, batch_size=batch)
    out["encode_s"] = time.monotonic() - t0
    out["encode_docs_per_s"] = len(texts) / out["encode_s"]
    out["mean_nonzero"] = sum(len(e) for e in embs) / len(embs)

    shared = splade_cpp.SparseEncoder(model, threads=1)
    shares = [texts[i::8] for i in range(8)]
    c0, t0 = os.times(), time.monotonic()
    workers = [threading.Thread(target=shared.encode_document, args=(s,), kwargs={"batch_size": batch}) for s in shares]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    wall, c1 = time.monotonic() - t0, os.times()
    out["eight_threads_wall_s"] = wall
    out["eight_threads_cores_busy"] = ((c1.user - c0.user) + (c1.system - c0.system)) / wall

    searcher = splade_cpp.Searcher(splade_cpp.Index.open(index_dir))
    queries = []
    for line in open(queries_path, encoding="utf-8"):
        _, _, toks = line.rstrip("\n").partition("\t")
        queries.append(dict(collections.Counter(toks.split())))
    # Each figure is the best of 5 passes over the queries (the CLI's beside it is too): the
    # machine's drift is larger than the binding's cost.
    def best_mean_us(call):
        best = float("inf")
        for _ in range(5):
            t0 = time.perf_counter()
            for q in queries:
                call(q)
            best = min(best, (time.perf_counter() - t0) / len(queries) * 1e6)
        return best

    for k in (10, 1000):
        for q in queries[:20]:
            searcher.search(q, k)  # warm-up
        out[f"search_k{k}_mean_us"] = best_mean_us(lambda q: searcher.search(q, k))
    # The same k = 1000 calls with every docid read back (HitList.docids: one list of str).
    out["search_k1000_docids_mean_us"] = best_mean_us(lambda q: searcher.search(q, 1000).docids)
    out["queries"] = len(queries)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
