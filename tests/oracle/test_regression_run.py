"""`splade regression run` end to end. The expected figures in regressions/<c>.random-splade.yaml
are Anserini 1.5.0's (IndexCollection + SearchCollection + its bundled trec_eval) on the vectors
whose sha256 the file records (scripts/anserini_expected.py): the runner must make those same
vectors (export, convert, encode; checked by sha256), index and search them itself (queries
encoded on the fly) and reproduce every figure. Also: a regression whose inputs the user must
supply says what is missing and how to get it, and tampered vectors fail the sha256 check."""
import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

# Each collection costs its corpus encoding (the random model's 30,522-term head dominates).
# Measured on the 2-core project machine under load: cranfield + cisi 88 s together, cacm 79 s,
# vaswani 84 s. All four (~4 min) exceed this file's CI budget, so CI runs cranfield (the
# trained SPLADE-tiny SciFact regression runs in test_splade_tiny_scifact.py);
# SPLADE_REGRESSIONS_ALL=1 adds cisi, cacm and vaswani (all four pass).
COLLECTIONS = ["cranfield"] + (["cisi", "cacm", "vaswani"] if os.environ.get("SPLADE_REGRESSIONS_ALL") == "1" else [])


def regression_file(name):
    return os.path.join(ROOT, "regressions", f"{name}.yaml")


def run_regression(splade_bin, shared_data, name, work, *extra):
    # The make command of the random-weight model is a Python script: it needs the oracle venv
    # (torch, transformers) first on PATH, as a user's activated environment would be.
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    return subprocess.run([splade_bin, "regression", "run", regression_file(name), "--work", str(work),
                           "--data", shared_data, *extra], capture_output=True, text=True, env=env, cwd=ROOT)


def assert_run_is_anserinis(name, run):
    """The run equals Anserini's byte for byte (the regression file records the sha256 of
    Anserini's run), once in Anserini's topic order (TsvString topics sorted as strings) and tag."""
    with open(regression_file(name), encoding="utf-8") as f:
        anserini_run_sha = re.search(r"^    anserini\.run: ([0-9a-f]{64})$", f.read(), flags=re.M).group(1)
    by_topic = {}
    for line in run.read_text(encoding="utf-8").splitlines():
        qid, q0, docid, rank, score, _tag = line.split(" ")
        by_topic.setdefault(qid, []).append(" ".join([qid, q0, docid, rank, score, "Anserini"]) + "\n")
    as_anserini = "".join(line for qid in sorted(by_topic) for line in by_topic[qid])
    assert hashlib.sha256(as_anserini.encode("utf-8")).hexdigest() == anserini_run_sha


@pytest.fixture(scope="module")
def passed_runs(splade_bin, shared_data, tmp_path_factory):
    """{collection: (completed process, work dir)}, each regression run once with --make."""
    out = {}
    for c in COLLECTIONS:
        work = tmp_path_factory.mktemp(c)
        out[c] = (run_regression(splade_bin, shared_data, f"{c}.random-splade", work, "--make", "--threads", "2"), work)
    return out


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_regression_run_reproduces_anserini(passed_runs, collection):
    r, work = passed_runs[collection]
    assert r.returncode == 0, r.stdout + r.stderr[-3000:]
    with open(regression_file(f"{collection}.random-splade"), encoding="utf-8") as f:
        n_metrics = len(re.findall(r"^  - name: ", f.read(), flags=re.M))
    metric_lines = [line for line in r.stdout.splitlines() if "(trec_eval " in line]
    assert len(metric_lines) == n_metrics >= 6, r.stdout
    assert all("  OK  " in line for line in metric_lines), r.stdout
    assert f"{collection}.random-splade: PASS" in r.stdout
    # The vectors are those Anserini indexed and searched, and so are the on-the-fly queries.
    # On the CPU that recorded them byte for byte; on another, after snapping the impacts at
    # recorded .5 ties back (test_vectors_from_another_cpu_... below makes such vectors).
    for role in ("corpus.vectors", "queries.vectors"):
        assert re.search(role.replace(".", r"\.") + r" sha256 as recorded( after (\d+) of \d+ recorded \.5 ties)?", r.stdout), r.stdout
    m = re.search(r"query vectors encoded on the fly: (\d+) of (\d+) identical", r.stdout)
    assert m and m.group(1) == m.group(2), r.stdout
    # Beyond the figures: the run is Anserini's byte for byte.
    assert_run_is_anserinis(f"{collection}.random-splade", work / "run.txt")
    # The made inputs are in {work}, the run too.
    for made in ("model/model.safetensors", "onnx/model.onnx", "vectors/corpus/vectors.jsonl", "vectors/queries.tsv",
                 "collection/qrels.txt", "index", "run.txt"):
        assert (work / made).exists(), made


def test_second_run_skips_every_step(splade_bin, shared_data, passed_runs):
    _, work = passed_runs[COLLECTIONS[0]]
    r = run_regression(splade_bin, shared_data, f"{COLLECTIONS[0]}.random-splade", work)
    assert r.returncode == 0, r.stdout + r.stderr
    for step in ("collection export", "convert", "encode corpus", "encode queries", "index", "search"):
        assert f"regression: {step}: skipped" in r.stderr, step


def test_tampered_vectors_fail_the_sha256_check(splade_bin, shared_data, passed_runs, tmp_path):
    _, done = passed_runs[COLLECTIONS[0]]
    work = tmp_path / "work"
    shutil.copytree(done, work, ignore=shutil.ignore_patterns("index", "run.txt"))
    vectors = work / "vectors" / "corpus" / "vectors.jsonl"
    text = vectors.read_text(encoding="utf-8")
    m = re.search(r'": (\d+)[,}]', text)  # the first impact of the first document
    assert m
    # + 2: never the other side of a .5 tie, which the runner would snap back.
    vectors.write_text(text[:m.start(1)] + str(int(m.group(1)) + 2) + text[m.end(1):], encoding="utf-8")
    r = run_regression(splade_bin, shared_data, f"{COLLECTIONS[0]}.random-splade", work)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "FAILED: corpus.vectors" in r.stdout and "the expected figures are for other vectors" in r.stdout, r.stdout
    assert not (work / "run.txt").exists() and not (work / "index").exists()


def recorded_ties(name):
    """[(role, id, token, recorded impact, x)] from the regression's ties file."""
    with open(regression_file(name), encoding="utf-8") as f:
        ties_file = re.search(r"^    file: (\S+)$", f.read(), flags=re.M).group(1)
    rows = []
    with gzip.open(os.path.join(ROOT, "regressions", ties_file), "rt", encoding="utf-8") as f:
        for line in f:
            role, rid, tok, impact, x = line.rstrip("\n").split("\t")
            rows.append((role, rid, tok, int(impact), float(x)))
    return rows


def test_vectors_from_another_cpu_snap_at_recorded_ties(splade_bin, shared_data, passed_runs, tmp_path):
    """Vectors as another CPU's fp32 kernels make them: a corpus impact and a query impact at
    recorded .5 ties rounded the other way. The runner snaps exactly those back, the sha256
    then matches, and the run is still Anserini's byte for byte."""
    name = f"{COLLECTIONS[0]}.random-splade"
    first_run, done = passed_runs[COLLECTIONS[0]]
    work = tmp_path / "work"
    shutil.copytree(done, work, ignore=shutil.ignore_patterns("index", "run.txt", "as-recorded"))

    def snapped_in(stdout, role):  # how many ties this CPU itself rounded the other way (0 where recorded)
        m = re.search(role.replace(".", r"\.") + r" sha256 as recorded after (\d+) of", stdout)
        return int(m.group(1)) if m else 0

    base_corpus, base_queries = snapped_in(first_run.stdout, "corpus.vectors"), snapped_in(first_run.stdout, "queries.vectors")
    ties = recorded_ties(name)
    # A corpus tie this CPU rounded as recorded, both neighbours >= 1, an ASCII token (written as is).
    vectors = work / "vectors" / "corpus" / "vectors.jsonl"
    lines = vectors.read_text(encoding="utf-8").splitlines(keepends=True)
    line_of = {json.loads(line)["id"]: i for i, line in enumerate(lines)}
    flipped = False
    for _, rid, tok, recorded, x in (t for t in ties if t[0] == "corpus.vectors"):
        line = lines[line_of[rid]]
        key = re.compile(r'(?<=[{ ])"%s": %d(?=[,}])' % (re.escape(tok), recorded))
        if int(x) < 1 or not tok.isascii() or '"' in tok or "\\" in tok or not key.search(line):
            continue
        other = int(x) + 1 if recorded == int(x) else int(x)
        lines[line_of[rid]] = key.sub('"%s": %d' % (tok.replace("\\", "\\\\"), other), line, count=1)
        flipped = True
        break
    assert flipped
    vectors.write_text("".join(lines), encoding="utf-8")
    # A query tie this CPU rounded as recorded (a token repeated by its impact).
    queries = work / "vectors" / "queries.tsv"
    qlines = queries.read_text(encoding="utf-8").splitlines(keepends=True)
    qline_of = {line.partition("\t")[0]: i for i, line in enumerate(qlines)}
    query_flipped = False
    for _, qid, qtok, qrec, qx in (t for t in ties if t[0] == "queries.vectors"):
        words = qlines[qline_of[qid]].rstrip("\n").partition("\t")[2].split()
        if int(qx) < 1 or words.count(qtok) != qrec:
            continue
        qother = int(qx) + 1 if qrec == int(qx) else int(qx)
        first = words.index(qtok)
        words = words[:first] + [qtok] * qother + words[first + qrec:]
        qlines[qline_of[qid]] = qid + "\t" + " ".join(words) + "\n"
        query_flipped = True
        break
    queries.write_text("".join(qlines), encoding="utf-8")
    r = run_regression(splade_bin, shared_data, name, work)
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"{name}: PASS" in r.stdout
    assert snapped_in(r.stdout, "corpus.vectors") == base_corpus + 1, r.stdout
    if query_flipped:
        assert snapped_in(r.stdout, "queries.vectors") == base_queries + 1, r.stdout
    assert_run_is_anserinis(name, work / "run.txt")


def test_msmarco_without_inputs_names_what_is_missing(splade_bin, shared_data, tmp_path):
    name = "msmarco-v1-passage.splade-pp-ed"
    r = run_regression(splade_bin, shared_data, name, tmp_path / "empty")
    assert r.returncode == 1, r.stdout + r.stderr
    with open(regression_file(name), encoding="utf-8") as f:
        hows = re.findall(r'^\s+how: "(.*)"$', f.read(), flags=re.M)
    assert len(hows) == 2
    assert f"MISSING corpus.vectors: {tmp_path / 'empty' / 'corpus'}" in r.stdout, r.stdout
    assert f"MISSING model: {tmp_path / 'empty' / 'model' / 'splade-pp-ed-optimized.onnx'}" in r.stdout, r.stdout
    for how in hows:
        assert how.replace("{work}", str(tmp_path / "empty")) in r.stdout
    assert not (tmp_path / "empty").exists()  # nothing ran


def test_failing_make_command_is_an_error_naming_input_and_command(splade_bin, shared_data, tmp_path):
    # A copy of a shipped file whose model is made by a command that fails; the repository
    # root of the copy (the folder holding regressions/) is tmp_path, where make runs.
    (tmp_path / "regressions").mkdir()
    with open(regression_file("cisi.random-splade"), encoding="utf-8") as f:
        text = f.read()
    make = re.search(r'^  make: "(scripts/make_regression_model\.py .*)"$', text, flags=re.M)
    assert make
    text = text.replace(make.group(1), "pwd > {work}/where.txt; exit 3")
    (tmp_path / "regressions" / "cisi.random-splade.yaml").write_text(text, encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    r = subprocess.run([splade_bin, "regression", "run", str(tmp_path / "regressions" / "cisi.random-splade.yaml"),
                        "--work", str(work), "--data", shared_data, "--make"], capture_output=True, text=True)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "the make command of model failed (exit 3)" in r.stderr, r.stderr
    assert f"'{work}'/where.txt; exit 3" in r.stderr, r.stderr
    assert (work / "where.txt").read_text().strip() == str(tmp_path)
