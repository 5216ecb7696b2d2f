#include "onnx/model_io.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>

#include <fstream>
#include <limits>
#include <unordered_set>

#include "common/atomic_file.h"
#include "splade/error.h"

namespace splade::onnxio {
namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(ErrorCode code, const fs::path& path, const std::string& what) {
  throw Error(code, path.string() + ": " + what);
}

std::string human_bytes(std::int64_t bytes) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f GiB", static_cast<double>(bytes) / (1 << 30));
  return buf;
}

std::int64_t element_count(const onnx::TensorProto& t) {
  std::int64_t n = 1;
  for (auto d : t.dims()) {
    if (d < 0) return -1;
    if (d != 0 && n > std::numeric_limits<std::int64_t>::max() / d) return -1;
    n *= d;
  }
  return n;
}

std::int64_t typed_value_count(const onnx::TensorProto& t) {
  switch (t.data_type()) {
    case onnx::TensorProto::FLOAT: return t.float_data_size();
    case onnx::TensorProto::DOUBLE: return t.double_data_size();
    case onnx::TensorProto::INT64: return t.int64_data_size();
    case onnx::TensorProto::UINT32:
    case onnx::TensorProto::UINT64: return t.uint64_data_size();
    case onnx::TensorProto::STRING: return t.string_data_size();
    default: return t.int32_data_size();  // int8/16/32, uint8/16, bool, float16, bfloat16
  }
}

bool is_external(const onnx::TensorProto& t) {
  return t.data_location() == onnx::TensorProto::EXTERNAL;
}

// An external-data reference read and checked: the file exists beside the model and holds
// offset + length bytes.
struct ExternalRef {
  fs::path file;
  std::int64_t offset = 0, length = 0;
};

ExternalRef external_ref(const onnx::TensorProto& t, const fs::path& model_path) {
  std::string location;
  std::int64_t offset = 0, length = -1;
  for (const auto& kv : t.external_data()) {
    try {
      if (kv.key() == "location") location = kv.value();
      else if (kv.key() == "offset") offset = std::stoll(kv.value());
      else if (kv.key() == "length") length = std::stoll(kv.value());
    } catch (const std::exception&) {
      fail(ErrorCode::kCorrupt, model_path, "initializer '" + t.name() + "' has external_data " +
                                                kv.key() + "='" + kv.value() + "', expected an integer");
    }
  }
  if (location.empty())
    fail(ErrorCode::kCorrupt, model_path, "initializer '" + t.name() + "' is external but names no location");
  fs::path data_path = model_path.parent_path() / location;
  std::error_code ec;
  auto size = fs::file_size(data_path, ec);
  if (ec)
    fail(ErrorCode::kNotFound, model_path, "external-data file '" + data_path.string() +
                                               "' of initializer '" + t.name() + "' is missing");
  if (length < 0) {
    std::int64_t n = element_count(t);
    length = n < 0 ? 0 : n * element_size(t.data_type());
  }
  if (offset < 0 || offset + length > static_cast<std::int64_t>(size))
    fail(ErrorCode::kCorrupt, model_path, "external-data file '" + data_path.string() + "' holds " +
                                              std::to_string(size) + " bytes, initializer '" + t.name() +
                                              "' needs bytes " + std::to_string(offset) + ".." +
                                              std::to_string(offset + length));
  return {data_path, offset, length};
}

void check_tensor(const onnx::TensorProto& t, const fs::path& path) {
  if (is_external(t)) {
    external_ref(t, path);  // throws unless the data file holds the tensor's bytes
    return;
  }
  std::int64_t n = element_count(t);
  if (n < 0) fail(ErrorCode::kCorrupt, path, "initializer '" + t.name() + "' has an invalid shape");
  std::int64_t size = element_size(t.data_type());
  if (t.has_raw_data()) {
    if (size > 0 && static_cast<std::int64_t>(t.raw_data().size()) != n * size)
      fail(ErrorCode::kCorrupt, path, "initializer '" + t.name() + "' holds " +
                                          std::to_string(t.raw_data().size()) + " bytes, its shape needs " +
                                          std::to_string(n * size) + " (truncated?)");
  } else if (typed_value_count(t) != n) {
    // A tensor of 0 values in the typed fields with n > 0 is what truncation leaves behind.
    fail(ErrorCode::kCorrupt, path, "initializer '" + t.name() + "' holds " +
                                        std::to_string(typed_value_count(t)) + " values, its shape needs " +
                                        std::to_string(n) + " (truncated?)");
  }
}

// Every node input must be a graph input, an initializer or an earlier node's output
// (ONNX graphs are topologically sorted), and every graph output must be produced.
void check_graph(const onnx::GraphProto& g, const fs::path& path) {
  std::unordered_set<std::string> defined;
  for (const auto& in : g.input()) defined.insert(in.name());
  for (const auto& init : g.initializer()) {
    check_tensor(init, path);
    defined.insert(init.name());
  }
  for (const auto& init : g.sparse_initializer()) defined.insert(init.values().name());
  for (const auto& node : g.node()) {
    for (const auto& in : node.input()) {
      if (!in.empty() && !defined.count(in))
        fail(ErrorCode::kCorrupt, path, "node '" + node.name() + "' (" + node.op_type() + ") reads '" + in +
                                            "', which nothing defines before it (truncated or not sorted?)");
    }
    for (const auto& attr : node.attribute()) {
      // Constant nodes carry tensors too.
      if (attr.has_t()) check_tensor(attr.t(), path);
    }
    for (const auto& out : node.output()) defined.insert(out);
  }
  for (const auto& out : g.output()) {
    if (!defined.count(out.name()))
      fail(ErrorCode::kCorrupt, path, "graph output '" + out.name() + "' is produced by no node (truncated?)");
  }
}

}  // namespace

std::string element_type_name(int t) {
  switch (t) {
    case onnx::TensorProto::FLOAT: return "float";
    case onnx::TensorProto::UINT8: return "uint8";
    case onnx::TensorProto::INT8: return "int8";
    case onnx::TensorProto::UINT16: return "uint16";
    case onnx::TensorProto::INT16: return "int16";
    case onnx::TensorProto::INT32: return "int32";
    case onnx::TensorProto::INT64: return "int64";
    case onnx::TensorProto::STRING: return "string";
    case onnx::TensorProto::BOOL: return "bool";
    case onnx::TensorProto::FLOAT16: return "float16";
    case onnx::TensorProto::DOUBLE: return "double";
    case onnx::TensorProto::UINT32: return "uint32";
    case onnx::TensorProto::UINT64: return "uint64";
    case onnx::TensorProto::COMPLEX64: return "complex64";
    case onnx::TensorProto::COMPLEX128: return "complex128";
    case onnx::TensorProto::BFLOAT16: return "bfloat16";
    case onnx::TensorProto::UNDEFINED: return "undefined";
    default: return "type" + std::to_string(t);  // types newer than this ONNX schema (e.g. float8)
  }
}

std::int64_t element_size(int t) {
  switch (t) {
    case onnx::TensorProto::UINT8:
    case onnx::TensorProto::INT8:
    case onnx::TensorProto::BOOL: return 1;
    case onnx::TensorProto::UINT16:
    case onnx::TensorProto::INT16:
    case onnx::TensorProto::FLOAT16:
    case onnx::TensorProto::BFLOAT16: return 2;
    case onnx::TensorProto::FLOAT:
    case onnx::TensorProto::INT32:
    case onnx::TensorProto::UINT32: return 4;
    case onnx::TensorProto::DOUBLE:
    case onnx::TensorProto::INT64:
    case onnx::TensorProto::UINT64:
    case onnx::TensorProto::COMPLEX64: return 8;
    case onnx::TensorProto::COMPLEX128: return 16;
    default: return 0;
  }
}

std::int64_t tensor_data_bytes(const onnx::TensorProto& t) {
  if (t.has_raw_data()) return static_cast<std::int64_t>(t.raw_data().size());
  if (t.data_type() == onnx::TensorProto::STRING) {
    std::int64_t total = 0;
    for (const auto& s : t.string_data()) total += static_cast<std::int64_t>(s.size());
    return total;
  }
  std::int64_t n = element_count(t);
  return n < 0 ? 0 : n * element_size(t.data_type());
}

onnx::ModelProto load_model(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) fail(ErrorCode::kNotFound, path, "no such file");
  if (fs::is_directory(path, ec)) fail(ErrorCode::kInvalidArgument, path, "is a directory, expected an .onnx file");
  const auto size = static_cast<std::int64_t>(fs::file_size(path, ec));
  if (ec) fail(ErrorCode::kIo, path, "cannot read size: " + ec.message());
  if (size == 0) fail(ErrorCode::kCorrupt, path, "file is empty, expected an ONNX ModelProto");
  if (size > kMaxProtobufBytes)
    fail(ErrorCode::kUnsupported, path, "file is " + human_bytes(size) +
                                            "; protobuf files are limited to 2 GiB, so a model this large "
                                            "must keep its weights in external data files");
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(ErrorCode::kIo, path, "cannot open for reading");
  google::protobuf::io::IstreamInputStream zero_copy(&in);
  google::protobuf::io::CodedInputStream coded(&zero_copy);
  coded.SetTotalBytesLimit(static_cast<int>(kMaxProtobufBytes));
  onnx::ModelProto model;
  if (!model.ParseFromCodedStream(&coded) || !coded.ConsumedEntireMessage())
    fail(ErrorCode::kCorrupt, path, "not an ONNX model: the protobuf does not parse (truncated or another format)");
  if (!model.has_graph() || model.ir_version() <= 0)
    fail(ErrorCode::kCorrupt, path, std::string("not an ONNX model: ") +
                                        (model.has_graph() ? "ir_version is missing" : "it has no graph"));
  if (model.opset_import_size() == 0)
    fail(ErrorCode::kCorrupt, path, "model has no opset_import (truncated?)");
  std::unordered_set<std::string> domains;
  for (const auto& opset : model.opset_import()) domains.insert(opset.domain() == "ai.onnx" ? "" : opset.domain());
  for (const auto& node : model.graph().node()) {
    const std::string domain = node.domain() == "ai.onnx" ? "" : node.domain();
    if (!domains.count(domain))
      fail(ErrorCode::kCorrupt, path, "node '" + node.name() + "' (" + node.op_type() + ") uses domain '" + domain +
                                          "', which has no opset_import (truncated?)");
  }
  check_graph(model.graph(), path);
  return model;
}

void save_model(const onnx::ModelProto& model, const fs::path& path) {
  if (model.ByteSizeLong() > static_cast<size_t>(kMaxProtobufBytes))
    throw Error(ErrorCode::kUnsupported, path.string() + ": model would be over 2 GiB; protobuf cannot hold it");
  AtomicFile file(path);
  if (!model.SerializeToOstream(&file.stream()))
    throw Error(ErrorCode::kIo, path.string() + ": cannot serialize the ONNX model");
  file.commit();
}

void load_external_data(onnx::TensorProto& t, const fs::path& model_path) {
  if (!is_external(t)) return;
  const ExternalRef ref = external_ref(t, model_path);
  std::ifstream in(ref.file, std::ios::binary);
  std::string bytes(static_cast<std::size_t>(ref.length), '\0');
  in.seekg(ref.offset);
  if (!in || !in.read(bytes.data(), ref.length))
    fail(ErrorCode::kIo, model_path, "cannot read initializer '" + t.name() + "' from external-data file '" +
                                         ref.file.string() + "'");
  t.set_raw_data(std::move(bytes));
  t.clear_external_data();
  t.clear_data_location();
}

}  // namespace splade::onnxio
