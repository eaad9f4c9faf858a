// Internal to the tokenizer; include <tokenmaxx/token/vocab.hpp> instead.
//
// The rank files of model vendors' PyPI packages (vocab.hpp's `vendor_vocab_files`): found in
// $TOKENMAXX_VOCAB_DIR or inside the installed package, checked against the pinned SHA-256 and
// parsed by format (tiktoken lines, or mistral-common's tekken JSON).
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <system_error>
#include <vector>

#include "tokenmaxx/token/detail/failure.hpp"
#include "tokenmaxx/token/detail/vocab_impl.hpp"
#include "tokenmaxx/token/vocab.hpp"

namespace tokenmaxx {
namespace token_detail {

// Tekken JSON: {"config": {"default_vocab_size", "default_num_special_tokens", ...},
// "vocab": [{"rank", "token_bytes" (base64), ...}, ...]}. Tekkenizer keeps the ranks below
// default_vocab_size - default_num_special_tokens and shifts them by default_num_special_tokens.
TOKENMAXX_TOKEN_INLINE outcome<vocabulary> parse_tekken_vocabulary(std::string_view json, std::string_view source) {
  using out = outcome<vocabulary>;
  const auto bad = [&](const std::string& why) {
    return out::fail(failure_kind::corrupt_data, "tekken file " + std::string(source) + ": " + why);
  };
  const nlohmann::json doc = nlohmann::json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return bad("not a JSON object");
  const auto config = doc.find("config");
  const auto entries = doc.find("vocab");
  if (config == doc.end() || !config->is_object() || entries == doc.end() || !entries->is_array())
    return bad("expected \"config\" and \"vocab\"");
  const auto number = [&](const char* key) -> std::optional<std::uint64_t> {
    const auto it = config->find(key);
    if (it == config->end() || !it->is_number_unsigned()) return std::nullopt;
    return it->get<std::uint64_t>();
  };
  const auto vocab_size = number("default_vocab_size"), specials = number("default_num_special_tokens");
  if (!vocab_size || !specials || *specials > *vocab_size || *vocab_size > vocabulary::max_rank_limit)
    return bad("config needs default_vocab_size >= default_num_special_tokens");
  const std::uint64_t inner = *vocab_size - *specials;
  std::vector<std::pair<std::string, rank_t>> ranks;
  ranks.reserve(static_cast<std::size_t>(inner));
  std::string token;
  for (const auto& e : *entries) {
    const auto rank = e.find("rank"), bytes = e.find("token_bytes");
    if (!e.is_object() || rank == e.end() || !rank->is_number_unsigned() || bytes == e.end() || !bytes->is_string())
      return bad("a vocab entry lacks \"rank\" or \"token_bytes\"");
    const std::uint64_t r = rank->get<std::uint64_t>();
    if (r >= inner) continue;
    if (!base64_decode(bytes->get_ref<const std::string&>(), token)) return bad("invalid base64 in rank " + std::to_string(r));
    ranks.emplace_back(token, static_cast<rank_t>(r + *specials));
  }
  if (ranks.size() != inner) return bad("expected ranks 0.." + std::to_string(inner - 1) + ", found " + std::to_string(ranks.size()));
  auto v = vocabulary_from_ranks(ranks, source);
  if (v.error) v.error->kind = failure_kind::corrupt_data;
  return v;
}

inline outcome<vocabulary> load_vendor_vocabulary_file(const vendor_vocab_file& file, const std::string& path) {
  using out = outcome<vocabulary>;
  std::ifstream in(path, std::ios::binary);
  if (!in) return out::fail(failure_kind::file_not_found, "cannot open rank file " + path);
  std::string contents((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return out::fail(failure_kind::file_not_found, "cannot read rank file " + path);
  if (auto f = check_sha256(contents, file.sha256, path)) return {std::nullopt, std::move(f)};
  if (file.format == "tekken") return parse_tekken_vocabulary(contents, path);
  return parse_vocabulary(contents, path);
}

TOKENMAXX_TOKEN_INLINE outcome<vocabulary> load_vendor_vocabulary(const vendor_vocab_file& file) {
  namespace fs = std::filesystem;
  std::vector<std::string> candidates;
  if (const char* d = std::getenv("TOKENMAXX_VOCAB_DIR"); d && *d)
    candidates.push_back((fs::path(d) / std::string(file.file_name)).string());
  for (const std::string& dir : vendor_search_dirs())
    candidates.push_back((fs::path(dir) / std::string(file.package_path)).string());
  std::string tried;
  for (const std::string& path : candidates) {
    std::error_code ec;
    if (fs::is_regular_file(path, ec)) return load_vendor_vocabulary_file(file, path);
    tried += (tried.empty() ? "" : ", ") + path;
  }
  return outcome<vocabulary>::fail(
      failure_kind::file_not_found,
      "rank file " + std::string(file.file_name) + " not found (looked in " + (tried.empty() ? "no folder" : tried) +
          "); it ships with the Python package " + std::string(file.distribution) + ": run `pip install " +
          std::string(file.distribution) + "` and set TOKENMAXX_SITE_PACKAGES to its site-packages folder, or copy " +
          std::string(file.package_path) + " from it to $TOKENMAXX_VOCAB_DIR/" + std::string(file.file_name));
}

}  // namespace token_detail

TOKENMAXX_TOKEN_INLINE std::vector<std::string> vendor_search_dirs() {
  namespace fs = std::filesystem;
  std::vector<std::string> dirs;
  if (const char* d = std::getenv("TOKENMAXX_SITE_PACKAGES"); d && *d) {
    std::string_view rest(d);
    while (!rest.empty()) {
      const std::size_t colon = rest.find(':');
      if (colon != 0) dirs.emplace_back(rest.substr(0, colon));
      if (colon == std::string_view::npos) break;
      rest.remove_prefix(colon + 1);
    }
    return dirs;
  }
  if (const char* venv = std::getenv("VIRTUAL_ENV"); venv && *venv) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(fs::path(venv) / "lib", ec))
      if (entry.path().filename().string().rfind("python3", 0) == 0)
        dirs.push_back((entry.path() / "site-packages").string());
  }
  return dirs;
}

TOKENMAXX_TOKEN_INLINE vocabulary vocabulary::load_vendor_file(std::string_view file_name, const std::string& path) {
  const vendor_vocab_file* file = find_vendor_vocab_file(file_name);
  if (!file) base::raise(unknown_name_error("unknown vendor rank file " + std::string(file_name)));
  return token_detail::value_or_raise(token_detail::load_vendor_vocabulary_file(*file, path));
}

TOKENMAXX_TOKEN_INLINE vocabulary vocabulary::parse_tekken(std::string_view json, std::string_view source) {
  return token_detail::value_or_raise(token_detail::parse_tekken_vocabulary(json, source));
}

}  // namespace tokenmaxx
