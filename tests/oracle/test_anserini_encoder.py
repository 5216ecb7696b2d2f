"""The real client, on a random-weight model and on SPLADE-tiny (trained): Anserini's own SPLADE++ ED query encoder (io.anserini.encoder.sparse.
SpladePlusPlusEnsembleDistilEncoder from the pinned 1.5.0 fatjar: DJL's BertFullTokenizer, ONNX
Runtime for Java, Math.round(w / 5 * 256)) loads OUR converted model through `splade export
anserini` and must give the same token -> integer-weight maps as `splade encode --queries
--truncation anserini --output-format query-tsv` on real MS MARCO dev queries.

The oracle is tests/oracle/java/AnseriniSpladeQueries.java. Anserini 1.5.0 looks for the encoder
files only under ${user.home}/.cache/pyserini/encoders (OnnxEncoder.CACHE_DIR) and downloads them
when absent; the Java program refuses to run without our files there, and every proxy points at
a closed loopback port so that no download could succeed even on a networked machine.

Anserini keeps entries whose weight rounds to 0 in its map; query-tsv (token repeated weight
times) cannot show them, so the comparison is over non-zero entries.

Floats: Anserini 1.5.0's fatjar bundles ONNX Runtime 1.17 (Java); splade links 1.30 (C++). Their
kernels give the same model's weights a few ULPs apart (measured: <= 1.2e-7 absolute; on the same
inputs Python onnxruntime 1.20.1 reproduces Java's floats bit for bit, 1.23.2 and 1.30.0 reproduce
splade's, with graph optimizations on or off: a kernel change between versions), so an integer
round(w / 5 * 256) can differ by one exactly where w / 5 * 256 lies on a .5 tie. Such an entry is
accepted only if it differs by 1 and our float weight is within TIE_TOL of the tie (w = (k + 0.5)
* 5 / 256); every other entry must be identical, and the tie entries must stay rare."""
import collections
import json
import math
import os
import subprocess

import pytest

from conftest import ROOT, run_splade

N_QUERIES = 300
GOLDEN = ("golden", "define: geon")  # the query of Anserini's own SpladePlusPlusEnsembleDistilEncoderTest
JAVA_SRC = os.path.join(ROOT, "tests", "oracle", "java", "AnseriniSpladeQueries.java")
TIE_TOL = 1e-5  # |w - tie| in float weight units: 100x the measured ORT 1.17 vs 1.30 spread
NO_NETWORK = [f"-D{p}.proxy{k}={v}" for p in ("http", "https") for k, v in (("Host", "127.0.0.1"), ("Port", "9"))]


def require(cmd, what):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        pytest.fail(f"{what}: {' '.join(cmd)} exited {r.returncode}: {r.stderr.strip()}")
    return r.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def anserini():
    """(java >= 21, Anserini 1.5.0 fatjar). Missing either is a FAILURE, never a skip."""
    java = require([os.path.join(ROOT, "scripts", "find_java.sh")], "Anserini needs Java >= 21")
    jar = require([os.path.join(ROOT, "scripts", "fetch_anserini.sh")], "Anserini's fatjar (Maven Central)")
    return java, jar


def dev_queries(shared_data, n):
    out = []
    with open(os.path.join(shared_data, "msmarco-passage", "topics.msmarco-passage.dev-subset.txt"), encoding="utf-8") as f:
        for line in f:
            out.append(tuple(line.rstrip("\n").split("\t", 1)))
            if len(out) == n:
                break
    return out


def read_query_tsv(path):
    """`qid<TAB>tok tok ...` (each token repeated by its integer weight) -> {qid: {tok: weight}}."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            qid, _, toks = line.rstrip("\n").partition("\t")
            out[qid] = dict(collections.Counter(toks.split()))
    return out


def read_jsonl_floats(path):
    with open(path, encoding="utf-8") as f:
        return {r["id"]: r["vector"] for r in map(json.loads, f)}


def at_tie(w):
    """w / 5 * 256 within TIE_TOL (in w) of its .5 tie k + 0.5, where float noise decides Math.round."""
    k = math.floor(w / 5 * 256)
    return abs(w - (k + 0.5) * 5 / 256) <= TIE_TOL


def read_anserini(path):
    """`qid<TAB>tok<TAB>w<TAB>tok<TAB>w...` -> {qid: {tok: weight}} (zero weights included)."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            qid, *rest = line.rstrip("\n").split("\t")
            assert len(rest) % 2 == 0, f"odd field count for {qid}"
            out[qid] = {rest[i]: int(rest[i + 1]) for i in range(0, len(rest), 2)}
    return out


@pytest.mark.parametrize("which", ["random-weight", "splade-tiny"])
def test_anserini_encoder_matches_splade_encode(splade_bin, shared_data, make_model, anserini, tmp_path, which):
    java, jar = anserini
    if which == "splade-tiny":  # the trained default model, as scripts/fetch_splade_tiny.sh installs it
        hf = os.path.join(ROOT, "models", "splade-tiny")
        if not os.path.isfile(os.path.join(hf, "model.safetensors")):
            pytest.fail(f"{hf} is missing: scripts/setup.sh fetches it")
    else:
        hf = make_model("anserini-bert-tiny", "--size", "tiny", "--weights", "safetensors")
    model = tmp_path / "model"
    run_splade(splade_bin, "convert", hf, "-o", str(model), "--head", "splade")

    home = tmp_path / "home"  # Anserini's user.home: encoders under home/.cache/pyserini/encoders
    cache = home / ".cache" / "pyserini"
    run_splade(splade_bin, "export", "anserini", "--model", str(model), "--name", "splade-pp-ed", "--cache", str(cache))
    exported = cache / "encoders" / "splade-pp-ed-optimized.onnx"
    assert exported.is_file() and (cache / "encoders" / "splade-pp-ed-vocab.txt").is_file()

    queries = dev_queries(shared_data, N_QUERIES) + [GOLDEN]
    qfile = tmp_path / "queries.tsv"
    qfile.write_text("".join(f"{q}\t{t}\n" for q, t in queries), encoding="utf-8")

    # Run from home and name the same folder every way any Anserini version resolves its cache
    # (user.home; newer ones also pyserini.cache, $PYSERINI_CACHE, ./.cache/pyserini).
    env = {k: v for k, v in os.environ.items() if not k.startswith("JAVA_TOOL") and k != "_JAVA_OPTIONS"}
    env["PYSERINI_CACHE"] = str(cache)
    a_out = tmp_path / "anserini.tsv"
    r = subprocess.run([java, f"-Duser.home={home}", f"-Dpyserini.cache={cache}", *NO_NETWORK, "-cp", jar,
                        JAVA_SRC, str(qfile), str(a_out)], capture_output=True, text=True, cwd=home, env=env)
    assert r.returncode == 0, f"Anserini's encoder failed ({r.returncode}): {r.stderr[-3000:]}"
    opened = dict(line.split("\t", 1) for line in r.stdout.splitlines() if "\t" in line)
    assert opened.get("model") == os.path.realpath(exported), f"Anserini opened {opened}, not our export"
    assert opened.get("vocab") == os.path.realpath(cache / "encoders" / "splade-pp-ed-vocab.txt")

    s_out = tmp_path / "splade.tsv"
    run_splade(splade_bin, "encode", "--model", str(model), "-i", str(qfile), "-o", str(s_out), "--queries",
               "--truncation", "anserini", "--output-format", "query-tsv")

    floats = tmp_path / "splade.jsonl"  # our float weights, to tell a rounding tie from a real difference
    run_splade(splade_bin, "encode", "--model", str(model), "-i", str(qfile), "-o", str(floats), "--queries",
               "--truncation", "anserini", "--output-format", "jsonl-float")

    ours, theirs, ours_w = read_query_tsv(s_out), read_anserini(a_out), read_jsonl_floats(floats)
    assert list(theirs) == [q for q, _ in queries]
    assert set(ours) == set(theirs) == set(ours_w)
    vocab = set((cache / "encoders" / "splade-pp-ed-vocab.txt").read_text(encoding="utf-8").split("\n"))
    diffs, ties, n_entries = [], [], 0
    for qid in theirs:
        want = {t: w for t, w in theirs[qid].items() if w != 0}
        assert want, f"{qid}: Anserini gave no non-zero weight (a degenerate model proves nothing)"
        assert set(want) <= vocab
        n_entries += len(want)
        for t in set(want) | set(ours[qid]):
            got, exp = ours[qid].get(t, 0), want.get(t, 0)
            if got == exp:
                continue
            w = ours_w[qid].get(t, 0.0)
            entry = f"{qid} {t!r}: splade {got} (w={w!r}) anserini {exp}"
            (ties if abs(got - exp) == 1 and at_tie(w) else diffs).append(entry)
    print(f"{len(queries)} queries, {n_entries} non-zero Anserini entries, {len(ties)} differ by 1 at a .5 tie:",
          *ties, sep="\n  ")
    assert not diffs, f"{len(diffs)} entries differ beyond a rounding tie:\n" + "\n".join(diffs[:20])
    assert len(ties) * 10000 <= n_entries, f"too many tie disagreements ({len(ties)} of {n_entries}): {ties[:20]}"
