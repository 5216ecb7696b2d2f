#!/usr/bin/env python3
"""Produces the expected figures of the SPLADE-tiny regressions (the trained model of
scripts/fetch_splade_tiny.sh, models/splade-tiny) with a reference chain that shares no code with
splade.cpp, and writes regressions/<c>.splade-tiny.yaml (fp32) and <c>.splade-tiny-int8.yaml.

Collections: scifact (BEIR files of ../shared/data/beir, read directly) and cacm, vaswani,
cranfield, cisi (text exported by `splade collection export`: exporting text is not modelling).
In work/regressions/<c>.splade-tiny/ ({work}):

  reference chain (Python only; no splade binary, no ONNX file splade wrote):
  1. transformers AutoModelForMaskedLM(models/splade-tiny) + torch.onnx.export of the seed's
     SpladeExportWrapper (scripts/seed_reference.py), opset 14, dynamic batch and sequence axes,
     inputs input_ids/attention_mask/token_type_ids, the seed's metadata -> {work}/reference/model.onnx.
     The seed's wrapper returns the vocabulary ids and weights of sparse_vec.nonzero() but not
     the row each belongs to, which a batch of 32 needs: the exported module is that wrapper
     with nonzero[0] as a first output (`BatchedSpladeExportWrapper`; same math, one more output).
  2. onnxruntime (Python; 2 intra-op threads), AutoTokenizer (truncation to 512, padding to the
     longest of the batch), batches of 32 in input order (run RUN_TOKENS padded tokens at a
     time), on every document and every topic;
     impacts round(w / 5 * 256) in float32 as Anserini quantizes (zeros dropped), written as
     JsonVectorCollection and Anserini's query TSV in the layout of `splade encode`, plus the
     float weights (jsonl-float layout) and the .5 ties (anserini_expected.write_ties).
  3. PyTorch's own forward of the (unmodified) SpladeExportWrapper, batch 1, on the first 16
     documents and 16 topics: the max |ORT - PyTorch| per weight must be <= 1e-5.
  4. int8, the seed's way: onnxruntime.transformers.optimizer.optimize_model(model_type bert,
     num_heads 2, hidden_size 128) then quantize_dynamic(weight_type QInt8, DefaultTensorType
     FLOAT), run as in 2.
  5. Anserini 1.5.0 IndexCollection/SearchCollection and its bundled trec_eval on each, exactly
     as scripts/anserini_expected.py runs them.

  splade's own figures, for comparison (comments and measured_splade in the YAML files):
  6. splade convert / encode (fp32) -> {work}/splade/fp32; byte comparison with the reference.
  7. the int8 make command of the -int8 YAML (with {work} = {work}/splade-int8), splade encode
     with that model -> {work}/splade/int8; Anserini as in 5.

Steps whose outputs exist are skipped (delete the folder, or a part of it, to redo them).
Wall times of the stages run are kept in {work}/times.json, all figures in {work}/results.json.

  splade_tiny_expected.py [--collections scifact,cacm,vaswani,cranfield,cisi] [--data ../shared/data]
                          [--java ...] [--splade build/tools/splade/splade] [--no-splade]
"""
import argparse
import gzip
import json
import os
import shlex
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import anserini_expected as ae  # noqa: E402
from anserini_expected import METRICS, ROOT, TIE_MARGIN, cpu_model, rel, sh, sha256, write_ties  # noqa: E402

MODEL = os.path.join(ROOT, "models", "splade-tiny")
MODEL_IN_YAML = "models/splade-tiny"  # relative to the repository root (the runner has no {root})
DOCS = dict(ae.DOCS, scifact=5183)
BATCH = 32
THREADS = 2
MAX_LENGTH = 512
# The batch of 32 is tokenized and padded as one, then run RUN_TOKENS padded tokens at a time: the
# wrapper's [rows, length, 30522] float tensors are 122 kB a token (32 x 512 tokens: 2 GB each, and
# several are live), too much beside a compiler on this 23 GB machine. Each row keeps the padded
# length of its batch of 32; only ONNX Runtime's batch dimension is smaller.
RUN_TOKENS = 4096
CHECK_TEXTS = 16
TORCH_ATOL = 1e-5
SCIFACT = {
    "corpus": "beir/corpus.beir-v1.0.0-scifact.jsonl.gz",
    "topics": "beir/topics.beir-v1.0.0-scifact.test.tsv.gz",
    "qrels": "beir/qrels.beir-v1.0.0-scifact.test.txt",
}


# ---------------------------------------------------------------------------------------------
# Records, as splade encode reads them (record_reader.cpp), reimplemented.

def blank(s):
    return all(c in " \t\r" for c in s)


def read_records(path):
    """(id, text) of each non-blank line: JSONL ({"id"|"_id"|"docid", "contents"} or BEIR
    "title text") or TSV (id<TAB>rest of the line)."""
    opener = gzip.open if path.endswith(".gz") else open
    is_json = path.removesuffix(".gz").endswith((".jsonl", ".json"))
    out = []
    with opener(path, "rt", encoding="utf-8", newline="\n") as f:
        for line in f:
            line = line[:-1] if line.endswith("\n") else line
            if blank(line):
                continue
            if is_json:
                j = json.loads(line)
                rid = next(j[k] for k in ("id", "_id", "docid") if k in j)
                rid = str(rid)
                if isinstance(j.get("contents"), str):
                    text = j["contents"]
                else:
                    title = j.get("title") if isinstance(j.get("title"), str) else ""
                    body = j.get("text") if isinstance(j.get("text"), str) else ""
                    text = body if not title else title if not body else title + " " + body
            else:
                rid, _, text = line.partition("\t")
            out.append((rid, text))
    return out


def jdump(s):  # nlohmann::json(s).dump(): UTF-8 kept, control characters escaped as Python does
    return json.dumps(s, ensure_ascii=False)


def fmt_float(w):
    """fmt's "{}" of a float: the shortest text that reads back to the same float32."""
    import numpy as np

    s = str(np.float32(w))
    return s[:-2] if s.endswith(".0") else s


def impacts(weights):
    """Anserini's Math.round(w / 5 * 256) with float32 arithmetic (half up)."""
    import numpy as np

    x = weights.astype(np.float32) / np.float32(5) * np.float32(256)
    fl = np.floor(x)
    return np.where(x - fl >= np.float32(0.5), fl + 1, fl).astype(np.int64)


# ---------------------------------------------------------------------------------------------
# The reference chain.

def wrappers():
    import torch

    from seed_reference import SpladeExportWrapper

    class BatchedSpladeExportWrapper(SpladeExportWrapper):
        """SpladeExportWrapper's forward, verbatim, with the batch row of each weight as a first
        output (the seed's wrapper drops it: it serves Anserini one text at a time)."""

        def forward(self, input_ids, attention_mask, token_type_ids):
            dummy = token_type_ids.sum() * 0.0
            outputs = self.splade(input_ids=input_ids, attention_mask=attention_mask)
            logits = outputs.logits
            relu = torch.relu(logits)
            log1p = torch.log1p(relu)
            sparse_vec = torch.max(log1p * attention_mask.unsqueeze(-1), dim=1).values
            nonzero = sparse_vec.nonzero(as_tuple=True)
            values = sparse_vec[nonzero]
            return nonzero[0], nonzero[1], values + dummy

    return SpladeExportWrapper, BatchedSpladeExportWrapper


def load_hf():
    import torch
    from transformers import AutoModelForMaskedLM, AutoTokenizer

    torch.set_num_threads(THREADS)
    model, info = AutoModelForMaskedLM.from_pretrained(MODEL, output_loading_info=True)
    if any(info[k] for k in ("missing_keys", "unexpected_keys", "mismatched_keys", "error_msgs")):
        sys.exit(f"{MODEL}: weights did not load cleanly: {info}")
    model.eval()
    return model, AutoTokenizer.from_pretrained(MODEL)


def export_onnx(out_path):
    import onnx
    import torch

    model, tok = load_hf()
    _, Batched = wrappers()
    sample = tok(["what is AI?", "a second, longer text, so that the example batch is padded"], padding=True,
                 return_tensors="pt")
    inputs = ["input_ids", "attention_mask", "token_type_ids"]
    outputs = ["output_batch", "output_idx", "output_weights"]
    axes = {n: {0: "batch_size", 1: "sequence"} for n in inputs}
    axes.update({n: {0: "nonzero"} for n in outputs})
    tmp = out_path + ".tmp"
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(Batched(model), tuple(sample[n] for n in inputs), tmp, input_names=inputs,
                          output_names=outputs, dynamic_axes=axes, do_constant_folding=True, opset_version=14)
    m = onnx.load(tmp)  # the seed's metadata, read by its optimizer step
    for k, v in (("model_type", model.config.model_type), ("num_heads", str(model.config.num_attention_heads)),
                 ("hidden_size", str(model.config.hidden_size))):
        p = m.metadata_props.add()
        p.key, p.value = k, v
    onnx.checker.check_model(m)
    onnx.save(m, tmp)
    os.replace(tmp, out_path)


def int8_onnx(fp32_path, optimized_path, int8_path):
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers import optimizer

    opt = optimizer.optimize_model(fp32_path, model_type="bert", num_heads=2, hidden_size=128)
    opt.save_model_to_file(optimized_path + ".tmp.onnx")
    os.replace(optimized_path + ".tmp.onnx", optimized_path)
    quantize_dynamic(model_input=optimized_path, model_output=int8_path + ".tmp.onnx", weight_type=QuantType.QInt8,
                     extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    os.replace(int8_path + ".tmp.onnx", int8_path)


def ort_encode(onnx_path, tok, texts):
    """[(ids, weights)] per text: ascending vocabulary ids, their float32 weights (all > 0)."""
    import numpy as np
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = THREADS
    so.inter_op_num_threads = 1
    so.enable_cpu_mem_arena = False  # a batch of 32 x 512 x 30522 floats is 2 GB a tensor: give it back after each batch
    sess = ort.InferenceSession(onnx_path, so, providers=["CPUExecutionProvider"])
    out = []
    for i in range(0, len(texts), BATCH):
        chunk = texts[i:i + BATCH]
        enc = tok(chunk, truncation=True, max_length=MAX_LENGTH, padding=True, return_tensors="np")
        feed = {n: enc[n].astype(np.int64) for n in ("input_ids", "attention_mask", "token_type_ids")}
        step = max(1, RUN_TOKENS // feed["input_ids"].shape[1])
        for j in range(0, len(chunk), step):  # rows of the padded batch, as many as RUN_TOKENS allows
            rows, ids, ws = sess.run(None, {n: v[j:j + step] for n, v in feed.items()})
            for r in range(min(step, len(chunk) - j)):
                sel = rows == r
                rid, rw = ids[sel], ws[sel].astype(np.float32)
                assert np.all(np.diff(rid) > 0) and np.all(rw > 0)
                out.append((rid, rw))
        if (i // BATCH) % 20 == 0:
            print(f"  {min(i + BATCH, len(texts))}/{len(texts)}", file=sys.stderr, flush=True)
    return out


def write_atomic(path, lines):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".tmp", "w", encoding="utf-8", newline="\n") as f:
        f.writelines(lines)
    os.replace(path + ".tmp", path)


def write_reference(records, vecs, vocab, corpus_path, floats_path, queries):
    """JsonVectorCollection (documents) or the query TSV (topics), and the jsonl-float file."""
    lines, floats = [], []
    for (rid, text), (ids, ws) in zip(records, vecs):
        imp = impacts(ws)
        if queries:
            lines.append(query_tsv_line(rid, [vocab[t] for t, k in zip(ids, imp) for _ in range(k)]))
        else:
            vec = ", ".join(f"{jdump(vocab[t])}: {k}" for t, k in zip(ids, imp) if k > 0)
            lines.append(f'{{"id": {jdump(rid)}, "contents": {jdump(text)}, "vector": {{{vec}}}}}\n')
        fvec = ", ".join(f"{jdump(vocab[t])}: {fmt_float(w)}" for t, w in zip(ids, ws))
        floats.append(f'{{"id": {jdump(rid)}, "vector": {{{fvec}}}}}\n')
    write_atomic(corpus_path, lines)
    write_atomic(floats_path, floats)


def query_tsv_line(rid, toks):
    return rid + "\t" + " ".join(toks) + "\n"


def torch_check(model, tok, texts, floats_path):
    """max |w_ORT - w_PyTorch| over the first texts, PyTorch running the seed's own wrapper."""
    import numpy as np
    import torch

    Seed, _ = wrappers()
    wrapper = Seed(model)
    recorded = [json.loads(line)["vector"] for _, line in zip(range(len(texts)), open(floats_path, encoding="utf-8"))]
    inv = {i: t for t, i in tok.get_vocab().items()}
    worst, same_support = 0.0, 0
    for text, rec in zip(texts, recorded):
        enc = tok([text], truncation=True, max_length=MAX_LENGTH, return_tensors="pt")
        with torch.no_grad():
            ids, ws = wrapper(enc["input_ids"], enc["attention_mask"], enc["token_type_ids"])
        mine = {inv[int(i)]: float(np.float32(w)) for i, w in zip(ids, ws)}
        same_support += set(mine) == set(rec)
        for t in set(mine) | set(rec):
            worst = max(worst, abs(mine.get(t, 0.0) - float(rec.get(t, 0.0))))
    return worst, same_support


# ---------------------------------------------------------------------------------------------
# Anserini, as scripts/anserini_expected.py runs it.

def anserini(java, jar, vectors_dir, queries_tsv, out_dir, qrels):
    index_cmd = [java, "-cp", jar, "io.anserini.index.IndexCollection", "-collection", "JsonVectorCollection",
                 "-input", vectors_dir, "-index", os.path.join(out_dir, "index"), "-generator",
                 "DefaultLuceneDocumentGenerator", "-impact", "-pretokenized", "-threads", "1"]
    run = os.path.join(out_dir, "run.txt")
    search_cmd = [java, "-cp", jar, "io.anserini.search.SearchCollection", "-index", os.path.join(out_dir, "index"),
                  "-topics", queries_tsv, "-topicReader", "TsvString", "-output", run, "-impact", "-pretokenized",
                  "-hits", "1000", "-threads", "1"]
    if not os.path.exists(os.path.join(out_dir, "index", "segments_1")) and not os.path.exists(run):
        sh(index_cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if not os.path.exists(run):
        sh(search_cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    figures, eval_cmds = [], []
    for metric, te_args in METRICS:
        cmd = [java, "-cp", jar, "trec_eval", *te_args, qrels, run]
        fields = sh(cmd, capture_output=True, text=True).stdout.split()
        assert fields[0] == metric and fields[1] == "all", fields
        figures.append((metric, te_args, fields[2]))
        eval_cmds.append(cmd)
    return figures, [index_cmd, search_cmd, *eval_cmds], run


# ---------------------------------------------------------------------------------------------
# Comparison of splade's vectors with the reference's.

def read_vectors(path, queries):
    out = {}
    for line in open(path, encoding="utf-8"):
        if queries:
            qid, _, toks = line.rstrip("\n").partition("\t")
            c = {}
            for t in toks.split():
                c[t] = c.get(t, 0) + 1
            out[qid] = c
        else:
            d = json.loads(line)
            out[d["id"]] = d["vector"]
    return out


def compare(ref_path, ours_path, ref_floats, ours_floats, queries):
    import numpy as np

    a, b = open(ref_path, "rb").read().split(b"\n"), open(ours_path, "rb").read().split(b"\n")
    lines = sum(x != y for x, y in zip(a, b)) + abs(len(a) - len(b))
    ra, rb = read_vectors(ref_path, queries), read_vectors(ours_path, queries)
    fa = {d["id"]: d["vector"] for d in map(json.loads, open(ref_floats, encoding="utf-8"))}
    diff = near = 0
    for rid in set(ra) | set(rb):
        va, vb = ra.get(rid, {}), rb.get(rid, {})
        for t in set(va) | set(vb):
            if va.get(t, 0) != vb.get(t, 0):
                diff += 1
                x = float(np.float32(fa.get(rid, {}).get(t, 0.0)) / np.float32(5) * np.float32(256))
                near += int(abs(x - (np.floor(x) + 0.5)) < TIE_MARGIN)
    worst, support = None, None
    if ours_floats is None:
        fb = None
    else:
        fb = {d["id"]: d["vector"] for d in map(json.loads, open(ours_floats, encoding="utf-8"))}
        worst, support = 0.0, 0
    for rid in (set(fa) | set(fb)) if fb is not None else ():
        va, vb = fa.get(rid, {}), fb.get(rid, {})
        support += int(set(va) != set(vb))
        for t in set(va) | set(vb):
            worst = max(worst, abs(float(va.get(t, 0.0)) - float(vb.get(t, 0.0))))
    return {"identical": sha256(ref_path) == sha256(ours_path), "lines": lines, "of_lines": len(a) - 1,
            "impacts": diff, "impacts_near_half": near, "max_abs_float": worst, "support_differs": support}


# ---------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--collections", default="scifact,cacm,vaswani,cranfield,cisi")
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data"))
    ap.add_argument("--java", default="/usr/lib/jvm/temurin-25-jdk-amd64/bin/java")
    ap.add_argument("--splade", default=os.path.join(ROOT, "build", "tools", "splade", "splade"))
    ap.add_argument("--no-splade", action="store_true", help="only the reference chain (no splade figures)")
    args = ap.parse_args()
    data = os.path.abspath(args.data)
    jar = subprocess.run([os.path.join(ROOT, "scripts", "fetch_anserini.sh")], check=True, capture_output=True,
                         text=True).stdout.strip()
    java_version = subprocess.run([args.java, "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    java_version = java_version.replace('"', "")
    hf = None  # (model, tokenizer), loaded when first needed

    for name in args.collections.split(","):
        work = os.path.join(ROOT, "work", "regressions", f"{name}.splade-tiny")
        W = lambda *p: os.path.join(work, *p)  # noqa: E731
        os.makedirs(work, exist_ok=True)
        times = json.load(open(W("times.json"))) if os.path.exists(W("times.json")) else {}

        def stage(key, output, fn):
            if os.path.exists(output):
                return
            print(f"{name}: {key} ...", file=sys.stderr, flush=True)
            t0 = time.time()
            fn()
            times[key] = round(time.time() - t0, 1)
            json.dump(times, open(W("times.json"), "w"), indent=1)
            print(f"{name}: {key}: {times[key]} s", file=sys.stderr, flush=True)

        if name == "scifact":
            corpus, topics, qrels = (os.path.join(data, SCIFACT[k]) for k in ("corpus", "topics", "qrels"))
        else:
            corpus, topics, qrels = W("collection", "corpus.jsonl"), W("collection", "topics.tsv"), W("collection", "qrels.txt")
            if not os.path.exists(qrels):
                sh([args.splade, "collection", "export", name, "--data", data, "-o", W("collection")])
        docs, queries = read_records(corpus), read_records(topics)
        assert len(docs) == DOCS[name], (name, len(docs))
        extra_tabs = sum("\t" in t for _, t in queries)  # the runner's on-the-fly text stops at a tab

        def model():
            nonlocal hf
            if hf is None:
                hf = load_hf()
            return hf

        R = lambda *p: W("reference", *p)  # noqa: E731
        stage("reference export (torch.onnx.export)", R("model.onnx"), lambda: export_onnx(R("model.onnx")))
        stage("reference int8 (optimize_model + quantize_dynamic)", R("model-int8.onnx"),
              lambda: int8_onnx(R("model.onnx"), R("optimized.onnx"), R("model-int8.onnx")))
        tok = None
        for prec, onnx_file in (("fp32", R("model.onnx")), ("int8", R("model-int8.onnx"))):
            P = lambda *p: R(prec, *p)  # noqa: E731,B023
            for role, recs, vec_path, fl_path in (("corpus", docs, P("corpus", "vectors.jsonl"), P("floats", "corpus.jsonl")),
                                                  ("queries", queries, P("queries.tsv"), P("floats", "queries.jsonl"))):
                def run(recs=recs, vec_path=vec_path, fl_path=fl_path, role=role, onnx_file=onnx_file):
                    _, t = model()
                    vocab = {i: s for s, i in t.get_vocab().items()}
                    vecs = ort_encode(onnx_file, t, [x for _, x in recs])
                    write_reference(recs, vecs, vocab, vec_path, fl_path, role == "queries")
                stage(f"reference {prec} ORT encode {role}", vec_path, run)
        if True:  # the PyTorch check (16 documents, 16 topics, batch 1), on every collection
            def check():
                m, t = model()
                res = {}
                for role, recs, fl in (("corpus", docs, R("fp32", "floats", "corpus.jsonl")),
                                       ("queries", queries, R("fp32", "floats", "queries.jsonl"))):
                    worst, same = torch_check(m, t, [x for _, x in recs[:CHECK_TEXTS]], fl)
                    res[role] = {"max_abs": worst, "same_support": same, "texts": CHECK_TEXTS}
                json.dump(res, open(R("torch-check.json"), "w"), indent=1)
            stage("PyTorch check (16 documents, 16 topics)", R("torch-check.json"), check)
        torch_res = json.load(open(R("torch-check.json")))
        worst_torch = max(v["max_abs"] for v in torch_res.values())
        if worst_torch > TORCH_ATOL:
            sys.exit(f"{name}: ORT reference differs from PyTorch by {worst_torch} (> {TORCH_ATOL})")

        ties_name = f"{name}.splade-tiny.ties.tsv.gz"
        n_ties = write_ties(os.path.join(ROOT, "regressions", ties_name), R("fp32", "corpus", "vectors.jsonl"),
                            R("fp32", "queries.tsv"), R("fp32", "floats", "corpus.jsonl"), R("fp32", "floats", "queries.jsonl"))
        if name == "scifact":  # the float reference a test can point at
            for f in ("corpus", "queries"):
                src, dst = R("fp32", "floats", f + ".jsonl"), R("fp32", "floats", f + ".jsonl.gz")
                if not os.path.exists(dst):
                    with open(src, "rb") as i, open(dst + ".tmp", "wb") as raw, \
                            gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as o:
                        shutil.copyfileobj(i, o)
                    os.replace(dst + ".tmp", dst)

        results = {"torch_check": torch_res, "ties": n_ties, "extra_tabs_in_topics": extra_tabs}
        for prec in ("fp32", "int8"):
            t0 = time.time()
            figs, cmds, run = anserini(args.java, jar, R(prec, "corpus"), R(prec, "queries.tsv"), R(prec, "anserini"), qrels)
            times.setdefault(f"reference {prec} Anserini", round(time.time() - t0, 1))
            results[f"reference_{prec}"] = {m: v for m, _, v in figs}
            results[f"reference_{prec}_commands"] = cmds
            results[f"reference_{prec}_run_sha256"] = sha256(run)

        # splade's own figures.
        # The int8 model of the -int8 YAML: made complete under .partial, then renamed (a folder
        # left by an earlier run, or by a runner that converted fp32 into it, is replaced).
        int8_make = ("splade convert " + MODEL_IN_YAML + " -o {work}/onnx-fp32 --head splade-pooled && splade optimize "
                     "{work}/onnx-fp32/model.onnx -o {work}/optimized.onnx && rm -rf {work}/onnx-int8.partial && "
                     "mkdir -p {work}/onnx-int8.partial && cp {work}/onnx-fp32/config.json {work}/onnx-fp32/tokenizer.json "
                     "{work}/onnx-fp32/tokenizer_config.json {work}/onnx-fp32/vocab.txt {work}/onnx-int8.partial/ && "
                     "splade quantize {work}/optimized.onnx -o {work}/onnx-int8.partial/model.onnx --no-report && "
                     "rm -rf {work}/onnx-int8 && mv {work}/onnx-int8.partial {work}/onnx-int8")
        results["int8_make"] = int8_make
        if not args.no_splade:
            S = lambda *p: W("splade", *p)  # noqa: E731
            stage("splade convert (fp32)", W("onnx", "model.onnx"),
                  lambda: sh([args.splade, "convert", MODEL, "-o", W("onnx"), "--head", "splade-pooled"], stdout=subprocess.DEVNULL))

            def int8_model():
                cmd = make_command(int8_make, W("splade-int8"), data, args.splade)
                os.makedirs(W("splade-int8"), exist_ok=True)
                print("+", cmd, file=sys.stderr, flush=True)
                subprocess.run(cmd, shell=True, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
            stage("splade int8 model (convert, optimize, quantize)", W("splade-int8", "onnx-int8", "model.onnx"), int8_model)
            for prec, mdir in (("fp32", W("onnx")), ("int8", W("splade-int8", "onnx-int8"))):
                for role, src, out, extra in (("corpus", corpus, S(prec, "corpus", "vectors.jsonl"), ["--allow-empty"]),
                                              ("queries", topics, S(prec, "queries.tsv"), ["--queries"]),
                                              ("corpus floats", corpus, S(prec, "floats", "corpus.jsonl"),
                                               ["--allow-empty", "--output-format", "jsonl-float"]),
                                              ("queries floats", topics, S(prec, "floats", "queries.jsonl"),
                                               ["--queries", "--output-format", "jsonl-float"]))[:4 if prec == "fp32" else 2]:
                    def enc(src=src, out=out, extra=extra, mdir=mdir):
                        os.makedirs(os.path.dirname(out), exist_ok=True)
                        sh([args.splade, "encode", "--model", mdir, "-i", src, "-o", out, *extra, "-q"])
                    stage(f"splade {prec} encode {role}", out, enc)
                t0 = time.time()
                figs, _, run = anserini(args.java, jar, S(prec, "corpus"), S(prec, "queries.tsv"), S(prec, "anserini"), qrels)
                times.setdefault(f"splade {prec} Anserini", round(time.time() - t0, 1))
                results[f"splade_{prec}"] = {m: v for m, _, v in figs}
                results[f"splade_{prec}_run_sha256"] = sha256(run)
                fl = (lambda f: S(prec, "floats", f)) if prec == "fp32" else (lambda f: None)  # splade's floats: fp32 only
                results[f"diff_{prec}"] = {
                    "corpus": compare(R(prec, "corpus", "vectors.jsonl"), S(prec, "corpus", "vectors.jsonl"),
                                      R(prec, "floats", "corpus.jsonl"), fl("corpus.jsonl"), False),
                    "queries": compare(R(prec, "queries.tsv"), S(prec, "queries.tsv"),
                                       R(prec, "floats", "queries.jsonl"), fl("queries.jsonl"), True)}
        json.dump(times, open(W("times.json"), "w"), indent=1)
        results["times"] = times
        json.dump(results, open(W("results.json"), "w"), indent=1)
        write_yamls(name, work, jar, java_version, results, n_ties, ties_name, topics, qrels, corpus, data)
        print(f"{name}: fp32 " + ", ".join(f"{m} {v}" for m, v in results["reference_fp32"].items()) +
              "; int8 " + ", ".join(f"{m} {v}" for m, v in results["reference_int8"].items()), flush=True)


def write_yamls(name, work, jar, java_version, res, n_ties, ties_name, topics, qrels, corpus, data):
    def show(cmd):  # the command as a user types it: repository-relative, JAR for the jar
        out = []
        for c in cmd:
            if c == jar:
                out.append("$ANSERINI_JAR")
            elif c.startswith(os.path.join(work, "reference")):  # the script's folder, not the runner's {work}
                out.append(rel(c))
            elif c.startswith(work):
                out.append(c.replace(work, "{work}"))
            elif c.startswith(data):
                out.append(c.replace(data, "{data}"))
            else:
                out.append(shlex.quote(rel(c) if c.startswith(ROOT) else c))
        return " ".join(out)

    scifact = name == "scifact"
    topics_y = "{data}/" + SCIFACT["topics"] if scifact else "{work}/collection/topics.tsv"
    qrels_y = "{data}/" + SCIFACT["qrels"] if scifact else "{work}/collection/qrels.txt"
    corpus_y = "{data}/" + SCIFACT["corpus"] if scifact else "{work}/collection/corpus.jsonl"
    W = lambda *p: os.path.join(work, *p)  # noqa: E731
    tc = res["torch_check"]
    cpu = cpu_model()
    py = ".venv/bin/python scripts/splade_tiny_expected.py --collections " + name
    chain = [
        f"{py}  # runs, in Python, the lines below",
        "python: AutoModelForMaskedLM.from_pretrained('models/splade-tiny'); torch.onnx.export("
        "BatchedSpladeExportWrapper(model), opset_version=14, dynamic batch/sequence axes, inputs input_ids/"
        "attention_mask/token_type_ids) -> {reference}/model.onnx",
        "python: onnxruntime.InferenceSession({reference}/model.onnx, intra_op_num_threads=2); AutoTokenizer("
        "truncation=True, max_length=512, padding=True), batches of 32; impact = round(w / 5 * 256) in float32 "
        "-> {reference}/fp32/corpus/vectors.jsonl, {reference}/fp32/queries.tsv, {reference}/fp32/floats/*.jsonl",
    ]
    chain_int8 = chain[:2] + [
        "python: onnxruntime.transformers.optimizer.optimize_model({reference}/model.onnx, model_type='bert', "
        "num_heads=2, hidden_size=128) -> {reference}/optimized.onnx; onnxruntime.quantization.quantize_dynamic("
        "{reference}/optimized.onnx, {reference}/model-int8.onnx, weight_type=QuantType.QInt8, extra_options="
        "{'DefaultTensorType': onnx.TensorProto.FLOAT})",
        chain[2].replace("model.onnx", "model-int8.onnx").replace("/fp32/", "/int8/"),
    ]
    here = rel(os.path.join(work, "reference"))
    chain = [c.replace("{reference}", here) for c in chain]
    chain_int8 = [c.replace("{reference}", here) for c in chain_int8]
    tool = (f"Anserini {ae.ANSERINI_VERSION} (io.anserini:anserini:{ae.ANSERINI_VERSION}:jar:fatjar, sha256 "
            f"{ae.ANSERINI_SHA256}; scripts/fetch_anserini.sh) on {java_version}, and the trec_eval binary bundled in "
            "that jar, on vectors of a Python reference chain (transformers 4.44.2, torch 1.13 torch.onnx.export, "
            "onnxruntime 1.20.1; scripts/splade_tiny_expected.py), recorded on " + cpu)
    q = lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'  # noqa: E731

    for variant in ("fp32", "int8"):
        int8 = variant == "int8"
        yname = f"{name}.splade-tiny" + ("-int8" if int8 else "")
        onnx_dir = "{work}/onnx-int8" if int8 else "{work}/onnx"
        convert = f"splade convert {MODEL_IN_YAML} -o {{work}}/onnx --head splade-pooled"
        onnx_make = res["int8_make"] if int8 else convert
        encode_corpus = (f"mkdir -p {{work}}/vectors/corpus && splade encode --model {onnx_dir} -i {corpus_y} "
                         "-o {work}/vectors/corpus/vectors.jsonl --allow-empty")
        if scifact:
            # The runner encodes only an exported collection itself, and `--make` runs this before the
            # runner converts the model: the command makes the model too. `a || b && c` is `(a || b) && c`
            # in sh; the int8 chain, having no such guard, is rebuilt (seconds).
            encode_corpus = (f"test -f {onnx_dir}/model.onnx || {convert} && " if not int8 else onnx_make + " && ") \
                + encode_corpus
        ref = res[f"reference_{variant}"]
        sp = res.get(f"splade_{variant}")
        lines = [
            f"# Regression: {name} with SPLADE-tiny (models/splade-tiny, scripts/fetch_splade_tiny.sh), "
            + ("int8: splade's own quantized model, checked against the seed's int8 chain." if int8 else "fp32."),
            f"# Written by scripts/splade_tiny_expected.py --collections {name}. The expected figures are Anserini's",
            "# (index, search and trec_eval) on vectors of an independent reference chain that shares no code with",
            "# splade: transformers + torch.onnx.export of the seed's SpladeExportWrapper (scripts/seed_reference.py,",
            "# with the batch row of each weight as one more output), run by onnxruntime in Python"
            + (", after the seed's" if int8 else "."),
        ]
        if int8:
            lines += ["# onnxruntime.transformers optimize_model and quantize_dynamic(QInt8) (the seed's int8 path)."]
        d = res.get(f"diff_{variant}")
        lines += [
            f"# ORT reference vs PyTorch's own forward of SpladeExportWrapper (batch 1), first {CHECK_TEXTS} documents and",
            f"# {CHECK_TEXTS} topics (fp32): max |diff| per weight {tc['corpus']['max_abs']:.3g} (documents), "
            f"{tc['queries']['max_abs']:.3g} (topics); same nonzero terms in {tc['corpus']['same_support']}/"
            f"{CHECK_TEXTS} and {tc['queries']['same_support']}/{CHECK_TEXTS}.",
        ]
        if d and not int8:
            for role in ("corpus", "queries"):
                x = d[role]
                lines.append(f"# splade encode vs the reference, {role}: " + (
                    "byte-identical" if x["identical"] else
                    f"{x['lines']} of {x['of_lines']} lines differ, {x['impacts']} impacts "
                    f"({x['impacts_near_half']} within {TIE_MARGIN} of a .5)") +
                    f"; max |float diff| {x['max_abs_float']:.3g}.")
            if sp != ref:
                lines.append("# Anserini on splade's own fp32 vectors: " + ", ".join(
                    f"{m} {sp[m]} ({float(sp[m]) - float(ref[m]):+.4f})" for m in ref))
            else:
                lines.append("# Anserini on splade's own fp32 vectors gives the same figures.")
        if int8:
            lines += [
                "# check: at-least: splade's int8 figure must be >= expected - tolerance (its own quantizer, per-channel",
                "# U8U8 by default, need not equal the seed's per-tensor QInt8 model, which runs U8S8 kernels here).",
            ]
            if d:
                lines.append("# splade's int8 vectors vs the seed chain's: " + "; ".join(
                    f"{role} {d[role]['lines']} of {d[role]['of_lines']} lines differ ({d[role]['impacts']} impacts)"
                    for role in ("corpus", "queries")) + ".")
            if sp:
                lines.append("# int8 figures, seed chain / splade (difference): " + ", ".join(
                    f"{m} {ref[m]} / {sp[m]} ({float(sp[m]) - float(ref[m]):+.4f})" for m in ref))
        lines += [
            f"name: {yname}",
            "description: >",
            f"  {name} encoded by SPLADE-tiny (a trained 2-layer, hidden-128 BERT SPLADE model), "
            + ("quantized to int8 by `splade optimize` + `splade quantize`, " if int8 else
               "converted by `splade convert`, ") + "encoded by `splade encode`,",
            "  impact-indexed and searched (1000 hits); expected figures from an independent Python/Anserini chain.",
        ]
        if int8:
            lines.append("check: at-least")
        lines += ["corpus:"]
        if not scifact:
            lines.append(f"  collection: {name}")
        lines += [
            f"  documents: {DOCS[name]}",
            "  vectors:",
            "    path: \"{work}/vectors/corpus\"",
            f"    make: {q(encode_corpus)}",
            "model:",
            "  kind: huggingface",
            f"  path: \"{MODEL_IN_YAML}\"  # relative to the repository root (run from there)",
            "  how: \"scripts/fetch_splade_tiny.sh (run by scripts/setup.sh)\"",
            "  onnx:",
            f"    path: \"{onnx_dir}\"",
            f"    make: {q(onnx_make)}",
            "queries:",
            "  encoding: onnx",
            "  # the query vectors Anserini searched" + (" (the reference's sha256 is recorded below)" if not int8 else
                                                        " were the reference's; these are splade's, for comparison"),
            "  vectors:",
            "    path: \"{work}/vectors/queries.tsv\"",
            f"    make: \"splade encode --model {onnx_dir} -i {topics_y} -o {{work}}/vectors/queries.tsv --queries\"",
            "topics:",
            f"  path: \"{topics_y}\"",
        ]
        if scifact:
            lines += ["  how: \"../shared/data (BEIR test topics; see its README)\"", "qrels:", f"  path: \"{qrels_y}\"",
                      "  how: \"../shared/data (BEIR test qrels; see its README)\""]
        else:
            lines += [f"  make: \"splade collection export {name} --data {{data}} -o {{work}}/collection\"", "qrels:",
                      f"  path: \"{qrels_y}\"", f"  make: \"splade collection export {name} --data {{data}} -o {{work}}/collection\""]
        lines += ["search:", "  hits: 1000",
                  "# Anserini's scores are float32 sums of integer products, exact below 2^24, as ours are;",
                  "# the tolerance covers trec_eval's 4-decimal rounding of the expected figures.",
                  "tolerance: 0.0001", "metrics:"]
        for metric, te_args in METRICS:
            lines += [f"  - name: {metric}", f"    trec_eval: [{', '.join(te_args)}]", f"    expected: {ref[metric]}"]
            if int8 and sp:
                lines.append(f"    measured_splade: {sp[metric]}")
        cmds = res[f"reference_{variant}_commands"]
        lines += ["expected:", f"  tool: {q(tool)}", "  commands:"]
        lines += [f"    - {q(c)}" for c in (chain_int8 if int8 else chain)]
        lines += [f"    - {q(show(c))}" for c in cmds]
        R = lambda *p: os.path.join(work, "reference", *p)  # noqa: E731
        sums = {"model.safetensors": sha256(os.path.join(MODEL, "model.safetensors")),
                "reference.onnx": sha256(R("model-int8.onnx" if int8 else "model.onnx"))}
        if not int8:
            sums["corpus.vectors"] = sha256(R("fp32", "corpus", "vectors.jsonl"))
            sums["queries.vectors"] = sha256(R("fp32", "queries.tsv"))
        sums.update({"qrels": sha256(qrels), "topics": sha256(topics), "anserini.run": res[f"reference_{variant}_run_sha256"]})
        lines += ["  sha256:"] + [f"    {k}: {v}" for k, v in sums.items()]
        if not int8:
            lines += [f"  # {n_ties} impacts lay within {TIE_MARGIN} of a .5 on the recording machine ({cpu}); another",
                      "  # CPU's fp32 kernels may round those the other way, and only those are snapped back before the check.",
                      "  ties:", f"    file: {ties_name}", f"    margin: {TIE_MARGIN}"]
        out_path = os.path.join(ROOT, "regressions", yname + ".yaml")
        with open(out_path + ".tmp", "w") as f:
            f.write("\n".join(lines) + "\n")
        os.replace(out_path + ".tmp", out_path)


def make_command(make, work, data, splade):
    """The make command as `splade regression run --make` runs it (regression_inputs.cpp):
    {work} and {data} shell-quoted, `splade` in command position replaced by the binary."""
    out, command_position = [], True
    for word in make.split(" "):
        if command_position and word == "splade":
            out.append(shlex.quote(splade))
        else:
            out.append(word.replace("{work}", shlex.quote(work)).replace("{data}", shlex.quote(data)))
        command_position = word in ("&&", "||", ";", "|")
    return " ".join(out)


if __name__ == "__main__":
    main()
