"""`splade inspect --json` against the onnx and onnxruntime Python packages on models exported
by torch.onnx.export (the seed's two export paths), so no expected value is copied output."""
import collections
import json
import os

import numpy as np
import onnx
import onnxruntime
import pytest

from conftest import run_splade

ELEM = {onnx.TensorProto.FLOAT: "float", onnx.TensorProto.INT64: "int64", onnx.TensorProto.INT32: "int32",
        onnx.TensorProto.FLOAT16: "float16", onnx.TensorProto.INT8: "int8", onnx.TensorProto.UINT8: "uint8"}


@pytest.fixture(scope="module", params=["splade", "hidden"])
def exported(request, make_model):
    d = make_model(f"bert-tiny-{request.param}", "--export-onnx", request.param, "--weights", "safetensors")
    return os.path.join(d, "model.onnx")


def dims(value_info):
    out = []
    for d in value_info.type.tensor_type.shape.dim:
        out.append(str(d.dim_value) if d.HasField("dim_value") else (d.dim_param or "?"))
    return out


def test_inspect_matches_onnx_python(splade_bin, exported):
    report = json.loads(run_splade(splade_bin, "inspect", "--json", exported).stdout)
    model = onnx.load(exported)
    g = model.graph

    assert report["ir_version"] == model.ir_version
    assert report["producer_name"] == model.producer_name
    assert report["producer_version"] == model.producer_version
    assert report["opsets"] == {(o.domain or "ai.onnx"): o.version for o in model.opset_import}
    assert report["metadata"] == {p.key: p.value for p in model.metadata_props}
    assert report["metadata"]["model_type"] == "bert"
    inits = {t.name for t in g.initializer}
    want_inputs = [{"name": v.name, "type": ELEM[v.type.tensor_type.elem_type], "shape": dims(v)}
                   for v in g.input if v.name not in inits]
    assert report["inputs"] == want_inputs
    assert report["outputs"] == [{"name": v.name, "type": ELEM[v.type.tensor_type.elem_type], "shape": dims(v)}
                                 for v in g.output]
    assert report["node_count"] == len(g.node)
    ops = collections.Counter((n.domain + "." if n.domain else "") + n.op_type for n in g.node)
    assert report["op_counts"] == dict(ops)
    assert report["initializer_count"] == len(g.initializer)
    nbytes = sum(onnx.numpy_helper.to_array(t).nbytes for t in g.initializer)
    assert report["initializer_bytes"] == nbytes
    assert report["file_bytes"] == os.path.getsize(exported)


def test_inputs_agree_with_onnxruntime_python(splade_bin, exported):
    report = json.loads(run_splade(splade_bin, "inspect", "--json", exported).stdout)
    sess = onnxruntime.InferenceSession(exported, providers=["CPUExecutionProvider"])
    assert [i["name"] for i in report["inputs"]] == [i.name for i in sess.get_inputs()]
    assert [o["name"] for o in report["outputs"]] == [o.name for o in sess.get_outputs()]
    assert report["onnxruntime"]["loadable"] is True


def test_seed_style_comparison(splade_bin, make_model):
    a = os.path.join(make_model("bert-tiny-splade", "--export-onnx", "splade", "--weights", "safetensors"), "model.onnx")
    b = os.path.join(make_model("bert-tiny-hidden", "--export-onnx", "hidden", "--weights", "safetensors"), "model.onnx")
    out = run_splade(splade_bin, "inspect", a, b).stdout
    na, nb = len(onnx.load(a).graph.node), len(onnx.load(b).graph.node)
    assert f"{na} -> " in out and out.split("nodes", 1)[1].split("\n", 1)[0].strip().endswith(str(nb))


def test_unloadable_model_reports_ort_error(splade_bin, tmp_path):
    # A model onnx itself accepts but ORT cannot run: an op from a domain nobody implements.
    node = onnx.helper.make_node("Frobnicate", ["x"], ["y"], domain="com.example")
    graph = onnx.helper.make_graph([node], "g", [onnx.helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1])],
                                   [onnx.helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [1])])
    model = onnx.helper.make_model(graph, opset_imports=[onnx.helper.make_opsetid("", 17),
                                                         onnx.helper.make_opsetid("com.example", 1)])
    model.ir_version = 8
    path = tmp_path / "frob.onnx"
    onnx.save(model, str(path))
    with pytest.raises(Exception) as ort_error:
        onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    report = json.loads(run_splade(splade_bin, "inspect", "--json", str(path)).stdout)
    assert report["onnxruntime"]["loadable"] is False
    assert "Frobnicate" in report["onnxruntime"]["error"] and "Frobnicate" in str(ort_error.value)


def test_bad_inputs_exit_two(splade_bin, tmp_path, exported):
    data = open(exported, "rb").read()
    (tmp_path / "trunc.onnx").write_bytes(data[: len(data) // 3])
    (tmp_path / "noise.onnx").write_bytes(np.random.default_rng(0).bytes(10000))
    for name in ("trunc.onnx", "noise.onnx", "absent.onnx"):
        r = run_splade(splade_bin, "inspect", str(tmp_path / name), check=False)
        assert r.returncode == 2, (name, r.stderr)
        assert r.stderr.count("\n") == 1 and name in r.stderr and r.stdout == ""
