// splade_generate_corpus: writes a synthetic SPLADE-like corpus as an Anserini
// JsonVectorCollection (.jsonl.gz), term statistics shaped after real SPLADE++ ED query
// vectors (the model and its assumptions: tests/support/synthetic_corpus.h).
//   splade_generate_corpus --queries Q.tsv.gz --vocab vocab.txt --docs 1000000 --output corpus.jsonl.gz
#include <CLI/CLI.hpp>
#include <zlib.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "support/synthetic_corpus.h"

namespace {

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (const char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Generate a synthetic SPLADE-like JsonVectorCollection"};
  std::string queries, vocab, output;
  splade::testing::CorpusSpec spec;
  app.add_option("--queries", queries, "Anserini query TSV with real SPLADE query vectors")->required();
  app.add_option("--vocab", vocab, "WordPiece vocab.txt")->required();
  app.add_option("--output", output, "Output .jsonl.gz")->required();
  app.add_option("--docs", spec.num_docs, "Number of documents");
  app.add_option("--median-terms", spec.median_terms, "Median distinct terms per document");
  app.add_option("--sigma", spec.sigma, "Log-normal sigma of the number of terms");
  app.add_option("--impact-scale", spec.impact_scale, "Document impact = query impact drawn x scale");
  app.add_option("--seed", spec.seed, "Random seed");
  CLI11_PARSE(app, argc, argv);

  const auto t0 = std::chrono::steady_clock::now();
  const auto model = splade::testing::TermModel::from_query_vectors(queries, vocab);
  gzFile out = gzopen(output.c_str(), "wb1");
  if (!out) {
    std::cerr << output << ": cannot create\n";
    return 2;
  }
  gzbuffer(out, 1 << 20);
  std::string line;
  std::uint64_t postings = 0;
  splade::testing::generate_corpus(model, spec, [&](std::string_view id, const auto& terms) {
    line.clear();
    line += "{\"id\": ";
    append_json_string(line, id);
    line += ", \"contents\": \"\", \"vector\": {";
    for (std::size_t i = 0; i < terms.size(); ++i) {
      if (i) line += ", ";
      append_json_string(line, terms[i].first);
      line += ": ";
      line += std::to_string(terms[i].second);
    }
    line += "}}\n";
    postings += terms.size();
    if (gzwrite(out, line.data(), static_cast<unsigned>(line.size())) != static_cast<int>(line.size())) {
      std::cerr << output << ": write failed\n";
      std::exit(2);
    }
  });
  if (gzclose(out) != Z_OK) {
    std::cerr << output << ": write failed\n";
    return 2;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cerr << "generated " << spec.num_docs << " documents, " << postings << " postings (mean "
            << (spec.num_docs ? static_cast<double>(postings) / spec.num_docs : 0) << " terms) in " << secs << " s -> "
            << output << "\n";
  return 0;
}
