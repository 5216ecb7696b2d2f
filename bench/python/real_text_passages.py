"""Corpus 2 of the search benchmark: MS MARCO-like passages (about 60 words) cut from real
English text that Debian packages install, deterministic (sorted files, fixed rules),
written as JSONL {"id", "contents"} for `splade encode`.

Sources, in this order (each a Debian package, installed by bench/real_text_corpus.sh):
  gcide      the GNU Collaborative International Dictionary of English (dict-gcide)
  wordnet    WordNet 3.0 glosses (wordnet-base)
  pydoc      the Python 3.11 documentation, HTML (python3.11-doc)
  linuxdoc   the Linux 6.1 kernel documentation, reStructuredText (linux-doc-6.1)
  foldoc     the Free On-line Dictionary of Computing (dict-foldoc)
  jargon     the Jargon File 4.4.7 (dict-jargon)
  gitdoc     Git's manual pages and guides, AsciiDoc sources (git-doc)
  perldoc    Perl 5.36's manual, POD (perl-doc)
  pgdoc      the PostgreSQL 15 manual, HTML (postgresql-doc-15)
  handbook   the Debian Administrator's Handbook, English HTML (debian-handbook)
  gimpdoc    the GIMP 2.10 user manual, English HTML (gimp-help-en)
  sphinxdoc  Sphinx 5.3's documentation, HTML (sphinx-doc)
  djangodoc  Django 3.2's documentation, HTML (python-django-doc)
  scipydoc   SciPy 1.10's documentation, HTML (python-scipy-doc)
  pandasdoc  pandas 1.5's documentation, HTML (python-pandas-doc)
  rustdoc    the Rust 1.63 books and standard library documentation, HTML (rust-doc)
  javadoc    the Java 17 API documentation, HTML (openjdk-17-doc)
  erlangdoc  Erlang/OTP 25's documentation, HTML (erlang-doc)
  qtdoc      Qt 5.15's documentation, HTML (qtbase5-doc-html)
  boostdoc   Boost 1.81's documentation, HTML (libboost1.81-doc)
  sklearndoc, statsmodelsdoc, astropydoc, sympydoc, skimagedoc, sqlalchemydoc
             the documentation of scikit-learn 1.2, statsmodels 0.13, Astropy 5.2, SymPy 1.11,
             scikit-image 0.19 and SQLAlchemy 1.4, HTML (python-*-doc)
  racketdoc  Racket 8.7's documentation, HTML (racket-doc)
  lilypond   LilyPond 2.24's manuals, HTML, split pages (lilypond-doc-html)
  gnucashdoc the GnuCash 4.13 guide and help, English HTML (gnucash-docs)
  cmakedoc   CMake 3.25's documentation, HTML (cmake-doc)
  nodedoc    Node.js 18's API documentation, HTML (nodejs-doc)
  sqlitedoc  SQLite 3.40's documentation, HTML (sqlite3-doc)
  octavedoc  GNU Octave 7.3's manual, HTML (octave-doc)
  kicaddoc   KiCad 6.0's manuals, English HTML (kicad-doc-en)
  vimdoc     Vim 9.0's help files (vim-runtime)
The first four read every text of a page; the HTML sources after them keep only prose: the
text between block-level tags (p, li, dd, dt, td, th, blockquote, h1-h6, div, section), each
run of at least 8 words, outside head, script, style, nav, header, footer, pre and code.
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


def file_texts(patterns, exclude=None):
    """The text of every file the glob patterns match (recursive), in path order."""
    # Files only: some manuals name directories *.html (octave's liboctave.html/).
    paths = sorted({p for pattern in patterns for p in glob.glob(pattern, recursive=True) if os.path.isfile(p)})
    for path in paths:
        if exclude and exclude.search(path):
            continue
        with open_text(path) as f:
            yield f.read()


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
    for text in file_texts(["/usr/share/doc/python3.11/html/**/*.html"]):
        p = _Text()
        p.feed(text)
        yield " ".join(p.parts)


def linuxdoc():
    for text in file_texts(["/usr/share/doc/linux-doc-6.1/Documentation/**/*.rst*"]):
        # reStructuredText markup that is not prose: directive lines, section rules, literal blocks.
        text = re.sub(r"^\.\. .*$|^[=\-~^*#`:+]{3,}$", " ", text, flags=re.M)
        yield text


class _Prose(html.parser.HTMLParser):
    """The text of a page's paragraph-like elements, each of at least 8 words."""
    BLOCKS = {"p", "li", "dd", "dt", "td", "th", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "div", "section"}
    SKIP = {"script", "style", "nav", "header", "footer", "pre", "code", "head"}

    def __init__(self):
        super().__init__()
        self.blocks, self.current, self.skip = [], [], 0

    def _flush(self):
        words = " ".join(self.current).split()
        if len(words) >= 8:
            self.blocks.append(" ".join(words))
        self.current = []

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skip += 1
        elif tag in self.BLOCKS:
            self._flush()

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCKS:
            self._flush()

    def handle_data(self, data):
        if not self.skip:
            self.current.append(data)

    def close(self):
        super().close()
        self._flush()


def prose_html(patterns, exclude=None):
    for text in file_texts(patterns, exclude):
        p = _Prose()
        p.feed(text)
        p.close()
        if p.blocks:
            yield " ".join(p.blocks)


def dictd(name):
    # A dictd .dict.dz body: entries separated by blank lines, each headed by its headword.
    def read():
        path = f"/usr/share/dictd/{name}.dict.dz"
        if not os.path.exists(path):
            return
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
    return read


def gitdoc():
    for text in file_texts(["/usr/share/doc/git-doc/*.txt"]):
        # AsciiDoc markup that is not prose: attribute and include lines, block delimiters,
        # section underlines, literal (indented) lines.
        text = re.sub(r"^(:.*|include::.*|\[.*\]|[=\-~^+.*_/]{3,}|[ \t]+\S.*)$", " ", text, flags=re.M)
        yield text


_POD_CODE = re.compile(r"[A-Z]<<+\s(.*?)\s>>+|[A-Z]<([^<>]*)>")


def perldoc():
    for text in file_texts(["/usr/share/perl/5.36.0/pod/*.pod", "/usr/share/doc/perl/**/*.pod.gz"]):
        # POD: command paragraphs (=head1, =item, ...) and verbatim (indented) lines are not
        # prose; formatting codes (B<...>, C<< ... >>, L<...>) keep their text.
        text = re.sub(r"^(=\S+.*|[ \t]+\S.*)$", " ", text, flags=re.M)
        for _ in range(3):
            text = _POD_CODE.sub(lambda m: m.group(1) or m.group(2) or "", text)
        yield text


def vimdoc():
    for text in file_texts(["/usr/share/vim/vim90/doc/*.txt"]):
        # Vim help markup: *tags*, |links|, rules, and indented example lines.
        text = re.sub(r"^([=\-]{3,}.*|[ \t]+\S.*)$", " ", text, flags=re.M)
        yield re.sub(r"[*|]([^*|\s]+)[*|]", r"\1", text)


DOC = "/usr/share/doc"
SPHINX_SKIP = re.compile(r"/_modules/|/genindex|/_sources/")
SOURCES = {
    "gcide": dictd("gcide"), "wordnet": wordnet, "pydoc": pydoc, "linuxdoc": linuxdoc,
    "foldoc": dictd("foldoc"), "jargon": dictd("jargon"), "gitdoc": gitdoc, "perldoc": perldoc,
    "pgdoc": lambda: prose_html([f"{DOC}/postgresql-doc-15/html/*.html"]),
    "handbook": lambda: prose_html([f"{DOC}/debian-handbook/html/en-US/*.html"]),
    "gimpdoc": lambda: prose_html(["/usr/share/gimp/2.0/help/en/**/*.html"]),
    "sphinxdoc": lambda: prose_html([f"{DOC}/sphinx-doc/html/**/*.html"], SPHINX_SKIP),
    "djangodoc": lambda: prose_html([f"{DOC}/python-django-doc/html/**/*.html"], SPHINX_SKIP),
    "scipydoc": lambda: prose_html([f"{DOC}/python-scipy-doc/html/**/*.html"], SPHINX_SKIP),
    "pandasdoc": lambda: prose_html([f"{DOC}/python-pandas-doc/html/**/*.html"], SPHINX_SKIP),
    "rustdoc": lambda: prose_html([f"{DOC}/rust-doc/html/**/*.html"], re.compile(r"/src/|/implementors/|/print\.html$")),
    "javadoc": lambda: prose_html([f"{DOC}/openjdk-17-jre-headless/api/**/*.html"],
                                  re.compile(r"/class-use/|/src-html/|-index|-tree\.html|/index-files/")),
    "erlangdoc": lambda: prose_html([f"{DOC}/erlang-doc/**/*.html"]),
    "qtdoc": lambda: prose_html(["/usr/share/qt5/doc/**/*.html"]),
    "boostdoc": lambda: prose_html([f"{DOC}/libboost1.81-doc/**/*.html"]),
    **{f"{name}doc": (lambda name=name: prose_html([f"{DOC}/python-{name}-doc/html/**/*.html"], SPHINX_SKIP))
       for name in ("sklearn", "statsmodels", "astropy", "sympy", "skimage", "sqlalchemy")},
    "racketdoc": lambda: prose_html([f"{DOC}/racket/**/*.html"]),
    "lilypond": lambda: prose_html([f"{DOC}/lilypond/html/**/*.html"], re.compile(r"-big-page\.html$")),
    "gnucashdoc": lambda: prose_html([f"{DOC}/gnucash-docs/gnucash-guide-en/*.html", f"{DOC}/gnucash-docs/gnucash-help-en/*.html"]),
    "cmakedoc": lambda: prose_html([f"{DOC}/cmake-data/html/**/*.html"], SPHINX_SKIP),
    "nodedoc": lambda: prose_html([f"{DOC}/nodejs/api/*.html"], re.compile(r"/all\.html$")),
    "sqlitedoc": lambda: prose_html([f"{DOC}/sqlite3/**/*.html"]),
    "octavedoc": lambda: prose_html([f"{DOC}/octave/**/*.html"]),
    "kicaddoc": lambda: prose_html([f"{DOC}/kicad/help/en/*.html"]),
    "vimdoc": vimdoc,
}
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
