// tokenmaxx/token/nothrow.hpp: the tokenizer without exceptions (absl::Status results).
//
// Every tokenizer call that can fail has a `try_` twin here that returns absl::Status or
// absl::StatusOr instead of throwing: for services built with -fno-exceptions and for any code
// on a Status error path (docs/ERRORS.md). The throwing API and these twins share one
// implementation, so both give the same results and the same messages.
//
// Guarantees:
//  - Nothing here throws (allocation failure aside, which aborts without exceptions). Codes:
//    NotFound for an unknown encoding, model or rank-file name and for a rank file that is not
//    found; DataLoss for a malformed rank file or one that fails its pinned SHA-256;
//    InvalidArgument for invalid UTF-8 (strict policy), disallowed special-token text, an unknown
//    token id or an invalid custom vocabulary or encoding; Internal when OpenSSL fails.
//  - Same thread safety as the throwing calls: everything here may run concurrently.
//
// Example:
//   absl::StatusOr<std::shared_ptr<const tokenmaxx::encoding>> enc = tokenmaxx::try_get_encoding("o200k_base");
//   if (!enc.ok()) return enc.status();
//   absl::StatusOr<std::size_t> n = tokenmaxx::try_count(**enc, "hello world");   // 2
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tokenmaxx/token/encoding.hpp"
#include "tokenmaxx/token/model_table.hpp"
#include "tokenmaxx/token/registry.hpp"
#include "tokenmaxx/token/vocab.hpp"

namespace tokenmaxx {

absl::StatusOr<vocabulary> try_parse_vocabulary(std::string_view contents, std::string_view source = "<memory>");
absl::StatusOr<vocabulary> try_vocabulary_from_ranks(const std::vector<std::pair<std::string, rank_t>>& ranks,
                                                     std::string_view source = "<ranks>");
absl::StatusOr<vocabulary> try_load_vocabulary_file(const std::string& path,
                                                    std::optional<std::string_view> expected_sha256 = std::nullopt);
absl::StatusOr<vocabulary> try_load_known_vocabulary(std::string_view file_name);

absl::StatusOr<pretokenizer> try_make_pretokenizer(std::string_view pattern);
absl::StatusOr<std::shared_ptr<const encoding>> try_make_encoding(
    std::string name, pretokenizer pre, std::shared_ptr<const vocabulary> vocab,
    std::vector<std::pair<std::string, rank_t>> special_tokens, std::optional<std::size_t> explicit_n_vocab = std::nullopt);
absl::StatusOr<std::shared_ptr<const encoding>> try_get_encoding(std::string_view name);
absl::StatusOr<std::string_view> try_encoding_name_for_model(std::string_view model);
absl::StatusOr<std::shared_ptr<const encoding>> try_encoding_for_model(std::string_view model);

absl::StatusOr<std::vector<rank_t>> try_encode_ordinary(const encoding& enc, std::string_view text,
                                                        utf8_policy policy = utf8_policy::strict);
absl::StatusOr<std::vector<rank_t>> try_encode(const encoding& enc, std::string_view text,
                                               const special_set& allowed = special_set::none(),
                                               const special_set& disallowed = special_set::all(),
                                               utf8_policy policy = utf8_policy::strict);
absl::StatusOr<std::size_t> try_count(const encoding& enc, std::string_view text, utf8_policy policy = utf8_policy::strict);
absl::StatusOr<std::size_t> try_count_until(const encoding& enc, std::string_view text, std::size_t limit,
                                            utf8_policy policy = utf8_policy::strict);
absl::StatusOr<std::string> try_decode(const encoding& enc, std::span<const rank_t> tokens);

}  // namespace tokenmaxx

#ifndef TOKENMAXX_TOKEN_COMPILED
#include "tokenmaxx/token/detail/nothrow_impl.hpp"
#endif
