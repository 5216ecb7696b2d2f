"""The exact and approximate learned-sparse engines users pick, on the same postings as
splade.cpp, one thread, warm: PISA (pyterrier-pisa: maxscore, block_max_wand,
block_max_maxscore), BMP (exact: alpha = beta = 1; approximate: alpha < 1) and Seismic
(approximate). BMP gets the postings of the CIFF written by `splade export ciff`; PISA the same
postings through its toks_indexer (tf = impact), documents in the same order; Seismic,
which reads neither, the same integer impacts as float32 vectors, and the
same integer query weights. Results are compared with splade.cpp's exhaustive run (tested
equal to brute force): recall of the exact top k and whether the ranked list is identical.

Prints one JSON object per configuration on stdout. Run by bench/search_peers.sh.
"""
import argparse
import collections
import gzip
import json
import os
import re
import statistics
import sys
import tempfile
import time

import numpy as np


def read_queries(path):
    """Anserini's query TSV: qid<TAB>tokens, each repeated by its integer weight."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            qid, _, toks = line.rstrip("\n").partition("\t")
            out.append((qid, dict(collections.Counter(toks.split()))))
    return out


def read_run(path):
    """qid -> [(doc, score)] in rank order."""
    run = collections.defaultdict(list)
    with open(path) as f:
        for line in f:
            qid, _, doc, _rank, score, _tag = line.split()
            run[qid].append((doc, float(score)))
    return run


def latency(samples_s):
    ms = sorted(1000.0 * s for s in samples_s)
    return {"mean_ms": statistics.fmean(ms), "p50_ms": ms[len(ms) // 2],
            "p99_ms": ms[min(len(ms) - 1, int(0.99 * len(ms)))]}


def compare(results, exact, k):
    """results: qid -> [(doc, score)] ranked. Recall of the exact top k; lists identical
    (same ids in the same order); and same scores (the ranked scores equal the exact ones:
    identical but for the order among equal scores)."""
    recalls, identical, same_scores = [], 0, 0
    for qid, want in exact.items():
        want = want[:k]
        got = results.get(qid, [])[:k]
        if want:
            recalls.append(len({d for d, _ in got} & {d for d, _ in want}) / len(want))
        identical += [d for d, _ in got] == [d for d, _ in want]
        same_scores += [round(s, 3) for _, s in got] == [round(s, 3) for _, s in want]
    return {"recall": statistics.fmean(recalls) if recalls else 1.0, "identical": identical,
            "same_scores": same_scores, "queries": len(exact)}


def timed(queries, fn, repeats):
    """Per-query wall times of fn(qid, weights) -> ranked ids; warm-up pass first."""
    results = {}
    for qid, q in queries:
        results[qid] = fn(qid, q)
    best = None
    for _ in range(repeats):
        times = []
        for qid, q in queries:
            t = time.perf_counter()
            fn(qid, q)
            times.append(time.perf_counter() - t)
        best = times if best is None or sum(times) < sum(best) else best
    return results, latency(best)


def emit(**row):
    print(json.dumps(row), flush=True)


def internal_order(index_dir):
    """External ids by splade.cpp internal doc id, from docs.bin (ARCHITECTURE.md)."""
    with open(os.path.join(index_dir, "docs.bin"), "rb") as f:
        b = f.read()
    n = int.from_bytes(b[16:24], "little")
    offsets = np.frombuffer(b, dtype="<u4", count=n + 1, offset=24)
    ids_at = 24 + (n + 1) * 4 + 8 * n
    return [b[ids_at + offsets[i]:ids_at + offsets[i + 1]].decode("utf-8") for i in range(n)]


def read_vectors(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            yield rec["id"], {t: int(v) for t, v in rec["vector"].items() if int(v) > 0}


def run_pisa(args, queries, exact, ks):
    # pyterrier-pisa's from_ciff needs pyciff, which has no wheel here: the same postings go in
    # through toks_indexer (tf = impact, scale 1), documents in splade.cpp's internal order.
    import pyterrier_pisa
    from pyterrier_pisa import _pisathon
    work = tempfile.mkdtemp(prefix="pisa-", dir=args.work)
    docs = dict(read_vectors(args.vectors))
    order = internal_order(args.index)
    t = time.perf_counter()
    index = pyterrier_pisa.PisaIndex(os.path.join(work, "index"), stemmer="none", stops="none", threads=1)
    index.toks_indexer(scale=1.0).index({"docno": d, "toks": docs[d]} for d in order)
    build_s = time.perf_counter() - t
    for algorithm in ("maxscore", "block_max_wand", "block_max_maxscore"):
        for k in ks:
            t = time.perf_counter()
            retr = index.quantized(num_results=k, threads=1, query_algorithm=algorithm, toks_scale=1.0)
            retr.stops = pyterrier_pisa.PisaStopwords.none
            retr.reset_retrieval_context(force=True)  # compresses the index, builds wand data
            prepare_s = time.perf_counter() - t
            qidx = np.empty(k, dtype=np.int32)
            docnos = np.empty(k, dtype=object)
            ranks = np.empty(k, dtype=np.int32)
            scores = np.empty(k, dtype=np.float32)

            def search(qid, q):
                n = _pisathon.retrieve(retr._ctxt, algorithm, [(0, {t: float(w) for t, w in q.items()})], k=k,
                                       threads=1, query_weighted=1, pretokenised=True, result_qidxs=qidx,
                                       result_docnos=docnos, result_ranks=ranks, result_scores=scores)
                return list(zip(docnos[:n], scores[:n].tolist()))

            results, lat = timed(queries, search, args.repeats)
            emit(engine="PISA 0.4.9 (pyterrier-pisa)", algorithm=algorithm, k=k, exact_mode=True,
                 build_s=build_s + prepare_s, index_bytes=dir_bytes(work), **lat, **compare(results, exact[k], k))


def run_bmp(args, queries, exact, ks):
    import bmp
    path = os.path.join(tempfile.mkdtemp(prefix="bmp-", dir=args.work), "index.bmp")
    t = time.perf_counter()
    # ciff2bmp prints its progress on stdout, where the results go: send it to stderr.
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        bmp.ciff2bmp(args.ciff, path, args.bmp_block, False)
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    build_s = time.perf_counter() - t
    searcher = bmp.Searcher(path)
    for k in ks:
        for alpha in args.alphas:
            results, lat = timed(queries, lambda qid, q: list(zip(*searcher.search(q, k, alpha, 1.0))), args.repeats)
            emit(engine="BMP 0.2.8", algorithm=f"block size {args.bmp_block}, alpha {alpha}, beta 1", k=k,
                 exact_mode=alpha == 1.0, build_s=build_s, index_bytes=os.path.getsize(path), **lat,
                 **compare(results, exact[k], k))


def run_seismic(args, queries, exact, ks):
    import seismic
    stype = seismic.get_seismic_string()
    dataset = seismic.SeismicDataset()
    for doc, vec in read_vectors(args.vectors):
        dataset.add_document(doc, np.array(list(vec.keys()), dtype=stype), np.array(list(vec.values()), dtype=np.float32))
    t = time.perf_counter()
    index = seismic.SeismicIndex.build_from_dataset(dataset, n_postings=args.seismic_postings, num_threads=1)
    build_s = time.perf_counter() - t
    for k in ks:
        for query_cut in args.query_cuts:
            for heap_factor in args.heap_factors:
                def search(qid, q):
                    comps = np.array(list(q.keys()), dtype=stype)
                    vals = np.array(list(q.values()), dtype=np.float32)
                    return [(r[2], r[1]) for r in index.search(qid, comps, vals, k, query_cut, heap_factor)]

                results, lat = timed(queries, search, args.repeats)
                emit(engine="Seismic 0.5.4 (pyseismic-lsr)",
                     algorithm=f"n_postings {args.seismic_postings}, query_cut {query_cut}, heap_factor {heap_factor}",
                     k=k, exact_mode=False, build_s=build_s, **lat, **compare(results, exact[k], k))


def dir_bytes(d):
    return sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(d) for f in fs)


def splade_row(args):
    """splade.cpp's own figures: its search log lines (the best of the repeats by mean) and
    its run, compared with the exact run like the peers'."""
    best = None
    with open(args.splade_log) as f:
        for line in f:
            m = re.search(r"retrieval mean ([0-9.]+) ms, p50 ([0-9.]+) ms, p99 ([0-9.]+) ms", line)
            if m:
                row = dict(zip(("mean_ms", "p50_ms", "p99_ms"), map(float, m.groups())))
                best = row if best is None or row["mean_ms"] < best["mean_ms"] else best
    (k, path), = [(int(e.partition("=")[0]), e.partition("=")[2]) for e in args.exact]
    m = re.fullmatch(r"(\S+) (alpha|rho) ([0-9.]+) (beta|candidates) ([0-9.]+)", args.splade_algorithm)
    exact_mode = float(m.group(3)) == 1.0 and (m.group(4) == "candidates" or float(m.group(5)) == 1.0)
    emit(engine="splade.cpp", algorithm=args.splade_algorithm, k=k, exact_mode=exact_mode,
         build_s=args.build_s, index_bytes=args.index_bytes, **best,
         **compare(read_run(args.splade_run), read_run(path), k))


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--ciff", required=True)
    p.add_argument("--vectors", required=True, help="the documents' JsonVectorCollection (for PISA and Seismic)")
    p.add_argument("--index", required=True, help="the splade.cpp index the CIFF came from (its doc order)")
    p.add_argument("--queries", required=True, help="query TSV (tokens repeated by weight)")
    p.add_argument("--exact", nargs="+", required=True, help="K=RUN: splade.cpp's exhaustive run at k = K")
    p.add_argument("--work", default=tempfile.gettempdir())
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--engines", default="pisa,bmp,seismic")
    p.add_argument("--bmp-block", type=int, default=32)
    p.add_argument("--alphas", type=float, nargs="+", default=[1.0, 0.9, 0.8, 0.7])
    p.add_argument("--seismic-postings", type=int, default=3500)
    p.add_argument("--query-cuts", type=int, nargs="+", default=[10, 20, 50])
    p.add_argument("--heap-factors", type=float, nargs="+", default=[0.7, 0.75, 0.8, 0.9, 1.0])
    p.add_argument("--splade-log", help="splade.cpp mode: its `splade search` log (latency lines)")
    p.add_argument("--splade-run")
    p.add_argument("--splade-algorithm", help='"ALGORITHM alpha A beta B" or "impact-ordered rho R candidates C"')
    p.add_argument("--index-bytes", type=int)
    p.add_argument("--build-s", type=float)
    args = p.parse_args()
    if args.splade_log:
        return splade_row(args)
    queries = read_queries(args.queries)
    exact = {}
    for spec in args.exact:
        k, _, path = spec.partition("=")
        exact[int(k)] = read_run(path)
    ks = sorted(exact)
    engines = args.engines.split(",")
    if "pisa" in engines:
        run_pisa(args, queries, exact, ks)
    if "bmp" in engines:
        run_bmp(args, queries, exact, ks)
    if "seismic" in engines:
        run_seismic(args, queries, exact, ks)


if __name__ == "__main__":
    sys.exit(main())
