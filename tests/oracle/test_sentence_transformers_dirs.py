"""Model directories as users have them: a sentence-transformers SparseEncoder saved by
sentence-transformers itself (pinned in scripts/requirements-oracle.txt) converts with the
pooling it declares, and its vectors equal SparseEncoder.encode's; a pooling or a module the
SPLADE heads cannot express is refused by name; a directory that lacks a file says so in one
line. The checkpoint is SPLADE-tiny, the project's trained default model."""
import json
import os
import shutil

import numpy as np
import pytest
from sentence_transformers import SparseEncoder
from sentence_transformers.sparse_encoder.models import MLMTransformer, SpladePooling

from conftest import ROOT, run_splade

SPLADE_TINY = os.path.join(ROOT, "models", "splade-tiny")
TEXTS = [
    "what is the capital of france",
    "0-dimensional biomaterials show inductive properties.",
    "The quick brown fox jumps over the lazy dog near the river bank, twice, in 1999.",
    "a",
]


@pytest.fixture(scope="module")
def tiny():
    if not os.path.isfile(os.path.join(SPLADE_TINY, "model.safetensors")):
        pytest.fail(f"{SPLADE_TINY} is missing: scripts/setup.sh fetches it (scripts/fetch_splade_tiny.sh)")
    return SPLADE_TINY


def save_sparse_encoder(out_dir, checkpoint, strategy, activation):
    model = SparseEncoder(modules=[MLMTransformer(checkpoint),
                                   SpladePooling(pooling_strategy=strategy, activation_function=activation)])
    model.save(str(out_dir))
    return model


def splade_vectors(splade_bin, model_dir, tmp_path):
    corpus = tmp_path / "texts.jsonl"
    corpus.write_text("".join(json.dumps({"id": str(i), "contents": t}) + "\n" for i, t in enumerate(TEXTS)))
    out = tmp_path / "vectors.jsonl"
    run_splade(splade_bin, "encode", "--model", str(model_dir), "-i", str(corpus), "-o", str(out),
               "--output-format", "jsonl-float", "-q")
    vocab = [line.rstrip("\n") for line in open(os.path.join(model_dir, "vocab.txt"), encoding="utf-8")]
    index = {t: i for i, t in enumerate(vocab)}
    dense = np.zeros((len(TEXTS), len(vocab)), dtype=np.float32)
    for line in open(out, encoding="utf-8"):
        d = json.loads(line)
        for tok, w in d["vector"].items():
            dense[int(d["id"]), index[tok]] = w
    return dense


@pytest.mark.parametrize("strategy,activation", [("max", "relu"), ("max", "log1p_relu"), ("sum", "relu"),
                                                 ("sum", "log1p_relu")])
def test_sparse_encoder_converts_with_its_declared_pooling(splade_bin, tiny, tmp_path, strategy, activation):
    st_dir = tmp_path / "st"
    model = save_sparse_encoder(st_dir, tiny, strategy, activation)
    assert json.load(open(st_dir / "1_SpladePooling" / "config.json"))["pooling_strategy"] == strategy
    r = run_splade(splade_bin, "convert", str(st_dir), "-o", str(tmp_path / "onnx"), "--head", "splade-pooled")
    want_f = "log1p(relu(x))" if activation == "relu" else "log1p(log1p(relu(x)))"
    assert f"pooling {strategy} of {want_f} (1_SpladePooling/config.json)" in r.stdout, r.stdout
    ours = splade_vectors(splade_bin, tmp_path / "onnx", tmp_path)
    theirs = model.encode(TEXTS, convert_to_tensor=True)
    theirs = (theirs.to_dense() if theirs.is_sparse else theirs).numpy()
    assert theirs.shape == ours.shape
    assert np.abs(ours - theirs).max() < 1e-4, np.abs(ours - theirs).max()
    # Not a vacuous pass: the poolings differ from one another on these texts.
    assert (theirs > 0).sum() > 10 * len(TEXTS)


def test_the_default_pooling_of_a_plain_directory_is_the_seeds(splade_bin, tiny, tmp_path):
    r = run_splade(splade_bin, "convert", tiny, "-o", str(tmp_path / "onnx"), "--head", "splade-pooled")
    assert "pooling max of log1p(relu(x)) (the seed's)" in r.stdout, r.stdout


def test_pooling_the_head_cannot_express_is_refused_by_name(splade_bin, tiny, tmp_path):
    st_dir = tmp_path / "st"
    save_sparse_encoder(st_dir, tiny, "max", "relu")
    cfg_path = st_dir / "1_SpladePooling" / "config.json"
    cfg = json.load(open(cfg_path))
    for field, bad in (("pooling_strategy", "mean"), ("activation_function", "softplus")):
        edited = dict(cfg, **{field: bad})
        cfg_path.write_text(json.dumps(edited))
        r = run_splade(splade_bin, "convert", str(st_dir), "-o", str(tmp_path / "out"), check=False)
        assert r.returncode != 0
        assert f"{field} '{bad}' cannot be expressed by the SPLADE heads" in r.stderr, r.stderr
        assert not os.path.exists(tmp_path / "out")
    cfg_path.write_text(json.dumps(cfg))
    modules = json.load(open(st_dir / "modules.json"))
    modules.append({"idx": 2, "name": "2", "path": "2_IDF",
                    "type": "sentence_transformers.sparse_encoder.models.IDF"})
    (st_dir / "modules.json").write_text(json.dumps(modules))
    r = run_splade(splade_bin, "convert", str(st_dir), "-o", str(tmp_path / "out"), check=False)
    assert r.returncode != 0
    assert "module 2 is IDF (sentence_transformers.sparse_encoder.models.IDF)" in r.stderr, r.stderr
    assert "supported: MLMTransformer then SpladePooling" in r.stderr


def copy_without(src, dst, *names):
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(*names))
    return str(dst)


@pytest.mark.parametrize("missing,expected", [
    (("tokenizer.json", "vocab.txt"), "no tokenizer.json or vocab.txt"),
    (("config.json",), "config.json: cannot open"),
    (("model.safetensors",), "no weights"),
])
def test_what_a_directory_lacks_is_one_line(splade_bin, tiny, tmp_path, missing, expected):
    d = copy_without(tiny, tmp_path / "m", *missing)
    r = run_splade(splade_bin, "convert", d, "-o", str(tmp_path / "out"), check=False)
    assert r.returncode != 0
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert len(lines) == 1, r.stderr
    assert expected in lines[0], lines[0]
    assert "supported" in lines[0] or "expected" in lines[0], lines[0]


def test_an_unknown_architecture_names_what_is_supported(splade_bin, tiny, tmp_path):
    d = copy_without(tiny, tmp_path / "m")
    cfg = json.load(open(os.path.join(d, "config.json")))
    cfg["model_type"] = "roberta"
    cfg["architectures"] = ["RobertaForMaskedLM"]
    json.dump(cfg, open(os.path.join(d, "config.json"), "w"))
    r = run_splade(splade_bin, "convert", d, "-o", str(tmp_path / "out"), check=False)
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert r.returncode != 0 and len(lines) == 1, r.stderr
    assert "roberta" in lines[0] and "bert" in lines[0] and "distilbert" in lines[0], lines[0]
