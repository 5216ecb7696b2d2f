// Graph-pass properties on small graphs built through the protobuf schema.
#include <gtest/gtest.h>
#include <zlib.h>

#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "onnx/model_io.h"
#include "optimize/graph_view.h"
#include "optimize/passes.h"
#include "quantize/interim_tokenizer.h"
#include "support/model_builder.h"

namespace splade {
namespace {

TEST(OptimizePasses, BiasAddPutsTheMatMulFirst) {
  auto model = testing::make_mlp_model();
  auto* add = model.mutable_graph()->mutable_node(1);
  ASSERT_EQ(add->op_type(), "Add");
  add->set_input(0, "b");
  add->set_input(1, "xw");  // torch's order
  EXPECT_EQ(optimize::canonicalize_bias_add(model), 1);
  EXPECT_EQ(add->input(0), "xw");
  EXPECT_EQ(add->input(1), "b");
  EXPECT_EQ(optimize::canonicalize_bias_add(model), 0);  // idempotent
}

TEST(OptimizePasses, DeadNodesAndUnusedInitializersGo) {
  auto model = testing::make_mlp_model();
  auto* g = model.mutable_graph();
  auto* dead = g->add_node();
  dead->set_op_type("Relu");
  dead->add_input("xw");
  dead->add_output("unused");
  *g->add_initializer() = graph::make_float_tensor("orphan", {2}, {1.0f, 2.0f});
  const int before = g->node_size();
  EXPECT_EQ(graph::remove_dead_nodes(*g), 1);
  EXPECT_EQ(g->node_size(), before - 1);
  for (const auto& t : g->initializer()) EXPECT_NE(t.name(), "orphan");
}

TEST(OptimizePasses, TopologicalSortOrdersProducersFirst) {
  auto model = testing::make_mlp_model();
  auto* nodes = model.mutable_graph()->mutable_node();
  nodes->SwapElements(0, 2);  // Relu before MatMul
  graph::topological_sort(*model.mutable_graph());
  std::set<std::string> defined{"x", "mask", "W", "b"};
  for (const auto& n : model.graph().node()) {
    for (const auto& in : n.input()) EXPECT_TRUE(defined.count(in)) << n.op_type() << " reads " << in << " too early";
    for (const auto& out : n.output()) defined.insert(out);
  }
}

TEST(OptimizePasses, NoAttentionInAnMlpIsANoOp) {
  auto model = testing::make_mlp_model();
  const std::string before = model.SerializeAsString();
  EXPECT_EQ(optimize::fuse_attention(model), 0);
  EXPECT_EQ(optimize::fuse_embed_layer_norm(model), 0);
  EXPECT_EQ(optimize::fuse_skip_layer_norm(model), 0);
  EXPECT_EQ(model.SerializeAsString(), before);
}

// The interim report tokenizer against Hugging Face's bert-base-uncased tokenization of the
// MS MARCO dev queries (shared/data *.wp.tsv.gz, made by anserini-tools): the share of
// queries tokenized identically is printed; it must be at least 99%, since the interim
// tokenizer implements the same BERT-uncased rules except Chinese-character splitting.
TEST(InterimTokenizer, AgreesWithHuggingFaceOnMsMarcoQueries) {
  const std::string dir = std::string(SPLADE_SHARED_DATA_DIR) + "/";
  quantize::InterimTokenizer tok(dir + "vocab/bert-base-uncased-vocab.txt");
  std::vector<std::string> vocab;
  {
    std::ifstream in(dir + "vocab/bert-base-uncased-vocab.txt");
    for (std::string l; std::getline(in, l);) vocab.push_back(l);
  }
  std::map<std::string, std::string> text;
  {
    std::ifstream in(dir + "msmarco-passage/topics.msmarco-passage.dev-subset.txt");
    for (std::string l; std::getline(in, l);) text[l.substr(0, l.find('\t'))] = l.substr(l.find('\t') + 1);
  }
  gzFile f = gzopen((dir + "msmarco-passage/topics.msmarco-passage.dev-subset.wp.tsv.gz").c_str(), "rb");
  ASSERT_TRUE(f) << "shared data missing";
  char buf[65536];
  int total = 0, same = 0;
  while (total < 2000 && gzgets(f, buf, sizeof buf)) {
    std::string line(buf);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    const auto tab = line.find('\t');
    const std::string qid = line.substr(0, tab), expected = line.substr(tab + 1);
    if (!text.count(qid)) continue;
    auto ids = tok.encode(text[qid], 512);
    std::string got;
    for (size_t i = 1; i + 1 < ids.size(); ++i) got += (i > 1 ? " " : "") + vocab[ids[i]];
    ++total;
    same += got == expected;
  }
  gzclose(f);
  ASSERT_GT(total, 1000);
  std::cout << "interim tokenizer: " << same << "/" << total << " MS MARCO dev queries identical to HF\n";
  EXPECT_GE(same, total * 99 / 100);
}

}  // namespace
}  // namespace splade
