// The checkpoint readers on crafted files: each malformed input is refused with a clear
// error naming the file and what is wrong; well-formed ones read back exactly.
#include <gtest/gtest.h>

#include <cstring>

#include "hf/config.h"
#include "hf/dtype.h"
#include "hf/safetensors.h"
#include "hf/tensor_store.h"
#include "hf/torch_zip.h"
#include "hf/unpickler.h"
#include "hf/weights.h"
#include "splade/error.h"
#include "support/hf_files.h"
#include "support/temp_dir.h"

namespace splade {
namespace {

using testing::StTensor;
using testing::TempDir;

// Runs fn, expects splade::Error with `code` whose message contains every fragment.
template <class Fn>
void expect_error(Fn fn, ErrorCode code, std::vector<std::string> fragments) {
  try {
    fn();
    FAIL() << "no error thrown";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    for (const auto& f : fragments) EXPECT_NE(std::string(e.what()).find(f), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << "one-line message";
  }
}

hf::TensorStore read_st(const TempDir& dir, const std::string& bytes) {
  testing::write_bytes(dir / "model.safetensors", bytes);
  hf::TensorStore store;
  hf::read_safetensors(dir / "model.safetensors", store);
  return store;
}

TEST(HfSafetensors, ReadsTensorsBack) {
  TempDir dir;
  auto store = read_st(dir, testing::safetensors_bytes({{"a", "F32", {2, 2}, testing::floats_bytes({1, 2, 3, 4})},
                                                        {"b", "F32", {1}, testing::floats_bytes({-0.5f})}}));
  ASSERT_EQ(store.size(), 2u);
  EXPECT_EQ(store.at("a").shape, (std::vector<std::int64_t>{2, 2}));
  EXPECT_EQ(store.to_float(store.at("a")), (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(store.to_float(store.at("b")), (std::vector<float>{-0.5f}));
}

TEST(HfSafetensors, HalfAndBfloat16WidenExactly) {
  // Property: every fp16/bf16 value is exactly representable in fp32; check the
  // conversion against the bit layouts (IEEE 754 binary16; bfloat16 = top half of fp32).
  for (std::uint32_t h = 0; h < 0x10000; ++h) {
    const float f = hf::half_to_float(static_cast<std::uint16_t>(h));
    const int exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
    const double sign = (h & 0x8000) ? -1.0 : 1.0;
    if (exp == 31) {
      EXPECT_TRUE(mant ? std::isnan(f) : std::isinf(f));
      continue;
    }
    const double want = exp ? sign * std::ldexp(1.0 + mant / 1024.0, exp - 15) : sign * std::ldexp(mant / 1024.0, -14);
    ASSERT_EQ(static_cast<double>(f), want) << "half bits " << h;
  }
  const float x = 3.140625f;  // exactly representable in bfloat16
  std::uint32_t u;
  std::memcpy(&u, &x, 4);
  EXPECT_EQ(hf::bfloat16_to_float(static_cast<std::uint16_t>(u >> 16)), x);
}

TEST(HfSafetensors, TruncatedFileIsRefused) {
  TempDir dir;
  auto bytes = testing::safetensors_bytes({{"a", "F32", {4}, testing::floats_bytes({1, 2, 3, 4})}});
  bytes.resize(bytes.size() - 5);
  expect_error([&] { read_st(dir, bytes); }, ErrorCode::kCorrupt, {"model.safetensors", "'a'", "truncated"});
  expect_error([&] { read_st(dir, bytes.substr(0, 5)); }, ErrorCode::kCorrupt, {"too short"});
}

TEST(HfSafetensors, HeaderLengthPastEndOfFileIsRefused) {
  TempDir dir;
  auto bytes = testing::safetensors_bytes({{"a", "F32", {1}, testing::floats_bytes({1})}});
  bytes[0] = static_cast<char>(0xff);
  bytes[1] = static_cast<char>(0xff);
  expect_error([&] { read_st(dir, bytes); }, ErrorCode::kCorrupt, {"header length", "past the end"});
}

TEST(HfSafetensors, OverlappingOffsetsAreRefused) {
  TempDir dir;
  const auto header = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})";
  expect_error([&] { read_st(dir, testing::safetensors_with_header(header, std::string(12, '\0'))); },
               ErrorCode::kCorrupt, {"'a'", "'b'", "overlapping"});
}

TEST(HfSafetensors, OutOfRangeOffsetsAreRefused) {
  TempDir dir;
  const auto header = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[100,108]}})";
  expect_error([&] { read_st(dir, testing::safetensors_with_header(header, std::string(8, '\0'))); },
               ErrorCode::kCorrupt, {"'a'", "run past"});
  const auto mismatch = R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})";
  expect_error([&] { read_st(dir, testing::safetensors_with_header(mismatch, std::string(8, '\0'))); },
               ErrorCode::kCorrupt, {"'a'", "needs 12 bytes"});
  const auto backwards = R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}})";
  expect_error([&] { read_st(dir, testing::safetensors_with_header(backwards, std::string(8, '\0'))); },
               ErrorCode::kCorrupt, {"end before begin"});
}

TEST(HfSafetensors, UnsupportedDtypeIsRefused) {
  TempDir dir;
  const auto header = R"({"a":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}})";
  expect_error([&] { read_st(dir, testing::safetensors_with_header(header, std::string(2, '\0'))); },
               ErrorCode::kUnsupported, {"'a'", "F8_E4M3"});
  // An integer tensor reads, but is refused where a weight is needed.
  auto store = read_st(dir, testing::safetensors_bytes({{"ids", "I64", {1}, std::string(8, '\0')}}));
  expect_error([&] { store.to_float(store.at("ids")); }, ErrorCode::kUnsupported, {"'ids'", "I64"});
}

TEST(HfSafetensors, HeaderThatIsNotJsonIsRefused) {
  TempDir dir;
  expect_error([&] { read_st(dir, testing::safetensors_with_header("{not json", "")); }, ErrorCode::kCorrupt,
               {"not valid JSON"});
}

TEST(HfSafetensors, ShardIndexNamingAMissingTensorIsRefused) {
  TempDir dir;
  testing::write_bytes(dir / "s1.safetensors", testing::safetensors_bytes({{"a", "F32", {1}, testing::floats_bytes({1})}}));
  testing::write_bytes(dir / "model.safetensors.index.json", R"({"weight_map":{"a":"s1.safetensors","b":"s1.safetensors"}})");
  hf::TensorStore store;
  expect_error([&] { hf::read_sharded_safetensors(dir / "model.safetensors.index.json", store); }, ErrorCode::kNotFound,
               {"'b'", "s1.safetensors"});
}

TEST(HfUnpickler, ReadsAStateDict) {
  const auto p = testing::state_dict_pickle("layer.weight", 3);
  auto refs = hf::parse_state_dict_pickle(std::as_bytes(std::span(p.data(), p.size())), "x.bin");
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(refs[0].name, "layer.weight");
  EXPECT_EQ(refs[0].storage.key, "0");
  EXPECT_EQ(refs[0].storage.dtype, hf::DType::kF32);
  EXPECT_EQ(refs[0].shape, (std::vector<std::int64_t>{3}));
  EXPECT_EQ(refs[0].stride, (std::vector<std::int64_t>{1}));
}

TEST(HfUnpickler, ForbiddenGlobalsAreRefusedByName) {
  for (const auto& [module, name] : std::vector<std::pair<std::string, std::string>>{
           {"os", "system"}, {"posix", "system"}, {"builtins", "eval"}, {"subprocess", "Popen"}, {"torch", "load"}}) {
    const auto p = testing::pickle_calling(module, name);
    expect_error([&] { hf::parse_state_dict_pickle(std::as_bytes(std::span(p.data(), p.size())), "evil.bin"); },
                 ErrorCode::kUnsupported, {"evil.bin", "'" + module + "." + name + "'"});
  }
}

TEST(HfUnpickler, ObjectBuildingOpcodesAndTruncationAreRefused) {
  const std::string newobj = "\x80\x02" "ccollections\nOrderedDict\n)\x81.";
  expect_error([&] { hf::parse_state_dict_pickle(std::as_bytes(std::span(newobj.data(), newobj.size())), "x"); },
               ErrorCode::kCorrupt, {"NEWOBJ"});
  const auto full = testing::state_dict_pickle("w", 2);
  for (size_t n = 0; n < full.size(); ++n) {
    const auto cut = full.substr(0, n);
    EXPECT_THROW(hf::parse_state_dict_pickle(std::as_bytes(std::span(cut.data(), cut.size())), "x"), Error) << n;
  }
}

TEST(HfTorchZip, ReadsTensorsFromTheArchive) {
  TempDir dir;
  testing::write_zip(dir / "pytorch_model.bin", {{"archive/data.pkl", testing::state_dict_pickle("w", 2)},
                                                 {"archive/data/0", testing::floats_bytes({1.5f, -2.0f})},
                                                 {"archive/version", "3\n"}});
  hf::TensorStore store;
  hf::read_torch_zip(dir / "pytorch_model.bin", store);
  EXPECT_EQ(store.to_float(store.at("w")), (std::vector<float>{1.5f, -2.0f}));
}

TEST(HfTorchZip, MissingRecordIsRefused) {
  TempDir dir;
  testing::write_zip(dir / "pytorch_model.bin", {{"archive/data.pkl", testing::state_dict_pickle("w", 2)}});
  hf::TensorStore store;
  expect_error([&] { hf::read_torch_zip(dir / "pytorch_model.bin", store); }, ErrorCode::kCorrupt,
               {"pytorch_model.bin", "'archive/data/0'", "missing"});
  testing::write_zip(dir / "nopkl.bin", {{"archive/data/0", testing::floats_bytes({1, 2})}});
  expect_error([&] { hf::read_torch_zip(dir / "nopkl.bin", store); }, ErrorCode::kCorrupt, {"data.pkl", "missing"});
}

TEST(HfTorchZip, ShortStorageRecordIsRefused) {
  TempDir dir;
  testing::write_zip(dir / "pytorch_model.bin", {{"archive/data.pkl", testing::state_dict_pickle("w", 2)},
                                                 {"archive/data/0", testing::floats_bytes({1.5f})}});
  hf::TensorStore store;
  expect_error([&] { hf::read_torch_zip(dir / "pytorch_model.bin", store); }, ErrorCode::kCorrupt, {"holds 4 bytes"});
}

TEST(HfTorchZip, ForbiddenGlobalInsideTheArchiveIsRefused) {
  TempDir dir;
  testing::write_zip(dir / "pytorch_model.bin", {{"archive/data.pkl", testing::pickle_calling("os", "system")}});
  hf::TensorStore store;
  expect_error([&] { hf::read_torch_zip(dir / "pytorch_model.bin", store); }, ErrorCode::kUnsupported, {"'os.system'"});
}

TEST(HfTorchZip, NotAZipIsRefused) {
  TempDir dir;
  testing::write_bytes(dir / "pytorch_model.bin", "definitely not a zip archive");
  hf::TensorStore store;
  expect_error([&] { hf::read_torch_zip(dir / "pytorch_model.bin", store); }, ErrorCode::kCorrupt, {"not a readable zip"});
}

TEST(HfConfig, NotJsonIsRefused) {
  expect_error([] { hf::parse_config("{\"model_type\": \"bert\",", "config.json"); }, ErrorCode::kCorrupt,
               {"config.json", "not valid JSON"});
}

TEST(HfConfig, UnsupportedArchitecturesAreRefused) {
  expect_error([] { hf::parse_config(R"({"model_type":"roberta"})", "config.json"); }, ErrorCode::kUnsupported,
               {"'roberta'"});
  const auto bert = R"({"model_type":"bert","vocab_size":10,"hidden_size":8,"num_hidden_layers":1,
    "num_attention_heads":2,"intermediate_size":16,"position_embedding_type":"relative_key"})";
  expect_error([&] { hf::parse_config(bert, "config.json"); }, ErrorCode::kUnsupported,
               {"position_embedding_type", "relative_key"});
  const auto act = R"({"model_type":"bert","vocab_size":10,"hidden_size":8,"num_hidden_layers":1,
    "num_attention_heads":2,"intermediate_size":16,"hidden_act":"silu"})";
  expect_error([&] { hf::parse_config(act, "config.json"); }, ErrorCode::kUnsupported, {"hidden_act", "silu"});
  const auto missing = R"({"model_type":"bert","vocab_size":10})";
  expect_error([&] { hf::parse_config(missing, "config.json"); }, ErrorCode::kCorrupt, {"'hidden_size'", "missing"});
}

TEST(HfConfig, DistilbertNamesMapToBert) {
  const auto c = hf::parse_config(R"({"model_type":"distilbert","vocab_size":10,"dim":8,"n_layers":2,"n_heads":2,
    "hidden_dim":16,"activation":"gelu","max_position_embeddings":32})",
                                  "config.json");
  EXPECT_EQ(c.arch, hf::Arch::kDistilBert);
  EXPECT_EQ(c.hidden_size, 8);
  EXPECT_EQ(c.num_layers, 2);
  EXPECT_EQ(c.intermediate_size, 16);
  EXPECT_EQ(c.type_vocab_size, 0);
}

TEST(HfWeights, DirectoryWithoutWeightsIsRefused) {
  TempDir dir;
  expect_error([&] { hf::open_weights(dir.path()); }, ErrorCode::kNotFound, {"no weights found"});
}

}  // namespace
}  // namespace splade
