"""Strings for the tokenizer parity tests: every real text in ../shared/data (queries, and the
documents of the four small collections split into passages) plus generated adversarial
strings. Deterministic (seeded)."""
import gzip
import os
import random
import re
import tarfile


def _topics(shared):
    out = []
    for rel in ["msmarco-passage/topics.msmarco-passage.dev-subset.txt", "msmarco-passage/topics.dl19-passage.txt",
                "msmarco-passage/topics.dl20.txt"]:
        with open(os.path.join(shared, rel), encoding="utf-8") as f:
            out += [line.rstrip("\n").split("\t", 1)[1] for line in f if "\t" in line]
    for name in ["arguana", "fiqa", "nfcorpus", "scifact"]:
        with gzip.open(os.path.join(shared, f"beir/topics.beir-v1.0.0-{name}.test.tsv.gz"), "rt", encoding="utf-8") as f:
            out += [line.rstrip("\n").split("\t", 1)[1] for line in f if "\t" in line]
    return out


def _smart_documents(text):
    """SMART format (.I n, then .T/.A/.B/.W/.X fields): one string per record, field markers dropped."""
    docs = []
    for record in re.split(r"^\.I .*$", text, flags=re.M)[1:]:
        lines = [l for l in record.split("\n") if not re.match(r"^\.[A-Z]\s*$", l)]
        docs.append("\n".join(lines).strip("\n"))
    return docs


def _collections(shared):
    """(documents, queries) of cacm, vaswani, cranfield and cisi."""
    base = os.path.join(shared, "collections")
    docs, queries = [], []
    with tarfile.open(os.path.join(base, "cacm/cacm.tar.gz")) as tar:
        for m in sorted(tar.getmembers(), key=lambda m: m.name):
            if m.isfile():
                html = tar.extractfile(m).read().decode("utf-8")
                body = re.search(r"<pre>(.*)</pre>", html, re.S)
                docs.append(body.group(1) if body else html)
    with open(os.path.join(base, "cacm/topics.cacm.txt"), encoding="utf-8") as f:
        queries += [q.strip() for q in re.findall(r"</DOCNO>(.*?)</DOC>", f.read(), re.S)]
    with gzip.open(os.path.join(base, "vaswani/doc-text.trec.gz"), "rt", encoding="utf-8") as f:
        docs += [d for d in re.findall(r"</DOCNO>(.*?)</DOC>", f.read(), re.S)]
    with open(os.path.join(base, "vaswani/query-text.trec"), encoding="utf-8") as f:
        queries += [q.strip() for q in re.findall(r"<title>(.*?)</title>", f.read(), re.S)]
    for rel in ["cranfield/cran.all.1400.gz", "cisi/CISI.ALL.gz"]:
        with gzip.open(os.path.join(base, rel), "rt", encoding="utf-8") as f:
            docs += _smart_documents(f.read())
    for rel in ["cranfield/cran.qry", "cisi/CISI.QRY"]:
        with open(os.path.join(base, rel), encoding="utf-8") as f:
            queries += _smart_documents(f.read())
    return docs, queries


def real_texts(shared):
    """All queries; every document whole, split into passages of three lines, and runs of five
    consecutive documents (long enough to be truncated at 512)."""
    docs, queries = _collections(shared)
    out = _topics(shared) + queries + docs
    for d in docs:
        lines = [line for line in d.split("\n") if line.strip()]
        out += ["\n".join(lines[i:i + 3]) for i in range(0, len(lines), 3)]
    out += ["\n\n".join(docs[i:i + 5]) for i in range(0, len(docs), 5)]
    return out


# Character pools for the adversarial strings.
_POOLS = {
    "ascii": [chr(c) for c in range(0x20, 0x7F)],
    "letters": list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
    "latin": [chr(c) for c in range(0xC0, 0x250)],
    "combining": [chr(c) for c in list(range(0x300, 0x370)) + list(range(0x1AB0, 0x1AC0)) + list(range(0x1DC0, 0x1E00))
                  + [0x20D0, 0x20E3, 0x093C, 0x05B0, 0x0E38, 0x0F71, 0x0F72, 0x0F73, 0x0F75, 0x0F81]],
    "cjk": [chr(c) for c in list(range(0x4E00, 0x4E80)) + list(range(0x3400, 0x3420)) + list(range(0x20000, 0x20010))
            + list(range(0xF900, 0xF920)) + list(range(0x2F800, 0x2F810)) + list(range(0x3040, 0x30FF))
            + list(range(0xAC00, 0xAC40)) + list(range(0x2B81D, 0x2B830)) + list(range(0x2B918, 0x2B925))],
    "arabic": [chr(c) for c in list(range(0x600, 0x700)) + list(range(0x8D3, 0x900)) + list(range(0xFE70, 0xFEFF))],
    "devanagari": [chr(c) for c in range(0x900, 0x980)],
    "emoji": [chr(c) for c in list(range(0x1F300, 0x1F330)) + list(range(0x1F600, 0x1F650)) + list(range(0x1F900, 0x1F9FF, 3))
              + list(range(0x1FA70, 0x1FAF8)) + list(range(0x1F3FB, 0x1F400)) + list(range(0x1F1E6, 0x1F200))]
             + ["\u200d", "\ufe0f", "\u20e3", "\U000E0067", "\U000E007F"],
    "control": [chr(c) for c in list(range(0, 0x20)) + list(range(0x7F, 0xA0))],
    "format": [chr(c) for c in [0xAD, 0x600, 0x61C, 0x6DD, 0x70F, 0x8E2, 0x180E, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F,
                                0x202A, 0x202E, 0x2060, 0x2064, 0x2066, 0x2069, 0xFEFF, 0xFFF9, 0xFFFB, 0x110BD,
                                0x110CD, 0x13430, 0x1BCA0, 0x1D173, 0xE0001, 0xE0020, 0xFFFD, 0xE000, 0xF8FF, 0xF0000]],
    "spaces": [chr(c) for c in [0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0xA0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003,
                                0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F,
                                0x3000, 0x1C, 0x1D, 0x1E, 0x1F]],
    "punct": list("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~") + [chr(c) for c in [
        0xA1, 0xA7, 0xAB, 0xB6, 0xB7, 0xBB, 0xBF, 0x37E, 0x387, 0x55A, 0x589, 0x5BE, 0x60C, 0x61B, 0x61D, 0x61F, 0x964,
        0x965, 0x166D, 0x1800, 0x2010, 0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2020, 0x2026, 0x2030, 0x203D,
        0x2E2F, 0x2E3A, 0x2E43, 0x2E4F, 0x2E52, 0x3001, 0x3002, 0x300C, 0xFF01, 0xFF0C, 0xFF1F, 0x111C9, 0x1E95E,
        0x1FEF, 0x24, 0x2B, 0x3C, 0x5E, 0x60, 0x7C, 0x7E]],
    "cased": [chr(c) for c in [0x130, 0x131, 0xDF, 0x1E9E, 0x3A3, 0x3C2, 0x1C5, 0x1C8, 0x1CB, 0x1F2, 0x2126, 0x212A,
                               0x212B, 0x10400, 0x10428, 0xFB01, 0xFB03, 0x1F88, 0x1FBC, 0x2160, 0x24B6, 0xFF21,
                               0x1D400, 0x1E900, 0x10A0, 0x13A0, 0xAB70]] + [chr(c) for c in range(0x391, 0x3AA)]
              + [chr(c) for c in range(0x410, 0x430)],
    "other": [chr(c) for c in [0x378, 0x380, 0x2FFFF, 0x10FFFF, 0xFFFE, 0xFDD0, 0x1D15E, 0x1D165, 0x1D16D, 0x16FF0,
                               0x11938, 0x1133B, 0x115AF, 0x1734, 0x1885, 0x1886, 0xA9BD]],
}


def _word(rng, pools, length):
    return "".join(rng.choice(_POOLS[rng.choice(pools)]) for _ in range(length))


def adversarial_texts(n=40000, seed=20240501):
    rng = random.Random(seed)
    names = list(_POOLS)
    out = ["", " ", "  \t\n ", "\u00a0\u3000\u2003", "\n", "\r\n", "\x00", "\ufffd", "[MASK]", "[mask]", "[MAS",
           "[CLS][SEP]", "a[SEP]b", "[[MASK]]", "[UNK]x[PAD]", "define: geon", "...", "!!!???", "a" * 100, "a" * 101,
           "é" * 100, "é" * 101, "e\u0301" * 60, "中" * 300, "\u0130stanbul", "İ" * 101, "ǅ ǈ ǋ ǲ",
           "\U0001D15E\u093C", "a\u0301\u0323\u0302\u0316x", "\u0f73\u0f71\u0f72", "ق\u0651\u064e ق\u064e\u0651",
           "👩\u200d👩\u200d👧\u200d👦 🏳️\u200d🌈 👍🏽 🇫🇷 #️⃣ 🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F",
           "नमस्ते दुनिया", "مرحبا بالعالم", "Ｆｕｌｌｗｉｄｔｈ！", "x" * 1000, "supercalifragilisticexpialidocious" * 5,
           "-" * 600, "a-b_c.d,e;f:g!h?i", "ﬁﬂﬃ", "Ω Å K", "σς Σ ΣΑΣ"]
    for length in range(95, 106):  # around max_input_chars_per_word = 100, in 1-, 2-, 3- and 4-byte characters
        for ch in ["a", "é", "ア", "𝐀"]:
            out.append(ch * length)
    for _ in range(n):
        kind = rng.random()
        if kind < 0.6:  # words of mixed scripts separated by spaces and punctuation
            words = [_word(rng, rng.sample(names, rng.randint(1, 3)), rng.randint(1, 12)) for _ in range(rng.randint(0, 12))]
            seps = [rng.choice([" ", " ", "  ", "\t", "\n", ", ", "\u00a0", ".", "-", "\u3000", ""]) for _ in words]
            out.append("".join(w + s for w, s in zip(words, seps)))
        elif kind < 0.7:  # one long word, often past 100 characters
            out.append(_word(rng, ["letters", "latin", "combining", "cjk", "emoji"], rng.randint(80, 130)))
        elif kind < 0.8:  # punctuation runs
            out.append("".join(rng.choice(_POOLS["punct"] + _POOLS["spaces"]) for _ in range(rng.randint(1, 40))))
        elif kind < 0.9:  # combining-mark storms over base letters
            out.append("".join(rng.choice(_POOLS["letters"] + _POOLS["combining"] + _POOLS["other"])
                               for _ in range(rng.randint(1, 60))))
        else:  # any pool, special tokens spliced in
            s = _word(rng, names, rng.randint(0, 80))
            pos = rng.randint(0, len(s))
            out.append(s[:pos] + rng.choice(["[MASK]", "[SEP]", "[CLS]", "[PAD]", "[UNK]", "[mask]", "[SEP"]) + s[pos:])
    return out
