#include "convert/graph_builder.h"

#include <algorithm>
#include <cstring>

namespace splade::convert {

std::string GraphBuilder::unique(const std::string& name) {
  // Names are generated from a fixed structure, so collisions are rare; linear search is fine.
  std::string n = name;
  for (int k = 1; std::find(used_.begin(), used_.end(), n) != used_.end(); ++k) n = name + "_" + std::to_string(k);
  used_.push_back(n);
  return n;
}

std::string GraphBuilder::op(const std::string& op_type, const std::string& name, std::vector<std::string> inputs,
                             std::vector<Attr> attrs, std::string output) {
  const std::string n = unique(name);
  auto* node = g_->add_node();
  node->set_op_type(op_type);
  node->set_name(n);
  for (auto& i : inputs) node->add_input(i);
  node->add_output(output.empty() ? n : output);
  for (const auto& a : attrs) {
    auto* at = node->add_attribute();
    at->set_name(a.name);
    switch (a.kind) {
      case Attr::kInt:
        at->set_type(onnx::AttributeProto::INT);
        at->set_i(a.i);
        break;
      case Attr::kFloat:
        at->set_type(onnx::AttributeProto::FLOAT);
        at->set_f(a.f);
        break;
      case Attr::kInts:
        at->set_type(onnx::AttributeProto::INTS);
        for (auto v : a.ints) at->add_ints(v);
        break;
      case Attr::kInt64Tensor: {
        at->set_type(onnx::AttributeProto::TENSOR);
        auto* t = at->mutable_t();
        t->set_data_type(onnx::TensorProto::INT64);
        t->add_dims(static_cast<std::int64_t>(a.ints.size()));
        for (auto v : a.ints) t->add_int64_data(v);
        break;
      }
    }
  }
  return node->output(0);
}

onnx::TensorProto* GraphBuilder::float_tensor_raw(const std::string& name, std::vector<std::int64_t> dims, float** data) {
  auto* t = g_->add_initializer();
  t->set_name(unique(name));
  t->set_data_type(onnx::TensorProto::FLOAT);
  std::int64_t n = 1;
  for (auto d : dims) {
    t->add_dims(d);
    n *= d;
  }
  auto* raw = t->mutable_raw_data();
  raw->resize(static_cast<size_t>(n) * sizeof(float));
  *data = reinterpret_cast<float*>(raw->data());
  return t;
}

std::string GraphBuilder::float_tensor(const std::string& name, std::vector<std::int64_t> dims,
                                       const std::vector<float>& values) {
  float* data = nullptr;
  auto* t = float_tensor_raw(name, std::move(dims), &data);
  if (!values.empty()) std::memcpy(data, values.data(), values.size() * sizeof(float));
  return t->name();
}

std::string GraphBuilder::scalar(const std::string& name, float v) { return float_tensor(name, {}, {v}); }

std::string GraphBuilder::int64_tensor(const std::string& name, std::vector<std::int64_t> dims,
                                       const std::vector<std::int64_t>& v) {
  auto* t = g_->add_initializer();
  t->set_name(unique(name));
  t->set_data_type(onnx::TensorProto::INT64);
  for (auto d : dims) t->add_dims(d);
  t->set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(std::int64_t)));
  return t->name();
}

std::string GraphBuilder::layer_norm(const std::string& name, const std::string& x, const std::string& gamma,
                                     const std::string& beta, double eps) {
  if (opset_ >= 17)
    return op("LayerNormalization", name, {x, gamma, beta}, {attr_i("axis", -1), attr_f("epsilon", static_cast<float>(eps))});
  // opset < 17: the decomposition torch.onnx.export writes for nn.LayerNorm, which
  // ONNX Runtime's LayerNormFusion matches.
  const auto mean = op("ReduceMean", name + "/ReduceMean", {x}, {attr_ints("axes", {-1}), attr_i("keepdims", 1)});
  const auto centered = op("Sub", name + "/Sub", {x, mean});
  const auto sq = op("Pow", name + "/Pow", {centered, scalar(name + "/two", 2.0f)});
  const auto var = op("ReduceMean", name + "/ReduceMean_1", {sq}, {attr_ints("axes", {-1}), attr_i("keepdims", 1)});
  const auto var_eps = op("Add", name + "/Add", {var, scalar(name + "/eps", static_cast<float>(eps))});
  const auto sd = op("Sqrt", name + "/Sqrt", {var_eps});
  const auto normed = op("Div", name + "/Div", {centered, sd});
  const auto scaled = op("Mul", name + "/Mul", {normed, gamma});
  return op("Add", name + "/Add_1", {scaled, beta});
}

namespace {
void set_value_info(onnx::ValueInfoProto* v, const std::string& name, int elem_type, const std::vector<std::string>& dims) {
  v->set_name(name);
  auto* tt = v->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(elem_type);
  auto* shape = tt->mutable_shape();
  for (const auto& d : dims) {
    auto* dim = shape->add_dim();
    if (!d.empty() && std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; }))
      dim->set_dim_value(std::stoll(d));
    else
      dim->set_dim_param(d);
  }
}
}  // namespace

void GraphBuilder::input(const std::string& name, int elem_type, std::vector<std::string> dims) {
  set_value_info(g_->add_input(), name, elem_type, dims);
  used_.push_back(name);
}

void GraphBuilder::hint(const std::string& name, int elem_type, std::vector<std::string> dims) {
  set_value_info(g_->add_value_info(), name, elem_type, dims);
}

void GraphBuilder::output(const std::string& name, int elem_type, std::vector<std::string> dims) {
  set_value_info(g_->add_output(), name, elem_type, dims);
}

}  // namespace splade::convert
