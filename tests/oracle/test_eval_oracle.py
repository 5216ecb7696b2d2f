"""`splade eval` against trec_eval's own C code (pytrec_eval wraps it) on the real qrels of
../shared/data, with runs built here to hit every rule: ties on score (broken by docno),
unjudged and judged-nonrelevant documents, queries missing from the run, queries without
judgments, rankings shorter and longer than the cutoffs. Every measure, per query and "all",
to 1e-6; the text layout character for character.

pytrec_eval evaluates queries one by one and has no -c or -M, so the oracle adds trec_eval
9.0.8's own rules around it (trec_eval.c, meas_avg.c, m_num_rel.c, form_res_rels.c):
- "all": the mean over the evaluated queries (run queries that have judgments); counts
  (num_ret, num_rel, num_rel_ret) are sums; num_q is the number of evaluated queries.
- -c: the means divide by the number of qrels queries instead (a missing query adds 0),
  num_q is that number, and num_rel "all" counts every judgment > 0 of the qrels.
- -M N: each query's ranking is cut to its first N documents in trec_eval's order (score
  descending, then docno descending) before pytrec_eval sees it (which then keeps the order).
-l and -J are pytrec_eval's own relevance_level and judged_docs_only_flag.
"""
import gzip
import json
import os
import random

import pytest
import pytrec_eval

from conftest import run_splade

MEASURES = ["num_q", "num_ret", "num_rel", "num_rel_ret", "map", "recip_rank",
            "P.1,5,10,20,30,100,1000", "recall.5,10,100,1000", "ndcg_cut.1,5,10,20,100,1000"]

QRELS = {
    "msmarco-dev": "msmarco-passage/qrels.msmarco-passage.dev-subset.txt",
    "dl19": "msmarco-passage/qrels.dl19-passage.txt",
    "dl20": "msmarco-passage/qrels.dl20-passage.txt",
    "nfcorpus": "beir/qrels.beir-v1.0.0-nfcorpus.test.txt",
    "scifact": "beir/qrels.beir-v1.0.0-scifact.test.txt",
    "fiqa": "beir/qrels.beir-v1.0.0-fiqa.test.txt",
    "arguana": "beir/qrels.beir-v1.0.0-arguana.test.txt",
    "cacm": "collections/cacm/qrels.cacm.txt",
    "vaswani": "collections/vaswani/qrels",
    # Not TREC qrels in the source: exported by `splade collection export` (graded 0..4 for Cranfield).
    "cranfield": "export:cranfield",
    "cisi": "export:cisi",
}

OPTIONS = [[], ["-c"], ["-M", "10"], ["-l", "2"], ["-J"], ["-c", "-M", "10", "-l", "2"], ["-c", "-J", "-M", "100"]]


def read_lines(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as f:
        return [line.split() for line in f if line.strip()]


def load_qrels(path):
    qrels = {}
    for qid, _, docno, rel in read_lines(path):
        qrels.setdefault(qid, {})[docno] = int(rel)
    return qrels


def make_run(qrels, seed, path):
    """A run over the qrels queries (10% left out, 5 unjudged queries added): judged documents
    of every grade, documents judged for other queries and unseen ones; scores on a coarse grid
    so that many tie; lengths from 0 to 1,500 documents."""
    rng = random.Random(seed)
    all_docs = sorted({d for judged in qrels.values() for d in judged})
    lines = []
    qids = sorted(qrels)
    for qid in qids + [f"unjudged-{i}" for i in range(5)]:
        if qid in qrels and rng.random() < 0.1:
            continue
        judged = list(qrels.get(qid, {}).items())
        n = rng.choice([0, 1, 3, 10, 15, 40, 120, 1000, 1500]) if rng.random() < 0.3 else rng.randint(1, 60)
        chosen = {}
        for docno, rel in judged:
            if rng.random() < 0.7:
                chosen[docno] = rng.randint(0, 30) / 4 + (rel > 0) * rng.choice([0, 2])
        while len(chosen) < n:
            docno = rng.choice(all_docs) if rng.random() < 0.5 else f"u{rng.randint(0, 10**6)}"
            chosen.setdefault(docno, rng.randint(0, 30) / 4)
        items = list(chosen.items())
        rng.shuffle(items)  # file order must not matter
        for rank, (docno, score) in enumerate(items, 1):
            lines.append(f"{qid} Q0 {docno} {rank} {score:.2f} oracle-run")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    run = {}
    for qid, _, docno, _, score, _ in (line.split() for line in lines):
        run.setdefault(qid, {})[docno] = float(score)
    return run


def trec_order(docs):
    """trec_eval's ranking (form_res_rels.c comp_sim_docno): score desc, then docno desc."""
    by_docno = sorted(docs.items(), key=lambda kv: kv[0].encode(), reverse=True)
    return sorted(by_docno, key=lambda kv: -kv[1])  # stable: ties keep docno descending


def oracle(qrels, run, args):
    level = int(args[args.index("-l") + 1]) if "-l" in args else 1
    max_ret = int(args[args.index("-M") + 1]) if "-M" in args else None
    complete = "-c" in args
    judged_only = "-J" in args
    if max_ret is not None:
        run = {q: dict(trec_order(docs)[:max_ret]) for q, docs in run.items()}
    run = {q: docs for q, docs in run.items() if docs}
    evaluator = pytrec_eval.RelevanceEvaluator(qrels, set(MEASURES), relevance_level=level,
                                               judged_docs_only_flag=judged_only)
    per_query = evaluator.evaluate(run)
    names = list(next(iter(per_query.values())).keys())
    n = len(qrels) if complete else len(per_query)
    summary = {}
    for name in names:
        total = sum(per_query[q][name] for q in sorted(per_query, key=str.encode))
        if name == "num_q":
            summary[name] = n
        elif name == "num_rel" and complete:
            summary[name] = sum(1 for judged in qrels.values() for rel in judged.values() if rel > 0)
        elif name.startswith("num_"):
            summary[name] = total
        else:
            summary[name] = total / n
    return per_query, summary


@pytest.fixture(scope="module", params=sorted(QRELS))
def qrels_case(request, shared_data, splade_bin, tmp_path_factory):
    if QRELS[request.param].startswith("export:"):
        out = tmp_path_factory.mktemp("collection")
        run_splade(splade_bin, "collection", "export", request.param, "--data", shared_data, "-o", str(out))
        path = str(out / "qrels.txt")
    else:
        path = os.path.join(shared_data, QRELS[request.param])
    qrels = load_qrels(path)
    run_path = str(tmp_path_factory.mktemp("eval") / f"{request.param}.run")
    run = make_run(qrels, seed=sum(map(ord, request.param)), path=run_path)
    return path, qrels, run_path, run


def splade_eval(splade_bin, qrels_path, run_path, args, *extra):
    measure_args = [a for m in MEASURES for a in ("-m", m)]
    return run_splade(splade_bin, "eval", "--qrels", qrels_path, "--run", run_path, *measure_args, *args, *extra).stdout


@pytest.mark.parametrize("args", OPTIONS, ids=lambda a: "".join(a) or "default")
def test_eval_matches_trec_eval(splade_bin, qrels_case, args):
    qrels_path, qrels, run_path, run = qrels_case
    got = json.loads(splade_eval(splade_bin, qrels_path, run_path, args, "--json"))
    want_queries, want_all = oracle(qrels, run, args)

    assert set(got["queries"]) == set(want_queries)
    for qid, values in want_queries.items():
        mine = got["queries"][qid]
        assert set(mine) == set(values) - {"num_q"}, qid
        for name, value in mine.items():
            assert value == pytest.approx(values[name], abs=1e-6), (qid, name)
    assert list(got["all"]) == list(want_all)  # trec_eval's measure order
    for name, value in want_all.items():
        assert got["all"][name] == pytest.approx(value, abs=1e-6), name


def test_eval_text_layout_is_trec_eval(splade_bin, qrels_case):
    """`-q` output, character for character, as trec_eval prints it (%-22s\\t%s\\t%6.4f)."""
    qrels_path, qrels, run_path, run = qrels_case
    args = ["-c", "-M", "100"]
    text = splade_eval(splade_bin, qrels_path, run_path, args, "-q")
    want_queries, want_all = oracle(qrels, run, args)

    def line(name, qid, value):
        if name.startswith("num_"):
            return "%-22s\t%s\t%ld" % (name, qid, int(value))
        return "%-22s\t%s\t%6.4f" % (name, qid, value)

    want = []
    for qid in sorted(want_queries, key=str.encode):
        want += [line(k, qid, v) for k, v in want_queries[qid].items() if k != "num_q"]
    want += [line(k, "all", v) for k, v in want_all.items()]
    assert text.splitlines() == want
