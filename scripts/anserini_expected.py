#!/usr/bin/env python3
"""Produces the expected figures of the small-collection regressions with Anserini itself, and
writes regressions/<collection>.random-splade.yaml.

For each collection (cacm, vaswani, cranfield, cisi), in work/regressions/<name>/ ({work}):
  1. splade collection export <c> --data DATA -o {work}/collection     (corpus, topics, qrels)
  2. scripts/make_regression_model.py {work}/model                      (random-weight sparse SPLADE)
  3. splade convert {work}/model -o {work}/onnx --head splade-pooled    (validated ONNX model)
  4. splade encode --model {work}/onnx ... -o {work}/vectors/corpus/vectors.jsonl --allow-empty
     splade encode --model {work}/onnx --queries ... -o {work}/vectors/queries.tsv
                                            (JsonVectorCollection + Anserini's pre-encoded query TSV)
  5. Anserini IndexCollection -collection JsonVectorCollection -impact -pretokenized
  6. Anserini SearchCollection -topicReader TsvString -impact -pretokenized -hits 1000
  7. trec_eval as bundled in Anserini's fatjar (`java -cp JAR trec_eval ...`), once per metric
and checks, on the way, that `splade eval` prints byte for byte what that trec_eval prints.
Anserini indexes and searches the very files `splade regression run` makes and checks by sha256
(it encodes the same corpus with the same model and options); the runner then encodes the
topics on the fly (`queries.encoding: onnx`) and compares them with queries.tsv.
Steps whose outputs exist are not redone (delete {work} to start over).

  anserini_expected.py [--collections cacm,vaswani,cranfield,cisi] [--data ../shared/data]
                       [--java /usr/lib/jvm/temurin-25-jdk-amd64/bin/java] [--splade build/tools/splade/splade]
"""
import argparse
import hashlib
import os
import shlex
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ANSERINI_VERSION = "1.5.0"
ANSERINI_SHA256 = "bb0761df51ef7db5be361199a40a45722cccf7f0b2271e2b25337e97dd578aea"
MODEL_ARGS = ["--seed", "1234", "--head-scale", "25", "--head-bias", "-15"]
DOCS = {"cacm": 3204, "vaswani": 11429, "cranfield": 1400, "cisi": 1460}
# (name in trec_eval's output, trec_eval arguments): Anserini's regression conventions.
METRICS = [
    ("map", ["-c", "-m", "map"]),
    ("P_30", ["-c", "-m", "P.30"]),
    ("recip_rank", ["-c", "-M", "10", "-m", "recip_rank"]),
    ("ndcg_cut_10", ["-c", "-m", "ndcg_cut.10"]),
    ("recall_100", ["-c", "-m", "recall.100"]),
    ("recall_1000", ["-c", "-m", "recall.1000"]),
]


# Two CPUs' fp32 kernels (AVX2 vs AVX-512: other reduction orders in LayerNorm, softmax, GELU)
# move w by a few float32 ulps; two ONNX Runtime builds were measured <= 1.2e-7 apart in w
# (tests/oracle/test_anserini_encoder.py), i.e. 6e-6 in x = w / 5 * 256. 0.005 in x is ~1000x
# that, and lists about 1% of the impacts.
TIE_MARGIN = 0.005


def cpu_model():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown CPU"


def write_ties(out_path, corpus_vectors, query_tsv, corpus_floats, query_floats):
    """role<TAB>id<TAB>token<TAB>recorded impact<TAB>x for every x = w / 5 * 256 (float32, as
    Anserini and splade compute it) within TIE_MARGIN of k + 0.5; returns how many."""
    import json

    import numpy as np

    recorded = {"corpus.vectors": {}, "queries.vectors": {}}
    for line in open(corpus_vectors, encoding="utf-8"):
        d = json.loads(line)
        recorded["corpus.vectors"][d["id"]] = d["vector"]
    for line in open(query_tsv, encoding="utf-8"):
        qid, _, toks = line.rstrip("\n").partition("\t")
        counts = {}
        for t in toks.split():
            counts[t] = counts.get(t, 0) + 1
        recorded["queries.vectors"][qid] = counts
    rows = []
    for role, floats in (("corpus.vectors", corpus_floats), ("queries.vectors", query_floats)):
        for line in open(floats, encoding="utf-8"):
            d = json.loads(line)
            for tok, w in d["vector"].items():
                x = np.float32(w) / np.float32(5) * np.float32(256)
                if abs(float(x) - (np.floor(float(x)) + 0.5)) < TIE_MARGIN:
                    impact = recorded[role][d["id"]].get(tok, 0)
                    rows.append(f"{role}\t{d['id']}\t{tok}\t{impact}\t{float(x)!r}\n")
    import gzip

    tmp = out_path + ".tmp"
    with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as f:
        f.write("".join(rows).encode("utf-8"))
    os.replace(tmp, out_path)
    return len(rows)


def sh(cmd, **kw):
    print("+", " ".join(shlex.quote(c) for c in cmd), file=sys.stderr, flush=True)
    return subprocess.run(cmd, check=True, **kw)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def rel(path):
    return os.path.relpath(path, ROOT)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--collections", default="cacm,vaswani,cranfield,cisi")
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data"))
    ap.add_argument("--java", default="/usr/lib/jvm/temurin-25-jdk-amd64/bin/java")
    ap.add_argument("--splade", default=os.path.join(ROOT, "build", "tools", "splade", "splade"))
    args = ap.parse_args()
    jar = subprocess.run([os.path.join(ROOT, "scripts", "fetch_anserini.sh")], check=True, capture_output=True,
                         text=True).stdout.strip()
    java_version = subprocess.run([args.java, "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    java_version = java_version.replace('"', "")  # it is quoted into YAML below
    py = sys.executable

    for name in args.collections.split(","):
        work = os.path.join(ROOT, "work", "regressions", f"{name}.random-splade")
        W = lambda *p: os.path.join(work, *p)
        if not os.path.exists(W("collection", "qrels.txt")):
            sh([args.splade, "collection", "export", name, "--data", args.data, "-o", W("collection")])
        if not os.path.exists(W("model", "model.safetensors")):
            sh([py, os.path.join(ROOT, "scripts", "make_regression_model.py"), W("model"), *MODEL_ARGS])
        if not os.path.exists(W("onnx", "model.onnx")):
            sh([args.splade, "convert", W("model"), "-o", W("onnx"), "--head", "splade-pooled"],
               stdout=subprocess.DEVNULL)
        if not os.path.exists(W("vectors", "corpus", "vectors.jsonl")):
            os.makedirs(W("vectors", "corpus"), exist_ok=True)
            sh([args.splade, "encode", "--model", W("onnx"), "-i", W("collection", "corpus.jsonl"),
                "-o", W("vectors", "corpus", "vectors.jsonl"), "--allow-empty", "-q"])
        if not os.path.exists(W("vectors", "queries.tsv")):
            sh([args.splade, "encode", "--model", W("onnx"), "-i", W("collection", "topics.tsv"),
                "-o", W("vectors", "queries.tsv"), "--queries", "-q"])
        # The same encodings with float weights (same options, so the same batches): the
        # impacts within TIE_MARGIN of a .5, which another CPU may round the other way.
        if not os.path.exists(W("floats", "corpus.jsonl")):
            os.makedirs(W("floats"), exist_ok=True)
            sh([args.splade, "encode", "--model", W("onnx"), "-i", W("collection", "corpus.jsonl"),
                "-o", W("floats", "corpus.jsonl"), "--allow-empty", "--output-format", "jsonl-float", "-q"])
        if not os.path.exists(W("floats", "queries.jsonl")):
            sh([args.splade, "encode", "--model", W("onnx"), "-i", W("collection", "topics.tsv"),
                "-o", W("floats", "queries.jsonl"), "--queries", "--output-format", "jsonl-float", "-q"])
        ties_name = f"{name}.random-splade.ties.tsv.gz"
        n_ties = write_ties(os.path.join(ROOT, "regressions", ties_name), W("vectors", "corpus", "vectors.jsonl"),
                            W("vectors", "queries.tsv"), W("floats", "corpus.jsonl"), W("floats", "queries.jsonl"))
        index_cmd = [args.java, "-cp", jar, "io.anserini.index.IndexCollection", "-collection", "JsonVectorCollection",
                     "-input", W("vectors", "corpus"), "-index", W("anserini", "index"), "-generator",
                     "DefaultLuceneDocumentGenerator", "-impact", "-pretokenized", "-threads", "1"]
        search_cmd = [args.java, "-cp", jar, "io.anserini.search.SearchCollection", "-index", W("anserini", "index"),
                      "-topics", W("vectors", "queries.tsv"), "-topicReader", "TsvString", "-output",
                      W("anserini", "run.txt"), "-impact", "-pretokenized", "-hits", "1000", "-threads", "1"]
        if not os.path.exists(W("anserini", "index", "segments_1")) and not os.path.exists(W("anserini", "run.txt")):
            sh(index_cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not os.path.exists(W("anserini", "run.txt")):
            sh(search_cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        figures, eval_cmds = [], []
        qrels, run = W("collection", "qrels.txt"), W("anserini", "run.txt")
        for metric, te_args in METRICS:
            cmd = [args.java, "-cp", jar, "trec_eval", *te_args, qrels, run]
            out = sh(cmd, capture_output=True, text=True).stdout
            ours = sh([args.splade, "eval", "--qrels", qrels, "--run", run, *te_args], capture_output=True, text=True).stdout
            if ours != out:
                sys.exit(f"splade eval differs from Anserini's trec_eval for {name} {te_args}:\n{out}\nvs\n{ours}")
            fields = out.split()
            assert fields[0] == metric and fields[1] == "all", out
            figures.append((metric, te_args, fields[2]))
            eval_cmds.append(cmd)

        def show(cmd):  # the command as a user types it: repository-relative, JAR for the jar
            return " ".join("$ANSERINI_JAR" if c == jar else
                            c.replace(work, "{work}") if c.startswith(work) else
                            shlex.quote(rel(c) if c.startswith(ROOT) else c) for c in cmd)

        sums = {"model.safetensors": sha256(W("model", "model.safetensors")),
                "model.onnx": sha256(W("onnx", "model.onnx")),
                "corpus.vectors": sha256(W("vectors", "corpus", "vectors.jsonl")),
                "queries.vectors": sha256(W("vectors", "queries.tsv")),
                "qrels": sha256(qrels), "topics": sha256(W("collection", "topics.tsv")),
                "anserini.run": sha256(run)}
        lines = [
            f"# Regression: {name} with the random-weight sparse SPLADE model of scripts/make_regression_model.py.",
            f"# Written by scripts/anserini_expected.py --collections {name}: the expected figures are Anserini's",
            "# (index, search and trec_eval) on the exact vectors whose sha256 is recorded below, made by",
            "# `splade encode`; `splade regression run` makes and checks the same files, then encodes the",
            "# topics on the fly with the same model.",
            f"name: {name}.random-splade",
            "description: >",
            f"  {name} (../shared/data/collections/{name}) encoded by a random-weight tiny BERT SPLADE model,",
            "  converted by `splade convert`, encoded by `splade encode`, impact-indexed and searched (1000 hits)",
            "  by Anserini; a regression of the whole pipeline (exact encoding, integer impacts, exact top-k,",
            "  trec_eval) rather than of effectiveness.",
            "corpus:",
            f"  collection: {name}",
            f"  documents: {DOCS[name]}",
            "  vectors:",
            "    path: \"{work}/vectors/corpus\"",
            "    make: \"mkdir -p {work}/vectors/corpus && splade encode --model {work}/onnx"
            " -i {work}/collection/corpus.jsonl -o {work}/vectors/corpus/vectors.jsonl --allow-empty\"",
            "model:",
            "  kind: random-weight",
            "  path: \"{work}/model\"",
            f"  make: \"scripts/make_regression_model.py {{work}}/model {' '.join(MODEL_ARGS)}\"",
            "  onnx:",
            "    path: \"{work}/onnx\"",
            "    make: \"splade convert {work}/model -o {work}/onnx --head splade-pooled\"",
            "queries:",
            "  encoding: onnx",
            "  # the query vectors Anserini searched (the runner compares its on-the-fly vectors with them)",
            "  vectors:",
            "    path: \"{work}/vectors/queries.tsv\"",
            "    make: \"splade encode --model {work}/onnx -i {work}/collection/topics.tsv -o {work}/vectors/queries.tsv"
            " --queries\"",
            "topics:",
            "  path: \"{work}/collection/topics.tsv\"",
            f"  make: \"splade collection export {name} --data {{data}} -o {{work}}/collection\"",
            "qrels:",
            "  path: \"{work}/collection/qrels.txt\"",
            f"  make: \"splade collection export {name} --data {{data}} -o {{work}}/collection\"",
            "search:",
            "  hits: 1000",
            "# Anserini's scores are float32 sums of integer products, exact below 2^24, as ours are;",
            "# the tolerance covers trec_eval's 4-decimal rounding of the expected figures.",
            "tolerance: 0.0001",
            "metrics:",
        ]
        for metric, te_args, value in figures:
            lines += [f"  - name: {metric}", f"    trec_eval: [{', '.join(te_args)}]", f"    expected: {value}"]
        lines += [
            "expected:",
            f"  tool: \"Anserini {ANSERINI_VERSION} (io.anserini:anserini:{ANSERINI_VERSION}:jar:fatjar, sha256 "
            f"{ANSERINI_SHA256}; scripts/fetch_anserini.sh) on {java_version}, and the trec_eval binary bundled in "
            "that jar\"",
            "  commands:",
            f"    - \"{show(index_cmd)}\"",
            f"    - \"{show(search_cmd)}\"",
        ]
        lines += [f"    - \"{show(c)}\"" for c in eval_cmds]
        lines += ["  sha256:"] + [f"    {k}: {v}" for k, v in sums.items()]
        lines += [f"  # {n_ties} impacts lay within {TIE_MARGIN} of a .5 on the recording machine ({cpu_model()}); another",
                  "  # CPU's fp32 kernels may round those the other way, and only those are snapped back before the check.",
                  "  ties:", f"    file: {ties_name}", f"    margin: {TIE_MARGIN}"]
        out_path = os.path.join(ROOT, "regressions", f"{name}.random-splade.yaml")
        tmp = out_path + ".tmp"
        with open(tmp, "w") as f:
            f.write("\n".join(lines) + "\n")
        os.replace(tmp, out_path)
        print(f"{name}: " + ", ".join(f"{m} {v}" for m, _, v in figures) + f" -> {rel(out_path)}", flush=True)


if __name__ == "__main__":
    main()
