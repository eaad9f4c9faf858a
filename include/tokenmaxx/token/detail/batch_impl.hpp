// Internal to the tokenizer; include <tokenmaxx/token/batch.hpp> instead.
#pragma once

#include <optional>
#include <thread>

#include "tokenmaxx/token/batch.hpp"
#include "tokenmaxx/token/detail/encoding_impl.hpp"
#include "tokenmaxx/token/detail/thread_pool.hpp"

namespace tokenmaxx {
namespace token_detail {

inline std::size_t batch_threads(std::size_t requested) {
  if (requested != 0) return requested;
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : hw;
}

// Runs op(i, failure&) for every text; returns the failure of the lowest index, if any.
template <class Op>
std::optional<failure> run_batch(std::size_t n, std::size_t threads, Op&& op) {
  std::vector<std::optional<failure>> failures(n);
  thread_pool::instance().parallel_for(n, batch_threads(threads), [&](std::size_t i) { failures[i] = op(i); });
  for (auto& f : failures)
    if (f) return std::move(f);
  return std::nullopt;
}

}  // namespace token_detail

TOKENMAXX_TOKEN_INLINE std::vector<std::size_t> count_batch(const encoding& enc, std::span<const std::string_view> texts,
                                                            std::size_t threads, utf8_policy policy) {
  std::vector<std::size_t> out(texts.size());
  token_detail::raise_if(token_detail::run_batch(texts.size(), threads, [&](std::size_t i) {
    return token_detail::encoding_access::count(enc, texts[i], policy, out[i]);
  }));
  return out;
}

TOKENMAXX_TOKEN_INLINE std::vector<std::vector<rank_t>> encode_ordinary_batch(const encoding& enc,
                                                                              std::span<const std::string_view> texts,
                                                                              std::size_t threads, utf8_policy policy) {
  std::vector<std::vector<rank_t>> out(texts.size());
  token_detail::raise_if(token_detail::run_batch(texts.size(), threads, [&](std::size_t i) {
    return token_detail::encoding_access::encode_ordinary_into(enc, texts[i], policy, out[i]);
  }));
  return out;
}

TOKENMAXX_TOKEN_INLINE std::vector<std::vector<rank_t>> encode_batch(const encoding& enc,
                                                                     std::span<const std::string_view> texts,
                                                                     const special_set& allowed,
                                                                     const special_set& disallowed, std::size_t threads,
                                                                     utf8_policy policy) {
  std::vector<std::vector<rank_t>> out(texts.size());
  token_detail::raise_if(token_detail::run_batch(texts.size(), threads, [&](std::size_t i) {
    return token_detail::encoding_access::encode_into(enc, texts[i], allowed, disallowed, policy, out[i], nullptr);
  }));
  return out;
}

}  // namespace tokenmaxx
