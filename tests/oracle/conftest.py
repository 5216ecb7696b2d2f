"""Shared fixtures for the parity tests against the Python reference implementations."""
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED_DATA = os.path.join(ROOT, "..", "shared", "data")


@pytest.fixture(scope="session")
def splade_bin():
    path = os.environ.get("SPLADE_BIN", os.path.join(ROOT, "build", "tools", "splade", "splade"))
    if not os.access(path, os.X_OK):
        pytest.fail(f"splade binary not found at {path}: build first (scripts/test.sh does)")
    return path


@pytest.fixture(scope="session")
def shared_data():
    if not os.path.isdir(SHARED_DATA):
        pytest.fail(f"{SHARED_DATA} is missing: the parity tests need ../shared/data")
    return SHARED_DATA


@pytest.fixture(scope="session")
def make_model(tmp_path_factory):
    """make_model(name, *args): a random-weight model dir from scripts/make_test_model.py, cached per session."""
    cache = {}

    def make(name, *args):
        if name not in cache:
            out = tmp_path_factory.mktemp(name)
            subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "make_test_model.py"), str(out), *args],
                           check=True, capture_output=True)
            cache[name] = str(out)
        return cache[name]

    return make


def run_splade(splade_bin, *args, check=True):
    r = subprocess.run([splade_bin, *args], capture_output=True, text=True)
    if check and r.returncode != 0:
        raise AssertionError(f"splade {' '.join(args)} exited {r.returncode}: {r.stderr}")
    return r
