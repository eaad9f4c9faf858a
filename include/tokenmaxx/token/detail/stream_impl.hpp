// Internal to the tokenizer; include <tokenmaxx/token/stream.hpp> instead.
#pragma once

#include "tokenmaxx/base/utf8.hpp"
#include "tokenmaxx/token/detail/encoding_impl.hpp"
#include "tokenmaxx/token/stream.hpp"

namespace tokenmaxx {
namespace token_detail {

// How many trailing bytes of `s` form the beginning of a UTF-8 sequence that more bytes could
// complete (0-3).
inline std::size_t incomplete_utf8_suffix(std::string_view s) noexcept {
  const auto* p = reinterpret_cast<const std::uint8_t*>(s.data());
  const std::size_t n = s.size();
  for (std::size_t k = 1; k <= 3 && k <= n; ++k) {
    const std::uint8_t b = p[n - k];
    if (b < 0x80) return 0;  // ASCII: nothing pending
    if (b >= 0xC0) {         // the lead byte of the last sequence
      if (b < 0xC2 || b > 0xF4) return 0;  // never a valid lead: the validator reports it
      std::size_t bad = 0;
      const std::size_t need = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
      if (need <= k) return 0;  // complete (valid or not: the validator decides)
      // The sequence is incomplete; keep it only if its bytes so far are a valid prefix.
      return base::utf8_sequence_length(p, n, n - k, bad) == 0 && bad == k ? k : 0;
    }
  }
  return 0;
}

// Pieces kept back from counting: later text can join or re-split the last pieces (o200k makes
// "don" + "'" + "t" one piece), never anything before them.
inline constexpr std::size_t stream_kept_pieces = 3;

}  // namespace token_detail

TOKENMAXX_TOKEN_INLINE token_counter::token_counter(std::shared_ptr<const encoding> enc, utf8_policy policy)
    : enc_(std::move(enc)), policy_(policy) {
  if (!enc_) base::raise(error("token_counter: no encoding"));
}

TOKENMAXX_TOKEN_INLINE void token_counter::reset() noexcept {
  counted_ = 0;
  offset_ = 0;
  total_bytes_ = 0;
  pending_.clear();
  raw_.clear();
}

TOKENMAXX_TOKEN_INLINE void token_counter::append(std::string_view chunk) {
  total_bytes_ += chunk.size();
  raw_.append(chunk);
  const std::size_t keep = token_detail::incomplete_utf8_suffix(raw_);
  const std::string_view complete = std::string_view(raw_).substr(0, raw_.size() - keep);
  if (const std::size_t bad = base::first_invalid_utf8(complete); bad != std::string_view::npos) {
    if (policy_ == utf8_policy::strict) base::raise(invalid_utf8_error(offset_ + pending_.size() + bad));
    pending_.append(base::replace_invalid_utf8(complete));
  } else {
    pending_.append(complete);
  }
  raw_.erase(0, raw_.size() - keep);
  // A compiled pattern can look arbitrarily far ahead, so no piece is final before the end: the
  // text stays pending and count() counts it whole (exact; linear per count() call).
  if (enc_->family() == pretokenizer_family::regex) return;
  // Count every piece but the last few; they are final. Each piece on its own: the text before
  // the cut, scanned alone, could split its end differently (whitespace before the cut).
  const std::vector<std::pair<std::size_t, std::size_t>> pieces = enc_->pieces(pending_);
  if (pieces.size() <= token_detail::stream_kept_pieces) return;
  const std::size_t final_pieces = pieces.size() - token_detail::stream_kept_pieces;
  for (std::size_t k = 0; k < final_pieces; ++k)
    counted_ += token_detail::encoding_access::piece_token_count(
        *enc_, std::string_view(pending_).substr(pieces[k].first, pieces[k].second - pieces[k].first));
  const std::size_t cut = pieces[final_pieces].first;
  offset_ += cut;
  pending_.erase(0, cut);
}

TOKENMAXX_TOKEN_INLINE std::size_t token_counter::count() const {
  if (raw_.empty()) return counted_ + enc_->count(pending_);
  if (policy_ == utf8_policy::strict) base::raise(invalid_utf8_error(offset_ + pending_.size()));
  return counted_ + enc_->count(pending_ + base::replace_invalid_utf8(raw_));
}

}  // namespace tokenmaxx
