"""Anserini itself is the oracle of `splade index` + `splade search`: on the same
JsonVectorCollection and pre-encoded queries (made here by `splade encode` from the
sparse random-weight regression model over the whole Cranfield collection), Anserini 1.5.0's
IndexCollection -impact -pretokenized and SearchCollection -impact -pretokenized write the
same run as ours, line for line (docid, rank, score as Anserini prints it), once both are put
in the same topic order (Anserini orders TsvString topics as strings, we keep file order)."""
import gzip
import json
import os
import random
import subprocess
import sys

from conftest import ROOT, run_splade
from test_anserini_encoder import NO_NETWORK, anserini  # noqa: F401  (the fixture)


def lines_by_topic(path):
    """A TREC run's lines grouped by topic id, in file order."""
    by_topic = {}
    for line in open(path, encoding="utf-8"):
        by_topic.setdefault(line.split()[0], []).append(line)
    return by_topic


def test_runs_identical_to_anserini_on_cranfield(splade_bin, shared_data, anserini, tmp_path):  # noqa: F811
    java, jar = anserini
    model = tmp_path / "model"
    subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "make_regression_model.py"), str(model)],
                   check=True, capture_output=True)
    run_splade(splade_bin, "convert", str(model), "-o", str(tmp_path / "onnx"), "--head", "splade-pooled",
               "--no-validate")
    run_splade(splade_bin, "collection", "export", "cranfield", "--data", shared_data, "-o", str(tmp_path / "coll"))
    (tmp_path / "vectors").mkdir()
    run_splade(splade_bin, "encode", "--model", str(tmp_path / "onnx"), "-i", str(tmp_path / "coll" / "corpus.jsonl"),
               "-o", str(tmp_path / "vectors" / "part-0.jsonl"), "--allow-empty", "-q")
    run_splade(splade_bin, "encode", "--model", str(tmp_path / "onnx"), "-i", str(tmp_path / "coll" / "topics.tsv"),
               "-o", str(tmp_path / "queries.tsv"), "--queries", "-q")

    run_splade(splade_bin, "index", "--input", str(tmp_path / "vectors"), "--index", str(tmp_path / "ours"))
    run_splade(splade_bin, "search", "--index", str(tmp_path / "ours"), "--topics", str(tmp_path / "queries.tsv"),
               "--output", str(tmp_path / "ours.run"), "--hits", "1000", "--tag", "Anserini")

    def anserini_main(*args):
        r = subprocess.run([java, *NO_NETWORK, "-cp", jar, *args], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr[-3000:]

    anserini_main("io.anserini.index.IndexCollection", "-collection", "JsonVectorCollection",
                  "-input", str(tmp_path / "vectors"), "-index", str(tmp_path / "lucene"),
                  "-generator", "DefaultLuceneDocumentGenerator", "-impact", "-pretokenized", "-threads", "1")
    anserini_main("io.anserini.search.SearchCollection", "-index", str(tmp_path / "lucene"),
                  "-topics", str(tmp_path / "queries.tsv"), "-topicReader", "TsvString",
                  "-output", str(tmp_path / "anserini.run"), "-impact", "-pretokenized", "-hits", "1000",
                  "-threads", "1")

    ours, theirs = lines_by_topic(tmp_path / "ours.run"), lines_by_topic(tmp_path / "anserini.run")
    assert sorted(ours) == sorted(theirs) and len(ours) == 225
    assert sum(len(v) for v in ours.values()) > 200000
    for qid in theirs:
        assert ours[qid] == theirs[qid], qid


def test_runs_identical_to_anserini_on_real_splade_queries(splade_bin, shared_data, anserini, tmp_path):  # noqa: F811
    """The 6,980 MS MARCO dev SPLADE++ ED query vectors (real, as Anserini ships them) against a
    synthetic JsonVectorCollection whose terms are the queries' own WordPieces (drawn as often
    as the queries use them) with SPLADE-like integer impacts."""
    java, jar = anserini
    queries = os.path.join(shared_data, "msmarco-passage", "topics.msmarco-passage.dev-subset.splade-pp-ed.tsv.gz")
    term_uses = {}
    with gzip.open(queries, "rt", encoding="utf-8") as f:
        for line in f:
            for token in set(line.rstrip("\n").split("\t", 1)[1].split()):
                term_uses[token] = term_uses.get(token, 0) + 1
    terms, weights = list(term_uses), list(term_uses.values())
    rng = random.Random(2026)
    (tmp_path / "vectors").mkdir()
    with open(tmp_path / "vectors" / "part-0.jsonl", "w", encoding="utf-8") as out:
        for d in range(3000):
            vector = {t: rng.choice([1, 2, 3, 5, 8, 13, 21, 34, 55, 89]) for t in rng.choices(terms, weights, k=120)}
            out.write(json.dumps({"id": f"doc{rng.randrange(10**7)}-{d}", "contents": "", "vector": vector},
                                 ensure_ascii=False) + "\n")

    run_splade(splade_bin, "index", "--input", str(tmp_path / "vectors"), "--index", str(tmp_path / "ours"))
    run_splade(splade_bin, "search", "--index", str(tmp_path / "ours"), "--topics", queries,
               "--output", str(tmp_path / "ours.run"), "--hits", "1000", "--tag", "Anserini")
    for args in (["io.anserini.index.IndexCollection", "-collection", "JsonVectorCollection",
                  "-input", str(tmp_path / "vectors"), "-index", str(tmp_path / "lucene"),
                  "-generator", "DefaultLuceneDocumentGenerator", "-impact", "-pretokenized", "-threads", "1"],
                 ["io.anserini.search.SearchCollection", "-index", str(tmp_path / "lucene"), "-topics", queries,
                  "-topicReader", "TsvInt", "-output", str(tmp_path / "anserini.run"), "-impact", "-pretokenized",
                  "-hits", "1000", "-threads", "2"]):
        r = subprocess.run([java, *NO_NETWORK, "-cp", jar, *args], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr[-3000:]

    ours, theirs = lines_by_topic(tmp_path / "ours.run"), lines_by_topic(tmp_path / "anserini.run")
    assert len(theirs) == 6980 and sorted(ours) == sorted(theirs)
    for qid in theirs:
        assert ours[qid] == theirs[qid], qid
