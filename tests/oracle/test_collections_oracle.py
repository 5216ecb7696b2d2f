"""`splade collection export` against readers written here independently (Python's tarfile,
html.parser and regular expressions over the original files), and against the counts stated in
../shared/data/README.md."""
import html.parser
import json
import os
import re
import tarfile

import pytest

from conftest import run_splade

# ../shared/data/README.md: documents, topics, judged topics.
README_COUNTS = {"cacm": (3204, 64, 52), "vaswani": (11429, 93, 93), "cranfield": (1400, 225, 225),
                 "cisi": (1460, 112, 76)}


def squash(text):
    return " ".join(text.split())


class _Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)

    def handle_starttag(self, tag, attrs):
        self.parts.append(" ")

    def handle_endtag(self, tag):
        self.parts.append(" ")


def html_text(page):
    p = _Text()
    p.feed(page)
    p.close()
    return squash("".join(p.parts))


def sgml(text, record, id_tag):
    out = []
    for body in re.findall(rf"<{record}>(.*?)</{record}>", text, re.S | re.I):
        m = re.search(rf"<{id_tag}>(.*?)</{id_tag}>", body, re.S | re.I)
        rest = body[:m.start()] + " " + body[m.end():]
        out.append((squash(m.group(1)), squash(re.sub(r"<[^>]*>", " ", rest))))
    return out


def smart(text):
    """[(id, {field: text})] with fields split on lines '.X' / '.X rest'."""
    records = []
    field = None
    for line in text.split("\n"):
        line = line.rstrip("\r")
        m = re.match(r"^\.([A-Z])(?:[ \t](.*))?$", line)
        if m and m.group(1) == "I":
            records.append((squash(m.group(2) or ""), {}))
            field = None
        elif m:
            fields = records[-1][1]
            field = m.group(1)
            fields[field] = (fields.get(field, "") + "\n" + (m.group(2) or "")) if field in fields else (m.group(2) or "")
        elif field is not None:
            records[-1][1][field] += "\n" + line
    return records


def smart_text(fields):
    title, body = squash(fields.get("T", "")), squash(fields.get("W", ""))
    if not title or body.startswith(title):
        return body
    return f"{title} {body}" if body else title


def rows(path):
    with open(path) as f:
        return [line.split() for line in f if line.strip()]


def reference(name, data):
    import gzip
    d = os.path.join(data, "collections", name)
    read_gz = lambda p: gzip.open(os.path.join(d, p), "rt", encoding="latin-1").read()
    read = lambda p: open(os.path.join(d, p), encoding="latin-1").read()
    if name == "cacm":
        with tarfile.open(os.path.join(d, "cacm.tar.gz")) as tar:
            docs = [(os.path.basename(m.name)[:-5], html_text(tar.extractfile(m).read().decode("latin-1")))
                    for m in tar.getmembers() if m.isfile() and m.name.endswith(".html")]
        topics = sgml(read("topics.cacm.txt"), "DOC", "DOCNO")
        # The qrels write "CACM-857" for the file CACM-0857.html: padded to match.
        qrels = [(q, "CACM-%04d" % int(doc[5:]), int(rel)) for q, _, doc, rel in rows(os.path.join(d, "qrels.cacm.txt"))]
    elif name == "vaswani":
        docs = sgml(read_gz("doc-text.trec.gz"), "DOC", "DOCNO")
        topics = sgml(read("query-text.trec"), "top", "num")
        qrels = [(q, doc, int(rel)) for q, _, doc, rel in rows(os.path.join(d, "qrels"))]
    elif name == "cranfield":
        docs = [(i, smart_text(f)) for i, f in smart(read_gz("cran.all.1400.gz"))]
        # cran.qry's ".I" numbers have gaps; the qrels number queries by position (README).
        topics = [(str(n), smart_text(f)) for n, (_, f) in enumerate(smart(read("cran.qry")), 1)]
        grade = {1: 4, 2: 3, 3: 2, 4: 1, -1: 0}
        qrels = [(q, doc, grade[int(g)]) for q, doc, g in rows(os.path.join(d, "cranqrel"))]
    else:
        docs = [(i, smart_text(f)) for i, f in smart(read_gz("CISI.ALL.gz"))]
        topics = [(i, smart_text(f)) for i, f in smart(read("CISI.QRY"))]
        qrels = [(q, doc, 1) for q, doc, _, _ in rows(os.path.join(d, "CISI.REL"))]
    return docs, topics, qrels


@pytest.mark.parametrize("name", sorted(README_COUNTS))
def test_export_matches_independent_reader(splade_bin, shared_data, tmp_path, name):
    run_splade(splade_bin, "collection", "export", name, "--data", shared_data, "-o", str(tmp_path))
    with open(tmp_path / "corpus.jsonl", encoding="utf-8") as f:
        corpus = [json.loads(line) for line in f]
    assert all(list(d) == ["id", "contents"] for d in corpus)
    with open(tmp_path / "topics.tsv", encoding="utf-8") as f:
        topics = [tuple(line.rstrip("\n").split("\t")) for line in f]
    qrels = [(q, doc, int(rel)) for q, it, doc, rel in rows(tmp_path / "qrels.txt")]

    want_docs, want_topics, want_qrels = reference(name, shared_data)
    n_docs, n_topics, n_judged = README_COUNTS[name]
    assert len(corpus) == len(want_docs) == n_docs
    assert [(d["id"], d["contents"]) for d in corpus] == want_docs
    assert len(topics) == len(want_topics) == n_topics
    assert topics == want_topics
    assert qrels == want_qrels
    assert len({q for q, _, _ in qrels}) == n_judged
    # Every judged document and every judged topic exists.
    ids = {d["id"] for d in corpus}
    assert {doc for _, doc, _ in qrels} <= ids
    assert {q for q, _, _ in qrels} <= {t for t, _ in topics}
    assert all(text for _, text in topics)  # (Cranfield's documents 471 and 995 are empty in the source)
