#include "splade/anserini_export.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/atomic_file.h"
#include "ort/inference_session.h"
#include "splade/error.h"

namespace splade {
namespace fs = std::filesystem;

const std::vector<AnseriniModelName>& anserini_model_names() {
  // From Anserini's SpladePlusPlus{EnsembleDistil,SelfDistil}Encoder and SpladeV3Encoder.
  static const std::vector<AnseriniModelName> names = {
      {"splade-pp-ed", "SpladePlusPlusEnsembleDistil", "splade-pp-ed-optimized.onnx", "splade-pp-ed-vocab.txt"},
      {"splade-pp-sd", "SpladePlusPlusSelfDistil", "splade-pp-sd-optimized.onnx", "splade-pp-sd-vocab.txt"},
      {"splade-v3", "SpladeV3", "splade-v3-optimized.onnx", "splade-v3-vocab.txt"},
  };
  return names;
}

std::string default_anserini_cache() {
  if (const char* env = std::getenv("PYSERINI_CACHE"); env && *env) return env;
  if (fs::is_directory(".cache")) return (fs::current_path() / ".cache" / "pyserini").string();
  const char* home = std::getenv("HOME");
  return (fs::path(home ? home : ".") / ".cache" / "pyserini").string();
}

namespace {

void copy_atomically(const fs::path& from, const fs::path& to) {
  std::ifstream in(from, std::ios::binary);
  if (!in) throw Error(ErrorCode::kIo, from.string() + ": cannot open for reading");
  AtomicFile out(to);
  out.stream() << in.rdbuf();
  out.commit();
}

}  // namespace

AnseriniExport export_for_anserini(const std::string& model_dir, const std::string& name, const std::string& cache_dir) {
  const AnseriniModelName* target = nullptr;
  std::string known;
  for (const auto& n : anserini_model_names()) {
    known += (known.empty() ? "" : ", ") + n.name;
    if (n.name == name) target = &n;
  }
  if (!target) throw Error(ErrorCode::kInvalidArgument, "--name '" + name + "': Anserini knows " + known);
  const fs::path dir(model_dir);
  const fs::path onnx = dir / "model.onnx", vocab = dir / "vocab.txt";
  if (!fs::exists(onnx)) throw Error(ErrorCode::kNotFound, onnx.string() + ": no such file");
  if (!fs::exists(vocab)) throw Error(ErrorCode::kNotFound, vocab.string() + ": no such file (Anserini reads vocab.txt)");

  ort::SessionOptions options;
  options.optimization = ort::GraphOptimization::kDisabled;
  options.intra_op_threads = 1;
  ort::InferenceSession session(onnx, options);
  auto has = [](const std::vector<ort::IoSpec>& specs, const char* n) {
    for (const auto& s : specs)
      if (s.name == n) return true;
    return false;
  };
  for (const char* in : {"input_ids", "attention_mask", "token_type_ids"})
    if (!has(session.inputs(), in))
      throw Error(ErrorCode::kUnsupported, onnx.string() + ": Anserini feeds input '" + in +
                                               "', which the model lacks (convert with --head splade)");
  for (const char* out : {"output_idx", "output_weights"})
    if (!has(session.outputs(), out))
      throw Error(ErrorCode::kUnsupported, onnx.string() + ": Anserini reads output '" + out +
                                               "', which the model lacks (convert with --head splade)");

  const fs::path encoders = fs::path(cache_dir) / "encoders";
  std::error_code ec;
  fs::create_directories(encoders, ec);
  if (ec) throw Error(ErrorCode::kIo, encoders.string() + ": cannot create: " + ec.message());
  AnseriniExport result{(encoders / target->onnx_file).string(), (encoders / target->vocab_file).string()};
  copy_atomically(onnx, result.onnx_path);
  copy_atomically(vocab, result.vocab_path);
  return result;
}

}  // namespace splade
