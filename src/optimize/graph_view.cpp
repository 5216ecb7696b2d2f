#include "optimize/graph_view.h"

#include <cstring>
#include <deque>
#include <unordered_set>

#include "optimize/half_float.h"

namespace splade::graph {

GraphView::GraphView(onnx::GraphProto& graph) : graph_(graph) { refresh(); }

void GraphView::refresh() {
  producer_.clear();
  consumers_.clear();
  initializer_.clear();
  inputs_.clear();
  outputs_.clear();
  used_names_.clear();
  for (auto& node : *graph_.mutable_node()) {
    for (const auto& out : node.output())
      if (!out.empty()) producer_[out] = &node, used_names_[out] = 1;
    for (const auto& in : node.input())
      if (!in.empty()) consumers_[in].push_back(&node);
    used_names_[node.name()] = 1;
  }
  for (auto& init : *graph_.mutable_initializer()) initializer_[init.name()] = &init, used_names_[init.name()] = 1;
  for (const auto& in : graph_.input()) inputs_[in.name()] = &in, used_names_[in.name()] = 1;
  for (const auto& out : graph_.output()) outputs_[out.name()] = true;
}

onnx::NodeProto* GraphView::producer(const std::string& tensor) const {
  auto it = producer_.find(tensor);
  return it == producer_.end() ? nullptr : it->second;
}

const std::vector<onnx::NodeProto*>& GraphView::consumers(const std::string& tensor) const {
  static const std::vector<onnx::NodeProto*> none;
  auto it = consumers_.find(tensor);
  return it == consumers_.end() ? none : it->second;
}

bool GraphView::is_graph_output(const std::string& tensor) const { return outputs_.count(tensor) > 0; }
bool GraphView::is_graph_input(const std::string& tensor) const {
  return inputs_.count(tensor) > 0 && !initializer_.count(tensor);
}
const onnx::ValueInfoProto* GraphView::graph_input(const std::string& tensor) const {
  auto it = inputs_.find(tensor);
  return it == inputs_.end() || initializer_.count(tensor) ? nullptr : it->second;
}

onnx::TensorProto* GraphView::initializer(const std::string& tensor) const {
  auto it = initializer_.find(tensor);
  return it == initializer_.end() ? nullptr : it->second;
}

const onnx::TensorProto* GraphView::constant(const std::string& tensor) const {
  if (auto* init = initializer(tensor)) return init;
  auto* node = producer(tensor);
  if (!node || node->op_type() != "Constant" || !node->domain().empty()) return nullptr;
  for (const auto& a : node->attribute())
    if (a.name() == "value" && a.has_t()) return &a.t();
  return nullptr;
}

std::optional<std::vector<double>> GraphView::constant_values(const std::string& tensor) const {
  const auto* t = constant(tensor);
  if (!t || t->data_location() == onnx::TensorProto::EXTERNAL) return std::nullopt;
  auto values = tensor_values(*t);
  if (static_cast<std::int64_t>(values.size()) != tensor_elements(*t)) return std::nullopt;
  return values;
}

std::optional<double> GraphView::constant_scalar(const std::string& tensor) const {
  auto v = constant_values(tensor);
  if (!v || v->size() != 1) return std::nullopt;
  return (*v)[0];
}

onnx::NodeProto* GraphView::only_consumer(const std::string& tensor) const {
  const auto& c = consumers(tensor);
  if (c.size() != 1 || is_graph_output(tensor)) return nullptr;
  return c[0];
}

onnx::NodeProto* GraphView::producer_of_type(const std::string& tensor, const std::string& op) const {
  auto* node = producer(tensor);
  if (!node || node->op_type() != op) return nullptr;
  if (!node->domain().empty() && node->domain() != "com.microsoft" && node->domain() != "ai.onnx") return nullptr;
  return node;
}

std::string GraphView::unique_name(const std::string& stem) {
  for (;;) {
    std::string name = stem + "_" + std::to_string(name_counter_++);
    if (!used_names_.count(name)) {
      used_names_[name] = 1;
      return name;
    }
  }
}

const onnx::AttributeProto* find_attribute(const onnx::NodeProto& node, const std::string& name) {
  for (const auto& a : node.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

std::optional<std::int64_t> int_attribute(const onnx::NodeProto& node, const std::string& name) {
  const auto* a = find_attribute(node, name);
  if (!a || a->type() != onnx::AttributeProto::INT) return std::nullopt;
  return a->i();
}

std::vector<std::int64_t> ints_attribute(const onnx::NodeProto& node, const std::string& name) {
  const auto* a = find_attribute(node, name);
  if (!a) return {};
  return {a->ints().begin(), a->ints().end()};
}

void set_int_attribute(onnx::NodeProto& node, const std::string& name, std::int64_t value) {
  auto* a = node.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(value);
}

void set_float_attribute(onnx::NodeProto& node, const std::string& name, float value) {
  auto* a = node.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(value);
}

std::int64_t tensor_elements(const onnx::TensorProto& t) {
  std::int64_t n = 1;
  for (auto d : t.dims()) n *= d;
  return n;
}

std::vector<double> tensor_values(const onnx::TensorProto& t) {
  std::vector<double> out;
  const std::int64_t n = tensor_elements(t);
  const std::string& raw = t.raw_data();
  auto from_raw = [&](auto zero) {
    using T = decltype(zero);
    if (raw.size() != static_cast<size_t>(n) * sizeof(T)) return;
    out.resize(n);
    for (std::int64_t i = 0; i < n; ++i) {
      T v;
      std::memcpy(&v, raw.data() + i * sizeof(T), sizeof(T));
      out[i] = static_cast<double>(v);
    }
  };
  switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      if (t.has_raw_data()) from_raw(float{});
      else out.assign(t.float_data().begin(), t.float_data().end());
      break;
    case onnx::TensorProto::DOUBLE:
      if (t.has_raw_data()) from_raw(double{});
      else out.assign(t.double_data().begin(), t.double_data().end());
      break;
    case onnx::TensorProto::INT64:
      if (t.has_raw_data()) from_raw(std::int64_t{});
      else out.assign(t.int64_data().begin(), t.int64_data().end());
      break;
    case onnx::TensorProto::INT32:
      if (t.has_raw_data()) from_raw(std::int32_t{});
      else out.assign(t.int32_data().begin(), t.int32_data().end());
      break;
    case onnx::TensorProto::UINT8:
      if (t.has_raw_data()) from_raw(std::uint8_t{});
      else out.assign(t.int32_data().begin(), t.int32_data().end());
      break;
    case onnx::TensorProto::INT8:
      if (t.has_raw_data()) from_raw(std::int8_t{});
      else out.assign(t.int32_data().begin(), t.int32_data().end());
      break;
    case onnx::TensorProto::FLOAT16:
      if (t.has_raw_data()) {
        if (raw.size() != static_cast<size_t>(n) * 2) break;
        out.resize(n);
        for (std::int64_t i = 0; i < n; ++i) {
          std::uint16_t h;
          std::memcpy(&h, raw.data() + 2 * i, 2);
          out[i] = half_to_float(h);
        }
      } else {
        for (auto v : t.int32_data()) out.push_back(half_to_float(static_cast<std::uint16_t>(v)));
      }
      break;
    default:
      break;
  }
  return out;
}

std::vector<float> tensor_floats(const onnx::TensorProto& t) {
  if (t.data_type() == onnx::TensorProto::FLOAT && t.has_raw_data()) {
    std::vector<float> out(t.raw_data().size() / 4);
    std::memcpy(out.data(), t.raw_data().data(), out.size() * 4);
    return out;
  }
  auto v = tensor_values(t);
  return {v.begin(), v.end()};
}

onnx::TensorProto make_float_tensor(const std::string& name, const std::vector<std::int64_t>& dims,
                                    const std::vector<float>& values) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(onnx::TensorProto::FLOAT);
  for (auto d : dims) t.add_dims(d);
  t.set_raw_data(std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float)));
  return t;
}

int remove_dead_nodes(onnx::GraphProto& graph) {
  int removed = 0;
  for (;;) {
    std::unordered_set<std::string> used;
    for (const auto& out : graph.output()) used.insert(out.name());
    for (const auto& node : graph.node())
      for (const auto& in : node.input()) used.insert(in);
    // Subgraph attributes (If/Loop) may read outer tensors: keep those too.
    for (const auto& node : graph.node())
      for (const auto& a : node.attribute())
        if (a.has_g())
          for (const auto& n : a.g().node())
            for (const auto& in : n.input()) used.insert(in);
    auto* nodes = graph.mutable_node();
    int before = nodes->size();
    int keep = 0;
    for (int i = 0; i < nodes->size(); ++i) {
      const auto& node = nodes->Get(i);
      bool live = false;
      for (const auto& out : node.output()) live |= (!out.empty() && used.count(out));
      if (live) {
        if (keep != i) nodes->SwapElements(keep, i);
        ++keep;
      }
    }
    while (nodes->size() > keep) nodes->RemoveLast();
    removed += before - keep;
    if (before == keep) {
      auto* inits = graph.mutable_initializer();
      int k = 0;
      for (int i = 0; i < inits->size(); ++i) {
        if (used.count(inits->Get(i).name())) {
          if (k != i) inits->SwapElements(k, i);
          ++k;
        }
      }
      while (inits->size() > k) inits->RemoveLast();
      // value_info of tensors that no longer exist would only mislead shape inference.
      std::unordered_set<std::string> produced;
      for (const auto& node : graph.node())
        for (const auto& out : node.output()) produced.insert(out);
      auto* vi = graph.mutable_value_info();
      int v = 0;
      for (int i = 0; i < vi->size(); ++i) {
        if (produced.count(vi->Get(i).name())) {
          if (v != i) vi->SwapElements(v, i);
          ++v;
        }
      }
      while (vi->size() > v) vi->RemoveLast();
      return removed;
    }
  }
}

void topological_sort(onnx::GraphProto& graph) {
  const int n = graph.node_size();
  std::unordered_map<std::string, int> producer;
  for (int i = 0; i < n; ++i)
    for (const auto& out : graph.node(i).output()) producer[out] = i;
  std::vector<std::vector<int>> users(n);
  std::vector<int> pending(n, 0);
  for (int i = 0; i < n; ++i) {
    std::unordered_set<int> deps;
    for (const auto& in : graph.node(i).input()) {
      auto it = producer.find(in);
      if (it != producer.end() && it->second != i) deps.insert(it->second);
    }
    for (const auto& a : graph.node(i).attribute())
      if (a.has_g())
        for (const auto& sub : a.g().node())
          for (const auto& in : sub.input()) {
            auto it = producer.find(in);
            if (it != producer.end() && it->second != i) deps.insert(it->second);
          }
    pending[i] = static_cast<int>(deps.size());
    for (int d : deps) users[d].push_back(i);
  }
  // Kahn's order with a FIFO queue seeded in the original order (close to the input order).
  std::vector<int> order;
  order.reserve(n);
  std::deque<int> queue;
  for (int i = 0; i < n; ++i)
    if (pending[i] == 0) queue.push_back(i);
  while (!queue.empty()) {
    int i = queue.front();
    queue.pop_front();
    order.push_back(i);
    for (int u : users[i])
      if (--pending[u] == 0) queue.push_back(u);
  }
  if (static_cast<int>(order.size()) != n) return;  // a cycle: leave as is, ORT will report it
  google::protobuf::RepeatedPtrField<onnx::NodeProto> sorted;
  for (int i : order) *sorted.Add() = graph.node(i);
  graph.mutable_node()->Swap(&sorted);
}

void splice_fused_nodes(onnx::ModelProto& model, std::vector<onnx::NodeProto>& nodes,
                        std::vector<onnx::TensorProto> initializers) {
  auto& graph = *model.mutable_graph();
  for (auto& n : nodes) *graph.add_node() = std::move(n);
  for (auto& t : initializers) *graph.add_initializer() = std::move(t);
  remove_dead_nodes(graph);
  topological_sort(graph);
  ensure_opset(model, "com.microsoft", 1);
}

void ensure_opset(onnx::ModelProto& model, const std::string& domain, std::int64_t version) {
  for (auto& op : *model.mutable_opset_import()) {
    const bool same = op.domain() == domain || (domain.empty() && op.domain() == "ai.onnx");
    if (same) {
      if (op.version() < version) op.set_version(version);
      return;
    }
  }
  auto* op = model.add_opset_import();
  op->set_domain(domain);
  op->set_version(version);
}

std::string qualified_op(const onnx::NodeProto& node) {
  if (node.domain().empty() || node.domain() == "ai.onnx") return node.op_type();
  return node.domain() + "." + node.op_type();
}

bool is_op(const onnx::NodeProto* node, const char* op) { return node && node->op_type() == op; }

}  // namespace splade::graph
