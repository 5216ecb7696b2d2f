"""splade.cpp from Python: SPLADE encoding, impact indexing, search and evaluation in C++.

    from splade_cpp import SparseEncoder, Index, Searcher, evaluate
    encoder = SparseEncoder("models/splade-tiny-onnx")          # a `splade convert` directory
    docs = encoder.encode_document(["a passage", "another one"])  # [SparseEmbedding]
    index = Index.build(((str(i), d.as_impacts()) for i, d in enumerate(docs)), "idx")
    hits = Searcher(index, encoder).search("a question", k=10)   # HitList of Hit(docid, score)

Names and shapes follow the libraries SPLADE users know: sentence-transformers'
SparseEncoder (encode_query / encode_document / decode), fastembed's SparseEmbedding
(indices, values, as_dict) and Pyserini's searchers (search, batch_search -> {qid: [hits]}).
Every call that encodes, indexes, searches or evaluates releases the GIL.
"""
from __future__ import annotations

import json
import os
from typing import Iterable, Mapping, Optional, Sequence, Union

import numpy as np

from . import _core
from ._core import Error

__version__: str = _core.version()
__all__ = ["Error", "SparseEmbedding", "SparseEncoder", "Index", "Searcher", "Hit", "HitList", "evaluate", "to_scipy",
           "convert", "optimize", "quantize", "inspect", "__version__"]

PathLike = Union[str, "os.PathLike[str]"]


def _impact(weight: float) -> int:
    """Anserini's quantization of a SPLADE weight, as `splade encode` writes it: round(w / 5 * 256)."""
    x = np.float32(weight) / np.float32(5) * np.float32(256)
    f = np.floor(x)
    return int(f + 1 if x - f >= np.float32(0.5) else f)


def convert(model_dir: PathLike, out_dir: PathLike, head: str = "splade-pooled", validate: bool = True) -> dict:
    """`splade convert`: a Hugging Face checkpoint (BertForMaskedLM, DistilBERT, a
    sentence-transformers SparseEncoder directory) into OUT_DIR (model.onnx + tokenizer files),
    validated against the reference forward pass unless validate=False. Returns the report."""
    return _core.convert(os.fspath(model_dir), os.fspath(out_dir), head, validate)


def optimize(model: PathLike, output: PathLike, verify: bool = True) -> dict:
    """`splade optimize`: ONNX Runtime's transformer fusions done in C++ (attention, layer norms,
    GELU, the pool-first head), verified against the input with ORT unless verify=False."""
    return _core.optimize(os.fspath(model), os.fspath(output), verify)


def quantize(model: PathLike, output: PathLike, target: str = "portable", per_channel: bool = True,
             fp16: bool = False) -> dict:
    """`splade quantize` (without its fidelity report): dynamic int8 for the CPUs `target` names
    ("portable", "avx2", "avx512", "avx512-vnni", "arm64"), or fp16 weights with fp16=True."""
    return _core.quantize(os.fspath(model), os.fspath(output), target, per_channel, fp16)


def inspect(path: PathLike) -> dict:
    """The report of `splade inspect --json`: inputs, outputs, operators, initializers, int8
    format, whether ONNX Runtime loads it."""
    return json.loads(_core.inspect_json(os.fspath(path)))


class SparseEmbedding:
    """One SPLADE vector: `indices` (numpy uint32 vocabulary ids, ascending) and `values`
    (numpy float32 weights), as fastembed's SparseEmbedding."""

    __slots__ = ("indices", "values", "_vocabulary")

    def __init__(self, indices: np.ndarray, values: np.ndarray, vocabulary: Sequence[str]):
        self.indices = indices
        self.values = values
        self._vocabulary = vocabulary

    def as_dict(self) -> dict[str, float]:
        """{token: weight}, in vocabulary-id order."""
        return {self._vocabulary[i]: float(w) for i, w in zip(self.indices.tolist(), self.values.tolist())}

    def as_impacts(self) -> dict[str, int]:
        """{token: integer impact} as `splade encode` writes it (weights that quantize to 0 dropped)."""
        out = {}
        for i, w in zip(self.indices.tolist(), self.values.tolist()):
            impact = _impact(w)
            if impact > 0:
                out[self._vocabulary[i]] = impact
        return out

    def __len__(self) -> int:
        return len(self.indices)

    def __repr__(self) -> str:
        return f"SparseEmbedding({len(self)} terms)"


class SparseEncoder:
    """A SPLADE model directory (`splade convert` / `optimize` / `quantize` output, or any
    model.onnx + tokenizer files splade.cpp reads) opened for encoding.

    threads: ONNX Runtime's and the fused head's threads (0: one per core); max_length: tokens
    a text is cut to (None: the tokenizer's model_max_length); truncation: "hf" or "anserini"
    (510 pieces + [CLS] + [SEP]); fused_head: the head computed by splade.cpp's kernels (False:
    the graph as written); mmap: ONNX Runtime may map the weights from model.onnx, which must then
    be replaced by rename, never overwritten in place, while the encoder is open (False: the
    weights are held in memory; loading peaks higher; the CLI's --no-mmap)."""

    def __init__(self, model_dir: PathLike, *, threads: int = 0, max_length: Optional[int] = None,
                 truncation: str = "hf", fused_head: bool = True, mmap: bool = True):
        self._encoder = _core._Encoder(os.fspath(model_dir), threads, max_length, truncation, fused_head, mmap)
        self._vocabulary = self._encoder.vocabulary()

    @property
    def fused_head(self) -> bool:
        return self._encoder.fused_head

    @property
    def vocabulary(self) -> Sequence[str]:
        return self._vocabulary

    def _encode(self, texts: Union[str, Sequence[str]], batch_size: int):
        single = isinstance(texts, str)
        items = [texts] if single else list(texts)
        for t in items:
            if not isinstance(t, str):
                raise Error(f"encode: expected str or a list of str, got an item of type {type(t).__name__}")
        if batch_size < 1:
            raise Error(f"batch_size {batch_size}, expected >= 1")
        out = []
        for start in range(0, len(items), batch_size):
            batch = items[start:start + batch_size]
            try:
                encoded = self._encoder.encode(batch)
            except TypeError:  # the binding takes UTF-8: find the text that is not
                for i, t in enumerate(batch):
                    try:
                        t.encode("utf-8")
                    except UnicodeEncodeError as e:
                        raise Error(f"encode: text {start + i} is not valid UTF-8 ({e.reason} at {e.start})") from None
                raise
            out.extend(SparseEmbedding(indices, values, self._vocabulary) for indices, values in encoded)
        return out[0] if single else out

    def encode(self, texts: Union[str, Sequence[str]], batch_size: int = 32,
               show_progress_bar: Optional[bool] = None) -> Union[SparseEmbedding, list[SparseEmbedding]]:
        """A str gives one SparseEmbedding, a list a list. SPLADE encodes queries and documents
        alike; encode_query and encode_document are the same call."""
        return self._encode(texts, batch_size)

    def encode_query(self, texts: Union[str, Sequence[str]], batch_size: int = 32,
                     show_progress_bar: Optional[bool] = None) -> Union[SparseEmbedding, list[SparseEmbedding]]:
        return self._encode(texts, batch_size)

    def encode_document(self, texts: Union[str, Sequence[str]], batch_size: int = 32,
                        show_progress_bar: Optional[bool] = None) -> Union[SparseEmbedding, list[SparseEmbedding]]:
        return self._encode(texts, batch_size)

    def decode(self, embedding: SparseEmbedding, top_k: Optional[int] = None) -> list[tuple[str, float]]:
        """[(token, weight)] by weight descending (ties: vocabulary id), as sentence-transformers'
        SparseEncoder.decode."""
        order = sorted(range(len(embedding)), key=lambda i: (-float(embedding.values[i]), int(embedding.indices[i])))
        if top_k is not None:
            order = order[:top_k]
        return [(self._vocabulary[int(embedding.indices[i])], float(embedding.values[i])) for i in order]


def to_scipy(embeddings: Sequence[SparseEmbedding], vocab_size: Optional[int] = None):
    """A scipy.sparse CSR matrix [n, vocab] of the embeddings (needs scipy)."""
    import scipy.sparse
    if vocab_size is None:
        vocab_size = len(embeddings[0]._vocabulary) if embeddings else 0
    indptr = np.zeros(len(embeddings) + 1, dtype=np.int64)
    for i, e in enumerate(embeddings):
        indptr[i + 1] = indptr[i] + len(e)
    indices = np.concatenate([e.indices for e in embeddings]) if embeddings else np.zeros(0, np.uint32)
    values = np.concatenate([e.values for e in embeddings]) if embeddings else np.zeros(0, np.float32)
    return scipy.sparse.csr_matrix((values, indices, indptr), shape=(len(embeddings), vocab_size))


Hit = _core.Hit  # Hit(docid, score): unpacks as a (docid, score) pair; score is the integer dot product
# What a search returns: the hits, best first, read like a list of Hit (len, [i], slices,
# iteration, == a list) and made into Hit objects only when read; .docids (list of str),
# .scores (numpy uint64) and .tolist() give the whole run at once.
HitList = _core.HitList


class Index:
    """An impact index (`splade index`'s format). Index.build writes one; Index.open reads one.
    close() (or leaving a `with Index.open(...) as index:` block) gives up this object's hold on
    the memory-mapped files; using it afterwards raises Error. A Searcher or HitList made from it
    keeps its own hold, so it goes on working until it is gone too."""

    def __init__(self, handle, path: str = ""):
        self._index = handle
        self._path = path

    @staticmethod
    def open(path: PathLike) -> "Index":
        return Index(_core._Index.open(os.fspath(path)), os.fspath(path))

    @staticmethod
    def build(vectors: Union[PathLike, Iterable[tuple[str, Mapping[str, Union[int, float]]]]], path: PathLike, *,
              threads: int = 0, overwrite: bool = False, reorder: bool = False, block_max: bool = False) -> "Index":
        """From (docid, {token: impact}) pairs (int impacts as they are; float weights quantized
        as `splade encode` does), or from a JsonVectorCollection file or folder (as `splade
        index --input`). threads: JSON parsing and reordering threads (0: one per core);
        reorder and block_max: `splade index --reorder` / `--block-max`."""
        options = _core._IndexBuildOptions(threads, overwrite, reorder, block_max)
        if isinstance(vectors, (str, os.PathLike)):
            return Index(_core._Index.build_from_files(os.fspath(vectors), os.fspath(path), options), os.fspath(path))
        return Index(_core._Index.build_from_vectors(iter(vectors), os.fspath(path), options), os.fspath(path))

    def _handle(self):
        if self._index is None:
            raise Error(f"index {self._path}: it is closed")
        return self._index

    def close(self) -> None:
        self._index = None

    def __enter__(self) -> "Index":
        self._handle()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __len__(self) -> int:
        return len(self._handle())

    @property
    def num_terms(self) -> int:
        return self._handle().num_terms

    @property
    def path(self) -> str:
        return str(self._handle().path)


class Searcher:
    """Top-k search of an Index; text queries need an encoder (encoded on the fly and
    quantized as Anserini does), {token: weight} queries do not.

    algorithm: `splade search --algorithm`'s names; "exhaustive" (the default) and every other
    algorithm at rho = 1 are exact. "impact-ordered" builds an impact order and forward index
    of the index in memory (about 8 bytes a posting) when the Searcher is made; with rho < 1
    it scores only the fraction rho of a query's postings that contribute most, then its
    max(k, candidates) best documents exactly: approximate, faster, lower recall."""

    def __init__(self, index: Index, encoder: Optional[SparseEncoder] = None, *, algorithm: str = "exhaustive",
                 rho: float = 1.0, candidates: int = 50):
        if not isinstance(index, Index):
            raise Error(f"Searcher: expected an Index, got {type(index).__name__}")
        if candidates < 1:
            raise Error(f"Searcher: candidates {candidates}, expected >= 1")
        self._encoder = encoder
        self._searcher = _core._Searcher(index._handle(), encoder._encoder if encoder else None, algorithm,
                                         float(rho), int(candidates))

    def search(self, query: Union[str, Mapping[str, Union[int, float]]], k: int = 10) -> HitList:
        if k < 0:
            raise Error(f"k {k}, expected >= 0")
        return self._searcher.search(query, k)

    def batch_search(self, queries: Sequence[Union[str, Mapping[str, Union[int, float]]]], qids: Sequence[str],
                     k: int = 10, threads: int = 1) -> dict[str, HitList]:
        """{qid: HitList} (Pyserini's {qid: [hits]} shape), queries searched on `threads` threads."""
        if k < 0:
            raise Error(f"k {k}, expected >= 0")
        return self._searcher.batch_search(list(queries), [str(q) for q in qids], k, threads)


def evaluate(qrels, run, measures: Sequence[str] = ("ndcg_cut.10", "recall.1000", "map"), relevance_level: int = 1,
             per_query: bool = False) -> dict:
    """trec_eval's measures (the code of `splade eval`): qrels and run as files or as
    {qid: {docid: relevance}} / {qid: {docid: score}} dicts (a run may also be {qid: HitList} or
    {qid: [Hit]}, as the searchers return it).
    Returns {measure: value} with trec_eval's names ("ndcg_cut_10"); per_query adds each query."""
    if isinstance(run, Mapping):
        run = {qid: (docs if isinstance(docs, Mapping) else {h.docid: h.score for h in docs}) for qid, docs in run.items()}
    return _core.evaluate(qrels, run, list(measures), relevance_level, per_query)
