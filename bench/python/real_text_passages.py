"""Corpus 2 of the search benchmark: MS MARCO-like passages (about 60 words) cut from real
English text that Debian packages install, deterministic (sorted files, fixed rules),
written as JSONL {"id", "contents"} for `splade encode`.

Sources, in this order (each a Debian package, installed by bench/real_text_corpus.sh):
  gcide      the GNU Collaborative International Dictionary of English (dict-gcide)
  wordnet    WordNet 3.0 glosses (wordnet-base)
  pydoc      the Python 3.11 documentation, HTML (python3.11-doc)
  linuxdoc   the Linux 6.1 kernel documentation, reStructuredText (linux-doc-6.1)
Text is whitespace-normalized and cut into passages: words are taken until 50 are reached,
then up to the next sentence end, at most 80 words. A passage under 20 words or seen before
(exact text) is dropped.
"""
import argparse
import glob
import gzip
import hashlib
import html.parser
import json
import os
import re
import sys


class _Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def open_text(path):
    if path.endswith(".gz") or path.endswith(".dz"):
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    return open(path, encoding="utf-8", errors="replace")


def gcide():
    # The .dict.dz body: entries separated by headword lines; markup-free text already.
    for path in sorted(glob.glob("/usr/share/dictd/gcide.dict.dz")):
        with open_text(path) as f:
            block = []
            for line in f:
                if not line.strip():
                    if block:
                        yield " ".join(block)
                        block = []
                else:
                    block.append(line.strip())
            if block:
                yield " ".join(block)


def wordnet():
    for part in ("noun", "verb", "adj", "adv"):
        path = f"/usr/share/wordnet/data.{part}"
        if not os.path.exists(path):
            continue
        with open_text(path) as f:
            for line in f:
                if line.startswith("  "):  # the license header
                    continue
                _, bar, gloss = line.partition(" | ")
                if bar:
                    yield gloss.strip()


def pydoc():
    for path in sorted(glob.glob("/usr/share/doc/python3.11/html/**/*.html", recursive=True)):
        p = _Text()
        with open_text(path) as f:
            p.feed(f.read())
        yield " ".join(p.parts)


def linuxdoc():
    files = glob.glob("/usr/share/doc/linux-doc-6.1/Documentation/**/*.rst*", recursive=True)
    for path in sorted(files):
        with open_text(path) as f:
            text = f.read()
        # reStructuredText markup that is not prose: directive lines, section rules, literal blocks.
        text = re.sub(r"^\.\. .*$|^[=\-~^*#`:+]{3,}$", " ", text, flags=re.M)
        yield text


SOURCES = {"gcide": gcide, "wordnet": wordnet, "pydoc": pydoc, "linuxdoc": linuxdoc}
SENTENCE_END = re.compile(r"[.!?][\"')\]]*$")


def passages(texts, min_words=20, target=50, most=80):
    carry = []
    for text in texts:
        words = carry + text.split()
        carry = []
        start = 0
        while start < len(words):
            end = min(start + target, len(words))
            while end < len(words) and end - start < most and not SENTENCE_END.search(words[end - 1]):
                end += 1
            if end == len(words) and end - start < target:
                carry = words[start:]  # too short: joined with the next text of the source
                break
            yield " ".join(words[start:end])
            start = end
    if len(carry) >= min_words:
        yield " ".join(carry)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--max", type=int, default=1_000_000, help="stop after this many passages")
    p.add_argument("--sources", default=",".join(SOURCES))
    args = p.parse_args()
    seen, count, per_source = set(), 0, {}
    tmp = args.output + ".partial"
    with open(tmp, "w", encoding="utf-8") as out:
        for name in args.sources.split(","):
            n = 0
            for text in passages(SOURCES[name]()):
                if count >= args.max:
                    break
                if len(text.split()) < 20:
                    continue
                digest = hashlib.sha1(text.encode()).digest()
                if digest in seen:
                    continue
                seen.add(digest)
                out.write(json.dumps({"id": f"{name}-{n}", "contents": text}, ensure_ascii=False) + "\n")
                n += 1
                count += 1
            per_source[name] = n
    os.replace(tmp, args.output)
    h = hashlib.sha256(open(args.output, "rb").read()).hexdigest()
    print(json.dumps({"passages": count, "per_source": per_source, "bytes": os.path.getsize(args.output), "sha256": h}))


if __name__ == "__main__":
    sys.exit(main())
