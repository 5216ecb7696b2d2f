"""`splade search --model` (queries encoded on the fly, like Anserini's -encoder) gives the
same run as searching the queries `splade encode --queries` wrote, on the same index."""
import gzip
import re

from conftest import run_splade


def test_on_the_fly_encoding_equals_pre_encoded_queries(splade_bin, make_model, shared_data, tmp_path):
    model = make_model("enc-bert-tiny-pooled", "--export-onnx", "pooled", "--weights", "safetensors")
    text = gzip.open(f"{shared_data}/collections/vaswani/doc-text.trec.gz", "rt", encoding="utf-8").read()
    with open(tmp_path / "docs.tsv", "w", encoding="utf-8") as f:
        for i, m in enumerate(re.finditer(r"<DOCNO>\s*(\S+)\s*</DOCNO>(.*?)</DOC>", text, re.S)):
            if i == 300:
                break
            f.write(m.group(1) + "\t" + " ".join(m.group(2).split()) + "\n")
    with open(f"{shared_data}/msmarco-passage/topics.msmarco-passage.dev-subset.txt", encoding="utf-8") as f:
        topics = [next(f) for _ in range(25)]
    (tmp_path / "topics.tsv").write_text("".join(topics), encoding="utf-8")
    run_splade(splade_bin, "encode", "--model", model, "-i", str(tmp_path / "docs.tsv"), "-o",
               str(tmp_path / "vectors.jsonl"), "--top-k", "256", "-q")
    run_splade(splade_bin, "index", "--input", str(tmp_path / "vectors.jsonl"), "--index", str(tmp_path / "idx"))
    run_splade(splade_bin, "encode", "--model", model, "-i", str(tmp_path / "topics.tsv"), "-o",
               str(tmp_path / "queries.tsv"), "--queries", "-q")
    run_splade(splade_bin, "search", "--index", str(tmp_path / "idx"), "--topics", str(tmp_path / "queries.tsv"),
               "--output", str(tmp_path / "pre.run"), "--hits", "100")
    r = run_splade(splade_bin, "search", "--index", str(tmp_path / "idx"), "--topics", str(tmp_path / "topics.tsv"),
                   "--model", model, "--output", str(tmp_path / "fly.run"), "--hits", "100")
    assert "query encoding" in r.stderr
    pre = (tmp_path / "pre.run").read_text()
    assert pre.count("\n") >= 25 * 50
    assert (tmp_path / "fly.run").read_text() == pre
