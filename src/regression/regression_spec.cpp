// The regression YAML loader (yaml-cpp). Every field is checked here, so the runner never
// meets a half-valid spec; errors name the file, the field and what was expected.
#include <yaml-cpp/yaml.h>

#include "splade/error.h"
#include "splade/quantize.h"
#include "splade/regression.h"

namespace splade::regression {
namespace {

class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const std::string& field, const std::string& what) const {
    throw Error(ErrorCode::kCorrupt, file_ + ": field '" + field + "': " + what);
  }

  YAML::Node child(const YAML::Node& node, const std::string& key, const std::string& field, bool required) const {
    if (!node.IsMap()) fail(field, "expected a mapping");
    YAML::Node c = node[key];
    if (required && (!c || c.IsNull())) fail(field + "." + key, "is missing");
    return c;
  }

  std::string text(const YAML::Node& node, const std::string& key, const std::string& field, bool required) const {
    YAML::Node c = child(node, key, field, required);
    if (!c || c.IsNull()) return {};
    if (!c.IsScalar()) fail(field + "." + key, "expected a string");
    return c.as<std::string>();
  }

  template <typename T>
  T number(const YAML::Node& node, const std::string& key, const std::string& field, bool required, T fallback) const {
    YAML::Node c = child(node, key, field, required);
    if (!c || c.IsNull()) return fallback;
    try {
      return c.as<T>();
    } catch (const YAML::Exception&) {
      fail(field + "." + key, "expected a number, found '" + (c.IsScalar() ? c.as<std::string>() : "(not a scalar)") + "'");
    }
  }

  std::vector<std::string> strings(const YAML::Node& node, const std::string& key, const std::string& field) const {
    YAML::Node c = child(node, key, field, true);
    if (!c.IsSequence() || c.size() == 0) fail(field + "." + key, "expected a non-empty list of strings");
    std::vector<std::string> out;
    for (const auto& e : c) {
      if (!e.IsScalar()) fail(field + "." + key, "expected a list of strings");
      out.push_back(e.as<std::string>());
    }
    return out;
  }

  // A file is either a path, or {path, make: command that creates it, how: what to do}.
  Input file(const YAML::Node& node, const std::string& key, const std::string& field, const std::string& role) const {
    YAML::Node c = child(node, key, field, true);
    if (c.IsScalar()) return {role, c.as<std::string>(), "", ""};
    if (!c.IsMap()) fail(field + "." + key, "expected a path or {path, make, how}");
    const std::string make = text(c, "make", field + "." + key, false);
    Input in{role, text(c, "path", field + "." + key, true), make, make};
    const std::string how = text(c, "how", field + "." + key, false);
    if (!how.empty()) in.how_to_get = in.how_to_get.empty() ? how : in.how_to_get + " (" + how + ")";
    return in;
  }

 private:
  std::string file_;
};

}  // namespace

RegressionSpec load_regression(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw Error(ErrorCode::kNotFound, path.string() + ": no such file");
  YAML::Node root;
  try {
    root = YAML::LoadFile(path.string());
  } catch (const YAML::Exception& e) {
    throw Error(ErrorCode::kCorrupt, path.string() + ": not valid YAML: " + e.what());
  }
  const Reader r(path.string());
  if (!root.IsMap()) r.fail("(top level)", "expected a mapping");
  RegressionSpec s;
  s.source = path;
  s.name = r.text(root, "name", "", true);
  s.description = r.text(root, "description", "", false);

  const YAML::Node corpus = r.child(root, "corpus", "", true);
  s.collection = r.text(corpus, "collection", "corpus", false);
  s.documents = r.number<long>(corpus, "documents", "corpus", true, 0);
  if (s.documents <= 0) r.fail("corpus.documents", "expected a positive count");
  if (corpus["vectors"]) {
    Input v = r.file(corpus, "vectors", "corpus", "corpus.vectors");
    s.corpus_vectors = v.path;
    s.inputs.push_back(v);
  } else if (s.collection.empty()) {
    r.fail("corpus", "needs 'collection' or 'vectors'");
  }
  s.corpus_float_vectors = r.text(corpus, "float_vectors", "corpus", false);
  if (!s.corpus_float_vectors.empty() && s.collection.empty())
    r.fail("corpus.float_vectors", "only for a corpus the runner encodes (corpus.collection)");

  const YAML::Node model = r.child(root, "model", "", true);
  s.model_kind = r.text(model, "kind", "model", true);
  if (s.model_kind != "random-weight" && s.model_kind != "huggingface" && s.model_kind != "onnx" && s.model_kind != "none")
    r.fail("model.kind", "expected random-weight, huggingface, onnx or none, found '" + s.model_kind + "'");
  if (s.model_kind != "none") {  // none: queries come pre-encoded, no model runs
    Input m = r.file(root, "model", "", "model");
    s.model_path = m.path;
    s.model_make = m.how_to_get;
    if (s.model_kind == "random-weight" && s.model_make.empty()) r.fail("model.make", "a random-weight model needs the command that makes it");
    s.inputs.push_back(m);
  }
  if (s.model_kind == "random-weight" || s.model_kind == "huggingface") {
    // The ONNX model the runner converts the checkpoint into.
    const std::string convert = "splade convert " + s.model_path + " -o {work}/onnx --head splade-pooled";
    Input onnx{"model.onnx", "{work}/onnx", convert, convert};
    if (model["onnx"]) onnx = r.file(model, "onnx", "model", "model.onnx");
    s.onnx_model = onnx.path;
    s.inputs.push_back(onnx);
  } else if (model["onnx"]) {
    r.fail("model.onnx", "only a random-weight or huggingface model is converted to ONNX (kind is " + s.model_kind + ")");
  }
  s.int8_target = r.text(model, "int8", "model", false);
  if (!s.int8_target.empty()) {
    if (s.model_kind != "random-weight" && s.model_kind != "huggingface")
      r.fail("model.int8", "only a checkpoint the runner converts is quantized (kind is " + s.model_kind + ")");
    try {
      parse_int8_target(s.int8_target);
    } catch (const Error& e) {
      r.fail("model.int8", e.what());
    }
  }
  if (s.model_kind == "onnx") s.model_vocab = r.text(model, "vocab", "model", false);
  else if (model["vocab"]) r.fail("model.vocab", "only for kind onnx (the tokenizer of an ONNX file)");

  const YAML::Node queries = r.child(root, "queries", "", true);
  s.query_encoding = r.text(queries, "encoding", "queries", true);
  if (s.query_encoding == "vectors") {
    Input q = r.file(queries, "vectors", "queries", "queries.vectors");
    s.query_vectors = q.path;
    s.inputs.push_back(q);
  } else if (s.query_encoding != "onnx") {
    r.fail("queries.encoding", "expected onnx or vectors, found '" + s.query_encoding + "'");
  } else if (s.model_kind == "none") {
    r.fail("queries.encoding", "onnx encoding needs a model (model.kind is none)");
  } else if (queries["vectors"]) {  // the query vectors the expected figures were made with
    Input q = r.file(queries, "vectors", "queries", "queries.vectors");
    s.query_vectors = q.path;
    s.inputs.push_back(q);
  }

  Input topics = r.file(root, "topics", "", "topics");
  Input qrels = r.file(root, "qrels", "", "qrels");
  s.topics = topics.path;
  s.qrels = qrels.path;
  s.inputs.push_back(topics);
  s.inputs.push_back(qrels);

  if (YAML::Node search = root["search"]) s.hits = r.number<long>(search, "hits", "search", false, 1000L);
  if (s.hits <= 0) r.fail("search.hits", "expected a positive count");

  const YAML::Node metrics = r.child(root, "metrics", "", true);
  if (!metrics.IsSequence() || metrics.size() == 0) r.fail("metrics", "expected a non-empty list");
  for (size_t i = 0; i < metrics.size(); ++i) {
    const std::string field = "metrics[" + std::to_string(i) + "]";
    Metric mt;
    mt.name = r.text(metrics[i], "name", field, true);
    mt.trec_eval = r.strings(metrics[i], "trec_eval", field);
    mt.expected = r.number<double>(metrics[i], "expected", field, true, 0.0);
    try {
      parse_trec_eval_args(mt.trec_eval);
    } catch (const Error& e) {
      r.fail(field + ".trec_eval", e.what());
    }
    s.metrics.push_back(std::move(mt));
  }
  s.tolerance = r.number<double>(root, "tolerance", "", true, 0.0);
  if (!(s.tolerance >= 0)) r.fail("tolerance", "expected a number >= 0");
  const std::string check = r.text(root, "check", "", false);
  if (check == "at-least") s.check = RegressionSpec::Check::kAtLeast;
  else if (!check.empty() && check != "within-tolerance")
    r.fail("check", "expected within-tolerance or at-least, found '" + check + "'");

  const YAML::Node expected = r.child(root, "expected", "", true);
  s.expected_tool = r.text(expected, "tool", "expected", true);
  s.expected_commands = r.strings(expected, "commands", "expected");
  if (YAML::Node sums = expected["sha256"]) {
    if (!sums.IsMap()) r.fail("expected.sha256", "expected a mapping role -> sha256");
    for (const auto& kv : sums) s.sha256[kv.first.as<std::string>()] = kv.second.as<std::string>();
  }
  if (YAML::Node ties = expected["ties"]) {
    const std::string file = r.text(ties, "file", "expected.ties", true);
    if (!file.empty()) s.ties_file = s.source.parent_path() / file;
    s.tie_margin = r.number<double>(ties, "margin", "expected.ties", true, 0.0);
    if (!(s.tie_margin > 0 && s.tie_margin < 0.5)) r.fail("expected.ties.margin", "expected a number in (0, 0.5)");
  }
  return s;
}

}  // namespace splade::regression
