// Internal to the tokenizer; include <tokenmaxx/token/nothrow.hpp> instead.
// The nothrow.hpp twins: the shared implementation's `failure` mapped to absl::Status.
#pragma once

#include "tokenmaxx/token/detail/encoding_impl.hpp"
#include "tokenmaxx/token/detail/failure.hpp"
#include "tokenmaxx/token/detail/registry_impl.hpp"
#include "tokenmaxx/token/detail/vocab_impl.hpp"
#include "tokenmaxx/token/nothrow.hpp"

namespace tokenmaxx {
namespace token_detail {

inline absl::Status to_status(const failure& f) {
  switch (f.kind) {
    case failure_kind::unknown_name:
    case failure_kind::file_not_found: return absl::NotFoundError(f.message);
    case failure_kind::corrupt_data: return absl::DataLossError(f.message);
    case failure_kind::internal: return absl::InternalError(f.message);
    case failure_kind::resource_exhausted: return absl::ResourceExhaustedError(f.message);
    case failure_kind::invalid_vocabulary:
    case failure_kind::invalid_argument:
    case failure_kind::invalid_utf8:
    case failure_kind::disallowed_special:
    case failure_kind::invalid_token: break;
  }
  return absl::InvalidArgumentError(f.message);
}

template <class T>
absl::StatusOr<T> to_status_or(outcome<T>&& o) {
  if (o.error) return to_status(*o.error);
  return std::move(*o.value);
}

template <class T>
absl::StatusOr<T> value_unless(std::optional<failure> f, T&& value) {
  if (f) return to_status(*f);
  return std::forward<T>(value);
}

}  // namespace token_detail

TOKENMAXX_TOKEN_INLINE absl::StatusOr<vocabulary> try_parse_vocabulary(std::string_view contents, std::string_view source) {
  return token_detail::to_status_or(token_detail::parse_vocabulary(contents, source));
}
TOKENMAXX_TOKEN_INLINE absl::StatusOr<vocabulary> try_vocabulary_from_ranks(
    const std::vector<std::pair<std::string, rank_t>>& ranks, std::string_view source) {
  return token_detail::to_status_or(token_detail::vocabulary_from_ranks(ranks, source));
}
TOKENMAXX_TOKEN_INLINE absl::StatusOr<vocabulary> try_load_vocabulary_file(const std::string& path,
                                                                         std::optional<std::string_view> expected_sha256) {
  return token_detail::to_status_or(token_detail::load_vocabulary_file(path, expected_sha256));
}
TOKENMAXX_TOKEN_INLINE absl::StatusOr<vocabulary> try_load_known_vocabulary(std::string_view file_name) {
  return token_detail::to_status_or(token_detail::load_known_vocabulary(file_name));
}

TOKENMAXX_TOKEN_INLINE absl::StatusOr<pretokenizer> try_make_pretokenizer(std::string_view pattern) {
  return token_detail::to_status_or(token_detail::pretokenizer_access::make(pattern, false));
}
TOKENMAXX_TOKEN_INLINE absl::StatusOr<std::shared_ptr<const encoding>> try_make_encoding(
    std::string name, pretokenizer pre, std::shared_ptr<const vocabulary> vocab,
    std::vector<std::pair<std::string, rank_t>> special_tokens, std::optional<std::size_t> explicit_n_vocab) {
  return token_detail::to_status_or(token_detail::encoding_access::make(std::move(name), std::move(pre), std::move(vocab),
                                                                        std::move(special_tokens), explicit_n_vocab));
}
TOKENMAXX_TOKEN_INLINE absl::StatusOr<std::shared_ptr<const encoding>> try_get_encoding(std::string_view name) {
  return token_detail::to_status_or(token_detail::load_builtin_encoding(name));
}
TOKENMAXX_TOKEN_INLINE absl::StatusOr<std::string_view> try_encoding_name_for_model(std::string_view model) {
  return token_detail::to_status_or(token_detail::model_encoding_name(model));
}
TOKENMAXX_TOKEN_INLINE absl::StatusOr<std::shared_ptr<const encoding>> try_encoding_for_model(std::string_view model) {
  absl::StatusOr<std::string_view> name = try_encoding_name_for_model(model);
  if (!name.ok()) return name.status();
  return try_get_encoding(*name);
}

TOKENMAXX_TOKEN_INLINE absl::StatusOr<std::vector<rank_t>> try_encode_ordinary(const encoding& enc, std::string_view text,
                                                                             utf8_policy policy) {
  std::vector<rank_t> out;
  auto f = token_detail::encoding_access::encode_ordinary_into(enc, text, policy, out);
  return token_detail::value_unless(std::move(f), std::move(out));
}
TOKENMAXX_TOKEN_INLINE absl::StatusOr<std::vector<rank_t>> try_encode(const encoding& enc, std::string_view text,
                                                                    const special_set& allowed,
                                                                    const special_set& disallowed, utf8_policy policy) {
  std::vector<rank_t> out;
  auto f = token_detail::encoding_access::encode_into(enc, text, allowed, disallowed, policy, out, nullptr);
  return token_detail::value_unless(std::move(f), std::move(out));
}
TOKENMAXX_TOKEN_INLINE absl::StatusOr<std::size_t> try_count(const encoding& enc, std::string_view text, utf8_policy policy) {
  std::size_t n = 0;
  auto f = token_detail::encoding_access::count(enc, text, policy, n);
  return token_detail::value_unless(std::move(f), std::move(n));
}
TOKENMAXX_TOKEN_INLINE absl::StatusOr<std::size_t> try_count_until(const encoding& enc, std::string_view text,
                                                                 std::size_t limit, utf8_policy policy) {
  std::size_t n = 0;
  auto f = token_detail::encoding_access::count_until(enc, text, limit, policy, n);
  return token_detail::value_unless(std::move(f), std::move(n));
}
TOKENMAXX_TOKEN_INLINE absl::StatusOr<std::string> try_decode(const encoding& enc, std::span<const rank_t> tokens) {
  std::string out;
  auto f = token_detail::encoding_access::decode(enc, tokens, out);
  return token_detail::value_unless(std::move(f), std::move(out));
}

}  // namespace tokenmaxx
