"""`splade convert` against PyTorch + transformers (the oracle): random-weight models saved
with save_pretrained, every head, both weight formats, BERT and DistilBERT, tied and untied
decoders, fp16/bf16 weights, activations, shards; the `splade` head against the seed's
SpladeExportWrapper run in PyTorch."""
import hashlib
import os
import pickle
import subprocess
import sys
import zipfile

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch
import transformers

from conftest import ROOT, run_splade

ATOL = 1e-4
TEXTS = ["what is AI?", "the quick brown fox jumps over the lazy dog near the river bank", "define: geon"]
PAIRS = (["what is AI?", "how do vaccines work"], ["artificial intelligence", "the immune system learns"])


sys.path.insert(0, os.path.join(ROOT, "scripts"))
from seed_reference import SpladeExportWrapper  # noqa: E402  (the seed's wrapper, verbatim)


def convert(splade_bin, model_dir, out_dir, *args):
    r = run_splade(splade_bin, "convert", model_dir, "-o", str(out_dir), *args)
    assert "(validated)" in r.stdout or "--no-validate" in args, r.stdout
    return os.path.join(str(out_dir), "model.onnx")


def torch_mlm(model_dir):
    # from_pretrained upcasts fp16/bf16 weights to fp32 exactly, as the converter does.
    return transformers.AutoModelForMaskedLM.from_pretrained(model_dir, torch_dtype=torch.float32).eval()


def encodings(model_dir):
    tok = transformers.AutoTokenizer.from_pretrained(model_dir)
    return [tok(TEXTS, padding=True, return_tensors="np"), tok(*PAIRS, padding=True, return_tensors="np")]


def ort_run(model_path, feeds):
    sess = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    names = [i.name for i in sess.get_inputs()]
    return sess.run(None, {n: feeds[n].astype(np.int64) for n in names})


def torch_reference(model, head, enc, is_bert):
    ids = torch.from_numpy(enc["input_ids"])
    mask = torch.from_numpy(enc["attention_mask"])
    with torch.no_grad():
        if head == "hidden":
            kw = {"token_type_ids": torch.from_numpy(enc["token_type_ids"])} if is_bert else {}
            return model.base_model(input_ids=ids, attention_mask=mask, **kw).last_hidden_state.numpy()
        if head == "logits":
            kw = {"token_type_ids": torch.from_numpy(enc["token_type_ids"])} if is_bert else {}
            return model(input_ids=ids, attention_mask=mask, **kw).logits.numpy()
        # splade-pooled: the wrapper's math before nonzero (token types not passed).
        logits = model(input_ids=ids, attention_mask=mask).logits
        return torch.max(torch.log1p(torch.relu(logits)) * mask.unsqueeze(-1), dim=1).values.numpy()


def check_dense_head(model_path, model_dir, head):
    model = torch_mlm(model_dir)
    is_bert = model.config.model_type == "bert"
    for enc in encodings(model_dir):
        feeds = dict(enc)
        feeds.setdefault("token_type_ids", np.zeros_like(enc["input_ids"]))
        got = ort_run(model_path, feeds)[0]
        want = torch_reference(model, head, feeds, is_bert)
        assert got.shape == want.shape
        diff = float(np.max(np.abs(got - want)))
        assert diff <= ATOL, f"{head}: max abs diff {diff} vs PyTorch"


def check_splade_head(model_path, model_dir):
    model = torch_mlm(model_dir)
    wrapper = SpladeExportWrapper(model).eval()
    tok = transformers.AutoTokenizer.from_pretrained(model_dir)
    sess = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    assert [i.name for i in sess.get_inputs()] == ["input_ids", "attention_mask", "token_type_ids"]
    assert [o.name for o in sess.get_outputs()] == ["output_idx", "output_weights"]
    for text in TEXTS:
        enc = tok(text, return_tensors="np")
        tt = enc.get("token_type_ids", np.zeros_like(enc["input_ids"]))
        idx, weights = sess.run(None, {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"],
                                       "token_type_ids": tt})
        with torch.no_grad():
            t_idx, t_w = wrapper(torch.from_numpy(enc["input_ids"]), torch.from_numpy(enc["attention_mask"]),
                                 torch.from_numpy(tt))
        assert idx.dtype == np.int64 and weights.dtype == np.float32
        assert sorted(idx.tolist()) == sorted(t_idx.tolist()), f"index sets differ for {text!r}"
        got = dict(zip(idx.tolist(), weights.tolist()))
        want = dict(zip(t_idx.tolist(), t_w.tolist()))
        diff = max(abs(got[k] - want[k]) for k in want)
        assert diff <= ATOL, f"splade weights: max abs diff {diff}"


def check_head(model_path, model_dir, head):
    if head == "splade":
        check_splade_head(model_path, model_dir)
    else:
        check_dense_head(model_path, model_dir, head)


# (model name, make_test_model args, heads, extra convert args)
CASES = [
    ("bert-tiny", ["--weights", "both"], ["hidden", "logits", "splade", "splade-pooled"], []),
    ("bert-tiny", ["--weights", "both"], ["hidden", "splade"], ["--opset", "14"]),
    ("bert-tiny-bin", ["--weights", "bin"], ["logits", "splade"], []),
    ("distilbert-tiny", ["--arch", "distilbert", "--weights", "safetensors"], ["hidden", "logits", "splade", "splade-pooled"], []),
    ("distilbert-tiny-bin", ["--arch", "distilbert", "--weights", "bin"], ["logits"], ["--opset", "14"]),
    ("bert-untied", ["--untied", "--weights", "safetensors"], ["logits"], []),
    ("distilbert-untied-bin", ["--arch", "distilbert", "--untied", "--weights", "bin"], ["logits"], []),
    ("bert-fp16", ["--dtype", "float16", "--weights", "safetensors"], ["logits"], []),
    ("bert-bf16-bin", ["--dtype", "bfloat16", "--weights", "bin"], ["splade"], []),
    ("distilbert-fp16", ["--arch", "distilbert", "--dtype", "float16", "--weights", "both"], ["logits"], []),
    ("bert-gelu-new", ["--hidden-act", "gelu_new", "--weights", "safetensors"], ["logits"], ["--opset", "14"]),
    ("bert-gelu-pytorch-tanh", ["--hidden-act", "gelu_pytorch_tanh", "--weights", "safetensors"], ["logits"], []),
    ("bert-relu", ["--hidden-act", "relu", "--weights", "safetensors"], ["logits"], []),
    ("distilbert-relu", ["--arch", "distilbert", "--hidden-act", "relu", "--weights", "safetensors"], ["logits"], []),
    ("bert-small", ["--size", "small", "--weights", "safetensors"], ["logits"], []),
    ("bert-sharded", ["--weights", "safetensors", "--max-shard-size", "2MB"], ["logits"], []),
    ("bert-sharded-bin", ["--weights", "bin", "--max-shard-size", "2MB"], ["splade"], []),
]


@pytest.mark.parametrize("name,make_args,heads,convert_args", CASES,
                         ids=[f"{c[0]}{'-' + '-'.join(c[3]) if c[3] else ''}" for c in CASES])
def test_convert_matches_pytorch(splade_bin, make_model, tmp_path, name, make_args, heads, convert_args):
    model_dir = make_model(name, *make_args)
    for head in heads:
        path = convert(splade_bin, model_dir, tmp_path / head, "--head", head, *convert_args)
        check_head(path, model_dir, head)


def test_bert_base_splade_matches_seed_wrapper(splade_bin, make_model, tmp_path):
    # The one BERT-base-sized conversion in CI (110M parameters + MLM head).
    model_dir = make_model("bert-base", "--size", "base", "--weights", "safetensors")
    path = convert(splade_bin, model_dir, tmp_path / "out")
    check_splade_head(path, model_dir)


def test_output_directory_contract(splade_bin, make_model, tmp_path):
    model_dir = make_model("bert-tiny", "--weights", "both")
    path = convert(splade_bin, model_dir, tmp_path / "out")
    m = onnx.load(path)
    onnx.checker.check_model(m, full_check=True)
    assert {o.domain for o in m.opset_import} == {""} and m.opset_import[0].version == 17
    assert {n.domain for n in m.graph.node} <= {""}, "standard ONNX ops only"
    meta = {p.key: p.value for p in m.metadata_props}
    cfg = transformers.AutoConfig.from_pretrained(model_dir)
    with open(os.path.join(model_dir, "model.safetensors"), "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    assert meta["model_type"] == cfg.model_type
    assert meta["num_heads"] == str(cfg.num_attention_heads)
    assert meta["hidden_size"] == str(cfg.hidden_size)
    assert meta["head"] == "splade"
    assert meta["source_weights_sha256"] == sha
    assert meta["converter"].startswith("splade.cpp ")
    for i in m.graph.input:
        assert [d.dim_param for d in i.type.tensor_type.shape.dim] == ["batch_size", "sequence"]
    # vocab.txt as the seed writes it: tokens sorted by id.
    tok = transformers.AutoTokenizer.from_pretrained(model_dir)
    want = [t for t, _ in sorted(tok.get_vocab().items(), key=lambda x: x[1])]
    with open(tmp_path / "out" / "vocab.txt", encoding="utf-8") as f:
        assert f.read().split("\n")[:-1] == want
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "config.json"):
        assert (tmp_path / "out" / name).read_bytes() == open(os.path.join(model_dir, name), "rb").read()
    # The converted directory loads as a tokenizer for the encoder.
    assert transformers.AutoTokenizer.from_pretrained(str(tmp_path / "out"))("what is AI?")["input_ids"] == \
        tok("what is AI?")["input_ids"]


def test_seed_export_contract_and_outputs(splade_bin, make_model, tmp_path):
    """Our splade head has the seed's interface and, on the same inputs, the seed's own
    torch.onnx.export model's outputs."""
    model_dir = make_model("bert-tiny-seed-export", "--weights", "safetensors", "--export-onnx", "splade")
    ours = convert(splade_bin, model_dir, tmp_path / "out")
    seed = ort.InferenceSession(os.path.join(model_dir, "model.onnx"), providers=["CPUExecutionProvider"])
    mine = ort.InferenceSession(ours, providers=["CPUExecutionProvider"])
    sig = lambda s: ([(i.name, i.type) for i in s.get_inputs()], [(o.name, o.type) for o in s.get_outputs()])
    assert sig(mine) == sig(seed)
    tok = transformers.AutoTokenizer.from_pretrained(model_dir)
    for text in TEXTS:
        enc = dict(tok(text, return_tensors="np"))
        a_idx, a_w = mine.run(None, enc)
        b_idx, b_w = seed.run(None, enc)
        assert a_idx.tolist() == b_idx.tolist()
        assert float(np.max(np.abs(a_w - b_w))) <= ATOL


def test_bare_encoder_checkpoint(splade_bin, make_model, tmp_path):
    """A BertModel checkpoint (no MLM head) converts with --head hidden; the SPLADE heads
    are refused with a clear message."""
    src = make_model("bert-tiny", "--weights", "both")
    bare = tmp_path / "bare"
    transformers.BertModel.from_pretrained(src).save_pretrained(bare)
    transformers.AutoTokenizer.from_pretrained(src).save_pretrained(bare)
    path = convert(splade_bin, str(bare), tmp_path / "out", "--head", "hidden")
    check_bare = transformers.BertModel.from_pretrained(str(bare)).eval()
    for enc in encodings(str(bare)):
        got = ort_run(path, dict(enc))[0]
        with torch.no_grad():
            want = check_bare(**{k: torch.from_numpy(v) for k, v in enc.items()}).last_hidden_state.numpy()
        assert float(np.max(np.abs(got - want))) <= ATOL
    r = run_splade(splade_bin, "convert", str(bare), "-o", str(tmp_path / "out2"), check=False)
    assert r.returncode == 2 and "no masked-LM head" in r.stderr, r.stderr
    assert not (tmp_path / "out2").exists()


def test_validation_failure_publishes_nothing(splade_bin, make_model, tmp_path):
    model_dir = make_model("bert-tiny", "--weights", "both")
    r = run_splade(splade_bin, "convert", model_dir, "-o", str(tmp_path / "out"), "--atol", "0", check=False)
    assert r.returncode == 1, r.stderr
    assert "validation failed" in r.stderr
    assert not (tmp_path / "out").exists()
    assert os.listdir(tmp_path) == []


class _Evil:
    def __reduce__(self):
        return (os.system, ("touch " + _Evil.marker,))


def test_pickle_with_forbidden_global_is_refused(splade_bin, make_model, tmp_path):
    """A pytorch_model.bin whose pickle calls os.system: refused, naming the global, and
    never executed."""
    src = make_model("bert-tiny-bin", "--weights", "bin")
    evil = tmp_path / "evil"
    evil.mkdir()
    for name in os.listdir(src):
        if name != "pytorch_model.bin":
            (evil / name).write_bytes(open(os.path.join(src, name), "rb").read())
    _Evil.marker = str(tmp_path / "pwned")
    state = torch.load(os.path.join(src, "pytorch_model.bin"))
    state["bert.pooler.dense.bias"] = _Evil()
    torch.save(state, evil / "pytorch_model.bin")
    assert zipfile.is_zipfile(evil / "pytorch_model.bin")
    r = run_splade(splade_bin, "convert", str(evil), "-o", str(tmp_path / "out"), check=False)
    assert r.returncode == 2
    assert "'posix.system'" in r.stderr or "'os.system'" in r.stderr, r.stderr
    assert not os.path.exists(_Evil.marker)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("opset", ["14", "17"])
def test_seed_optimizer_fuses_our_bert_graph(splade_bin, make_model, tmp_path, opset):
    """The seed's optimize_onnx_model.py (onnxruntime.transformers.optimizer.optimize_model
    with the metadata's model_type/num_heads/hidden_size) fully fuses our BERT graph: one
    Attention per layer, two SkipLayerNormalization per layer, BiasGelu; same outputs."""
    from onnxruntime.transformers import optimizer
    model_dir = make_model("bert-tiny", "--weights", "both")
    path = convert(splade_bin, model_dir, tmp_path / "out", "--head", "splade-pooled", "--opset", opset)
    meta = {p.key: p.value for p in onnx.load(path).metadata_props}
    opt = optimizer.optimize_model(path, model_type=meta["model_type"], num_heads=int(meta["num_heads"]),
                                   hidden_size=int(meta["hidden_size"]))
    ops = [n.op_type for n in opt.model.graph.node]
    layers = transformers.AutoConfig.from_pretrained(model_dir).num_hidden_layers
    assert ops.count("Attention") == layers
    assert ops.count("SkipLayerNormalization") == 2 * layers
    assert ops.count("BiasGelu") == layers + 1
    opt_path = str(tmp_path / "optimized.onnx")
    opt.save_model_to_file(opt_path)
    for enc in encodings(model_dir):
        feeds = {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"],
                 "token_type_ids": enc["token_type_ids"]}
        assert float(np.max(np.abs(ort_run(path, feeds)[0] - ort_run(opt_path, feeds)[0]))) <= ATOL


def test_torch_save_with_views_and_metadata(splade_bin, make_model, tmp_path):
    """A pytorch_model.bin written by plain torch.save of model.state_dict(): an
    OrderedDict with its _metadata, a non-contiguous (transposed view) weight and two
    keys sharing one storage. The restricted unpickler reads it like torch.load does."""
    src = make_model("bert-tiny-bin", "--weights", "bin")
    out = tmp_path / "model"
    out.mkdir()
    for name in os.listdir(src):
        if name != "pytorch_model.bin":
            (out / name).write_bytes(open(os.path.join(src, name), "rb").read())
    model = torch_mlm(src)
    state = model.state_dict()
    assert hasattr(state, "_metadata")
    w = "bert.encoder.layer.0.intermediate.dense.weight"
    state[w] = state[w].t().contiguous().t()  # same values, column-major strides
    assert not state[w].is_contiguous()
    torch.save(state, out / "pytorch_model.bin")
    path = convert(splade_bin, str(out), tmp_path / "onnx", "--head", "logits")
    check_dense_head(path, str(out), "logits")


@pytest.mark.parametrize("head", ["splade", "splade-pooled"])
def test_converted_directory_encodes(splade_bin, make_model, tmp_path, head):
    """The directory `splade convert` writes is what `splade encode --model` reads: query
    vectors equal the SPLADE computation in PyTorch (the seed's math)."""
    import json
    model_dir = make_model("bert-tiny", "--weights", "both")
    out = tmp_path / "model"
    convert(splade_bin, model_dir, out, "--head", head)
    texts = [(f"q{i}", t) for i, t in enumerate(TEXTS)]
    with open(tmp_path / "q.tsv", "w", encoding="utf-8") as f:
        f.writelines(f"{qid}\t{t}\n" for qid, t in texts)
    run_splade(splade_bin, "encode", "--model", str(out), "-i", str(tmp_path / "q.tsv"), "-o",
               str(tmp_path / "q.jsonl"), "--queries", "-q")
    with open(tmp_path / "q.jsonl", encoding="utf-8") as f:
        got = {r["id"]: r["vector"] for r in map(json.loads, f)}
    tok = transformers.AutoTokenizer.from_pretrained(model_dir)
    model = torch_mlm(model_dir)
    for qid, text in texts:
        enc = tok(text, return_tensors="pt")
        with torch.no_grad():
            logits = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).logits
        w = torch.max(torch.log1p(torch.relu(logits)) * enc["attention_mask"].unsqueeze(-1), dim=1).values[0]
        want = {tok.convert_ids_to_tokens(i): float(w[i]) for i in torch.nonzero(w).flatten().tolist()
                if i not in (0, 101, 102)}
        a = got[qid]
        assert set(a) == set(want), qid
        assert max(abs(a[t] - want[t]) for t in want) <= ATOL
