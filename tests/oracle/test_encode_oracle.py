"""`splade encode` against the seed's math run in PyTorch + transformers on the same
random-weight model: max over tokens of log1p(relu(logits)) * attention_mask, with the
Hugging Face tokenizer, [PAD]/[CLS]/[SEP] dropped (as Anserini's encoder does)."""
import gzip
import json
import os
import re
import signal
import subprocess
import time

import numpy as np
import pytest
import torch
import transformers

from conftest import run_splade

TOL = 1e-4


def java_round_impact(w):
    """Anserini: Math.round(weight / 5 * 256) in float arithmetic, ties half up."""
    x = np.float32(w) / np.float32(5) * np.float32(256)
    f = np.floor(x)
    return int(f + 1 if x - f >= np.float32(0.5) else f)


def read_topics(shared_data, n):
    out = []
    with open(os.path.join(shared_data, "msmarco-passage", "topics.msmarco-passage.dev-subset.txt"), encoding="utf-8") as f:
        for line in f:
            qid, text = line.rstrip("\n").split("\t", 1)
            out.append((qid, text))
            if len(out) == n:
                break
    return out


def read_vaswani(shared_data, n):
    docs = []
    with gzip.open(os.path.join(shared_data, "collections", "vaswani", "doc-text.trec.gz"), "rt", encoding="utf-8") as f:
        text = f.read()
    for m in re.finditer(r"<DOCNO>\s*(\S+)\s*</DOCNO>(.*?)</DOC>", text, re.S):
        docs.append(("v" + m.group(1), " ".join(m.group(2).split())))
        if len(docs) == n:
            break
    return docs


@pytest.fixture(scope="module")
def texts(shared_data):
    items = read_topics(shared_data, 60) + read_vaswani(shared_data, 15)
    long_text = " ".join(t for _, t in read_vaswani(shared_data, 60))  # > 512 word pieces: truncation
    items.append(("long", long_text))
    return items


@pytest.fixture(scope="module", params=["splade", "pooled", "logits"])
def model_dir(request, make_model):
    return make_model(f"enc-bert-tiny-{request.param}", "--export-onnx", request.param, "--weights", "safetensors")


def torch_reference(model_dir, texts):
    tok = transformers.BertTokenizerFast.from_pretrained(model_dir)
    model = transformers.BertForMaskedLM.from_pretrained(model_dir).eval()
    ref = {}
    with torch.no_grad():
        for tid, text in texts:
            enc = tok(text, truncation=True, max_length=512, return_tensors="pt")
            logits = model(**enc).logits
            w = torch.max(torch.log1p(torch.relu(logits)) * enc["attention_mask"].unsqueeze(-1), dim=1).values[0]
            vec = {}
            for i in torch.nonzero(w).flatten().tolist():
                if i in (0, 101, 102):
                    continue
                vec[tok.convert_ids_to_tokens(i)] = float(w[i])
            ref[tid] = vec
    return ref


def write_tsv(path, items):
    with open(path, "w", encoding="utf-8") as f:
        for tid, text in items:
            f.write(f"{tid}\t{text}\n")


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def test_float_weights_match_pytorch(splade_bin, model_dir, texts, tmp_path):
    write_tsv(tmp_path / "in.tsv", texts)
    out = tmp_path / "out.jsonl"
    run_splade(splade_bin, "encode", "--model", model_dir, "-i", str(tmp_path / "in.tsv"), "-o", str(out),
               "--queries", "--batch", "8", "-q")
    got = {r["id"]: r["vector"] for r in read_jsonl(out)}
    ref = torch_reference(model_dir, texts)
    assert list(got) == [tid for tid, _ in texts]
    worst = 0.0
    for tid, _ in texts:
        a, b = got[tid], ref[tid]
        for term in set(a) | set(b):
            worst = max(worst, abs(a.get(term, 0.0) - b.get(term, 0.0)))
        # Terms present on one side only must be near zero on the other.
        assert not {t for t in set(a) ^ set(b) if max(a.get(t, 0), b.get(t, 0)) > TOL}, tid
    assert worst <= TOL, worst


def test_integer_impacts_match_pytorch(splade_bin, model_dir, texts, tmp_path):
    write_tsv(tmp_path / "docs.tsv", texts)
    run_splade(splade_bin, "encode", "--model", model_dir, "-i", str(tmp_path / "docs.tsv"),
               "-o", str(tmp_path / "docs.jsonl"), "-q")
    run_splade(splade_bin, "encode", "--model", model_dir, "-i", str(tmp_path / "docs.tsv"),
               "-o", str(tmp_path / "queries.tsv"), "--queries", "-q")
    ref = torch_reference(model_dir, texts)
    docs = {r["id"]: r for r in read_jsonl(tmp_path / "docs.jsonl")}
    queries = {}
    for line in open(tmp_path / "queries.tsv", encoding="utf-8"):
        qid, toks = line.rstrip("\n").split("\t")
        counts = {}
        for t in toks.split():
            counts[t] = counts.get(t, 0) + 1
        queries[qid] = counts
    compared = near_tie = 0
    for tid, text in texts:
        want = {t: java_round_impact(w) for t, w in ref[tid].items()}
        want = {t: v for t, v in want.items() if v > 0}
        assert docs[tid]["contents"] == text
        for got in (docs[tid]["vector"], queries[tid]):
            for term in set(got) | set(want):
                compared += 1
                if got.get(term, 0) != want.get(term, 0):
                    # Only where PyTorch's weight sits within the float tolerance of a rounding tie.
                    x = ref[tid].get(term, 0.0) / 5 * 256
                    assert abs((x - np.floor(x)) - 0.5) < TOL * 256 / 5 + 1e-6, (tid, term, got.get(term), want.get(term))
                    assert abs(got.get(term, 0) - want.get(term, 0)) == 1
                    near_tie += 1
    assert compared > 1000 and near_tie <= compared // 1000


def test_input_formats_agree(splade_bin, make_model, texts, tmp_path):
    model = make_model("enc-bert-tiny-pooled", "--export-onnx", "pooled", "--weights", "safetensors")
    items = texts[:30]
    write_tsv(tmp_path / "a.tsv", items)
    with open(tmp_path / "b.jsonl", "w", encoding="utf-8") as f:
        for tid, text in items:
            f.write(json.dumps({"id": tid, "contents": text}) + "\n")
    with gzip.open(tmp_path / "c.jsonl.gz", "wt", encoding="utf-8") as f:
        for tid, text in items:  # BEIR: title + text joined by a space
            head, _, tail = text.partition(" ")
            f.write(json.dumps({"_id": tid, "title": head, "text": tail}) + "\n")
    os.makedirs(tmp_path / "folder")
    write_tsv(tmp_path / "folder" / "part-0.tsv", items[:10])
    write_tsv(tmp_path / "folder" / "part-1.tsv", items[10:])
    outputs = []
    for name in ("a.tsv", "b.jsonl", "c.jsonl.gz", "folder"):
        out = tmp_path / f"out-{name}.jsonl.gz"
        run_splade(splade_bin, "encode", "--model", model, "-i", str(tmp_path / name), "-o", str(out), "-q")
        with gzip.open(out, "rt", encoding="utf-8") as f:
            outputs.append([json.loads(l)["vector"] for l in f])
    assert all(o == outputs[0] for o in outputs[1:])
    assert len(outputs[0]) == 30


def test_shards_concatenate_to_the_whole(splade_bin, make_model, texts, tmp_path):
    model = make_model("enc-bert-tiny-pooled", "--export-onnx", "pooled", "--weights", "safetensors")
    write_tsv(tmp_path / "in.tsv", texts)
    run_splade(splade_bin, "encode", "--model", model, "-i", str(tmp_path / "in.tsv"), "-o", str(tmp_path / "all.jsonl"), "-q")
    parts = b""
    for i in range(3):
        out = tmp_path / f"shard{i}.jsonl"
        run_splade(splade_bin, "encode", "--model", model, "-i", str(tmp_path / "in.tsv"), "-o", str(out),
                   "--shard", f"{i}/3", "-q")
        parts += out.read_bytes()
    assert parts == (tmp_path / "all.jsonl").read_bytes()


def test_resume_after_kill_loses_and_duplicates_nothing(splade_bin, make_model, shared_data, tmp_path):
    model = make_model("enc-bert-tiny-splade", "--export-onnx", "splade", "--weights", "safetensors")
    items = read_topics(shared_data, 3000)
    write_tsv(tmp_path / "in.tsv", items)
    ref = tmp_path / "ref.tsv.gz"
    # --top-k keeps the random model's dense vectors (half the vocabulary) to query size.
    run_splade(splade_bin, "encode", "--model", model, "-i", str(tmp_path / "in.tsv"), "-o", str(ref), "--queries",
               "--top-k", "40", "-q")
    out = tmp_path / "out.tsv.gz"
    partial = tmp_path / "out.tsv.gz.partial"
    proc = subprocess.Popen([splade_bin, "encode", "--model", model, "-i", str(tmp_path / "in.tsv"), "-o", str(out),
                             "--queries", "--top-k", "40", "-q", "--batch", "1", "--threads", "1"])
    deadline = time.time() + 60
    while time.time() < deadline and (not partial.exists() or partial.stat().st_size < 2000):
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert partial.exists() and not out.exists(), "the run finished before it could be interrupted"
    r = run_splade(splade_bin, "encode", "--model", model, "-i", str(tmp_path / "in.tsv"), "-o", str(out),
                   "--queries", "--top-k", "40", "--resume")
    assert re.search(r"\((\d+) resumed", r.stderr) and int(re.search(r"\((\d+) resumed", r.stderr).group(1)) > 0
    assert gzip.open(out).read() == gzip.open(ref).read()
    # A torn last line (killed mid-write) is dropped and redone.
    plain_ref = tmp_path / "ref.tsv"
    plain_ref.write_bytes(gzip.open(ref).read())
    torn = plain_ref.read_bytes()
    (tmp_path / "torn.tsv.partial").write_bytes(torn[: len(torn) // 2])
    run_splade(splade_bin, "encode", "--model", model, "-i", str(tmp_path / "in.tsv"), "-o", str(tmp_path / "torn.tsv"),
               "--queries", "--top-k", "40", "--resume", "-q")
    assert (tmp_path / "torn.tsv").read_bytes() == torn


BAD_CASES = {  # name: (input, bad line, reason, extra options)
    "invalid-json": ('{"id": "a", "contents": "ok"}\n{broken\n', 2, "invalid JSON", []),
    "missing-id": ('{"id": "a", "contents": "ok"}\n{"contents": "x"}\n', 2, "missing", []),
    "duplicate-id": ('{"id": "a", "contents": "ok"}\n{"id": "a", "contents": "again"}\n', 2, "duplicate id", []),
    "empty-text": ('{"id": "a", "contents": "ok"}\n{"id": "b", "contents": ""}\n', 2, "empty text", ["--blank-is-error"]),
    "invalid-utf8": (b'{"id": "a", "contents": "ok"}\n{"id": "b", "contents": "\xff\xfe"}\n', 2, "invalid UTF-8", []),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_records(splade_bin, make_model, tmp_path, case):
    model = make_model("enc-bert-tiny-pooled", "--export-onnx", "pooled", "--weights", "safetensors")
    content, line, reason, extra = BAD_CASES[case]
    path = tmp_path / "in.jsonl"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    out = tmp_path / "out.jsonl"
    r = run_splade(splade_bin, "encode", "--model", model, "-i", str(path), "-o", str(out), "-q", *extra, check=False)
    assert r.returncode == 2 and f"in.jsonl:{line}" in r.stderr and reason in r.stderr, r.stderr
    assert not out.exists()
    os.remove(str(out) + ".partial")
    r = run_splade(splade_bin, "encode", "--model", model, "-i", str(path), "-o", str(out), "--on-error", "skip", *extra)
    assert f"in.jsonl:{line}: {reason}" in r.stderr, r.stderr
    assert [rec["id"] for rec in read_jsonl(out)] == ["a"]


def test_model_directory_errors(splade_bin, make_model, tmp_path):
    hidden = make_model("enc-bert-tiny-hidden", "--export-onnx", "hidden", "--weights", "safetensors")
    (tmp_path / "in.tsv").write_text("q\thello\n")
    r = run_splade(splade_bin, "encode", "--model", hidden, "-i", str(tmp_path / "in.tsv"), "-o", str(tmp_path / "o"),
                   check=False)
    assert r.returncode == 2 and "vocabulary size" in r.stderr, r.stderr
    r = run_splade(splade_bin, "encode", "--model", str(tmp_path / "nope"), "-i", str(tmp_path / "in.tsv"),
                   "-o", str(tmp_path / "o"), check=False)
    assert r.returncode == 2 and "nope" in r.stderr


def test_blank_texts_are_encoded_by_default(splade_bin, make_model, tmp_path):
    model = make_model("enc-bert-tiny-pooled", "--export-onnx", "pooled", "--weights", "safetensors")
    (tmp_path / "in.jsonl").write_text('{"id": "a", "contents": "ok"}\n{"id": "b", "contents": ""}\n'
                                       '{"id": "c", "contents": "  \\t "}\n')
    out = tmp_path / "out.jsonl"
    r = run_splade(splade_bin, "encode", "--model", model, "-i", str(tmp_path / "in.jsonl"), "-o", str(out),
                   "--top-k", "10")
    assert "encoded 3 records (0 resumed, 2 blank, 0 skipped as bad)" in r.stderr, r.stderr
    # --allow-empty (the old opt-in) gives the same file.
    run_splade(splade_bin, "encode", "--model", model, "-i", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "o2.jsonl"),
               "--allow-empty", "--top-k", "10", "-q")
    assert (tmp_path / "o2.jsonl").read_bytes() == out.read_bytes()
    recs = read_jsonl(out)
    # An empty text is [CLS] [SEP] alone, as Pyserini encodes it: still a (non-empty) vector.
    assert [r["id"] for r in recs] == ["a", "b", "c"] and recs[1]["contents"] == "" and recs[1]["vector"]
    assert recs[2]["vector"] == recs[1]["vector"]  # whitespace alone tokenizes to nothing as well


def test_float_output_is_the_jsonl_float_run_of_the_same_vectors(splade_bin, make_model, texts, tmp_path):
    model = make_model("enc-bert-tiny-pooled", "--export-onnx", "pooled", "--weights", "safetensors")
    src = tmp_path / "docs.tsv"
    write_tsv(src, texts[:30])
    both_v, both_f = tmp_path / "both.jsonl", tmp_path / "both.floats.jsonl.gz"
    run_splade(splade_bin, "encode", "--model", model, "-i", str(src), "-o", str(both_v), "--float-output", str(both_f), "-q")
    run_splade(splade_bin, "encode", "--model", model, "-i", str(src), "-o", str(tmp_path / "v.jsonl"), "-q")
    run_splade(splade_bin, "encode", "--model", model, "-i", str(src), "-o", str(tmp_path / "f.jsonl"),
               "--output-format", "jsonl-float", "-q")
    assert both_v.read_bytes() == (tmp_path / "v.jsonl").read_bytes()
    assert gzip.decompress(both_f.read_bytes()) == (tmp_path / "f.jsonl").read_bytes()
    # Every impact is Anserini's rounding of the float weight written beside it.
    floats = {d["id"]: d["vector"] for d in read_jsonl(tmp_path / "f.jsonl")}
    for d in read_jsonl(both_v):
        assert d["vector"] == {t: java_round_impact(w) for t, w in floats[d["id"]].items() if java_round_impact(w) > 0}
    # A float partial without its impacts partial is refused, not guessed at.
    (tmp_path / "x.floats.jsonl.partial").write_text("")
    r = run_splade(splade_bin, "encode", "--model", model, "-i", str(src), "-o", str(tmp_path / "x.jsonl"),
                   "--float-output", str(tmp_path / "x.floats.jsonl"), "--resume", "-q", check=False)
    assert r.returncode != 0 and "x.floats.jsonl.partial exists without" in r.stderr, r.stderr
