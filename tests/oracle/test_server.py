"""`splade serve` over loopback HTTP, talked to with a real client (httpx): every route and
error path, answers equal to `splade encode` / `splade search` on the same inputs and to
Hugging Face `tokenizers`, 429 beyond --max-concurrent with nothing lost or answered twice,
and SIGTERM finishing what is in flight. The model is SPLADE-tiny (trained, fp32), whose
vectors do not depend on what they are batched with, so equality is exact."""
import concurrent.futures
import gzip
import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time

import httpx
import numpy as np
import pytest
from tokenizers import Tokenizer

from conftest import ROOT, run_splade

SPLADE_TINY = os.path.join(ROOT, "models", "splade-tiny")
N_DOCS = 300
N_TOPICS = 25


class ServerProcess:
    """`splade serve ... --port 0`, its port read from the line it prints at start."""

    def __init__(self, splade_bin, *args):
        self.proc = subprocess.Popen([splade_bin, "serve", "--port", "0", *args], stderr=subprocess.PIPE, text=True)
        self.lines = []
        ready = threading.Event()

        def read_stderr():
            for line in self.proc.stderr:
                self.lines.append(line)
                m = re.search(r"listening on http://([^:]+):(\d+)", line)
                if m:
                    self.url = f"http://{m.group(1)}:{m.group(2)}"
                    ready.set()
            ready.set()

        threading.Thread(target=read_stderr, daemon=True).start()
        if not ready.wait(120) or self.proc.poll() is not None:
            self.proc.kill()
            raise AssertionError("splade serve did not start: " + "".join(self.lines))
        self.client = httpx.Client(base_url=self.url, timeout=120)

    def stop(self):
        self.client.close()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            return self.proc.wait(60)
        return self.proc.returncode


@pytest.fixture(scope="module")
def data(splade_bin, shared_data, tmp_path_factory):
    if not os.path.isfile(os.path.join(SPLADE_TINY, "model.safetensors")):
        pytest.fail(f"{SPLADE_TINY} is missing: scripts/setup.sh fetches it")
    d = tmp_path_factory.mktemp("serve")
    run_splade(splade_bin, "convert", SPLADE_TINY, "-o", str(d / "tiny"), "--head", "splade-pooled")
    text = gzip.open(f"{shared_data}/collections/vaswani/doc-text.trec.gz", "rt", encoding="utf-8").read()
    docs = []
    for i, m in enumerate(re.finditer(r"<DOCNO>\s*(\S+)\s*</DOCNO>(.*?)</DOC>", text, re.S)):
        if i == N_DOCS:
            break
        docs.append((m.group(1), " ".join(m.group(2).split())))
    # Texts beyond 512 tokens (truncated by `splade encode` and by "truncate": true) and non-ASCII ones.
    docs.append(("long", " ".join(t for _, t in docs[:40])))
    docs.append(("accents", "\u00c9cole normale sup\u00e9rieure: na\u00efve caf\u00e9 r\u00e9sum\u00e9, \u6771\u4eac and \u041c\u043e\u0441\u043a\u0432\u0430"))
    (d / "docs.tsv").write_text("".join(f"{i}\t{t}\n" for i, t in docs), encoding="utf-8")
    with open(f"{shared_data}/msmarco-passage/topics.msmarco-passage.dev-subset.txt", encoding="utf-8") as f:
        topics = [next(f).rstrip("\n").split("\t", 1) for _ in range(N_TOPICS)]
    (d / "topics.tsv").write_text("".join(f"{q}\t{t}\n" for q, t in topics), encoding="utf-8")
    model = str(d / "tiny")
    run_splade(splade_bin, "encode", "--model", model, "-i", str(d / "docs.tsv"), "-o", str(d / "floats.jsonl"),
               "--output-format", "jsonl-float", "-q")
    run_splade(splade_bin, "encode", "--model", model, "-i", str(d / "docs.tsv"), "-o", str(d / "vectors.jsonl"), "-q")
    run_splade(splade_bin, "index", "--input", str(d / "vectors.jsonl"), "--index", str(d / "idx"), "--store-contents")
    run_splade(splade_bin, "index", "--input", str(d / "vectors.jsonl"), "--index", str(d / "plain"))
    run_splade(splade_bin, "encode", "--model", model, "-i", str(d / "topics.tsv"), "-o", str(d / "queries.jsonl"),
               "--queries", "--output-format", "json-vector", "-q")
    run_splade(splade_bin, "search", "--index", str(d / "idx"), "--topics", str(d / "topics.tsv"), "--model", model,
               "--output", str(d / "fly.run"), "--hits", "100", "--score-format", "integer")
    floats = {json.loads(l)["id"]: json.loads(l)["vector"] for l in open(d / "floats.jsonl", encoding="utf-8")}
    run = {}
    for line in open(d / "fly.run", encoding="utf-8"):
        qid, _, docid, rank, score, _ = line.split()
        run.setdefault(qid, []).append({"docid": docid, "score": int(score), "rank": int(rank)})
    queries = {json.loads(l)["id"]: json.loads(l)["vector"] for l in open(d / "queries.jsonl", encoding="utf-8")}
    vocab = Tokenizer.from_file(os.path.join(SPLADE_TINY, "tokenizer.json"))
    return {"dir": d, "model": model, "docs": docs, "topics": topics, "floats": floats, "run": run,
            "queries": queries, "tokenizer": vocab}


@pytest.fixture(scope="module")
def server(splade_bin, data):
    s = ServerProcess(splade_bin, "--model", data["model"], "--index", f"vaswani={data['dir'] / 'idx'}",
                      "--index", f"plain={data['dir'] / 'plain'}",
                      "--threads", "1", "--workers", "2", "--payload-limit", "100000")
    yield s
    assert s.stop() == 0, "".join(s.lines)


def as_token_weights(tokenizer, sparse):
    """[{"index", "value"}] -> {token: float32}, checking TEI's order (ascending index) and non-zero values."""
    indices = [x["index"] for x in sparse]
    assert indices == sorted(set(indices))
    assert all(x["value"] > 0 for x in sparse)
    return {tokenizer.id_to_token(x["index"]): np.float32(x["value"]) for x in sparse}


def expect_vector(data, doc_id, got):
    want = {t: np.float32(w) for t, w in data["floats"][doc_id].items()}
    assert got == want, doc_id


def test_embed_sparse_batches_equal_splade_encode(server, data):
    docs = data["docs"]
    for first in range(0, len(docs), 32):
        chunk = docs[first:first + 32]
        r = server.client.post("/embed_sparse", json={"inputs": [t for _, t in chunk], "truncate": True})
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == "application/json"
        assert int(r.headers["x-compute-tokens"]) > 0
        # TEI counts characters (Unicode scalar values, as Python's len), not UTF-8 bytes: the
        # last chunk holds the accented and CJK text.
        assert int(r.headers["x-compute-characters"]) == sum(len(t) for _, t in chunk)
        body = r.json()
        assert len(body) == len(chunk)
        for (doc_id, _), sparse in zip(chunk, body):
            expect_vector(data, doc_id, as_token_weights(data["tokenizer"], sparse))


def test_concurrent_single_requests_are_batched_and_equal(server, data):
    docs = data["docs"][:120]

    def one(doc):
        with httpx.Client(base_url=server.url, timeout=120) as c:
            r = c.post("/embed_sparse", json={"inputs": doc[1]})
            assert r.status_code == 200, r.text
            return doc[0], r.json()

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        results = list(pool.map(one, docs))
    for doc_id, body in results:
        assert len(body) == 1
        expect_vector(data, doc_id, as_token_weights(data["tokenizer"], body[0]))
    metrics = server.client.get("/metrics").text
    # Batches of more than one text happened: the histogram's count exceeds its le="1" bucket.
    ones = float(re.search(r'^te_batch_next_size_bucket\{le="1"\} (\S+)$', metrics, re.M).group(1))
    total = float(re.search(r"^te_batch_next_size_count (\S+)$", metrics, re.M).group(1))
    assert total > ones


def test_token_ids_as_inputs(server, data):
    doc_id, text = data["docs"][3]
    ids = data["tokenizer"].encode(text).ids
    r = server.client.post("/embed_sparse", json={"inputs": ids})
    assert r.status_code == 200, r.text
    expect_vector(data, doc_id, as_token_weights(data["tokenizer"], r.json()[0]))
    r2 = server.client.post("/embed_sparse", json={"inputs": [ids, ids]})
    assert r2.status_code == 200 and len(r2.json()) == 2 and r2.json()[1] == r.json()[0]


def test_long_text_needs_truncate(server, data):
    long_text = dict(data["docs"])["long"]
    r = server.client.post("/embed_sparse", json={"inputs": long_text})
    assert r.status_code == 422
    assert r.json()["error_type"] == "Validation"
    assert "must have less than 512 tokens" in r.json()["error"]
    r = server.client.post("/embed_sparse", json={"inputs": long_text, "truncate": True})
    assert r.status_code == 200
    expect_vector(data, "long", as_token_weights(data["tokenizer"], r.json()[0]))


def test_tokenize_equals_hf_tokenizers(server, data):
    tok = data["tokenizer"]
    texts = [data["docs"][0][1], dict(data["docs"])["accents"], "Hello [SEP] world [MASK]!"]
    for add_special in (True, False):
        r = server.client.post("/tokenize", json={"inputs": texts, "add_special_tokens": add_special})
        assert r.status_code == 200, r.text
        for text, got in zip(texts, r.json()):
            want = tok.encode(text, add_special_tokens=add_special)
            assert [t["id"] for t in got] == want.ids
            raw = text.encode("utf-8")
            for t, (cs, ce), special, token in zip(got, want.offsets, want.special_tokens_mask, want.tokens):
                assert t["special"] == bool(special)
                if special:
                    assert (t["start"], t["stop"], t["text"]) == (None, None, token)
                else:  # TEI's offsets are bytes; Python's tokenizers gives characters
                    bs, be = len(text[:cs].encode("utf-8")), len(text[:ce].encode("utf-8"))
                    assert (t["start"], t["stop"]) == (bs, be)
                    assert t["text"] == raw[bs:be].decode("utf-8")
    single = server.client.post("/tokenize", json={"inputs": texts[0]}).json()
    assert len(single) == 1 and [t["id"] for t in single[0]] == tok.encode(texts[0]).ids


def test_search_get_equals_splade_search(server, data):
    for qid, text in data["topics"]:
        r = server.client.get("/v1/vaswani/search", params={"query": text, "hits": 100, "qid": qid})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["api"] == "v1" and body["index"] == "vaswani"
        assert body["query"] == {"qid": qid, "text": text}
        assert body["candidates"] == data["run"].get(qid, []), qid
    # Anserini's own path serves the same.
    qid, text = data["topics"][0]
    a = server.client.get("/api/v1.0/indexes/vaswani/search", params={"query": text, "hits": 100}).json()
    assert a["candidates"] == data["run"].get(qid, [])
    default = server.client.get("/v1/vaswani/search", params={"query": text}).json()
    assert default["candidates"] == data["run"].get(qid, [])[:10]


def test_search_post_vector_and_text(server, data):
    for qid, text in data["topics"][:10]:
        by_vector = server.client.post("/v1/vaswani/search", json={"vector": data["queries"][qid], "hits": 100, "qid": qid})
        assert by_vector.status_code == 200, by_vector.text
        assert by_vector.json()["candidates"] == data["run"].get(qid, [])
        by_text = server.client.post("/v1/vaswani/search", json={"query": text, "hits": 100})
        assert by_text.json()["candidates"] == data["run"].get(qid, [])


def test_documents_are_served_from_an_index_that_keeps_contents(server, data):
    for doc_id, text in data["docs"][::15]:
        r = server.client.get(f"/v1/vaswani/doc/{doc_id}")
        assert r.status_code == 200, r.text
        assert r.json() == {"api": "v1", "index": "vaswani", "docid": doc_id, "contents": text}
        assert server.client.get(f"/api/v1.0/indexes/vaswani/documents/{doc_id}").json()["contents"] == text
    missing = server.client.get("/v1/vaswani/doc/no-such-doc")
    assert missing.status_code == 404 and missing.json()["error_type"] == "NotFound"
    plain = server.client.get(f"/v1/plain/doc/{data['docs'][0][0]}")
    assert plain.status_code == 404 and "keeps no contents" in plain.json()["error"]
    # The same postings either way: both indexes give the same candidates.
    qid, text = data["topics"][0]
    a = server.client.get("/v1/plain/search", params={"query": text, "hits": 100}).json()["candidates"]
    assert a == data["run"].get(qid, [])


def test_info_health_metrics(server, data):
    h = server.client.get("/health")
    assert h.status_code == 200 and h.text == ""
    info = server.client.get("/info").json()
    assert info["model_type"] == {"embedding": {"pooling": "splade"}}
    assert info["max_input_length"] == 512 and info["max_client_batch_size"] == 32
    assert info["max_concurrent_requests"] == 512 and info["max_batch_tokens"] == 16384
    assert info["model_dtype"] == "float32" and info["indexes"] == ["plain", "vaswani"]
    server.client.post("/embed_sparse", json={"inputs": "count me"})
    m = server.client.get("/metrics")
    assert m.headers["content-type"].startswith("text/plain")
    text = m.text
    for name in ("te_request_count", "te_request_success", "te_request_duration_bucket", "te_queue_size",
                 "te_batch_next_tokens_bucket", "splade_http_requests_total", "splade_search_duration_count"):
        assert re.search(rf"^{name}\b", text, re.M), name
    # Prometheus' text format: every sample line is `name{labels} value`.
    for line in text.splitlines():
        if line and not line.startswith("#"):
            assert re.fullmatch(r'[a-z_]+(\{([a-z_]+="[^"]*",?)*\})? [-+0-9.eInf]+', line), line
    single = float(re.search(r'^te_request_count\{method="single"\} (\S+)$', text, re.M).group(1))
    assert single >= 1


@pytest.mark.parametrize("body,status,error_type", [
    (b'{"inputs": "unterminated', 400, "BadRequest"),
    (b'\xff\xfe{"inputs": "x"}', 400, "BadRequest"),
    (b'{"inputs": "caf\xc3"}', 400, "BadRequest"),  # invalid UTF-8 inside a JSON string
    (b'["a list"]', 422, "Validation"),
    (b'{"inputs": 5}', 422, "Validation"),
    (b'{"inputs": [1.5]}', 422, "Validation"),
    (b'{"inputs": [99999999]}', 422, "Validation"),
    (b'{"inputs": ["ok", 3]}', 422, "Validation"),
    (b'{"inputs": "x", "truncate": "yes"}', 422, "Validation"),
    (b'{"inputs": "x", "truncation_direction": "left"}', 422, "Validation"),
    (b'{"text": "no inputs"}', 422, "Validation"),
    (b'{"inputs": ""}', 400, "Empty"),
    (b'{"inputs": []}', 400, "Empty"),
    (b'{"inputs": ["a", ""]}', 400, "Empty"),
    (json.dumps({"inputs": ["t"] * 33}).encode(), 413, "Validation"),
    (json.dumps({"inputs": "x" * 200000}).encode(), 413, "Validation"),  # beyond --payload-limit
])
def test_embed_sparse_errors(server, body, status, error_type):
    r = server.client.post("/embed_sparse", content=body, headers={"content-type": "application/json"})
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json"
    err = r.json()
    assert err["error_type"] == error_type and err["error"]


@pytest.mark.parametrize("method,path,kwargs,status,error_type", [
    ("GET", "/nowhere", {}, 404, "NotFound"),
    ("DELETE", "/embed_sparse", {}, 405, "BadRequest"),
    ("GET", "/v1/nosuch/search", {"params": {"query": "x"}}, 404, "NotFound"),
    ("GET", "/v1/vaswani/search", {}, 422, "Validation"),
    ("GET", "/v1/vaswani/search", {"params": {"query": "x", "hits": "0"}}, 422, "Validation"),
    ("GET", "/v1/vaswani/search", {"params": {"query": "x", "hits": "ten"}}, 422, "Validation"),
    ("GET", "/v1/vaswani/search", {"params": {"query": "x", "hits": "10001"}}, 422, "Validation"),
    ("GET", "/v1/vaswani/search?query=%ff%fe", {}, 400, "BadRequest"),
    ("GET", "/v1/vaswani/search?query=%zz", {}, 400, "BadRequest"),
    ("POST", "/v1/vaswani/search", {"json": {"vector": {"a": "heavy"}}}, 422, "Validation"),
    ("POST", "/v1/vaswani/search", {"json": {"vector": [1, 2]}}, 422, "Validation"),
    ("POST", "/v1/vaswani/search", {"json": {}}, 422, "Validation"),
    ("POST", "/v1/vaswani/search", {"json": {"query": "a", "vector": {"a": 1}}}, 422, "Validation"),
    ("POST", "/v1/vaswani/search", {"json": {"query": ""}}, 400, "Empty"),
    ("POST", "/tokenize", {"json": {"inputs": [101, 102]}}, 422, "Validation"),
    ("POST", "/tokenize", {"json": {"inputs": "x", "add_special_tokens": 1}}, 422, "Validation"),
])
def test_route_errors(server, method, path, kwargs, status, error_type):
    r = server.client.request(method, path, **kwargs)
    assert r.status_code == status, r.text
    assert r.json()["error_type"] == error_type and r.json()["error"]


def test_malformed_http_gets_400(server):
    import socket
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall(b"NOT HTTP AT ALL\r\n\r\n")
        reply = s.recv(65536).decode("latin-1")
    assert reply.startswith("HTTP/1.1 400"), reply
    assert '"error_type":"BadRequest"' in reply


def test_overload_gives_429_and_loses_nothing(splade_bin, data):
    s = ServerProcess(splade_bin, "--model", data["model"], "--threads", "1", "--workers", "2",
                      "--max-concurrent", "4", "--max-batch-tokens", "2048")
    try:
        docs = data["docs"][:200]

        def one(doc):
            with httpx.Client(base_url=s.url, timeout=120) as c:
                return doc[0], c.post("/embed_sparse", json={"inputs": doc[1]})

        with concurrent.futures.ThreadPoolExecutor(48) as pool:
            results = list(pool.map(one, docs))
        codes = [r.status_code for _, r in results]
        assert set(codes) <= {200, 429}, codes
        assert codes.count(429) > 0 and codes.count(200) > 0
        for doc_id, r in results:
            if r.status_code == 429:
                assert r.json() == {"error": "Model is overloaded", "error_type": "Overloaded"}
            else:
                expect_vector(data, doc_id, as_token_weights(data["tokenizer"], r.json()[0]))
        metrics = s.client.get("/metrics").text
        ok = float(re.search(r'^te_request_success\{method="single"\} (\S+)$', metrics, re.M).group(1))
        refused = float(re.search(r'^te_request_failure\{err="overloaded"\} (\S+)$', metrics, re.M).group(1))
        # Each request answered once: the server's counts are the client's.
        assert (ok, refused) == (codes.count(200), codes.count(429))
        assert re.search(r"^splade_in_flight 0$", metrics, re.M)
    finally:
        assert s.stop() == 0


def test_sigterm_finishes_in_flight_requests(splade_bin, data):
    s = ServerProcess(splade_bin, "--model", data["model"], "--threads", "1", "--workers", "2")
    batch = [t for _, t in data["docs"][:32]]
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        def one(_):
            with httpx.Client(base_url=s.url, timeout=120) as c:
                return c.post("/embed_sparse", json={"inputs": batch, "truncate": True})
        futures = [pool.submit(one, i) for i in range(6)]
        # SIGTERM once the server has read all six (each counted as it is parsed) and while it
        # is still encoding them (192 texts).
        deadline = time.time() + 60
        while time.time() < deadline:
            m = s.client.get("/metrics").text
            got = re.search(r'^te_request_count\{method="batch"\} (\S+)$', m, re.M)
            if got and float(got.group(1)) >= 6:
                break
            time.sleep(0.005)
        in_flight = float(re.search(r"^splade_in_flight (\S+)$", m, re.M).group(1))
        s.proc.send_signal(signal.SIGTERM)
        answers = [f.result() for f in futures]
    assert in_flight > 0  # the stop did find work in flight
    # Every accepted request is answered in full: nothing is cut off, nothing is a 5xx.
    for r in answers:
        assert r.status_code == 200 and len(r.json()) == 32
    assert s.proc.wait(60) == 0
    assert any("stopped" in l for l in s.lines)
    with pytest.raises(httpx.ConnectError):
        httpx.get(s.url + "/health", timeout=5)


def mapped_paths(pid):
    with open(f"/proc/{pid}/maps", encoding="utf-8") as f:
        return {line.split(None, 5)[5].strip() for line in f if len(line.split(None, 5)) == 6}


def test_no_mmap_serves_on_when_model_onnx_is_overwritten_in_place(splade_bin, data, tmp_path):
    """By default ONNX Runtime maps the body's weights from model.onnx (the fused head hands them
    over as references to the file) and an fp32 model's embedding tables stay mapped; with
    --no-mmap nothing of model.onnx is mapped, so overwriting it in place (same inode: cp over
    it, a truncating write) changes nothing the server answers."""
    copy = tmp_path / "tiny"
    shutil.copytree(data["model"], copy)
    onnx_file = str((copy / "model.onnx").resolve())
    docs = data["docs"][:5]

    # The control: without the flag the file is mapped, so the test below can tell the two apart.
    default = ServerProcess(splade_bin, "--model", str(copy), "--threads", "1", "--workers", "1")
    try:
        assert onnx_file in mapped_paths(default.proc.pid)
    finally:
        assert default.stop() == 0

    s = ServerProcess(splade_bin, "--model", str(copy), "--threads", "1", "--workers", "1", "--no-mmap")
    try:
        assert onnx_file not in mapped_paths(s.proc.pid)
        size = os.path.getsize(onnx_file)
        for round_ in ("before", "after"):
            for doc_id, text in docs:
                r = s.client.post("/embed_sparse", json={"inputs": text})
                assert r.status_code == 200, (round_, r.text)
                expect_vector(data, doc_id, as_token_weights(data["tokenizer"], r.json()[0]))
            with open(onnx_file, "r+b") as f:  # in place: truncated, then zeros of the old length
                f.truncate(0)
                f.write(b"\0" * size)
        assert s.proc.poll() is None
    finally:
        assert s.stop() == 0, "".join(s.lines)


def test_no_mmap_encodes_the_same_vectors(splade_bin, data, tmp_path):
    run_splade(splade_bin, "encode", "--model", data["model"], "-i", str(data["dir"] / "docs.tsv"),
               "-o", str(tmp_path / "vectors.jsonl"), "--no-mmap", "-q")
    assert (tmp_path / "vectors.jsonl").read_bytes() == (data["dir"] / "vectors.jsonl").read_bytes()
