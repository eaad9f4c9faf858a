// tokenmaxx: command-line token counting and encoding with tiktoken-exact results.
//
//   tokenmaxx count  (--encoding NAME | --model MODEL) [--lossy] [FILE...]
//   tokenmaxx encode (--encoding NAME | --model MODEL) [--lossy] --jsonl FILE
//   tokenmaxx encodings
//
// count prints "<tokens>\t<file>" per file (stdin when no file is given) and a total line.
// encode reads rows {"id": ..., "text": "..."} and writes {"id": ..., "count": N, "tokens": [...]}
// per row; a malformed row is an error that names its line.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tokenmaxx/token.hpp"

namespace {

constexpr const char* kUsage =
    "usage:\n"
    "  tokenmaxx count  (--encoding NAME | --model MODEL) [--lossy] [FILE...]\n"
    "  tokenmaxx encode (--encoding NAME | --model MODEL) [--lossy] --jsonl FILE   (FILE may be -)\n"
    "  tokenmaxx encodings\n"
    "Vocabulary files are read from $TOKENMAXX_VOCAB_DIR or the per-user cache; llama3, llama4 and\n"
    "tekken also from the vendor's Python package ($TOKENMAXX_SITE_PACKAGES or $VIRTUAL_ENV).\n"
    "--lossy replaces invalid UTF-8 with U+FFFD instead of failing.\n";

struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct options {
  std::string command, encoding, model, jsonl;
  bool lossy = false;
  std::vector<std::string> files;
};

options parse_args(int argc, char** argv) {
  if (argc < 2) throw usage_error("missing command");
  options o;
  o.command = argv[1];
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw usage_error(a + " needs a value");
      return argv[++i];
    };
    if (a == "--encoding" || a == "-e") o.encoding = value();
    else if (a == "--model" || a == "-m") o.model = value();
    else if (a == "--jsonl") o.jsonl = value();
    else if (a == "--lossy") o.lossy = true;
    else if (a == "--help" || a == "-h") throw usage_error("");
    else if (a.size() > 1 && a[0] == '-' && a != "-") throw usage_error("unknown option " + a);
    else o.files.push_back(a);
  }
  return o;
}

std::shared_ptr<const tokenmaxx::encoding> pick_encoding(const options& o) {
  if (!o.encoding.empty() && !o.model.empty()) throw usage_error("give --encoding or --model, not both");
  if (!o.model.empty()) return tokenmaxx::encoding_for_model(o.model);
  if (o.encoding.empty()) throw usage_error("--encoding NAME or --model MODEL is required");
  return tokenmaxx::get_encoding(o.encoding);
}

std::string read_all(std::istream& in) {
  std::ostringstream ss;
  ss << in.rdbuf();
  return std::move(ss).str();
}

int run_count(const options& o) {
  const auto enc = pick_encoding(o);
  const auto policy = o.lossy ? tokenmaxx::utf8_policy::replace : tokenmaxx::utf8_policy::strict;
  std::size_t total = 0;
  auto count_one = [&](const std::string& text, const std::string& label) {
    try {
      const std::size_t n = enc->count(text, policy);
      total += n;
      std::printf("%zu\t%s\n", n, label.c_str());
    } catch (const tokenmaxx::invalid_utf8_error& e) {
      throw tokenmaxx::error(label + ": " + e.what() + " (use --lossy to replace invalid bytes)");
    }
  };
  if (o.files.empty()) {
    count_one(read_all(std::cin), "-");
  } else {
    for (const auto& f : o.files) {
      if (f == "-") {
        count_one(read_all(std::cin), "-");
        continue;
      }
      std::ifstream in(f, std::ios::binary);
      if (!in) throw tokenmaxx::error("cannot open " + f);
      count_one(read_all(in), f);
    }
  }
  std::printf("%zu\ttotal\n", total);
  return 0;
}

int run_encode(const options& o) {
  if (o.jsonl.empty()) throw usage_error("encode needs --jsonl FILE");
  if (!o.files.empty()) throw usage_error("encode takes its input from --jsonl only");
  const auto enc = pick_encoding(o);
  const auto policy = o.lossy ? tokenmaxx::utf8_policy::replace : tokenmaxx::utf8_policy::strict;
  std::ifstream file;
  std::istream* in = &std::cin;
  if (o.jsonl != "-") {
    file.open(o.jsonl, std::ios::binary);
    if (!file) throw tokenmaxx::error("cannot open " + o.jsonl);
    in = &file;
  }
  std::string line, out;
  std::vector<tokenmaxx::rank_t> ids;
  std::size_t line_no = 0;
  while (std::getline(*in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto fail = [&](const std::string& why) -> void {
      throw tokenmaxx::error(o.jsonl + ":" + std::to_string(line_no) + ": " + why);
    };
    nlohmann::json row;
    try {
      row = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {
      fail(std::string("malformed JSON row: ") + e.what());
    }
    if (!row.is_object() || !row.contains("text") || !row["text"].is_string())
      fail("row must be an object with a string field \"text\"");
    ids.clear();
    try {
      enc->encode_ordinary_into(row["text"].get_ref<const std::string&>(), ids, policy);
    } catch (const tokenmaxx::invalid_utf8_error& e) {
      fail(e.what());
    }
    out.clear();
    out += "{\"id\":";
    out += row.contains("id") ? row["id"].dump() : "null";
    out += ",\"count\":" + std::to_string(ids.size()) + ",\"tokens\":[";
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (i) out.push_back(',');
      out += std::to_string(ids[i]);
    }
    out += "]}\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const options o = parse_args(argc, argv);
    if (o.command == "count") return run_count(o);
    if (o.command == "encode") return run_encode(o);
    if (o.command == "encodings") {
      for (auto n : tokenmaxx::list_encoding_names()) std::printf("%.*s\n", int(n.size()), n.data());
      return 0;
    }
    throw usage_error("unknown command '" + o.command + "'");
  } catch (const usage_error& e) {
    if (*e.what()) std::fprintf(stderr, "tokenmaxx: %s\n", e.what());
    std::fputs(kUsage, stderr);
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tokenmaxx: error: %s\n", e.what());
    return 1;
  }
}
