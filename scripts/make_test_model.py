#!/usr/bin/env python3
"""Makes a random-weight Hugging Face model directory in the real formats, and optionally
its ONNX export by the seed's own torch.onnx.export paths.

No trained weights can be downloaded here, so tests and the demo use models made by this
script: transformers' save_pretrained (config.json, model.safetensors and/or
pytorch_model.bin, tokenizer.json, vocab.txt, tokenizer_config.json), with the
bert-base-uncased vocabulary from ../shared/data. LayerNorm weights are perturbed so that
exporters cannot fold them away (see shared/docs/reference-onnxruntime.md).

  make_test_model.py OUT_DIR [--arch bert|distilbert] [--size tiny|base] [--seed N]
                     [--weights safetensors|bin|both] [--dtype float32|float16|bfloat16]
                     [--untied] [--export-onnx hidden|splade|pooled|logits] [--opset 14]
                     [--max-shard-size 2MB]  (sharded weights with an index.json)
                     [--decoder-bias B]

--export-onnx hidden: convert_hf_model_to_onnx.py's export (AutoModel, last_hidden_state,
  dynamic axes, metadata model_type/num_heads/hidden_size) -> OUT_DIR/model.onnx
--export-onnx splade: splade_to_onnx.py's SpladeExportWrapper (output_idx, output_weights).
--export-onnx pooled: the same SPLADE math, batched: output "sparse_vector" [batch, vocab].
--export-onnx logits: the MLM itself (input_ids, attention_mask[, token_type_ids] -> logits).
--decoder-bias B: every MLM decoder bias set to B. Random weights give logits of std ~0.56, so
  SPLADE vectors of about half the vocabulary; B = -2 leaves ~39 non-zero terms a MS MARCO
  query on BERT-base, as a trained SPLADE has (what a server's answers weigh, bench/serve_load.sh).
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_VOCAB = os.path.join(HERE, "..", "..", "shared", "data", "vocab", "bert-base-uncased-vocab.txt")

SIZES = {
    # hidden, layers, heads, intermediate
    "tiny": (64, 2, 2, 256),
    "small": (256, 4, 4, 1024),
    "base": (768, 12, 12, 3072),
}


def build(args):
    import torch
    import transformers

    torch.manual_seed(args.seed)
    hidden, layers, heads, inter = SIZES[args.size]
    vocab_size = sum(1 for _ in open(args.vocab, encoding="utf-8"))
    if args.arch == "bert":
        config = transformers.BertConfig(
            vocab_size=vocab_size, hidden_size=hidden, num_hidden_layers=layers, num_attention_heads=heads,
            intermediate_size=inter, hidden_act=args.hidden_act, tie_word_embeddings=not args.untied)
        model = transformers.BertForMaskedLM(config)
    else:
        config = transformers.DistilBertConfig(
            vocab_size=vocab_size, dim=hidden, n_layers=layers, n_heads=heads, hidden_dim=inter,
            activation=args.hidden_act, tie_word_embeddings=not args.untied)
        model = transformers.DistilBertForMaskedLM(config)
    model.eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "LayerNorm" in name or "layer_norm" in name:
                p.add_(torch.randn_like(p) * 0.1)
            elif name.endswith("bias"):
                p.add_(torch.randn_like(p) * 0.02)
    return model


def export_onnx(model, args, tokenizer):
    import onnx
    import torch
    from torch import nn

    out = os.path.join(args.out, "model.onnx")
    enc = tokenizer("what is AI?", return_tensors="pt")
    cfg = model.config
    if args.export_onnx == "hidden":
        base = model.base_model
        names = list(enc.keys()) if args.arch == "bert" else ["input_ids", "attention_mask"]
        inputs = tuple(enc[n] for n in names)
        axes = {n: {0: "batch_size", 1: "sequence"} for n in names + ["last_hidden_state"]}
        torch.onnx.export(base, inputs, out, input_names=names, output_names=["last_hidden_state"],
                          dynamic_axes=axes, do_constant_folding=True, opset_version=args.opset)
    elif args.export_onnx == "pooled":
        class PooledWrapper(nn.Module):
            # The seed's SPLADE pooling without the nonzero step: [batch, vocab].
            def __init__(self, m):
                super().__init__()
                self.m = m

            def forward(self, input_ids, attention_mask, token_type_ids):
                kwargs = {"input_ids": input_ids, "attention_mask": attention_mask}
                if args.arch == "bert":
                    kwargs["token_type_ids"] = token_type_ids
                logits = self.m(**kwargs).logits
                return torch.max(torch.log1p(torch.relu(logits)) * attention_mask.unsqueeze(-1), dim=1).values

        names = ["input_ids", "attention_mask", "token_type_ids"]
        tt = enc.get("token_type_ids", torch.zeros_like(enc["input_ids"]))
        out_name = "sparse_vector"
        axes = {n: {0: "batch_size", 1: "sequence"} for n in names}
        axes[out_name] = {0: "batch_size"}
        torch.onnx.export(PooledWrapper(model), (enc["input_ids"], enc["attention_mask"], tt), out,
                          input_names=names, output_names=[out_name], dynamic_axes=axes,
                          do_constant_folding=True, opset_version=args.opset)
    elif args.export_onnx == "logits":
        # Positional order of BertForMaskedLM/DistilBertForMaskedLM.forward.
        names = ["input_ids", "attention_mask"] + (["token_type_ids"] if args.arch == "bert" else [])
        tt = enc.get("token_type_ids", torch.zeros_like(enc["input_ids"]))
        feeds = {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"], "token_type_ids": tt}
        axes = {n: {0: "batch_size", 1: "sequence"} for n in names + ["logits"]}
        torch.onnx.export(model, tuple(feeds[n] for n in names), out, input_names=names, output_names=["logits"],
                          dynamic_axes=axes, do_constant_folding=True, opset_version=args.opset)
    else:
        from seed_reference import SpladeExportWrapper  # the seed's wrapper, verbatim

        names = ["input_ids", "attention_mask", "token_type_ids"]
        tt = enc.get("token_type_ids", torch.zeros_like(enc["input_ids"]))
        torch.onnx.export(SpladeExportWrapper(model), (enc["input_ids"], enc["attention_mask"], tt), out,
                          input_names=names, output_names=["output_idx", "output_weights"],
                          dynamic_axes={"input_ids": {0: "batch_size", 1: "sequence"},
                                        "attention_mask": {0: "batch_size", 1: "sequence"},
                                        "token_type_ids": {0: "batch_size", 1: "sequence"},
                                        "output_idx": {0: "num_nonzero"}, "output_weights": {0: "num_nonzero"}},
                          do_constant_folding=True, opset_version=args.opset)
    m = onnx.load(out)
    heads = getattr(cfg, "num_attention_heads", getattr(cfg, "n_heads", 0))
    hidden = getattr(cfg, "hidden_size", getattr(cfg, "dim", 0))
    for k, v in (("model_type", cfg.model_type), ("num_heads", str(heads)), ("hidden_size", str(hidden))):
        p = m.metadata_props.add()
        p.key, p.value = k, v
    onnx.save(m, out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--arch", choices=["bert", "distilbert"], default="bert")
    ap.add_argument("--size", choices=sorted(SIZES), default="tiny")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--weights", choices=["safetensors", "bin", "both"], default="both")
    ap.add_argument("--dtype", choices=["float32", "float16", "bfloat16"], default="float32")
    ap.add_argument("--hidden-act", default="gelu")
    ap.add_argument("--untied", action="store_true", help="untied MLM decoder weights")
    ap.add_argument("--max-shard-size", help="save_pretrained's max_shard_size, e.g. 2MB (sharded weights)")
    ap.add_argument("--vocab", default=DEFAULT_VOCAB)
    ap.add_argument("--export-onnx", choices=["hidden", "splade", "pooled", "logits"])
    ap.add_argument("--decoder-bias", type=float, help="set every MLM decoder bias to this (sparser vectors)")
    ap.add_argument("--opset", type=int, default=14)
    args = ap.parse_args()

    import torch
    import transformers

    os.makedirs(args.out, exist_ok=True)
    model = build(args)
    if args.decoder_bias is not None:
        head_bias = model.cls.predictions.bias if args.arch == "bert" else model.vocab_projector.bias
        with torch.no_grad():
            head_bias.fill_(args.decoder_bias)
    tokenizer = transformers.BertTokenizerFast(vocab_file=args.vocab, do_lower_case=True)
    tokenizer.save_pretrained(args.out)
    dtype = getattr(torch, args.dtype)
    to_save = model.to(dtype) if dtype != torch.float32 else model
    shard = {"max_shard_size": args.max_shard_size} if args.max_shard_size else {}
    if args.weights in ("safetensors", "both"):
        to_save.save_pretrained(args.out, safe_serialization=True, **shard)
    if args.weights in ("bin", "both"):
        to_save.save_pretrained(args.out, safe_serialization=False, **shard)
    if args.export_onnx:
        export_onnx(model.float(), args, tokenizer)
    print(f"wrote {args.arch}/{args.size} random-weight model to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
