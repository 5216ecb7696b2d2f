"""The fused SPLADE head (src/encode/fused_head/) against the graph it replaces, on real text
with the trained SPLADE-tiny: `splade encode` with the fused head (the default) and with
`--no-fused-head` (ONNX Runtime runs the whole graph), and the seed's formulation run by
onnxruntime in Python (torch.onnx.export of SpladeExportWrapper); int8 decoders from
`splade quantize` and from onnxruntime's quantize_dynamic against ONNX Runtime running their
whole graph. Float weights within 1e-5, integer impacts identical except at .5 ties (counted);
models the head does not recognize run unfused and say why."""
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


def fused_and_graph(splade_bin, model, docs, out_dir, label):
    """`splade encode` of docs with the fused head and with --no-fused-head: both vectors, after
    checking that each ran the head it says, and that they agree within 1e-5 per weight with
    at most one impact in 1,000 off by one at a .5 tie."""
    fused, log = encode(splade_bin, model, docs, out_dir / "fused.jsonl")
    assert "fused head" in log, log
    graph, log2 = encode(splade_bin, model, docs, out_dir / "graph.jsonl", "--no-fused-head")
    assert "fused head" not in log2
    assert fused.keys() == graph.keys()
    worst, ties, n = compare(fused, graph)
    print(f"{label}: {len(fused)} texts, {n} weights, max |fused - graph| {worst:.3g}, {ties} impacts differ at .5 ties")
    assert worst <= 1e-5
    assert ties * 1000 <= n
    return fused, graph


def test_fused_equals_the_graph_it_replaces(splade_bin, setup, tmp_path):
    d, _ = setup
    fused, graph = fused_and_graph(splade_bin, d / "tiny", d / "docs.jsonl", tmp_path, "fp32")
    # A blank text is [CLS] [SEP], which SPLADE expands (as Pyserini encodes it): the same in both.
    assert fused["blank"] and fused["blank"].keys() == graph["blank"].keys()
    assert sum(len(v) for v in fused.values()) > 50 * N_DOCS  # real SPLADE vectors, not empty ones


def test_fp32_vectors_do_not_depend_on_how_the_body_is_sliced(splade_bin, setup, fp32_fused, tmp_path):
    """The fused encoder runs an fp32 body on slices of the batch of at most 1,024 padded tokens
    (src/encode/encoder.cpp): a batch of 32 SciFact documents (up to 512 tokens) runs as several
    slices, a batch of 1 as one text a Run, and the float weights are the same, bit for bit."""
    d, _ = setup
    one, _ = encode(splade_bin, d / "tiny", d / "docs.jsonl", tmp_path / "batch1.jsonl", "--batch", "1")
    many, _ = encode(splade_bin, d / "tiny", d / "docs.jsonl", tmp_path / "batch32.jsonl", "--batch", "32",
                     "--max-length", "512")
    default_length, _ = encode(splade_bin, d / "tiny", d / "docs.jsonl", tmp_path / "b1-512.jsonl", "--batch", "1",
                               "--max-length", "512")
    assert one == fp32_fused
    assert many == default_length


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


def link_model(src, dst):
    os.makedirs(dst)
    for f in os.listdir(src):
        if f != "model.onnx":
            os.link(os.path.join(src, f), os.path.join(dst, f))


@pytest.fixture(scope="module")
def optimized(splade_bin, setup):
    d, _ = setup
    opt = d / "opt"
    link_model(d / "tiny", opt)
    run_splade(splade_bin, "optimize", str(d / "tiny" / "model.onnx"), "-o", str(opt / "model.onnx"))
    return opt


def test_an_optimized_fp32_model_keeps_its_fused_head(splade_bin, setup, optimized, tmp_path):
    d, _ = setup
    a, log = encode(splade_bin, optimized, d / "docs.jsonl", tmp_path / "a.jsonl")
    assert "fused head" in log
    b, _ = encode(splade_bin, d / "tiny", d / "docs.jsonl", tmp_path / "b.jsonl")
    assert compare(a, b)[0] <= 1e-4


@pytest.fixture(scope="module")
def fp32_fused(splade_bin, setup):
    """The fp32 model's fused vectors of the test texts."""
    d, _ = setup
    return encode(splade_bin, d / "tiny", d / "docs.jsonl", d / "fp32-fused.jsonl")[0]


def quantize_with_onnxruntime(src, dst):
    """The seed's int8 step: onnxruntime's own quantize_dynamic (QInt8 weights, per tensor)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic
    # DefaultTensorType: our optimized graph has com.microsoft ops that shape inference skips
    # (the seed passes the same option).
    quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8,
                     extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})


@pytest.mark.parametrize("quantizer", ["splade-per-channel", "splade-per-tensor", "onnxruntime-qint8"])
def test_an_int8_decoder_is_fused_and_equals_the_graph(splade_bin, setup, optimized, fp32_fused, tmp_path, quantizer):
    """An int8 decoder (MatMulInteger on DynamicQuantizeLinear's activations) runs fused: the body
    ends at DynamicQuantizeLinear and the head sums the integers exactly, so the vectors equal
    ONNX Runtime running the whole int8 graph (within float rounding of Log(1 + x))."""
    d, _ = setup
    int8 = tmp_path / "int8"
    link_model(d / "tiny", int8)
    if quantizer == "onnxruntime-qint8":
        quantize_with_onnxruntime(optimized / "model.onnx", int8 / "model.onnx")
    else:
        extra = ["--per-tensor"] if quantizer == "splade-per-tensor" else []
        run_splade(splade_bin, "quantize", str(optimized / "model.onnx"), "-o", str(int8 / "model.onnx"), "--no-report", *extra)
    fused, _ = fused_and_graph(splade_bin, int8, d / "docs.jsonl", tmp_path, quantizer)
    assert sum(len(v) for v in fused.values()) > 50 * N_DOCS
    # int8 is not fp32: the vectors move (by quantization, not by the head).
    moved = max(abs(fused[k].get(t, 0.0) - fp32_fused[k].get(t, 0.0))
                for k in fp32_fused for t in set(fused[k]) | set(fp32_fused[k]))
    assert moved > 1e-3


def test_a_head_the_fused_kernel_cannot_express_runs_unfused_and_says_why(splade_bin, setup, tmp_path):
    """A logits model (no pooling in the graph) is not a pool-first head: it runs as written."""
    d, _ = setup
    run_splade(splade_bin, "convert", SPLADE_TINY, "-o", str(tmp_path / "logits"), "--head", "logits")
    _, log = encode(splade_bin, tmp_path / "logits", d / "docs.jsonl", tmp_path / "c.jsonl")
    assert "fused head" not in log and "head as the graph has it" in log, log


@pytest.mark.parametrize("precision", ["fp32", "int8"])
def test_a_model_with_external_data_runs_fused_and_gives_the_same_vectors(splade_bin, setup, optimized, tmp_path,
                                                                          precision):
    """A model saved with its weights in an external-data file (onnx.save_model with
    save_as_external_data, as models over 2 GB must be) keeps its fused head: the head's tensors
    are read from the data file, the body's stay external for ONNX Runtime, and the vectors are
    those of the same model held inline, bit for bit."""
    import onnx
    d, _ = setup
    inline = tmp_path / "inline"
    link_model(d / "tiny", inline)
    if precision == "int8":
        run_splade(splade_bin, "quantize", str(optimized / "model.onnx"), "-o", str(inline / "model.onnx"), "--no-report")
    else:
        os.symlink(d / "tiny" / "model.onnx", inline / "model.onnx")
    external = tmp_path / "external"
    link_model(d / "tiny", external)
    onnx.save_model(onnx.load(str(inline / "model.onnx")), str(external / "model.onnx"), save_as_external_data=True,
                    all_tensors_to_one_file=True, location="model.onnx.data", size_threshold=1024)
    assert os.path.getsize(external / "model.onnx") < os.path.getsize(external / "model.onnx.data") / 100
    want, _ = encode(splade_bin, inline, d / "docs.jsonl", tmp_path / "inline.jsonl")
    got, log = encode(splade_bin, external, d / "docs.jsonl", tmp_path / "external.jsonl")
    assert "fused head" in log, log
    assert got == want
