"""SPLADE-tiny (the trained default model) on BEIR SciFact, end to end and weight by weight.

1. `splade regression run regressions/scifact.splade-tiny.yaml`: export, convert, encode 5,183
   documents, index, search the 300 topics encoded on the fly, trec_eval. Its expected figures
   come from a chain that shares no code with splade (scripts/splade_tiny_expected.py:
   transformers + torch.onnx.export of the seed's SpladeExportWrapper, run by onnxruntime in
   Python; Anserini 1.5.0 index, search and trec_eval), and the runner checks that splade's
   integer impacts are that chain's, byte for byte once the recorded .5 ties are snapped.
2. Every document's and topic's float weights equal an independent reference within 1e-4: the
   checkpoint loaded by transformers, exported by torch.onnx.export (logits), run by
   onnxruntime, pooled here in numpy; its integer impacts equal splade's except at .5 ties,
   which are counted. The reference pools as max over unmasked tokens first, then log1p(relu)
   (a monotonic function commutes with max); the test shows on a sample that this equals the
   seed's log1p(relu(x)) * mask -> max bit for bit, and that PyTorch's own forward agrees.

The reference pass is the cost of this file (about 4 minutes here, documents sorted by length
so that batches carry little padding); the regression run's encoding is the other."""
import gzip
import json
import os
import re
import subprocess

import numpy as np
import onnxruntime as ort
import pytest
import torch
import transformers

from conftest import ROOT, run_splade

NAME = "scifact.splade-tiny"
SPLADE_TINY = os.path.join(ROOT, "models", "splade-tiny")
ATOL = 1e-4
TIE_MARGIN = 0.005  # in x = w / 5 * 256, as the regression's ties file


@pytest.fixture(scope="module")
def regression(splade_bin, shared_data, tmp_path_factory):
    if not os.path.isfile(os.path.join(SPLADE_TINY, "model.safetensors")):
        pytest.fail(f"{SPLADE_TINY} is missing: scripts/setup.sh fetches it (scripts/fetch_splade_tiny.sh)")
    work = tmp_path_factory.mktemp("scifact")
    r = subprocess.run([splade_bin, "regression", "run", os.path.join(ROOT, "regressions", f"{NAME}.yaml"),
                        "--work", str(work), "--data", shared_data, "--threads", "2"],
                       capture_output=True, text=True, cwd=ROOT)
    return r, work


def test_regression_reproduces_the_independent_chain(regression):
    r, _ = regression
    print(r.stdout, r.stderr[-3000:])
    assert r.returncode == 0, r.stdout + r.stderr[-3000:]
    assert f"{NAME}: PASS" in r.stdout
    # splade's impacts are the reference chain's, byte for byte (after the recorded ties).
    assert "corpus.vectors sha256 as recorded" in r.stderr + r.stdout
    assert "queries.vectors sha256 as recorded" in r.stderr + r.stdout


def read_texts(work):
    docs = [json.loads(l) for l in open(work / "collection" / "corpus.jsonl", encoding="utf-8")]
    topics = [l.rstrip("\n").split("\t", 1) for l in open(work / "collection" / "topics.tsv", encoding="utf-8")]
    return [(d["id"], d["contents"]) for d in docs], [(q, t) for q, t in topics]


class Reference:
    """transformers' BertForMaskedLM -> torch.onnx.export (logits) -> onnxruntime; pooled in numpy."""

    def __init__(self, tmp_path):
        self.tok = transformers.AutoTokenizer.from_pretrained(SPLADE_TINY)
        self.torch_model = transformers.AutoModelForMaskedLM.from_pretrained(SPLADE_TINY).eval()
        path = str(tmp_path / "logits.onnx")
        dummy = self.tok(["a b", "c"], padding=True, return_tensors="pt")
        with torch.no_grad():
            torch.onnx.export(self.torch_model, (dummy["input_ids"], dummy["attention_mask"]), path,
                              input_names=["input_ids", "attention_mask"], output_names=["logits"],
                              dynamic_axes={"input_ids": {0: "b", 1: "s"}, "attention_mask": {0: "b", 1: "s"},
                                            "logits": {0: "b", 1: "s"}}, opset_version=14)
        so = ort.SessionOptions()
        so.intra_op_num_threads = 2
        self.session = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])

    def logits(self, texts):
        b = self.tok(texts, padding=True, truncation=True, max_length=512, return_tensors="np")
        ids, mask = b["input_ids"].astype(np.int64), b["attention_mask"].astype(np.int64)
        return self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0], mask

    @staticmethod
    def pool(logits, mask):
        """[batch, vocab]: log1p(relu(max over the unmasked tokens)), float32."""
        out = np.empty((logits.shape[0], logits.shape[2]), dtype=np.float32)
        for i, n in enumerate(mask.sum(axis=1)):
            out[i] = logits[i, :n].max(axis=0)
        return np.log1p(np.maximum(out, np.float32(0)))

    def encode(self, texts, batch=32):
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # similar lengths per batch
        out = [None] * len(texts)
        for s in range(0, len(order), batch):
            chunk = order[s:s + batch]
            pooled = self.pool(*self.logits([texts[i] for i in chunk]))
            for k, i in enumerate(chunk):
                out[i] = pooled[k]
        return out


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    return Reference(tmp_path_factory.mktemp("reference"))


def test_reference_pooling_is_the_seeds_and_pytorchs(regression, reference):
    _, work = regression
    docs, _ = read_texts(work)
    texts = [t for _, t in docs[:32]] + ["", "a"]
    logits, mask = reference.logits(texts)
    seed = np.max(np.log1p(np.maximum(logits, 0)) * mask[:, :, None].astype(np.float32), axis=1)
    assert np.array_equal(seed, reference.pool(logits, mask))  # max first: bit for bit
    with torch.no_grad():  # PyTorch itself (slow here: generic BLAS), on a few texts
        b = reference.tok(texts[:6], padding=True, truncation=True, max_length=512, return_tensors="pt")
        t_logits = reference.torch_model(**b).logits.numpy()
    assert np.abs(reference.pool(t_logits, b["attention_mask"].numpy()) - seed[:6]).max() < 1e-5


def read_floats(path, vocab_index, n_vocab):
    out = {}
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            v = np.zeros(n_vocab, dtype=np.float32)
            for tok, w in d["vector"].items():
                v[vocab_index[tok]] = w
            out[d["id"]] = v
    return out


def impacts(w):
    """Anserini's Math.round(w / 5 * 256) in float32, ties half up, for an array."""
    x = w.astype(np.float32) / np.float32(5) * np.float32(256)
    f = np.floor(x)
    return (f + (x - f >= np.float32(0.5))).astype(np.int64)


def compare(ours, ref_vectors, ids, vocab, dropped):
    """(max |diff|, impacts compared, impact differences at ties, impact differences elsewhere)."""
    worst, n, ties, others = 0.0, 0, 0, []
    for rid, ref in zip(ids, ref_vectors):
        ref = ref.copy()
        ref[dropped] = 0  # [PAD] [CLS] [SEP] are never terms (Anserini drops them too)
        mine = ours[rid]
        worst = max(worst, float(np.abs(mine - ref).max()))
        terms = np.nonzero((mine > 0) | (ref > 0))[0]
        a, b = impacts(mine[terms]), impacts(ref[terms])
        n += len(terms)
        x = ref[terms].astype(np.float32) / np.float32(5) * np.float32(256)
        tie = np.abs(x - np.floor(x) - 0.5) <= TIE_MARGIN
        differ = a != b
        ties += int((differ & tie & (np.abs(a - b) == 1)).sum())
        for k in np.nonzero(differ & ~(tie & (np.abs(a - b) == 1)))[0]:
            t = terms[k]
            others.append(f"{rid} {vocab[t]!r}: splade {mine[t]!r} -> {a[k]}, reference {ref[t]!r} -> {b[k]}")
    return worst, n, ties, others


def test_every_document_and_topic_within_1e4_of_the_reference(splade_bin, regression, reference, tmp_path):
    _, work = regression
    docs, topics = read_texts(work)
    vocab = [l.rstrip("\n") for l in open(work / "onnx" / "vocab.txt", encoding="utf-8")]
    index = {t: i for i, t in enumerate(vocab)}
    dropped = [index["[PAD]"], index["[CLS]"], index["[SEP]"]]
    floats = work / "vectors" / "corpus.floats.jsonl"
    assert floats.is_file(), "the regression file must ask for corpus.float_vectors"
    ours = read_floats(floats, index, len(vocab))
    assert len(ours) == len(docs) == 5183
    queries = tmp_path / "topics.floats.jsonl"
    run_splade(splade_bin, "encode", "--model", str(work / "onnx"), "-i", str(work / "collection" / "topics.tsv"),
               "-o", str(queries), "--queries", "--output-format", "jsonl-float", "-q")
    ours_q = read_floats(queries, index, len(vocab))

    report = []
    for role, items, mine in (("topics", topics, ours_q), ("documents", docs, ours)):
        ids, texts = [i for i, _ in items], [t for _, t in items]
        worst, n, ties, others = compare(mine, reference.encode(texts), ids, vocab, dropped)
        report.append(f"{role}: {len(ids)}, max |w - reference| {worst:.3g}, {n} impacts, "
                      f"{ties} differ by 1 at a .5 tie, {len(others)} otherwise")
        assert worst <= ATOL, report[-1]
        assert not others, "\n".join(others[:20])
        assert ties * 1000 <= n, report[-1]  # ties stay rare
    print("\n".join(report))
