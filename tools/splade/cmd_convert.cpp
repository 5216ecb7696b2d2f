// splade convert MODEL_DIR -o OUT_DIR [--head ...] [--opset N] [--text ...] [--atol X] [--no-validate]
#include <fmt/format.h>

#include <iostream>

#include "command.h"
#include "splade/converter.h"

namespace splade::cli {

void add_convert_command(CLI::App& app, CommandTable& table) {
  struct Args {
    std::string model_dir, out_dir, head = "splade", text = "what is AI?";
    int opset = 17;
    double atol = 1e-4;
    bool no_validate = false;
    int threads = 0;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand(
      "convert", "Convert a Hugging Face BERT/DistilBERT checkpoint to ONNX, validated against a reference forward pass");
  sub->add_option("model_dir", args->model_dir, "Hugging Face model directory (config.json, weights, tokenizer)")
      ->required();
  sub->add_option("-o,--output", args->out_dir, "Output directory (model.onnx, vocab.txt, tokenizer files)")->required();
  sub->add_option("--head", args->head,
                  "hidden: last_hidden_state; logits: MLM logits; splade: output_idx/output_weights (Anserini); "
                  "splade-pooled: sparse_vector [batch, vocab]")
      ->check(CLI::IsMember({"hidden", "logits", "splade", "splade-pooled"}))
      ->capture_default_str();
  sub->add_option("--opset", args->opset, "ONNX opset: 17 (native LayerNormalization) or 14")
      ->check(CLI::IsMember({14, 17}))
      ->capture_default_str();
  sub->add_option("--text", args->text, "First validation input")->capture_default_str();
  sub->add_option("--atol", args->atol, "Largest max-abs difference accepted by validation")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  sub->add_flag("--no-validate", args->no_validate, "Skip the ONNX Runtime vs reference validation");
  sub->add_option("--threads", args->threads, "Threads for validation (0: one per core)")->capture_default_str();
  table.add(sub, [args]() {
    ConvertOptions options;
    options.head = parse_head(args->head);
    options.opset = args->opset;
    options.text = args->text;
    options.atol = args->atol;
    options.validate = !args->no_validate;
    options.threads = args->threads;
    const auto r = convert_model(args->model_dir, args->out_dir, options);
    std::cout << fmt::format("{} ({}, {} weights{}) -> head {}, opset {}: {} nodes, {} initializers ({:.2f} s)\n",
                             args->model_dir, r.model_type, r.weights, r.tied_decoder ? ", tied decoder" : "", r.head,
                             r.opset, r.node_count, r.initializer_count, r.convert_seconds);
    std::cout << "weights sha256 " << r.weights_sha256 << "\n";
    if (!r.pooling.empty()) std::cout << "pooling " << r.pooling << "\n";
    if (r.validated) {
      std::cout << fmt::format("validation, ONNX Runtime vs reference forward pass ({:.2f} s: reference {:.2f} s, "
                               "ONNX Runtime {:.2f} s):\n",
                               r.validate_seconds, r.reference_seconds, r.onnxruntime_seconds);
      std::cout << fmt::format("  {:<14} {:<20} {:>12} {:>12} {:>14}{}\n", "input", "output shape", "max abs",
                               "mean abs", "normalized L1", r.head == "splade" ? "  id mismatches" : "");
      for (const auto& c : r.validation) {
        std::cout << fmt::format("  {:<14} {:<20} {:>12.3e} {:>12.3e} {:>14.3e}", c.label, c.shape, c.max_abs_diff,
                                 c.mean_abs_diff, c.normalized_l1);
        if (r.head == "splade") std::cout << fmt::format("  {:>14}", c.index_mismatches);
        std::cout << "\n";
      }
    }
    if (!r.passed) {
      std::cerr << fmt::format("splade: validation failed: max abs difference {:.3e} > --atol {:.3e}; nothing written "
                               "to {}\n",
                               r.max_abs_diff, args->atol, args->out_dir);
      return kExitFailure;
    }
    std::cout << "wrote " << r.model_path.string() << (r.validated ? " (validated)" : " (not validated)") << "\n";
    return kExitOk;
  });
}

}  // namespace splade::cli
