// A forward cursor over one term's postings: decodes one 128-posting block at a time
// (doc ids eagerly, impacts on first use) and skips whole blocks through their metadata.
#pragma once

#include <cstdint>

#include "index/index_impl.h"
#include "index/bit_packing.h"
#include "index/patched_packing.h"

namespace splade {

class PostingCursor {
 public:
  static constexpr std::uint32_t kEnd = 0xFFFFFFFFu;

  PostingCursor(const Index::Impl& index, std::uint32_t term, std::uint64_t weight)
      : blocks_(index.blocks(term)),
        data_(index.block_data(term)),
        num_blocks_(index.terms[term].num_blocks),
        df_(index.terms[term].df),
        weight_(weight),
        max_score_(weight * index.terms[term].max_impact) {
    load(0);
  }

  std::uint32_t doc() const { return doc_; }
  std::uint64_t weight() const { return weight_; }
  std::uint64_t max_score() const { return max_score_; }
  std::uint32_t df() const { return df_; }
  std::uint32_t impact() {
    if (!impacts_ready_) {
      const auto& b = blocks_[block_];
      const auto* part = data_ + b.data_offset;
      pfor::decode_impacts(part + pfor::size(part, count_, {b.doc_bits, b.doc_high_bits}), count_,
                           {b.impact_bits, b.impact_high_bits}, impacts_);
      impacts_ready_ = true;
    }
    return impacts_[pos_];
  }
  std::uint64_t score() { return weight_ * impact(); }

  void next() {
    if (++pos_ < count_) {
      doc_ = docs_[pos_];
    } else if (block_ + 1 < num_blocks_) {
      load(block_ + 1);
    } else {
      doc_ = kEnd;
    }
  }

  // Moves to the first posting with doc >= target (target > doc()).
  void next_geq(std::uint32_t target) {
    if (doc_ >= target) return;
    if (blocks_[block_].last_doc < target) {
      std::uint32_t b = block_ + 1;
      while (b < num_blocks_ && blocks_[b].last_doc < target) ++b;
      if (b == num_blocks_) {
        doc_ = kEnd;
        block_ = num_blocks_ - 1;
        return;
      }
      load(b);
    }
    while (docs_[pos_] < target) ++pos_;
    doc_ = docs_[pos_];
  }

  // Calls f(doc, score) for every posting with doc < end, leaving the cursor on the first
  // posting >= end (or kEnd). Works a decoded block at a time.
  template <typename F>
  void for_each_below(std::uint32_t end, F&& f) {
    while (doc_ < end) {
      if (!impacts_ready_) impact();
      std::uint32_t i = pos_;
      const std::uint32_t n = count_;
      if (docs_[n - 1] < end) {
        for (; i < n; ++i) f(docs_[i], weight_ * impacts_[i]);
        pos_ = n - 1;
        next();
      } else {
        for (; docs_[i] < end; ++i) f(docs_[i], weight_ * impacts_[i]);
        pos_ = i;
        doc_ = docs_[i];
        return;
      }
    }
  }

  // Upper bound of this term's score on `target`, from the block that would hold it,
  // without decoding (moves a separate "shallow" block pointer forward only). 0 if past the end.
  std::uint64_t block_max_score(std::uint32_t target) {
    if (shallow_ < block_) shallow_ = block_;
    while (shallow_ < num_blocks_ && blocks_[shallow_].last_doc < target) ++shallow_;
    if (shallow_ == num_blocks_) return 0;
    return weight_ * blocks_[shallow_].max_impact;
  }

 private:
  void load(std::uint32_t b) {
    block_ = b;
    count_ = b + 1 < num_blocks_ ? index_format::kBlockSize : df_ - b * index_format::kBlockSize;
    pfor::decode_docs(data_ + blocks_[b].data_offset, count_, {blocks_[b].doc_bits, blocks_[b].doc_high_bits},
                      b == 0 ? bitpack::kNoPreviousDoc : blocks_[b - 1].last_doc, docs_);
    impacts_ready_ = false;
    pos_ = 0;
    doc_ = docs_[0];
  }

  const index_format::BlockMeta* blocks_;
  const std::uint8_t* data_;
  std::uint32_t num_blocks_, df_;
  std::uint64_t weight_, max_score_;
  std::uint32_t block_ = 0, shallow_ = 0, count_ = 0, pos_ = 0, doc_ = kEnd;
  bool impacts_ready_ = false;
  std::uint32_t docs_[index_format::kBlockSize];
  std::uint32_t impacts_[index_format::kBlockSize];
};

}  // namespace splade
