#!/usr/bin/env python3
"""ONNX Runtime's SkipLayerNormalization beside Add + Add + LayerNormalization, the same
arithmetic, on one [1, 320, 768] float input (BERT-base hidden, 32 queries of 10 tokens):

  skip_layer_norm_ort.py make DIR      (needs onnx: the test venv) writes DIR/skip_ln.onnx, DIR/add_ln.onnx
  skip_layer_norm_ort.py time DIR      (any onnxruntime) prints us a Run of each, one thread,
                                       and the largest difference of their outputs

bench/skip_layer_norm.sh runs `time` under onnxruntime 1.20.1 (.venv) and 1.30.0 (.venv-bench,
the version splade.cpp links).
"""
import sys
import time

import numpy as np

TOKENS, HIDDEN = 320, 768


def make(out_dir):
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    rng = np.random.default_rng(1)
    inits = [numpy_helper.from_array(rng.random(HIDDEN, dtype=np.float32), n) for n in ("gamma", "beta", "bias")]
    io = [helper.make_tensor_value_info(n, TensorProto.FLOAT, [1, TOKENS, HIDDEN]) for n in ("x", "skip", "y")]
    graphs = {
        "skip_ln": [helper.make_node("SkipLayerNormalization", ["x", "skip", "gamma", "beta", "bias"], ["y"],
                                     domain="com.microsoft", epsilon=1e-12)],
        # SkipLayerNormalization's sum is (input + skip) + bias, then the layer norm.
        "add_ln": [helper.make_node("Add", ["x", "skip"], ["sum"]), helper.make_node("Add", ["sum", "bias"], ["biased"]),
                   helper.make_node("LayerNormalization", ["biased", "gamma", "beta"], ["y"], axis=-1, epsilon=1e-12)],
    }
    for name, nodes in graphs.items():
        model = helper.make_model(helper.make_graph(nodes, name, io[:2], io[2:], inits),
                                  opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)])
        model.ir_version = 8
        onnx.save(model, f"{out_dir}/{name}.onnx")


def time_both(in_dir):
    import onnxruntime as ort
    rng = np.random.default_rng(0)
    feed = {"x": rng.random((1, TOKENS, HIDDEN), dtype=np.float32), "skip": rng.random((1, TOKENS, HIDDEN), dtype=np.float32)}
    outputs = []
    for name in ("skip_ln", "add_ln"):
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        session = ort.InferenceSession(f"{in_dir}/{name}.onnx", options, providers=["CPUExecutionProvider"])
        for _ in range(20):
            session.run(None, feed)
        best = float("inf")
        for _ in range(5):
            t0 = time.perf_counter()
            for _ in range(100):
                out = session.run(None, feed)[0]
            best = min(best, (time.perf_counter() - t0) / 100 * 1e6)
        outputs.append(out)
        print(f"onnxruntime {ort.__version__}: {name} {best:.1f} us a Run (best of 5 x 100)")
    print(f"onnxruntime {ort.__version__}: max |skip_ln - add_ln| = {np.abs(outputs[0] - outputs[1]).max():.3g}")


if __name__ == "__main__":
    {"make": make, "time": time_both}[sys.argv[1]](sys.argv[2])
