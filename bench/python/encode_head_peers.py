#!/usr/bin/env python3
"""The peers of `splade encode` for documents, as their users run them, on the same model,
documents, batch size and threads (bench/encode_head.sh):

  encode_head_peers.py fastembed MODEL_DIR DOCS.jsonl BATCH THREADS
      fastembed's SPLADE path: SparseTextEmbedding (SpladePP) on a local logits model.onnx:
      onnxruntime, then numpy log1p(relu(logits)) * mask, max over tokens.
  encode_head_peers.py sentence-transformers HF_DIR DOCS.jsonl BATCH THREADS
      sentence-transformers SparseEncoder (MLMTransformer + SpladePooling max, activation "relu":
      SPLADE's log1p(relu(x)); its "log1p_relu" would apply log1p twice),
      PyTorch (Debian's CPU build), encode(..., batch_size=BATCH).
  encode_head_peers.py pytorch HF_DIR DOCS.jsonl BATCH THREADS
      Pyserini-style: transformers BertForMaskedLM + the seed's SPLADE pooling, torch.no_grad.

Prints one JSON object: documents, loop seconds (model loaded), documents/s of the loop, and
the mean number of non-zero terms (a check that real vectors came out).
"""
import json
import sys
import time


def docs(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line)["contents"] for line in f]


def fastembed_run(model_dir, texts, batch, threads):
    from fastembed import SparseTextEmbedding
    model = SparseTextEmbedding(model_name="prithivida/Splade_PP_en_v1", specific_model_path=model_dir,
                                threads=threads)
    t0 = time.monotonic()
    out = list(model.embed(texts, batch_size=batch))
    return time.monotonic() - t0, sum(len(e.indices) for e in out) / len(out)


def sentence_transformers_run(hf_dir, texts, batch, threads):
    import torch
    torch.set_num_threads(threads)
    from sentence_transformers import SparseEncoder
    from sentence_transformers.sparse_encoder.models import MLMTransformer, SpladePooling
    model = SparseEncoder(modules=[MLMTransformer(hf_dir), SpladePooling(pooling_strategy="max",
                                                                         activation_function="relu")],
                          device="cpu")
    t0 = time.monotonic()
    emb = model.encode(texts, batch_size=batch, convert_to_tensor=True)
    elapsed = time.monotonic() - t0
    return elapsed, float((emb.to_dense() > 0).sum()) / len(texts)


def pytorch_run(hf_dir, texts, batch, threads):
    import torch
    import transformers
    torch.set_num_threads(threads)
    tok = transformers.AutoTokenizer.from_pretrained(hf_dir)
    model = transformers.AutoModelForMaskedLM.from_pretrained(hf_dir).eval()
    t0 = time.monotonic()
    nnz = 0
    with torch.no_grad():
        for i in range(0, len(texts), batch):
            enc = tok(texts[i:i + batch], truncation=True, max_length=512, padding=True, return_tensors="pt")
            logits = model(**enc).logits
            w = torch.max(torch.log1p(torch.relu(logits)) * enc["attention_mask"].unsqueeze(-1), dim=1).values
            nnz += int((w > 0).sum())
    return time.monotonic() - t0, nnz / len(texts)


def main():
    peer, model, path, batch, threads = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    texts = docs(path)
    run = {"fastembed": fastembed_run, "sentence-transformers": sentence_transformers_run, "pytorch": pytorch_run}[peer]
    seconds, nnz = run(model, texts, batch, threads)
    print(json.dumps({"peer": peer, "model": model, "documents": len(texts), "loop_s": seconds, "docs_per_s": len(texts) / seconds,
                      "mean_nonzero": nnz}))


if __name__ == "__main__":
    main()
