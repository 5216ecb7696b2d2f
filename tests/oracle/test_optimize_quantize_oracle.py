"""splade optimize / quantize against onnxruntime's own Python tools on the same models.

Oracles: onnxruntime (Python 1.20.1) runs every model; onnxruntime.transformers' optimizer
gives the node-count bound, onnxruntime.quantization.quantize_dynamic the int8 fidelity
bound and onnxruntime.transformers.float16 the fp16 bound; HF tokenizers tokenize the text.
"""
import collections
import gzip
import json
import os

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from conftest import run_splade

TINY = ("--size", "tiny", "--weights", "safetensors")
MODELS = {
    # name: make_test_model args, layers
    "bert_splade": (("--export-onnx", "splade") + TINY, 2),
    "bert_hidden": (("--export-onnx", "hidden") + TINY, 2),
    "bert_logits": (("--export-onnx", "logits") + TINY, 2),
    "distilbert_splade": (("--arch", "distilbert", "--export-onnx", "splade") + TINY, 2),
}


def ops(path):
    return collections.Counter(n.op_type for n in onnx.load(path).graph.node)


def session(path, threads=1):
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])


def feeds(sess, ids_rows):
    seq = max(len(r) for r in ids_rows)
    ids = np.zeros((len(ids_rows), seq), dtype=np.int64)
    mask = np.zeros_like(ids)
    for i, r in enumerate(ids_rows):
        ids[i, : len(r)] = r
        mask[i, : len(r)] = 1
    out = {}
    for inp in sess.get_inputs():
        if "mask" in inp.name:
            out[inp.name] = mask
        elif "type" in inp.name:
            out[inp.name] = np.zeros_like(ids)
        else:
            out[inp.name] = ids
    return out


def splade_vector(sess, ids):
    """term id -> weight for one text: the sparse export, or relu/log1p/max over logits."""
    outs = sess.run(None, feeds(sess, [ids]))
    names = [o.name for o in sess.get_outputs()]
    if names == ["output_idx", "output_weights"]:
        return {int(i): float(w) for i, w in zip(outs[0], outs[1]) if w != 0}
    if names == ["logits"]:
        pooled = np.log1p(np.maximum(outs[0][0], 0)).max(axis=0)
        return {int(i): float(pooled[i]) for i in np.nonzero(pooled)[0]}
    return None


def fidelity(ref, cand, texts):
    """max/mean abs err over union of terms, mean Jaccard, mean top-10 overlap (as splade quantize reports)."""
    errs, jac, top = [], [], []
    tensor_err = []
    for ids in texts:
        a, b = splade_vector(ref, ids), splade_vector(cand, ids)
        if a is None:
            x = ref.run(None, feeds(ref, [ids]))[0]
            y = cand.run(None, feeds(cand, [ids]))[0]
            tensor_err.append(np.abs(x - y))
            continue
        keys = set(a) | set(b)
        errs.extend(abs(a.get(k, 0.0) - b.get(k, 0.0)) for k in keys)
        jac.append(len(set(a) & set(b)) / max(1, len(keys)))
        ta = set(sorted(a, key=lambda k: -a[k])[:10])
        tb = sorted(b, key=lambda k: -b[k])[:10]
        top.append(len(ta & set(tb)) / max(1, min(10, max(len(a), len(b)))))
    if tensor_err:
        allerr = np.concatenate([e.ravel() for e in tensor_err])
        return {"max": float(allerr.max()), "mean": float(allerr.mean())}
    return {"max": max(errs), "mean": float(np.mean(errs)), "jaccard": float(np.mean(jac)), "top10": float(np.mean(top))}


@pytest.fixture(scope="module")
def texts(shared_data, make_model):
    """40 MS MARCO dev queries + 10 Cranfield abstracts, tokenized by HF tokenizers (bert-base-uncased vocab)."""
    import transformers

    model_dir = make_model("bert_splade", *MODELS["bert_splade"][0])
    tok = transformers.BertTokenizerFast.from_pretrained(model_dir)
    raw = []
    with open(os.path.join(shared_data, "msmarco-passage", "topics.msmarco-passage.dev-subset.txt"), encoding="utf-8") as f:
        for line in f:
            raw.append(line.rstrip("\n").split("\t", 1)[1])
            if len(raw) == 40:
                break
    with gzip.open(os.path.join(shared_data, "collections", "cranfield", "cran.all.1400.gz"), "rt") as f:
        docs, cur, on = [], [], False
        for line in f:
            line = line.rstrip("\n")
            if line.startswith(".I"):
                if cur:
                    docs.append(" ".join(cur))
                cur, on = [], False
            elif len(line) == 2 and line.startswith("."):
                on = line == ".W"
            elif on:
                cur.append(line)
            if len(docs) == 10:
                break
    raw += docs
    text_file = os.path.join(model_dir, "report-texts.tsv")
    with open(text_file, "w", encoding="utf-8") as f:
        for i, t in enumerate(raw):
            f.write(f"{i}\t{t}\n")
    ids = [tok(t, truncation=True, max_length=128)["input_ids"] for t in raw]
    return {"ids": ids, "file": text_file}


def model_path(make_model, name):
    return os.path.join(make_model(name, *MODELS[name][0]), "model.onnx")


def python_optimized(path, tmp_path):
    from onnxruntime.transformers import optimizer

    meta = {p.key: p.value for p in onnx.load(path).metadata_props}
    out = str(tmp_path / "py-optimized.onnx")
    m = optimizer.optimize_model(path, model_type="bert", num_heads=int(meta["num_heads"]),
                                 hidden_size=int(meta["hidden_size"]))
    m.save_model_to_file(out)
    return out


@pytest.mark.parametrize("name", sorted(MODELS))
def test_optimize_fully_fuses_and_matches(splade_bin, make_model, tmp_path, name):
    src = model_path(make_model, name)
    layers = MODELS[name][1]
    out = str(tmp_path / "opt.onnx")
    r = run_splade(splade_bin, "optimize", src, "-o", out, "--stats")
    assert "nodes" in r.stdout and "com.microsoft.Attention" in r.stdout
    got = ops(out)
    assert got["Attention"] == layers
    assert got["SkipLayerNormalization"] == 2 * layers
    assert got["BiasGelu"] + got["Gelu"] + got["FastGelu"] >= layers
    assert got["EmbedLayerNormalization"] == 1
    for unfused in ("Softmax", "Erf", "ReduceMean", "Pow", "Sqrt"):
        assert got[unfused] == 0, unfused
    if "splade" in name:  # the seed's pooling (torch.onnx.export of SpladeExportWrapper) is pooled first
        assert "splade_pool_first=1" in r.stdout, r.stdout
        assert got["ReduceMax"] == 1 and got["Relu"] == 1 and got["Log"] == 1
    # Node count bound: onnxruntime.transformers' optimizer on the same model.
    py = python_optimized(src, tmp_path)
    # (+2 for the SPLADE heads: the pool-first form has Sub/Mul/Add for the mask penalty where
    # the seed's has one Mul, and reads [batch, seq, vocab] once instead of six times)
    assert sum(got.values()) <= sum(ops(py).values()) + (2 if "splade" in name else 0)
    # Outputs, by onnxruntime Python: batch 1 (every head) and a padded batch of 2 (dense heads);
    # for the SPLADE heads also [CLS] [SEP] alone (a blank text), which pools to near nothing.
    a, b = session(src), session(out)
    rng = np.random.default_rng(7)
    rows = [[101] + list(rng.integers(1000, 20000, n)) + [102] for n in (3, 17, 60)] + [[101, 102]]
    for ids in rows:
        for x, y in zip(a.run(None, feeds(a, [ids])), b.run(None, feeds(b, [ids]))):
            assert x.shape == y.shape
            assert np.abs(x.astype(np.float64) - y).max() <= 1e-4
    if "splade" not in name:
        f = feeds(a, rows[:2])
        x, y = a.run(None, f)[0], b.run(None, f)[0]
        assert np.abs(x - y).max() <= 1e-4


def test_optimize_default_name_and_quantized_input_rejected(splade_bin, make_model, tmp_path):
    src = model_path(make_model, "bert_logits")
    local = tmp_path / "m.onnx"
    local.write_bytes(open(src, "rb").read())
    run_splade(splade_bin, "optimize", str(local))
    assert (tmp_path / "m-optimized.onnx").exists()
    run_splade(splade_bin, "quantize", str(local), "--no-report")
    r = run_splade(splade_bin, "optimize", str(tmp_path / "m-8bit.onnx"), check=False)
    assert r.returncode == 2 and "already quantized" in r.stderr


# splade quantize's targets and the quantize_dynamic options that write the same integer
# format: portable/avx2/avx512 -> uint8 weights (QUInt8, asymmetric), avx512-vnni/arm64 ->
# int8 weights (QInt8, symmetric).
WEIGHT_TYPE = {"portable": "QUInt8", "avx512-vnni": "QInt8"}


def u8s8_saturates_here():
    """x86-64 without any VNNI or AMX, from /proc/cpuinfo (independent of splade's CPUID reading):
    onnxruntime's U8S8 kernels add u8 x s8 pairs in saturating int16 there (vpmaddubsw)."""
    import platform

    flags = set()
    for line in open("/proc/cpuinfo"):
        if line.startswith("flags"):
            flags = set(line.split(":", 1)[1].split())
            break
    return platform.machine() == "x86_64" and not ({"avx512_vnni", "avx_vnni", "amx_int8"} & flags)


def quantize_dynamic_reference(src, out, target, per_channel):
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(src, out, weight_type=getattr(QuantType, WEIGHT_TYPE[target]), per_channel=per_channel)
    return out


@pytest.mark.parametrize("name,target,per_channel", [
    ("bert_splade", "portable", True), ("bert_splade", "portable", False), ("bert_splade", "avx512-vnni", True),
    ("bert_splade", "avx512-vnni", False), ("bert_logits", "portable", True), ("bert_logits", "avx512-vnni", False),
    ("distilbert_splade", "portable", True), ("bert_hidden", "portable", False)])
def test_int8_fidelity_bounded_by_quantize_dynamic(splade_bin, make_model, tmp_path, texts, name, target, per_channel):
    src = model_path(make_model, name)
    out = str(tmp_path / "q.onnx")
    report = str(tmp_path / "report.json")
    args = ["quantize", src, "-o", out, "--target", target, "--report", texts["file"], "--report-json", report]
    r = run_splade(splade_bin, *args + ([] if per_channel else ["--per-tensor"]))
    assert "fidelity" in r.stdout
    # Every MatMul with a constant weight is quantized, the 30522-wide decoder included.
    g = onnx.load(src).graph
    inits = {t.name: t for t in g.initializer}
    weighted = [n for n in g.node if n.op_type == "MatMul" and n.input[1] in inits]
    q = onnx.load(out)
    got = collections.Counter(n.op_type for n in q.graph.node)
    assert got["MatMulInteger"] == len(weighted)
    assert got["MatMul"] == sum(1 for n in g.node if n.op_type == "MatMul") - len(weighted)
    weight_type = onnx.TensorProto.UINT8 if WEIGHT_TYPE[target] == "QUInt8" else onnx.TensorProto.INT8
    if name != "bert_hidden":
        assert any(t.data_type == weight_type and list(t.dims)[-1:] == [30522] for t in q.graph.initializer)
    meta = {p.key: p.value for p in q.metadata_props}
    assert meta["splade_int8_target"] == target
    assert meta["splade_int8_format"] == ("u8u8" if WEIGHT_TYPE[target] == "QUInt8" else "u8s8")
    # onnxruntime fuses the standard-op form into its integer kernels.
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    so.optimized_model_filepath = str(tmp_path / "q-ort.onnx")
    ort.InferenceSession(out, so, providers=["CPUExecutionProvider"])
    fused = ops(so.optimized_model_filepath)
    assert fused["DynamicQuantizeMatMul"] + fused["MatMulIntegerToFloat"] == len(weighted)
    # Fidelity vs onnxruntime's quantize_dynamic writing the same format, on the same model
    # and texts, both run by onnxruntime's default kernels on this CPU (so a u8s8 pair that
    # saturates here saturates on both sides).
    ref = quantize_dynamic_reference(src, str(tmp_path / "ref.onnx"), target, per_channel)
    base = session(src)
    ours, theirs = fidelity(base, session(out), texts["ids"]), fidelity(base, session(ref), texts["ids"])
    # Same algorithm: allow float-order noise.
    assert ours["mean"] <= theirs["mean"] * 1.05 + 1e-7, (ours, theirs)
    assert ours["max"] <= theirs["max"] * 1.25 + 1e-7, (ours, theirs)
    if "jaccard" in ours:
        assert ours["jaccard"] >= theirs["jaccard"] - 0.005, (ours, theirs)
        assert ours["top10"] >= theirs["top10"] - 0.01, (ours, theirs)
    rep = json.load(open(report))
    assert rep["texts"] == len(texts["ids"])
    assert 0 < rep["size_ratio"] < 1
    # The report runs the model as splade does on this CPU; for u8u8, and for u8s8 where this
    # CPU's kernels are exact, that is what the default session above ran.
    assert rep["int8_format"] == meta["splade_int8_format"]
    assert rep["int8_exact_here"] == (meta["splade_int8_format"] == "u8u8" or not u8s8_saturates_here())
    if rep["has_term_weights"] and rep["int8_exact_here"]:
        # The report (splade::Tokenizer) and this oracle (HF tokenizers) see the same ids; the
        # runtimes differ (ORT 1.30 C++ vs 1.20.1 Python), hence a small tolerance.
        assert abs(rep["jaccard_mean"] - ours["jaccard"]) < 0.02
        assert abs(rep["top10_overlap_mean"] - ours["top10"]) < 0.05


@pytest.mark.parametrize("name", ["bert_splade", "bert_logits"])
def test_fp16_fidelity_bounded_by_float16_converter(splade_bin, make_model, tmp_path, texts, name):
    from onnxruntime.transformers.float16 import convert_float_to_float16

    src = model_path(make_model, name)
    out = str(tmp_path / "h.onnx")
    run_splade(splade_bin, "quantize", src, "--fp16", "-o", out, "--report", texts["file"])
    m = onnx.load(out)
    # fp32 I/O; weights fp16; LayerNorm/Softmax/relu/log1p/max in fp32 (no fp16 compute at all).
    for v in list(m.graph.input) + list(m.graph.output):
        assert v.type.tensor_type.elem_type != onnx.TensorProto.FLOAT16
    big = [t for t in m.graph.initializer if np.prod(t.dims) >= 1024]
    assert big and all(t.data_type == onnx.TensorProto.FLOAT16 for t in big)
    assert os.path.getsize(out) < 0.55 * os.path.getsize(src)
    ref = str(tmp_path / "ref16.onnx")
    onnx.save(convert_float_to_float16(onnx.load(src), keep_io_types=True), ref)
    base = session(src)
    ours, theirs = fidelity(base, session(out), texts["ids"]), fidelity(base, session(ref), texts["ids"])
    assert ours["mean"] <= theirs["mean"], (ours, theirs)
    assert ours["max"] <= theirs["max"] * 1.25, (ours, theirs)
    if "jaccard" in ours:
        assert ours["jaccard"] >= theirs["jaccard"] - 0.005


def test_quantize_errors(splade_bin, make_model, tmp_path):
    src = model_path(make_model, "bert_splade")
    q = str(tmp_path / "q.onnx")
    run_splade(splade_bin, "quantize", src, "-o", q, "--no-report")
    r = run_splade(splade_bin, "quantize", q, "-o", str(tmp_path / "qq.onnx"), "--no-report", check=False)
    assert r.returncode == 2 and "already quantized" in r.stderr
    h = str(tmp_path / "h.onnx")
    run_splade(splade_bin, "quantize", src, "--fp16", "-o", h, "--no-report")
    r = run_splade(splade_bin, "quantize", h, "--no-report", check=False)
    assert r.returncode == 2 and "float16" in r.stderr
    # Weights fed as graph inputs (dynamic weights): nothing to quantize, a clear error.
    x = onnx.helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1, 4])
    w = onnx.helper.make_tensor_value_info("w", onnx.TensorProto.FLOAT, [4, 3])
    y = onnx.helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [1, 3])
    g = onnx.helper.make_graph([onnx.helper.make_node("MatMul", ["x", "w"], ["y"])], "g", [x, w], [y])
    dyn = str(tmp_path / "dyn.onnx")
    onnx.save(onnx.helper.make_model(g, opset_imports=[onnx.helper.make_opsetid("", 14)]), dyn)
    r = run_splade(splade_bin, "quantize", dyn, "--no-report", check=False)
    assert r.returncode == 2 and "nothing to quantize" in r.stderr
    # An op nobody knows: optimize reports onnxruntime's complaint in one line.
    g = onnx.helper.make_graph([onnx.helper.make_node("NoSuchOp", ["x"], ["y"], domain="example.custom")], "g", [x], [y])
    bad = str(tmp_path / "bad.onnx")
    onnx.save(onnx.helper.make_model(g, opset_imports=[onnx.helper.make_opsetid("", 14),
                                                      onnx.helper.make_opsetid("example.custom", 1)]), bad)
    r = run_splade(splade_bin, "optimize", bad, check=False)
    assert r.returncode == 2 and "NoSuchOp" in r.stderr and r.stderr.count("\n") == 1
    assert not (tmp_path / "bad-optimized.onnx").exists()


def test_optimize_without_metadata_and_noop_messages(splade_bin, make_model, tmp_path):
    # Metadata is not needed: heads come from the graph's head-split Reshape.
    m = onnx.load(model_path(make_model, "bert_splade"))
    del m.metadata_props[:]
    bare = str(tmp_path / "bare.onnx")
    onnx.save(m, bare)
    out = str(tmp_path / "bare-opt.onnx")
    run_splade(splade_bin, "optimize", bare, "-o", out)
    assert ops(out)["Attention"] == MODELS["bert_splade"][1]
    # Optimizing the optimized model changes nothing and says why.
    r = run_splade(splade_bin, "optimize", out, "-o", str(tmp_path / "again.onnx"))
    assert "attention already fused" in r.stdout
    assert sum(ops(str(tmp_path / "again.onnx")).values()) == sum(ops(out).values())
    # A graph without attention: optimized, checked, and a note.
    x = onnx.helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, ["b", 4])
    y = onnx.helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, ["b", 3])
    w = onnx.numpy_helper.from_array(np.arange(12, dtype=np.float32).reshape(4, 3), "w")
    g = onnx.helper.make_graph([onnx.helper.make_node("MatMul", ["x", "w"], ["y"])], "g", [x], [y], [w])
    mm = str(tmp_path / "mm.onnx")
    onnx.save(onnx.helper.make_model(g, opset_imports=[onnx.helper.make_opsetid("", 14)]), mm)
    r = run_splade(splade_bin, "optimize", mm)
    assert "note: no Softmax" in r.stdout
    assert (tmp_path / "mm-optimized.onnx").exists()


@pytest.mark.parametrize("arch,head,opset", [("bert", "splade", "17"), ("bert", "splade-pooled", "14"),
                                             ("bert", "logits", "17"), ("distilbert", "hidden", "14")])
def test_optimize_and_quantize_converted_models(splade_bin, make_model, tmp_path, texts, arch, head, opset):
    """splade convert's own graphs (BERT/DistilBERT, every head, both LayerNorm forms) fuse fully too."""
    src_dir = make_model(f"{arch}_splade", *MODELS[f"{arch}_splade"][0])
    conv = tmp_path / "conv"
    run_splade(splade_bin, "convert", src_dir, "-o", str(conv), "--head", head, "--opset", opset)
    src = str(conv / "model.onnx")
    out = str(tmp_path / "opt.onnx")
    run_splade(splade_bin, "optimize", src, "-o", out)
    got = ops(out)
    assert got["Attention"] == 2 and got["SkipLayerNormalization"] == 4 and got["EmbedLayerNormalization"] == 1
    assert got["BiasGelu"] >= 2
    for unfused in ("Softmax", "Erf", "ReduceMean"):
        assert got[unfused] == 0, unfused
    if arch == "bert":  # onnxruntime.transformers has no distilbert-specific path here
        assert sum(got.values()) <= sum(ops(python_optimized(src, tmp_path)).values())
    a, b = session(src), session(out)
    for ids in texts["ids"][:3]:
        for x, y in zip(a.run(None, feeds(a, [ids])), b.run(None, feeds(b, [ids]))):
            assert x.shape == y.shape and np.abs(x.astype(np.float64) - y).max() <= 1e-4
    # int8 of the optimized converted model: QAttention + integer MatMuls, report on its head.
    report = str(tmp_path / "r.json")
    run_splade(splade_bin, "quantize", out, "-o", str(tmp_path / "q.onnx"), "--report", texts["file"],
               "--report-json", report)
    q = ops(str(tmp_path / "q.onnx"))
    assert q["QAttention"] == 2 and q["MatMulInteger"] >= 6
    rep = json.load(open(report))
    assert rep["head"] == {"splade": "splade", "splade-pooled": "splade-pooled", "logits": "logits",
                           "hidden": "hidden"}[head]
    assert rep["has_term_weights"] == (head != "hidden")
