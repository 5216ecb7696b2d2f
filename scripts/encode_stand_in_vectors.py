#!/usr/bin/env python3
"""SPLADE vectors of a collection, computed with PyTorch + transformers from a Hugging Face
masked-LM model: the stand-in vector source of the regressions until `splade encode` exists,
and the input both Anserini and splade consume identically.

  encode_stand_in_vectors.py --model DIR --corpus corpus.jsonl --topics topics.tsv --out DIR

Math (Anserini's splade_to_onnx.py and SPLADE's own): HF tokenizer ([CLS] ... [SEP], truncated
to 512), w = max over tokens of log1p(relu(logits)) * attention_mask, per vocabulary term;
ids 0, 101, 102 ([PAD], [CLS], [SEP]) skipped as Anserini's encoder does; integer impacts
round(w / 5 * 256), with Python's round (banker's) for documents, as Pyserini's encoded corpora
are made, and Java's Math.round (half up) for queries, as Anserini's query encoder does; terms
whose impact is 0 are dropped.

Writes OUT/corpus/vectors.jsonl ({"id", "contents", "vector": {token: int}}, Anserini's
JsonVectorCollection, in corpus order) and OUT/queries.tsv (qid<TAB>each token repeated by its
weight, Anserini's pre-encoded query format, in topics order); each written to a temporary name
and renamed.
"""
import argparse
import json
import math
import os

SKIP_IDS = (0, 101, 102)


def encode(model, tokenizer, texts, batch_size=8, chunk=64):
    """Per text, [(vocab id, w)] for w > 0. The MLM logits [tokens, vocab] are never held whole:
    the decoder runs on chunks of `chunk` tokens and only their running maximum is kept, since
    max_t log1p(relu(x_t)) == log1p(relu(max_t x_t)) exactly (monotone functions commute with max,
    also in floating point), and padded positions are never looked at (the mask of the original
    formula only zeroes them)."""
    import torch
    head = model.cls.predictions
    weight, bias = head.decoder.weight, head.bias  # [vocab, hidden], [vocab]
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = [None] * len(texts)
    with torch.no_grad():
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            enc = tokenizer([texts[i] for i in idx], padding=True, truncation=True, max_length=512, return_tensors="pt")
            hidden = head.transform(model.bert(**enc).last_hidden_state)  # [batch, seq, hidden] float32
            lengths = enc["attention_mask"].sum(dim=1).tolist()
            for row, i in enumerate(idx):
                best = None
                for c in range(0, lengths[row], chunk):
                    x = torch.addmm(bias, hidden[row, c:min(lengths[row], c + chunk)], weight.t()).max(dim=0).values
                    best = x if best is None else torch.maximum(best, x)
                w = torch.log1p(torch.relu(best))
                w[list(SKIP_IDS)] = 0
                nz = torch.nonzero(w).flatten().tolist()
                out[i] = [(t, float(w[t])) for t in nz]
    return out


def quantize(weights, vocab, half_up):
    vec = {}
    for t, w in weights:
        x = w / 5 * 256
        q = math.floor(x + 0.5) if half_up else round(x)
        if q > 0:
            vec[vocab[t]] = int(q)
    return vec


def write_atomically(path, lines):
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        for line in lines:
            f.write(line + "\n")
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--topics", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    import torch
    import transformers
    torch.set_num_threads(args.threads)
    model = transformers.BertForMaskedLM.from_pretrained(args.model).eval()  # BERT: the head is read directly
    tokenizer = transformers.AutoTokenizer.from_pretrained(args.model)
    vocab = {i: t for t, i in tokenizer.get_vocab().items()}

    with open(args.corpus, encoding="utf-8") as f:
        docs = [json.loads(line) for line in f]
    with open(args.topics, encoding="utf-8") as f:
        topics = [line.rstrip("\n").split("\t", 1) for line in f if line.strip()]

    os.makedirs(os.path.join(args.out, "corpus"), exist_ok=True)
    doc_weights = encode(model, tokenizer, [d["contents"] for d in docs])
    write_atomically(os.path.join(args.out, "corpus", "vectors.jsonl"),
                     (json.dumps({"id": d["id"], "contents": d["contents"], "vector": quantize(w, vocab, False)},
                                 ensure_ascii=False) for d, w in zip(docs, doc_weights)))
    query_weights = encode(model, tokenizer, [text for _, text in topics])
    lines = []
    for (qid, _), w in zip(topics, query_weights):
        vec = quantize(w, vocab, True)
        lines.append(qid + "\t" + " ".join(" ".join([tok] * n) for tok, n in sorted(vec.items())))
    write_atomically(os.path.join(args.out, "queries.tsv"), lines)


if __name__ == "__main__":
    main()
