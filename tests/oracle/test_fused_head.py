"""The fused SPLADE head (src/encode/fused_head/) against the graph it replaces, on real text
with the trained SPLADE-tiny: `splade encode` with the fused head (the default) and with
`--no-fused-head` (ONNX Runtime runs the whole graph), and the seed's formulation run by
onnxruntime in Python (torch.onnx.export of SpladeExportWrapper). Float weights within 1e-5,
integer impacts identical except at .5 ties (counted); a blank text gives an empty vector;
models the head does not recognize (int8 decoder) run unfused and say why."""
import json
import os
import sys

import numpy as np
import onnxruntime as ort
import pytest
import torch
import transformers

from conftest import ROOT, run_splade

sys.path.insert(0, os.path.join(ROOT, "scripts"))
from seed_reference import SpladeExportWrapper  # noqa: E402

SPLADE_TINY = os.path.join(ROOT, "models", "splade-tiny")
N_DOCS = 100


def java_round_impact(w):
    x = np.float32(w) / np.float32(5) * np.float32(256)
    f = np.floor(x)
    return int(f + 1 if x - f >= np.float32(0.5) else f)


@pytest.fixture(scope="module")
def setup(splade_bin, shared_data, tmp_path_factory):
    if not os.path.isfile(os.path.join(SPLADE_TINY, "model.safetensors")):
        pytest.fail(f"{SPLADE_TINY} is missing: scripts/setup.sh fetches it")
    d = tmp_path_factory.mktemp("fused")
    run_splade(splade_bin, "convert", SPLADE_TINY, "-o", str(d / "tiny"), "--head", "splade-pooled")
    run_splade(splade_bin, "collection", "export", "scifact", "--data", shared_data, "-o", str(d / "scifact"))
    docs = [json.loads(l) for l in open(d / "scifact" / "corpus.jsonl", encoding="utf-8")][:N_DOCS]
    docs += [{"id": "blank", "contents": ""}, {"id": "one-word", "contents": "a"}]
    (d / "docs.jsonl").write_text("".join(json.dumps(x) + "\n" for x in docs), encoding="utf-8")
    return d, docs


def encode(splade_bin, model, src, out, *extra):
    r = run_splade(splade_bin, "encode", "--model", str(model), "-i", str(src), "-o", str(out),
                   "--output-format", "jsonl-float", *extra)
    return {json.loads(l)["id"]: json.loads(l)["vector"] for l in open(out, encoding="utf-8")}, r.stderr


def compare(a, b):
    worst, ties, n = 0.0, 0, 0
    for k in a:
        for t in set(a[k]) | set(b[k]):
            x, y = a[k].get(t, 0.0), b[k].get(t, 0.0)
            worst = max(worst, abs(x - y))
            n += 1
            if java_round_impact(x) != java_round_impact(y):
                assert abs(java_round_impact(x) - java_round_impact(y)) == 1, (k, t, x, y)
                xx = float(np.float32(y) / 5 * 256)
                assert abs(xx - np.floor(xx) - 0.5) < 0.005, (k, t, x, y)
                ties += 1
    return worst, ties, n


def test_fused_equals_the_graph_it_replaces(splade_bin, setup):
    d, _ = setup
    fused, log = encode(splade_bin, d / "tiny", d / "docs.jsonl", d / "fused.jsonl")
    assert "fused head" in log, log
    graph, log2 = encode(splade_bin, d / "tiny", d / "docs.jsonl", d / "graph.jsonl", "--no-fused-head")
    assert "fused head" not in log2
    assert fused.keys() == graph.keys()
    worst, ties, n = compare(fused, graph)
    print(f"{len(fused)} texts, {n} weights, max |fused - graph| {worst:.3g}, {ties} impacts differ at .5 ties")
    assert worst <= 1e-5
    assert ties * 1000 <= n
    # A blank text is [CLS] [SEP], which SPLADE expands (as Pyserini encodes it): the same in both.
    assert fused["blank"] and fused["blank"].keys() == graph["blank"].keys()
    assert sum(len(v) for v in fused.values()) > 50 * N_DOCS  # real SPLADE vectors, not empty ones


def test_pool_first_graph_gives_an_all_masked_row_an_empty_vector(setup):
    d, _ = setup
    sess = ort.InferenceSession(str(d / "tiny" / "model.onnx"), providers=["CPUExecutionProvider"])
    ids = np.array([[101, 7592, 2088, 102], [101, 7592, 2088, 102]], dtype=np.int64)
    mask = np.array([[1, 1, 1, 1], [0, 0, 0, 0]], dtype=np.int64)
    out = sess.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
    assert (out[0] > 0).sum() > 10 and not (out[1] != 0).any()


def test_fused_equals_the_seed_formulation_in_onnxruntime(splade_bin, setup):
    d, docs = setup
    fused, _ = encode(splade_bin, d / "tiny", d / "docs.jsonl", d / "fused.jsonl")
    tok = transformers.AutoTokenizer.from_pretrained(SPLADE_TINY)
    model = transformers.AutoModelForMaskedLM.from_pretrained(SPLADE_TINY).eval()
    path = str(d / "seed.onnx")
    dummy = tok(["hello world"], return_tensors="pt")
    with torch.no_grad():
        torch.onnx.export(SpladeExportWrapper(model), (dummy["input_ids"], dummy["attention_mask"], dummy["token_type_ids"]),
                          path, input_names=["input_ids", "attention_mask", "token_type_ids"],
                          output_names=["output_idx", "output_weights"],
                          dynamic_axes={k: {0: "b", 1: "s"} for k in ("input_ids", "attention_mask", "token_type_ids")},
                          opset_version=14)
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    vocab = tok.convert_ids_to_tokens(list(range(tok.vocab_size)))
    seed = {}
    for doc in docs[:40] + docs[-2:]:
        e = tok([doc["contents"]], truncation=True, max_length=512, return_tensors="np")
        idx, w = sess.run(None, {k: e[k].astype(np.int64) for k in ("input_ids", "attention_mask", "token_type_ids")})
        seed[doc["id"]] = {vocab[i]: float(x) for i, x in zip(idx, w) if i not in (0, 101, 102) and x > 0}
    worst, ties, n = compare({k: fused[k] for k in seed}, seed)
    print(f"{len(seed)} texts vs the seed's graph: max diff {worst:.3g}, {ties} ties of {n}")
    assert worst <= 1e-5
    assert ties * 1000 <= n


def test_an_int8_decoder_runs_unfused_and_says_why(splade_bin, setup, tmp_path):
    d, _ = setup
    run_splade(splade_bin, "optimize", str(d / "tiny" / "model.onnx"), "-o", str(tmp_path / "opt.onnx"))
    fused_opt = tmp_path / "opt"
    os.makedirs(fused_opt)
    for f in os.listdir(d / "tiny"):
        if f != "model.onnx":
            os.link(d / "tiny" / f, fused_opt / f)
    os.replace(tmp_path / "opt.onnx", fused_opt / "model.onnx")
    # An optimized fp32 model keeps its fp32 decoder: still fused, same vectors.
    a, log = encode(splade_bin, fused_opt, d / "docs.jsonl", tmp_path / "a.jsonl")
    assert "fused head" in log
    b, _ = encode(splade_bin, d / "tiny", d / "docs.jsonl", tmp_path / "b.jsonl")
    assert compare(a, b)[0] <= 1e-4
    # An int8 decoder (splade quantize) is not the fp32 projection the head computes: unfused, saying so.
    int8 = tmp_path / "int8"
    os.makedirs(int8)
    for f in os.listdir(d / "tiny"):
        if f != "model.onnx":
            os.link(d / "tiny" / f, int8 / f)
    run_splade(splade_bin, "quantize", str(fused_opt / "model.onnx"), "-o", str(int8 / "model.onnx"), "--no-report")
    _, log = encode(splade_bin, int8, d / "docs.jsonl", tmp_path / "c.jsonl")
    assert "fused head" not in log and "an int8 decoder runs unfused" in log, log
