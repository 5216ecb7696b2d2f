#!/usr/bin/env python3
"""Makes the random-weight SPLADE model of the small-collection regressions (regressions/*.yaml):
scripts/make_test_model.py's tiny BERT (real bert-base-uncased vocabulary, save_pretrained
formats), with its MLM head made sparse the way trained SPLADE heads are. A random head gives
logits of std ~0.16 around 0, so log1p(relu(.)) is positive for nearly every one of the 30,522
terms; here the head's LayerNorm output is scaled by --head-scale and every term's bias is set to
--head-bias, which leaves on average 170-460 terms per document and 65-280 per query (the four small
collections) with integer weights
round(w/5*256) of 1..~110. Still a plain BertForMaskedLM: every tool that reads HF models reads it.

  make_regression_model.py OUT_DIR [--seed 1234] [--head-scale 25] [--head-bias -15]
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--head-scale", type=float, default=25.0)
    ap.add_argument("--head-bias", type=float, default=-15.0)
    args = ap.parse_args()

    subprocess.run([sys.executable, os.path.join(HERE, "make_test_model.py"), args.out, "--arch", "bert", "--size", "tiny",
                    "--seed", str(args.seed), "--weights", "safetensors"], check=True)
    import torch
    import transformers

    model = transformers.BertForMaskedLM.from_pretrained(args.out).eval()
    head = model.cls.predictions
    with torch.no_grad():
        head.transform.LayerNorm.weight.mul_(args.head_scale)
        head.transform.LayerNorm.bias.mul_(args.head_scale)
        head.bias.fill_(args.head_bias)  # tied to decoder.bias
    model.save_pretrained(args.out, safe_serialization=True)
    print(f"sparse MLM head: scale {args.head_scale}, bias {args.head_bias} -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
