#!/usr/bin/env python3
"""The seed's conversion path, for the side-by-side benchmark: anserini's
src/main/python/onnx/splade_to_onnx.py (AutoModelForMaskedLM wrapped in
SpladeExportWrapper, torch.onnx.export opset 14 with constant folding and dynamic axes)
followed by convert_hf_model_to_onnx.py's metadata step (model_type, num_heads,
hidden_size) and its vocab.txt export (tokens sorted by id).

  seed_splade_export.py MODEL_DIR OUT_DIR
"""
import os
import sys

import onnx
import torch
from transformers import AutoModelForMaskedLM, AutoTokenizer


sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
from seed_reference import SpladeExportWrapper  # noqa: E402  (the seed's wrapper, verbatim)


def main():
    model_dir, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForMaskedLM.from_pretrained(model_dir)
    model.eval()
    wrapper = SpladeExportWrapper(model)
    enc = tokenizer("what is AI?", return_tensors="pt")
    tt = enc.get("token_type_ids", torch.zeros_like(enc["input_ids"]))
    path = os.path.join(out_dir, "model.onnx")
    with torch.no_grad():
        torch.onnx.export(wrapper, (enc["input_ids"], enc["attention_mask"], tt), path,
                          input_names=["input_ids", "attention_mask", "token_type_ids"],
                          output_names=["output_idx", "output_weights"],
                          dynamic_axes={"input_ids": {0: "batch_size", 1: "sequence"},
                                        "attention_mask": {0: "batch_size", 1: "sequence"},
                                        "token_type_ids": {0: "batch_size", 1: "sequence"},
                                        "output_idx": {0: "num_nonzero"}, "output_weights": {0: "num_nonzero"}},
                          do_constant_folding=True, opset_version=14)
    m = onnx.load(path)
    cfg = model.config
    for k, v in (("model_type", cfg.model_type), ("num_heads", str(cfg.num_attention_heads)),
                 ("hidden_size", str(cfg.hidden_size))):
        p = m.metadata_props.add()
        p.key, p.value = k, v
    onnx.save(m, path)
    with open(os.path.join(out_dir, "vocab.txt"), "w", encoding="utf-8") as f:
        for token, _ in sorted(tokenizer.get_vocab().items(), key=lambda x: x[1]):
            f.write(token + "\n")


if __name__ == "__main__":
    main()
