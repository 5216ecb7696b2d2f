#include "eval/measure_spec.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include "splade/error.h"

namespace splade::eval {
namespace {

struct KnownMeasure {
  const char* name;
  MeasureKind kind;
  bool has_cutoffs;
};

constexpr KnownMeasure kKnown[] = {
    {"num_q", MeasureKind::kNumQ, false},          {"num_ret", MeasureKind::kNumRet, false},
    {"num_rel", MeasureKind::kNumRel, false},      {"num_rel_ret", MeasureKind::kNumRelRet, false},
    {"map", MeasureKind::kMap, false},             {"recip_rank", MeasureKind::kRecipRank, false},
    {"P", MeasureKind::kP, true},                  {"recall", MeasureKind::kRecall, true},
    {"ndcg_cut", MeasureKind::kNdcgCut, true},
};

// trec_eval's default cutoffs of P, recall and ndcg_cut (m_P.c, m_recall.c, m_ndcg_cut.c).
const std::vector<long> kDefaultCutoffs = {5, 10, 15, 20, 30, 100, 200, 500, 1000};

// The measures of trec_eval's "official" nickname that splade eval implements.
const char* const kOfficial[] = {"num_q", "num_ret", "num_rel", "num_rel_ret", "map", "recip_rank", "P"};

std::string supported_list() {
  std::string s;
  for (const auto& m : kKnown) s += (s.empty() ? "" : ", ") + std::string(m.name);
  return s + ", official";
}

std::vector<long> parse_cutoffs(const std::string& argument, const std::string& text) {
  std::vector<long> cutoffs;
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    std::string part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    long value = 0;
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (part.empty() || ec != std::errc() || end != part.data() + part.size())
      throw Error(ErrorCode::kInvalidArgument, "measure '" + argument + "': cutoff '" + part + "' is not an integer");
    if (value <= 0)
      throw Error(ErrorCode::kInvalidArgument, "measure '" + argument + "': cutoffs must be positive");
    cutoffs.push_back(value);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  std::sort(cutoffs.begin(), cutoffs.end());
  if (std::adjacent_find(cutoffs.begin(), cutoffs.end()) != cutoffs.end())
    throw Error(ErrorCode::kInvalidArgument, "measure '" + argument + "': duplicate cutoffs");
  return cutoffs;
}

}  // namespace

std::vector<MeasureSpec> parse_measures(const std::vector<std::string>& arguments) {
  // index in kKnown -> cutoffs requested (a set: union over repeated arguments)
  std::map<size_t, std::set<long>> wanted;
  auto mark = [&](const std::string& argument, const std::string& name, const std::string* params) {
    for (size_t i = 0; i < std::size(kKnown); ++i) {
      if (name != kKnown[i].name) continue;
      auto& set = wanted[i];
      if (kKnown[i].has_cutoffs) {
        const auto cutoffs = params ? parse_cutoffs(argument, *params) : kDefaultCutoffs;
        set.insert(cutoffs.begin(), cutoffs.end());
      } else if (params) {
        throw Error(ErrorCode::kInvalidArgument, "measure '" + argument + "': " + name + " takes no parameters");
      }
      return;
    }
    throw Error(ErrorCode::kInvalidArgument,
                "unknown or unsupported measure '" + argument + "' (supported: " + supported_list() + ")");
  };
  for (const auto& argument : arguments) {
    const size_t dot = argument.find('.');
    const std::string name = argument.substr(0, dot);
    if (dot != std::string::npos) {
      const std::string params = argument.substr(dot + 1);
      if (params.empty()) throw Error(ErrorCode::kInvalidArgument, "measure '" + argument + "': empty parameter after '.'");
      if (name == "official") throw Error(ErrorCode::kInvalidArgument, "measure '" + argument + "': official takes no parameters");
      mark(argument, name, &params);
    } else if (name == "official") {
      for (const char* m : kOfficial) mark(argument, m, nullptr);
    } else {
      mark(argument, name, nullptr);
    }
  }
  if (arguments.empty())
    for (const char* m : kOfficial) mark("official", m, nullptr);

  std::vector<MeasureSpec> specs;
  for (const auto& [i, cutoffs] : wanted)  // std::map: kKnown (= trec_eval table) order
    specs.push_back({kKnown[i].kind, kKnown[i].name, std::vector<long>(cutoffs.begin(), cutoffs.end())});
  return specs;
}

}  // namespace splade::eval
