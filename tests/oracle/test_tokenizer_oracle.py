"""`splade tokenize` against Hugging Face `tokenizers` (pinned 0.19.1) and transformers'
BertTokenizerFast: ids, byte offsets and truncation must be identical, on every real text of
../shared/data, on generated adversarial strings, and on every code point. The strings go
through one `splade tokenize --json` process per batch."""
import codecs
import json
import os
import random
import subprocess

import pytest
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
from transformers import BertTokenizerFast

from conftest import run_splade
from tokenizer_corpus import adversarial_texts, real_texts

VOCAB_REL = "vocab/bert-base-uncased-vocab.txt"


@pytest.fixture(scope="module")
def vocab_file(shared_data):
    return os.path.join(shared_data, VOCAB_REL)


@pytest.fixture(scope="module")
def bert_dir(vocab_file, tmp_path_factory):
    """tokenizer.json + vocab.txt + tokenizer_config.json, as transformers saves bert-base-uncased."""
    d = tmp_path_factory.mktemp("bert-base-uncased")
    BertTokenizerFast(vocab_file=vocab_file).save_pretrained(str(d))
    return str(d)


def byte_offsets(text, char_offsets):
    """HF's Python offsets count characters; splade's count UTF-8 bytes."""
    pos = [0]
    for ch in text:
        pos.append(pos[-1] + len(ch.encode("utf-8")))
    return [[pos[b], pos[e]] for b, e in char_offsets]


def splade_json(splade_bin, tmp_path, source_args, texts, *extra):
    """Runs `splade tokenize --json` once over all texts (JSON lines in, JSON lines out)."""
    inp = tmp_path / "in.jsonl"
    with open(inp, "w", encoding="utf-8") as f:
        for i, t in enumerate(texts):
            f.write(json.dumps({"id": str(i), "text": t}) + "\n")
    out = tmp_path / "out.jsonl"
    run_splade(splade_bin, "tokenize", *source_args, "--input", str(inp), "--output", str(out), "--json",
               "--threads", "0", *extra)
    with open(out, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    assert [r["id"] for r in rows] == [str(i) for i in range(len(texts))]
    return rows


def compare(texts, hf_encodings, rows, what):
    bad = []
    for t, e, r in zip(texts, hf_encodings, rows):
        if r["ids"] != e.ids or r["offsets"] != byte_offsets(t, e.offsets):
            bad.append((t, e.ids, byte_offsets(t, e.offsets), r["ids"], r["offsets"]))
    detail = "\n".join(f"{t!r}\n  hf   {i} {o}\n  ours {ri} {ro}" for t, i, o, ri, ro in bad[:5])
    assert not bad, f"{what}: {len(bad)} of {len(texts)} strings differ from HF tokenizers, e.g.\n{detail}"


def test_parity_on_real_and_adversarial_strings(splade_bin, shared_data, bert_dir, tmp_path):
    texts = real_texts(shared_data) + adversarial_texts()
    assert len(texts) >= 100_000
    hf = Tokenizer.from_file(os.path.join(bert_dir, "tokenizer.json"))
    hf.enable_truncation(max_length=512)
    expected = hf.encode_batch(texts)
    assert any(len(e.ids) == 512 for e in expected), "the corpus should exercise truncation"
    compare(texts, expected, splade_json(splade_bin, tmp_path, ["--model", bert_dir], texts), "tokenizer.json, max 512")


@pytest.mark.parametrize("max_length", [3, 8, 64, 200])
def test_truncation_matches_hf(splade_bin, shared_data, bert_dir, tmp_path, max_length):
    rng = random.Random(max_length)
    texts = rng.sample(real_texts(shared_data), 3000) + adversarial_texts(2000, seed=max_length)
    hf = Tokenizer.from_file(os.path.join(bert_dir, "tokenizer.json"))
    hf.enable_truncation(max_length=max_length)
    rows = splade_json(splade_bin, tmp_path, ["--model", bert_dir], texts, "--max-length", str(max_length))
    compare(texts, hf.encode_batch(texts), rows, f"max_length {max_length}")


def test_anserini_truncation(splade_bin, shared_data, bert_dir, tmp_path):
    """Anserini's SpladeEncoder.java: tokens = [CLS] + pieces; if more than MAX_SEQ_LEN - 2 (510),
    keep the first 510; then append [SEP]: at most 511 ids. Pieces from HF, rule from that source."""
    texts = [t for t in real_texts(shared_data) if len(t) > 1500][:300] + ["a " * 509, "a " * 510, "a " * 511, "x"]
    hf = Tokenizer.from_file(os.path.join(bert_dir, "tokenizer.json"))
    rows = splade_json(splade_bin, tmp_path, ["--model", bert_dir], texts, "--truncation", "anserini")
    longest = 0
    for t, r in zip(texts, rows):
        pieces = hf.encode(t, add_special_tokens=False).ids
        tokens = [101] + pieces
        if len(tokens) > 510:
            tokens = tokens[:510]
        tokens.append(102)
        assert r["ids"] == tokens, t[:80]
        longest = max(longest, len(r["ids"]))
    assert longest == 511


def test_padding_and_batches_via_cli_ids(splade_bin, bert_dir, tmp_path):
    """--ids writes the same ids as --json; the qid column is kept as is."""
    texts = ["hello world", "", "a much longer query about goldfish"]
    inp = tmp_path / "q.tsv"
    inp.write_text("".join(f"q{i}\t{t}\n" for i, t in enumerate(texts)), encoding="utf-8")
    r = run_splade(splade_bin, "tokenize", "--model", bert_dir, "--input", str(inp), "--ids")
    hf = Tokenizer.from_file(os.path.join(bert_dir, "tokenizer.json"))
    want = "".join(f"q{i}\t{' '.join(map(str, hf.encode(t).ids))}\n" for i, t in enumerate(texts))
    assert r.stdout == want


def _char_vocab_tokenizer(path, lowercase, strip_accents, handle_chinese_chars=True, clean_text=True):
    """A WordPiece whose vocabulary holds every character of planes 0-2 (and "##" + it), so each
    normalized character shows in the ids: the most sensitive view of the normalizer."""
    vocab = {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "[MASK]": 4}
    for c in list(range(0x30000)) + list(range(0xE0000, 0xE0080)):
        if not 0xD800 <= c <= 0xDFFF:
            for t in (chr(c), "##" + chr(c)):
                vocab.setdefault(t, len(vocab))
    tk = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]", max_input_chars_per_word=100))
    tk.normalizer = normalizers.BertNormalizer(clean_text=clean_text, handle_chinese_chars=handle_chinese_chars,
                                               strip_accents=strip_accents, lowercase=lowercase)
    tk.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tk.post_processor = processors.TemplateProcessing(single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    os.makedirs(path, exist_ok=True)
    tk.save(os.path.join(path, "tokenizer.json"))
    return tk


@pytest.mark.parametrize("lowercase,strip_accents,chinese,clean,planes", [
    (True, None, True, True, 4), (True, False, True, True, 2), (False, None, False, True, 2),
    (False, True, True, False, 2)])
def test_every_code_point(splade_bin, tmp_path, lowercase, strip_accents, chinese, clean, planes):
    """Each code point of planes 0-3 (0-1 for the non-default settings, to bound the run time)
    and samples of planes 14-16, alone, inside a word, and inside a reordered combining
    sequence, with four normalizer settings (BERT's default first)."""
    tk = _char_vocab_tokenizer(str(tmp_path / "tok"), lowercase, strip_accents, chinese, clean)
    cps = [c for c in range(0x10000 * planes) if not 0xD800 <= c <= 0xDFFF]
    cps += list(range(0xE0000, 0xE1000)) + list(range(0xF0000, 0x110000, 997))
    texts = [f"A{chr(c)}b {chr(c)} e\u0301{chr(c)}\u0323x" for c in cps]
    rows = splade_json(splade_bin, tmp_path, ["--model", str(tmp_path / "tok")], texts, "--truncation", "none",
                       "--no-special-tokens")
    compare(texts, tk.encode_batch(texts, add_special_tokens=False), rows, "every code point")


def test_loaders_agree_with_transformers(splade_bin, shared_data, vocab_file, tmp_path):
    """vocab.txt alone, vocab.txt + tokenizer_config.json (cased, no CJK splitting), and
    tokenizer.json: each against transformers' BertTokenizerFast built from the same settings."""
    rng = random.Random(7)
    texts = rng.sample(real_texts(shared_data), 2000) + adversarial_texts(3000, seed=7)
    vocab_only = tmp_path / "vocab-only"
    vocab_only.mkdir()
    (vocab_only / "vocab.txt").write_bytes(open(vocab_file, "rb").read())
    cased = tmp_path / "cased"
    BertTokenizerFast(vocab_file=vocab_file, do_lower_case=False, tokenize_chinese_chars=False,
                      model_max_length=128).save_pretrained(str(cased))
    os.remove(cased / "tokenizer.json")  # force the vocab.txt + tokenizer_config.json path
    extra = tmp_path / "extra-special"
    BertTokenizerFast(vocab_file=vocab_file, additional_special_tokens=["[unused1]"]).save_pretrained(str(extra))
    os.remove(extra / "tokenizer.json")  # added_tokens_decoder in tokenizer_config.json carries [unused1]
    texts += ["a[unused1]b", "[unused1] [UNUSED1] [unused10]", "x [unused1][MASK]y"]
    cases = [
        (["--vocab", vocab_file], BertTokenizerFast(vocab_file=vocab_file), 512),
        (["--model", str(vocab_only)], BertTokenizerFast(vocab_file=vocab_file), 512),
        (["--model", str(cased)], BertTokenizerFast(vocab_file=vocab_file, do_lower_case=False,
                                                    tokenize_chinese_chars=False), 128),
        (["--model", str(extra)], BertTokenizerFast(vocab_file=vocab_file, additional_special_tokens=["[unused1]"]), 512),
    ]
    for args, hf, max_length in cases:
        sub = tmp_path / ("run" + str(abs(hash(tuple(args)))))
        sub.mkdir()
        rows = splade_json(splade_bin, sub, args, texts)
        enc = hf(texts, truncation=True, max_length=max_length, return_offsets_mapping=True)
        for i, (t, r) in enumerate(zip(texts, rows)):
            assert r["ids"] == enc["input_ids"][i], (args, t)
            assert r["offsets"] == byte_offsets(t, enc["offset_mapping"][i]), (args, t)


def test_invalid_utf8_reads_as_replacement_characters(splade_bin, bert_dir, tmp_path):
    """Ill-formed UTF-8 must tokenize as Python's decode("utf-8", "replace") does (one U+FFFD per
    maximal subpart), with offsets into the original bytes, and be counted on stderr."""
    spans = []

    def record(err):
        spans.append((err.start, err.end))
        return ("\ufffd", err.end)

    codecs.register_error("splade-record", record)
    rng = random.Random(3)
    pieces = [b"caf\xc3\xa9", b"\xff", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\xf0\x9f\x98", b"\xf4\x90\x80\x80",
              b"\xc0\xaf", b"\x80\x80", b"word", b" ", b"\xe4\xb8\xad", b"[MASK]", b"\xe0\x80\xaf", b"\xf8\x88\x80\x80\x80"]
    lines = [b"".join(rng.choice(pieces) for _ in range(rng.randint(1, 12))) for _ in range(3000)]
    inp = tmp_path / "bad.tsv"
    inp.write_bytes(b"".join(b"%d\t" % i + line + b"\n" for i, line in enumerate(lines)))
    r = run_splade(splade_bin, "tokenize", "--model", bert_dir, "--input", str(inp), "--json")
    rows = [json.loads(x) for x in r.stdout.splitlines()]
    hf = Tokenizer.from_file(os.path.join(bert_dir, "tokenizer.json"))
    total_invalid = 0
    for line, row in zip(lines, rows):
        spans.clear()
        text = line.decode("utf-8", "splade-record")
        total_invalid += len(spans)
        # Byte position of each character of the decoded text, in the original bytes.
        starts, pos, k = [], 0, 0
        for ch in text:
            if k < len(spans) and spans[k][0] == pos and ch == "\ufffd":
                starts.append(pos)
                pos = spans[k][1]
                k += 1
            else:
                starts.append(pos)
                pos += len(ch.encode("utf-8"))
        starts.append(pos)
        e = hf.encode(text)
        want = [[starts[b], starts[en]] if (b, en) != (0, 0) else [0, 0] for b, en in e.offsets]
        assert row["ids"] == e.ids, line
        assert row["offsets"] == want, line
    assert total_invalid > 0
    assert f"{total_invalid} ill-formed UTF-8 sequence(s)" in r.stderr


def test_unsupported_component_is_named(splade_bin, bert_dir, tmp_path):
    with open(os.path.join(bert_dir, "tokenizer.json"), encoding="utf-8") as f:
        j = json.load(f)
    j["normalizer"] = {"type": "Sequence", "normalizers": [{"type": "NFKC"}]}
    d = tmp_path / "bad"
    d.mkdir()
    (d / "tokenizer.json").write_text(json.dumps(j), encoding="utf-8")
    (d / "q.tsv").write_text("1\thello\n", encoding="utf-8")
    r = subprocess.run([splade_bin, "tokenize", "--model", str(d), "--input", str(d / "q.tsv")], capture_output=True,
                       text=True)
    assert r.returncode == 2
    assert "normalizer.type 'Sequence'" in r.stderr
