"""Fixtures for the splade_cpp package tests: the `splade` CLI (the oracle for every call the
package makes), SPLADE-tiny converted by it, real SciFact text, and the project's oracle venv
(sentence-transformers, PyTorch) reached as a subprocess, since the package is tested in a
fresh venv of its own (scripts/test_python.sh)."""
import json
import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED_DATA = os.path.join(ROOT, "..", "shared", "data")
SPLADE_TINY = os.path.join(ROOT, "models", "splade-tiny")


def run(*args):
    r = subprocess.run([str(a) for a in args], capture_output=True, text=True)
    if r.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, args))} exited {r.returncode}: {r.stderr}")
    return r


@pytest.fixture(scope="session")
def splade_bin():
    path = os.environ.get("SPLADE_BIN", os.path.join(ROOT, "build", "tools", "splade", "splade"))
    if not os.access(path, os.X_OK):
        pytest.fail(f"splade binary not found at {path}: build first (scripts/test.sh does)")
    return path


@pytest.fixture(scope="session")
def oracle_python():
    path = os.environ.get("ORACLE_PYTHON", os.path.join(ROOT, ".venv", "bin", "python"))
    if not os.access(path, os.X_OK):
        pytest.fail(f"the oracle venv's python is missing at {path}: scripts/setup.sh --python makes it")
    return path


@pytest.fixture(scope="session")
def data(splade_bin, tmp_path_factory):
    """SPLADE-tiny as `splade convert` writes it, SciFact's first 60 documents and 40 topics."""
    if not os.path.isfile(os.path.join(SPLADE_TINY, "model.safetensors")):
        pytest.fail(f"{SPLADE_TINY} is missing: scripts/setup.sh fetches it")
    d = tmp_path_factory.mktemp("pkg")
    run(splade_bin, "convert", SPLADE_TINY, "-o", d / "tiny", "--head", "splade-pooled")
    run(splade_bin, "collection", "export", "scifact", "--data", SHARED_DATA, "-o", d / "scifact")
    docs = [json.loads(l) for l in open(d / "scifact" / "corpus.jsonl", encoding="utf-8")][:60]
    (d / "docs.jsonl").write_text("".join(json.dumps(x) + "\n" for x in docs), encoding="utf-8")
    topics = [l.rstrip("\n").split("\t", 1) for l in open(d / "scifact" / "topics.tsv", encoding="utf-8")][:40]
    (d / "topics.tsv").write_text("".join(f"{q}\t{t}\n" for q, t in topics), encoding="utf-8")
    return {"dir": d, "model": d / "tiny", "docs": docs, "topics": topics, "qrels": d / "scifact" / "qrels.txt"}
