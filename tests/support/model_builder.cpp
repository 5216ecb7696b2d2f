#include "support/model_builder.h"

namespace splade::testing {

onnx::ValueInfoProto make_value_info(const std::string& name, int elem_type, const std::vector<DimSpec>& dims) {
  onnx::ValueInfoProto v;
  v.set_name(name);
  auto* tensor = v.mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(elem_type);
  auto* shape = tensor->mutable_shape();
  for (const auto& d : dims) {
    auto* dim = shape->add_dim();
    if (d.value >= 0) dim->set_dim_value(d.value);
    else if (!d.param.empty()) dim->set_dim_param(d.param);
  }
  return v;
}

onnx::TensorProto make_float_tensor(const std::string& name, const std::vector<std::int64_t>& dims, float start) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(onnx::TensorProto::FLOAT);
  std::int64_t n = 1;
  for (auto d : dims) {
    t.add_dims(d);
    n *= d;
  }
  std::vector<float> values(static_cast<size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) values[static_cast<size_t>(i)] = start + 0.25f * static_cast<float>(i);
  t.set_raw_data(std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float)));
  return t;
}

namespace {

onnx::NodeProto node(const std::string& op, const std::string& name, std::vector<std::string> inputs,
                     std::vector<std::string> outputs, const std::string& domain = "") {
  onnx::NodeProto n;
  n.set_op_type(op);
  n.set_name(name);
  n.set_domain(domain);
  for (auto& i : inputs) n.add_input(i);
  for (auto& o : outputs) n.add_output(o);
  return n;
}

// An empty opset-17 model as every test model starts.
onnx::ModelProto make_empty_model() {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.set_producer_name("splade-tests");
  m.set_producer_version("1.0");
  auto* opset = m.add_opset_import();
  opset->set_domain("");
  opset->set_version(17);
  return m;
}

onnx::ModelProto make_base(bool contrib) {
  onnx::ModelProto m = make_empty_model();
  if (contrib) {
    auto* ms = m.add_opset_import();
    ms->set_domain("com.microsoft");
    ms->set_version(1);
  }
  auto* g = m.mutable_graph();
  g->set_name("mlp");
  *g->add_input() = make_value_info("x", onnx::TensorProto::FLOAT, {{-1, "batch"}, {4, ""}});
  *g->add_input() = make_value_info("mask", onnx::TensorProto::INT64, {{-1, "batch"}, {-1, "sequence"}});
  *g->add_initializer() = make_float_tensor("W", {4, 3}, -1.0f);
  *g->add_initializer() = make_float_tensor("b", {3}, 0.5f);
  if (contrib) {
    auto fused = node("FusedMatMul", "fused_matmul", {"x", "W"}, {"xw"}, "com.microsoft");
    auto* alpha = fused.add_attribute();
    alpha->set_name("alpha");
    alpha->set_type(onnx::AttributeProto::FLOAT);
    alpha->set_f(1.0f);
    *g->add_node() = fused;
  } else {
    *g->add_node() = node("MatMul", "matmul", {"x", "W"}, {"xw"});
  }
  *g->add_node() = node("Add", "add", {"xw", "b"}, {"pre"});
  *g->add_node() = node("Relu", "relu", {"pre"}, {"y"});
  auto cast = node("Cast", "cast", {"mask"}, {"mask_f"});
  auto* to = cast.add_attribute();
  to->set_name("to");
  to->set_type(onnx::AttributeProto::INT);
  to->set_i(onnx::TensorProto::FLOAT);
  *g->add_node() = cast;
  *g->add_output() = make_value_info("y", onnx::TensorProto::FLOAT, {{-1, "batch"}, {3, ""}});
  *g->add_output() = make_value_info("mask_f", onnx::TensorProto::FLOAT, {{-1, "batch"}, {-1, "sequence"}});
  return m;
}

}  // namespace

onnx::ModelProto make_mlp_model() { return make_base(false); }
onnx::ModelProto make_contrib_model() { return make_base(true); }

onnx::ModelProto make_pooled_lookup_model(std::int64_t vocab, float start) {
  onnx::ModelProto m = make_empty_model();
  auto* g = m.mutable_graph();
  g->set_name("pooled_lookup");
  *g->add_input() = make_value_info("input_ids", onnx::TensorProto::INT64, {{-1, "batch"}, {-1, "sequence"}});
  *g->add_input() = make_value_info("attention_mask", onnx::TensorProto::INT64, {{-1, "batch"}, {-1, "sequence"}});
  *g->add_output() = make_value_info("weights", onnx::TensorProto::FLOAT, {{-1, "batch"}, {vocab, ""}});
  *g->add_initializer() = make_float_tensor("E", {vocab, vocab}, start);
  *g->add_node() = node("Gather", "lookup", {"E", "input_ids"}, {"rows"});
  auto reduce = node("ReduceMax", "pool", {"rows"}, {"pooled"});
  auto* axes = reduce.add_attribute();
  axes->set_name("axes");
  axes->set_type(onnx::AttributeProto::INTS);
  axes->add_ints(1);
  auto* keepdims = reduce.add_attribute();
  keepdims->set_name("keepdims");
  keepdims->set_type(onnx::AttributeProto::INT);
  keepdims->set_i(0);
  *g->add_node() = reduce;
  *g->add_node() = node("Relu", "relu", {"pooled"}, {"weights"});
  return m;
}

}  // namespace splade::testing
