// tokenmaxx/token/batch.hpp: many texts at once, on native threads.
//
// `count_batch` and the `encode_*_batch` calls tokenize a list of texts on the calling thread plus
// up to `threads - 1` threads of a process-wide pool (created on demand, reused; the Python
// package's batch methods use the same pool). Texts are handed out one at a time, so a few long
// documents among many short ones do not leave threads idle.
//
// Guarantees:
//  - Results are in input order and equal to calling count / encode_ordinary / encode on each
//    text in turn.
//  - Errors: the first failing text in input order decides the exception (the same one the
//    one-text call throws); the nothrow.hpp twins return it as a Status.
//  - threads == 0 means std::thread::hardware_concurrency(); threads == 1 runs on the caller.
//  - Thread safety: any number of batch calls may run concurrently (they share the pool).
//
// Example:
//   auto enc = tokenmaxx::get_encoding("cl100k_base");
//   std::vector<std::string_view> texts{"hello world", "tokenmaxx", ""};
//   std::vector<std::size_t> counts = tokenmaxx::count_batch(*enc, texts, 2);   // {2, 3, 0}
#pragma once

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include "tokenmaxx/token/encoding.hpp"

namespace tokenmaxx {

std::vector<std::size_t> count_batch(const encoding& enc, std::span<const std::string_view> texts,
                                     std::size_t threads = 0, utf8_policy policy = utf8_policy::strict);

std::vector<std::vector<rank_t>> encode_ordinary_batch(const encoding& enc, std::span<const std::string_view> texts,
                                                       std::size_t threads = 0,
                                                       utf8_policy policy = utf8_policy::strict);

std::vector<std::vector<rank_t>> encode_batch(const encoding& enc, std::span<const std::string_view> texts,
                                              const special_set& allowed = special_set::none(),
                                              const special_set& disallowed = special_set::all(),
                                              std::size_t threads = 0, utf8_policy policy = utf8_policy::strict);

}  // namespace tokenmaxx

#ifndef TOKENMAXX_TOKEN_COMPILED
#include "tokenmaxx/token/detail/batch_impl.hpp"
#endif
