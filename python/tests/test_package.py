"""splade_cpp against the `splade` CLI on the same inputs (same vectors, same runs, same
figures) and against sentence-transformers' SparseEncoder and fastembed's SPLADE path on
SPLADE-tiny; bad input gets
splade_cpp.Error, never a crash; threads give the results of one."""
import json
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

import splade_cpp
from conftest import ROOT, SPLADE_TINY, run


def cli_vectors(splade_bin, model, docs_path, out, *extra):
    run(splade_bin, "encode", "--model", model, "-i", docs_path, "-o", out, *extra)
    return {json.loads(l)["id"]: json.loads(l)["vector"] for l in open(out, encoding="utf-8")}


@pytest.fixture(scope="module")
def encoder(data):
    return splade_cpp.SparseEncoder(data["model"], threads=2)


def test_version_is_the_librarys(splade_bin):
    out = run(splade_bin, "--version").stdout
    assert splade_cpp.__version__ in out


def test_encode_document_equals_splade_encode(splade_bin, data, encoder, tmp_path):
    texts = [d["contents"] for d in data["docs"]]
    got = encoder.encode_document(texts, batch_size=32)
    want = cli_vectors(splade_bin, data["model"], data["dir"] / "docs.jsonl", tmp_path / "f.jsonl",
                       "--output-format", "jsonl-float", "--batch", "32")
    impacts = cli_vectors(splade_bin, data["model"], data["dir"] / "docs.jsonl", tmp_path / "i.jsonl", "--batch", "32")
    assert len(got) == len(texts)
    for doc, emb in zip(data["docs"], got):
        assert isinstance(emb.indices, np.ndarray) and emb.indices.dtype == np.uint32
        assert emb.values.dtype == np.float32 and np.all(np.diff(emb.indices.astype(np.int64)) > 0)
        d = emb.as_dict()
        w = want[doc["id"]]
        assert d.keys() == w.keys()
        assert max(abs(d[t] - w[t]) for t in d) <= 1e-6 * max(1.0, max(w.values()))
        assert emb.as_impacts() == impacts[doc["id"]]
    # a str gives one embedding, the same as in a list
    one = encoder.encode(texts[0])
    assert isinstance(one, splade_cpp.SparseEmbedding) and one.as_dict() == got[0].as_dict()
    assert encoder.encode_query([]) == []


def test_mmap_false_maps_nothing_and_encodes_the_same(data, encoder):
    """mmap=False (the CLI's --no-mmap): model.onnx is not mapped into the process while the
    encoder is open (mmap=True maps it: the control), and the vectors are the same."""
    onnx_file = str((data["model"] / "model.onnx").resolve())

    def mapped():
        with open("/proc/self/maps", encoding="utf-8") as f:
            return any(line.rstrip("\n").endswith(onnx_file) for line in f)

    texts = [d["contents"] for d in data["docs"][:8]]
    assert mapped()  # the session-wide `encoder` fixture is open with mmap=True
    in_memory = splade_cpp.SparseEncoder(data["model"], threads=1, mmap=False)
    assert [e.as_dict() for e in in_memory.encode_document(texts)] == \
        [e.as_dict() for e in encoder.encode_document(texts)]


def test_vectors_equal_sentence_transformers(data, encoder, oracle_python, tmp_path):
    """The oracle: sentence-transformers 5.1.2 SparseEncoder (PyTorch) on the same checkpoint,
    run in the project's oracle venv. Its activation "relu" is SPLADE's log1p(relu(x)) (its
    "log1p_relu" applies log1p once more)."""
    texts = [d["contents"] for d in data["docs"][:20]] + [t for _, t in data["topics"][:20]]
    (tmp_path / "texts.json").write_text(json.dumps(texts))
    script = r"""
import json, sys
from sentence_transformers import SparseEncoder
from sentence_transformers.sparse_encoder.models import MLMTransformer, SpladePooling
texts = json.load(open(sys.argv[2]))
mlm = MLMTransformer(sys.argv[1])
model = SparseEncoder(modules=[mlm, SpladePooling(pooling_strategy="max", activation_function="relu")], device="cpu")
emb = model.encode(texts, convert_to_tensor=True, batch_size=8).to_dense()
vocab = mlm.tokenizer.convert_ids_to_tokens(list(range(emb.shape[1])))
out = [{vocab[i]: float(row[i]) for i in row.nonzero().flatten().tolist()} for row in emb]
json.dump(out, open(sys.argv[3], "w"))
"""
    subprocess.run([oracle_python, "-c", script, os.path.join(ROOT, "models", "splade-tiny"), tmp_path / "texts.json",
                    tmp_path / "st.json"], check=True, capture_output=True)
    want = json.load(open(tmp_path / "st.json"))
    worst = max_weight_difference(encoder.encode(texts), want)
    print(f"max |splade_cpp - sentence-transformers| = {worst:.3g} over {len(texts)} texts")
    assert worst <= 1e-4


def test_vectors_equal_fastembed(splade_bin, data, encoder, oracle_python, tmp_path):
    """The oracle: fastembed 0.9.1's SPLADE path (SparseTextEmbedding as SpladePP: its tokenizer
    setup from tokenizer.json, onnxruntime on a logits model, numpy log1p(relu(logits)) * mask,
    max over tokens), run in the project's oracle venv on SPLADE-tiny converted with
    `--head logits`, against splade_cpp on the `splade-pooled` conversion (the fused head)."""
    texts = [d["contents"] for d in data["docs"][20:40]] + [t for _, t in data["topics"][20:40]]
    (tmp_path / "texts.json").write_text(json.dumps(texts))
    run(splade_bin, "convert", SPLADE_TINY, "-o", tmp_path / "logits", "--head", "logits")
    script = r"""
import json, sys
from fastembed import SparseTextEmbedding
texts = json.load(open(sys.argv[2]))
model = SparseTextEmbedding(model_name="prithivida/Splade_PP_en_v1", specific_model_path=sys.argv[1], threads=1)
out = [[e.indices.tolist(), e.values.tolist()] for e in model.embed(texts, batch_size=8)]
json.dump(out, open(sys.argv[3], "w"))
"""
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    r = subprocess.run([oracle_python, "-c", script, tmp_path / "logits", tmp_path / "texts.json", tmp_path / "fe.json"],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    vocab = encoder.vocabulary
    want = [{vocab[i]: w for i, w in zip(ids, ws)} for ids, ws in json.load(open(tmp_path / "fe.json"))]
    assert len(want) == len(texts) and all(want)
    worst = max_weight_difference(encoder.encode(texts), want)
    print(f"max |splade_cpp - fastembed| = {worst:.3g} over {len(texts)} texts")
    assert worst <= 1e-4


def max_weight_difference(embeddings, want):
    """The largest |ours - theirs| over every token of either side (a missing token weighs 0)."""
    assert len(embeddings) == len(want)
    worst = 0.0
    for g, w in zip(embeddings, want):
        d = g.as_dict()
        for t in set(d) | set(w):
            worst = max(worst, abs(d.get(t, 0.0) - w.get(t, 0.0)))
    return worst


def test_decode_and_scipy(encoder, data):
    emb = encoder.encode(data["docs"][0]["contents"])
    top = encoder.decode(emb, top_k=5)
    d = emb.as_dict()
    assert len(top) == 5 and [w for _, w in top] == sorted(d.values(), reverse=True)[:5]
    assert all(d[t] == w for t, w in top)
    assert len(encoder.decode(emb)) == len(emb)
    m = splade_cpp.to_scipy(encoder.encode([data["docs"][0]["contents"], data["docs"][1]["contents"]]))
    assert m.shape == (2, len(encoder.vocabulary)) and m.nnz == len(emb) + len(encoder.encode(data["docs"][1]["contents"]))
    assert np.allclose(m[0].toarray()[0, emb.indices], emb.values)


@pytest.fixture(scope="module")
def indexes(splade_bin, data, encoder, tmp_path_factory):
    d = tmp_path_factory.mktemp("idx")
    run(splade_bin, "encode", "--model", data["model"], "-i", data["dir"] / "docs.jsonl", "-o", d / "vectors.jsonl")
    run(splade_bin, "index", "--input", d / "vectors.jsonl", "--index", d / "cli.idx")
    embs = encoder.encode_document([x["contents"] for x in data["docs"]])
    from_pairs = splade_cpp.Index.build(((x["id"], e.as_impacts()) for x, e in zip(data["docs"], embs)), d / "py.idx")
    from_file = splade_cpp.Index.build(d / "vectors.jsonl", d / "file.idx")
    return d, from_pairs, from_file


def trec_run(path):
    out = {}
    for line in open(path):
        q, _, doc, rank, score, _ = line.split()
        out.setdefault(q, []).append((doc, int(score)))
    return out


def test_index_and_search_equal_the_cli(splade_bin, data, encoder, indexes):
    d, from_pairs, from_file = indexes
    assert len(from_pairs) == len(from_file) == len(data["docs"])
    assert from_pairs.num_terms == from_file.num_terms
    run(splade_bin, "search", "--index", d / "cli.idx", "--model", data["model"], "--topics", data["dir"] / "topics.tsv",
        "--output", d / "run.txt", "--hits", "20", "--score-format", "integer")
    want = trec_run(d / "run.txt")
    for index in (from_pairs, from_file):
        searcher = splade_cpp.Searcher(index, encoder)
        for qid, text in data["topics"]:
            hits = searcher.search(text, k=20)
            assert [(h.docid, h.score) for h in hits] == want.get(qid, []), qid
        batch = searcher.batch_search([t for _, t in data["topics"]], [q for q, _ in data["topics"]], k=20, threads=2)
        assert {q: [(h.docid, h.score) for h in hs] for q, hs in batch.items() if hs} == want
    # a {token: weight} query: ints as impacts; floats quantized as the encoder's weights are
    emb = encoder.encode_query(data["topics"][0][1])
    searcher = splade_cpp.Searcher(from_pairs)
    assert searcher.search(emb.as_impacts(), k=20) == splade_cpp.Searcher(from_pairs, encoder).search(data["topics"][0][1], 20)
    assert searcher.search(emb.as_dict(), k=20) == searcher.search(emb.as_impacts(), k=20)
    # a dict is read by CPython's own iteration, any other mapping through items(): the same query
    import collections
    import types
    impacts = emb.as_impacts()
    for other in (collections.OrderedDict(impacts), types.MappingProxyType(impacts), {**impacts, "[unused0]": 0}):
        assert searcher.search(other, k=20) == searcher.search(impacts, k=20)
    with pytest.raises(splade_cpp.Error, match="bool"):
        searcher.search({**impacts, "cell": True})


def test_algorithms_and_approximate_search_equal_the_cli(splade_bin, data, encoder, indexes):
    """Searcher(algorithm=..., rho=..., candidates=...) gives `splade search --algorithm
    --rho --candidates`'s run; every exact algorithm gives exhaustive's; bad options raise."""
    d, from_pairs, _ = indexes
    topics = [(q, encoder.encode_query(t).as_impacts()) for q, t in data["topics"]]
    exact = {q: list(splade_cpp.Searcher(from_pairs).search(v, k=20)) for q, v in topics}
    for algorithm in ("impact-ordered", "maxscore", "auto"):
        s = splade_cpp.Searcher(from_pairs, algorithm=algorithm)
        assert {q: list(s.search(v, k=20)) for q, v in topics} == exact, algorithm
    run(splade_bin, "search", "--index", d / "cli.idx", "--model", data["model"], "--topics", data["dir"] / "topics.tsv",
        "--output", d / "approx.txt", "--hits", "20", "--score-format", "integer", "--algorithm", "impact-ordered",
        "--rho", "0.2", "--candidates", "25")
    want = trec_run(d / "approx.txt")
    s = splade_cpp.Searcher(from_pairs, encoder, algorithm="impact-ordered", rho=0.2, candidates=25)
    got = {q: [(h.docid, h.score) for h in s.search(t, k=20)] for q, t in data["topics"]}
    assert {q: h for q, h in got.items() if h} == want
    assert got != {q: [(h.docid, h.score) for h in hs] for q, hs in exact.items()}, "rho 0.2 changed nothing"
    for bad in (dict(algorithm="bm25"), dict(rho=0.5), dict(algorithm="impact-ordered", rho=0.0),
                dict(algorithm="impact-ordered", candidates=0)):
        with pytest.raises(splade_cpp.Error):
            splade_cpp.Searcher(from_pairs, **bad)


def test_build_options_and_closing_equal_the_cli(splade_bin, data, encoder, indexes, tmp_path):
    """Index.build(..., threads, reorder, block_max) writes the files `splade index --threads
    --reorder --block-max` writes, byte for byte, from pairs and from files; a closed Index
    refuses every use, while a Searcher made before keeps its own hold."""
    d, _, _ = indexes
    run(splade_bin, "index", "--input", d / "vectors.jsonl", "--index", tmp_path / "cli", "--reorder", "--block-max",
        "--threads", "2")
    embs = encoder.encode_document([x["contents"] for x in data["docs"]])
    pairs = [(x["id"], e.as_impacts()) for x, e in zip(data["docs"], embs)]
    built = [splade_cpp.Index.build(pairs, tmp_path / "pairs", threads=2, reorder=True, block_max=True),
             splade_cpp.Index.build(d / "vectors.jsonl", tmp_path / "files", threads=0, reorder=True, block_max=True)]
    want = {f.name: f.read_bytes() for f in (tmp_path / "cli").iterdir()}
    assert "blockmax.bin" in want
    for name in ("pairs", "files"):
        assert {f.name: f.read_bytes() for f in (tmp_path / name).iterdir()} == want, name
    with pytest.raises(splade_cpp.Error, match="exists"):
        splade_cpp.Index.build(pairs, tmp_path / "pairs")
    with pytest.raises(splade_cpp.Error, match="threads"):
        splade_cpp.Index.build(pairs, tmp_path / "neg", threads=-1)
    query = encoder.encode_query(data["topics"][0][1]).as_impacts()
    index = built[0]
    searcher = splade_cpp.Searcher(index)
    want_hits = searcher.search(query, 10)
    with index:
        assert len(index) == len(data["docs"])
    for use in (lambda: len(index), lambda: index.num_terms, lambda: index.path, lambda: splade_cpp.Searcher(index)):
        with pytest.raises(splade_cpp.Error, match="closed"):
            use()
    assert searcher.search(query, 10) == want_hits and len(want_hits) == 10


def test_hit_list_reads_like_the_list_of_the_cli_run(splade_bin, data, encoder, indexes, tmp_path):
    """A search's HitList against `splade search`'s run of the same query: every way of reading
    it (len, [i], [-i], slices, iteration, ==, docids, scores, tolist) gives the CLI's hits, it
    outlives the Index and Searcher objects, and evaluate takes it as a run."""
    import gc
    d, _, _ = indexes
    run(splade_bin, "search", "--index", d / "cli.idx", "--model", data["model"], "--topics", data["dir"] / "topics.tsv",
        "--output", tmp_path / "run.txt", "--hits", "30", "--score-format", "integer")
    want = trec_run(tmp_path / "run.txt")
    qid, text = next((q, t) for q, t in data["topics"] if len(want.get(q, [])) >= 10)
    searcher = splade_cpp.Searcher(splade_cpp.Index.open(d / "cli.idx"), encoder)
    hits = searcher.search(text, k=30)
    batch = searcher.batch_search([t for _, t in data["topics"]], [q for q, _ in data["topics"]], k=30)
    del searcher
    gc.collect()
    w = want[qid]
    assert isinstance(hits, splade_cpp.HitList) and len(hits) == len(w)
    assert hits == w and hits == [splade_cpp.Hit(doc, score) for doc, score in w] and hits == batch[qid]
    assert hits != w[:-1] and hits != w[::-1]
    assert hits[0] == splade_cpp.Hit(*w[0]) and hits[-1] == splade_cpp.Hit(*w[-1])
    assert hits[2:7] == [splade_cpp.Hit(*p) for p in w[2:7]] and hits[::-3] == [splade_cpp.Hit(*p) for p in w[::-3]]
    assert [tuple(h) for h in hits] == w and hits.tolist() == [splade_cpp.Hit(*p) for p in w]
    assert hits.docids == [doc for doc, _ in w]
    assert hits.scores.dtype == np.uint64 and hits.scores.tolist() == [score for _, score in w]
    assert repr(hits).startswith("[Hit(docid=") and repr(hits).count("Hit(") == len(w)
    with pytest.raises(IndexError):
        hits[len(w)]
    with pytest.raises(IndexError):
        hits[-len(w) - 1]
    qrels = {}
    for line in open(data["qrels"]):
        q, _, doc, rel = line.split()
        qrels.setdefault(q, {})[doc] = int(rel)
    as_dicts = {q: {doc: float(score) for doc, score in hs} for q, hs in want.items()}
    assert splade_cpp.evaluate(qrels, {q: hs for q, hs in batch.items() if hs}, ["map", "ndcg_cut.10"]) == \
        splade_cpp.evaluate(qrels, as_dicts, ["map", "ndcg_cut.10"])


def test_evaluate_equals_splade_eval(splade_bin, data, indexes):
    d, _, _ = indexes
    measures = ["ndcg_cut.10", "recall.100", "map"]
    out = run(splade_bin, "eval", "--qrels", data["qrels"], "--run", d / "run.txt", *sum((["-m", m] for m in measures), [])).stdout
    want = {}
    for line in out.splitlines():
        name, q, value = line.split()
        if q == "all":
            want[name] = float(value)
    got = splade_cpp.evaluate(data["qrels"], d / "run.txt", measures)
    assert set(got) == set(want)
    assert all(abs(got[k] - want[k]) < 5e-5 for k in want)  # splade eval prints 4 decimals
    # the same from dicts (pytrec_eval's shapes)
    qrels = {}
    for line in open(data["qrels"]):
        q, _, doc, rel = line.split()
        qrels.setdefault(q, {})[doc] = int(rel)
    run_dict = {q: {doc: float(s) for doc, s in hits} for q, hits in trec_run(d / "run.txt").items()}
    assert splade_cpp.evaluate(qrels, run_dict, measures) == got


def test_threads_give_the_results_of_one(data, encoder, indexes):
    _, index, _ = indexes
    searcher = splade_cpp.Searcher(index, encoder)
    texts = [t for _, t in data["topics"]]
    want_vectors = [e.as_dict() for e in encoder.encode(texts)]
    want_hits = [searcher.search(t, 10) for t in texts]
    results, errors = [None] * 8, []

    def work(i):
        try:
            results[i] = ([e.as_dict() for e in encoder.encode(texts)], [searcher.search(t, 10) for t in texts])
        except Exception as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert all(r == (want_vectors, want_hits) for r in results)


def test_bad_input_is_an_error_not_a_crash(data, encoder, indexes, tmp_path):
    _, index, _ = indexes
    with pytest.raises(splade_cpp.Error, match="model"):
        splade_cpp.SparseEncoder(tmp_path / "missing")
    with pytest.raises(splade_cpp.Error, match="truncation"):
        splade_cpp.SparseEncoder(data["model"], truncation="left")
    with pytest.raises(splade_cpp.Error):
        encoder.encode([1, 2])
    with pytest.raises(splade_cpp.Error, match="batch_size"):
        encoder.encode(["a"], batch_size=0)
    with pytest.raises(splade_cpp.Error, match="UTF-8"):
        encoder.encode(["fine", "\udcff"])  # a lone surrogate is not UTF-8
    with pytest.raises(splade_cpp.Error):
        splade_cpp.Index.open(tmp_path / "no-index")
    with pytest.raises(splade_cpp.Error, match="needs Searcher"):
        splade_cpp.Searcher(index).search("text without an encoder")
    with pytest.raises(splade_cpp.Error, match="weight"):
        splade_cpp.Searcher(index).search({"cell": "high"})
    with pytest.raises(splade_cpp.Error, match="pair"):
        splade_cpp.Index.build([("d1",)], tmp_path / "bad.idx")
    with pytest.raises(splade_cpp.Error, match="qids"):
        splade_cpp.Searcher(index).batch_search([{"cell": 1}], ["q1", "q2"])
    with pytest.raises(splade_cpp.Error):
        splade_cpp.evaluate({"q": {"d": 1}}, {"q": {"d": "x"}}, ["map"])
    assert isinstance(splade_cpp.Error("x"), RuntimeError)
    assert splade_cpp.Searcher(index).search({}, k=10) == []


def test_readme_example_runs(tmp_path):
    """The README's "From Python" example, as written there, run from the repository root."""
    text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    start = text.index("## From Python")
    block = text[start:].split("```python\n", 1)[1].split("```", 1)[0]
    env = dict(os.environ, SPLADE_EXAMPLE_DIR=str(tmp_path))
    r = subprocess.run([sys.executable, "-c", block], cwd=ROOT, capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    assert "Hit(docid=" in r.stdout


def test_the_wheel_carries_its_runtime_and_type_information():
    """A fresh venv needs nothing else: the ONNX Runtime the extension links is beside it (and
    is the one loaded), with the stubs and the PEP 561 marker for editors."""
    pkg = os.path.dirname(splade_cpp.__file__)
    assert os.path.isfile(os.path.join(pkg, "libonnxruntime.so.1"))
    assert os.path.isfile(os.path.join(pkg, "_core.pyi")) and os.path.isfile(os.path.join(pkg, "py.typed"))
    maps = open("/proc/self/maps").read()
    assert os.path.join(pkg, "libonnxruntime.so.1") in maps
    assert splade_cpp._core.onnxruntime_version().startswith("1.")


def test_optimize_quantize_inspect_equal_the_cli(splade_bin, data, tmp_path):
    """The same files as `splade optimize` / `splade quantize --no-report`, byte for byte, and
    the report of `splade inspect --json`."""
    model = data["model"] / "model.onnx"
    run(splade_bin, "optimize", model, "-o", tmp_path / "cli-opt.onnx")
    r = splade_cpp.optimize(model, tmp_path / "py-opt.onnx")
    assert r["nodes_after"] < r["nodes_before"] and r["checked_input_sets"] > 0
    assert (tmp_path / "py-opt.onnx").read_bytes() == (tmp_path / "cli-opt.onnx").read_bytes()
    run(splade_bin, "quantize", tmp_path / "cli-opt.onnx", "-o", tmp_path / "cli-int8.onnx", "--no-report")
    q = splade_cpp.quantize(tmp_path / "py-opt.onnx", tmp_path / "py-int8.onnx")
    assert q["int8_format"] == "u8u8" and q["matmuls_quantized"] > 0
    assert (tmp_path / "py-int8.onnx").read_bytes() == (tmp_path / "cli-int8.onnx").read_bytes()
    want = json.loads(run(splade_bin, "inspect", tmp_path / "cli-int8.onnx", "--json").stdout)
    got = splade_cpp.inspect(tmp_path / "py-int8.onnx")
    want.pop("path", None), got.pop("path", None)
    assert got == want
    with pytest.raises(splade_cpp.Error, match="target"):
        splade_cpp.quantize(tmp_path / "py-opt.onnx", tmp_path / "x.onnx", target="gpu")
    with pytest.raises(splade_cpp.Error):
        splade_cpp.inspect(tmp_path / "missing.onnx")
