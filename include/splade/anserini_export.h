// Installs a SPLADE model where Anserini's ONNX encoders look for it, under the file
// names they expect, so Anserini uses it instead of downloading its own.
#pragma once

#include <string>
#include <vector>

namespace splade {

struct AnseriniModelName {
  std::string name;        // what `splade export anserini --name` takes
  std::string encoder;     // Anserini's -encoder value
  std::string onnx_file;   // file name in <cache>/encoders/
  std::string vocab_file;
};

// SPLADE++ ED, SPLADE++ SD, SPLADE-v3: the encoders whose file names Anserini hard-codes.
const std::vector<AnseriniModelName>& anserini_model_names();

// Anserini's cache folder: $PYSERINI_CACHE, else ./.cache/pyserini if ./.cache exists,
// else ~/.cache/pyserini (the pyserini.cache Java property is not visible from here).
std::string default_anserini_cache();

struct AnseriniExport {
  std::string onnx_path;
  std::string vocab_path;
};

// Checks that `model_dir` holds a model with Anserini's contract (inputs input_ids,
// attention_mask, token_type_ids; outputs output_idx, output_weights) and a vocab.txt,
// then copies both, atomically, to <cache>/encoders/<Anserini's names for `name`>.
// Throws splade::Error naming what is missing or wrong.
AnseriniExport export_for_anserini(const std::string& model_dir, const std::string& name, const std::string& cache_dir);

}  // namespace splade
