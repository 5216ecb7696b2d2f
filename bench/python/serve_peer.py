"""The peer of bench/serve_load.sh: the SPLADE server a user would write in Python, FastAPI +
uvicorn around onnxruntime and the Hugging Face tokenizer, serving TEI's /embed_sparse shape
from the same model.onnx `splade serve` serves (its [batch, vocab] pooled output).

    python serve_peer.py MODEL_DIR PORT [THREADS]

One ONNX Runtime session, shared by FastAPI's thread pool (a sync endpoint: onnxruntime's Run
is thread-safe and releases the GIL), each request run as its own batch, as such servers do.
"""
import sys

import numpy as np
import onnxruntime as ort
import uvicorn
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel
from tokenizers import Tokenizer

model_dir, port = sys.argv[1], int(sys.argv[2])
threads = int(sys.argv[3]) if len(sys.argv) > 3 else 0

options = ort.SessionOptions()
options.intra_op_num_threads = threads
session = ort.InferenceSession(f"{model_dir}/model.onnx", options, providers=["CPUExecutionProvider"])
input_names = {i.name for i in session.get_inputs()}
tokenizer = Tokenizer.from_file(f"{model_dir}/tokenizer.json")
tokenizer.enable_truncation(512)
tokenizer.enable_padding()

app = FastAPI()


class EmbedSparseRequest(BaseModel):
    inputs: str | list[str]
    truncate: bool = False


@app.get("/health")
def health():
    return None


@app.post("/embed_sparse")
def embed_sparse(request: EmbedSparseRequest):
    texts = [request.inputs] if isinstance(request.inputs, str) else request.inputs
    if not texts or any(not t for t in texts):
        raise HTTPException(status_code=400, detail="`inputs` cannot be empty")
    encodings = tokenizer.encode_batch(texts)
    feed = {
        "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
        "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
        "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
    }
    pooled = session.run(None, {k: v for k, v in feed.items() if k in input_names})[0]  # [batch, vocab] float32
    out = []
    for row in pooled:
        nz = np.flatnonzero(row > 0)
        out.append([{"index": int(i), "value": float(row[i])} for i in nz])
    return out


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
