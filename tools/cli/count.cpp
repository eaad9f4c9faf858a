// tokenmaxx count, encode, encodings and chat.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli.hpp"
#include "tokenmaxx/token.hpp"

namespace tokenmaxx_cli {

namespace fs = std::filesystem;

std::string read_file(const std::string& path) {
  input_file_or_stdin in(path);
  std::ostringstream ss;
  ss << in.stream().rdbuf();
  if (in.stream().bad()) throw cli_error(exit_error, "cannot read " + path);
  return std::move(ss).str();
}

void write_file(const std::string& path, std::string_view content) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw cli_error(exit_error, "cannot create " + tmp);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) throw cli_error(exit_error, "cannot write " + tmp);
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) throw cli_error(exit_error, "cannot rename " + tmp + " to " + path + ": " + ec.message());
}

int report_malformed(const std::vector<std::string>& errors, std::string_view what_happened_to_the_rest) {
  for (const std::string& e : errors) std::fprintf(stderr, "tokenmaxx: malformed: %s\n", e.c_str());
  if (errors.empty()) return exit_ok;
  std::fprintf(stderr, "tokenmaxx: %zu malformed line(s); every other line was %.*s\n", errors.size(),
               static_cast<int>(what_happened_to_the_rest.size()), what_happened_to_the_rest.data());
  return exit_bad_lines;
}

std::pair<std::int64_t, std::string> iso_week(std::int64_t unix_seconds) {
  using namespace std::chrono;
  const sys_days day = floor<days>(sys_seconds(seconds(unix_seconds)));
  const sys_days monday = day - (weekday(day) - Monday);
  const sys_days thursday = monday + days(3);
  const year y = year_month_day(thursday).year();
  const int week = static_cast<int>((thursday - sys_days(y / January / 1)).count() / 7 + 1);
  char label[16];
  std::snprintf(label, sizeof label, "%d-W%02d", static_cast<int>(y), week);
  return {monday.time_since_epoch().count() * 86400, label};
}

namespace {

std::shared_ptr<const tokenmaxx::encoding> pick_encoding(const encoding_choice& e) {
  if (!e.model.empty()) return tokenmaxx::encoding_for_model(e.model);
  if (e.encoding.empty()) throw cli_error(exit_usage, "--encoding NAME or --model MODEL is required");
  return tokenmaxx::get_encoding(e.encoding);
}

// A progress line on stderr: bytes done, MB/s and ETA, redrawn at most 10 times a second.
class progress_bar {
 public:
  progress_bar(bool enabled, std::uint64_t total) : enabled_(enabled), total_(total) {}
  void advance(std::uint64_t bytes) {
    done_ += bytes;
    if (!enabled_) return;
    const auto now = clock::now();
    if (now - last_ < std::chrono::milliseconds(100) && done_ < total_) return;
    last_ = now;
    draw(now);
  }
  void finish() {
    if (!enabled_) return;
    draw(clock::now());
    std::fputc('\n', stderr);
  }

 private:
  using clock = std::chrono::steady_clock;
  void draw(clock::time_point now) const {
    const double secs = std::max(1e-3, std::chrono::duration<double>(now - start_).count());
    const double mbps = static_cast<double>(done_) / 1e6 / secs;
    const double frac = total_ ? std::min(1.0, static_cast<double>(done_) / static_cast<double>(total_)) : 1.0;
    const int width = 30, filled = static_cast<int>(frac * width);
    const double eta = mbps > 0 ? static_cast<double>(total_ - std::min(total_, done_)) / 1e6 / mbps : 0;
    std::fprintf(stderr, "\r[%.*s%*s] %5.1f%% %.1f/%.1f MB %.1f MB/s ETA %.0fs ", filled,
                 "##############################", width - filled, "", frac * 100, static_cast<double>(done_) / 1e6,
                 static_cast<double>(total_) / 1e6, mbps, eta);
    std::fflush(stderr);
  }
  bool enabled_;
  std::uint64_t total_, done_ = 0;
  clock::time_point start_ = clock::now(), last_{};
};

struct input_file {
  std::string path;  // "-" for stdin
  std::uint64_t bytes = 0;
};

// Files in command-line order; a directory contributes its regular files, recursively, sorted.
std::vector<input_file> expand_inputs(const std::vector<std::string>& inputs) {
  std::vector<input_file> out;
  if (inputs.empty()) return {{"-", 0}};
  for (const std::string& in : inputs) {
    if (in == "-") {
      out.push_back({"-", 0});
      continue;
    }
    std::error_code ec;
    const fs::file_status st = fs::status(in, ec);
    if (ec || !fs::exists(st)) throw cli_error(exit_error, "cannot open " + in + ": no such file or directory");
    if (fs::is_directory(st)) {
      std::vector<input_file> found;
      for (fs::recursive_directory_iterator it(in, fs::directory_options::skip_permission_denied, ec), end;
           !ec && it != end; it.increment(ec)) {
        if (it->is_regular_file(ec)) found.push_back({it->path().string(), static_cast<std::uint64_t>(it->file_size(ec))});
      }
      if (ec) throw cli_error(exit_error, "cannot list " + in + ": " + ec.message());
      std::sort(found.begin(), found.end(), [](const input_file& a, const input_file& b) { return a.path < b.path; });
      out.insert(out.end(), found.begin(), found.end());
    } else {
      out.push_back({in, static_cast<std::uint64_t>(fs::file_size(in, ec))});
    }
  }
  return out;
}

std::string json_escape(const std::string& s) { return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

}  // namespace

int run_count(const count_options& o) {
  const auto enc = pick_encoding(o.enc);
  const auto policy = o.enc.lossy ? tokenmaxx::utf8_policy::replace : tokenmaxx::utf8_policy::strict;
  const std::vector<input_file> files = expand_inputs(o.inputs);
  std::uint64_t total_bytes = 0;
  for (const input_file& f : files) total_bytes += f.bytes;
  const bool show = o.progress == "always" ||
                    (o.progress == "auto" && isatty(STDERR_FILENO) && total_bytes >= o.progress_min_bytes);
  progress_bar bar(show, total_bytes);
  std::vector<std::pair<std::uint64_t, std::uint64_t>> counts;  // tokens, bytes
  std::vector<char> block(1 << 20);
  std::uint64_t total = 0;
  for (const input_file& f : files) {
    input_file_or_stdin source(f.path);
    std::istream* in = &source.stream();
    tokenmaxx::token_counter counter(enc, policy);
    std::uint64_t bytes = 0;
    try {
      while (*in) {
        in->read(block.data(), static_cast<std::streamsize>(block.size()));
        const auto got = static_cast<std::size_t>(in->gcount());
        if (got == 0) break;
        counter.append(std::string_view(block.data(), got));
        bytes += got;
        bar.advance(got);
      }
      if (in->bad()) throw cli_error(exit_error, "cannot read " + f.path);
      counts.emplace_back(counter.count(), bytes);
    } catch (const tokenmaxx::invalid_utf8_error& err) {
      bar.finish();
      throw cli_error(exit_error, f.path + ": " + err.what() + " (use --lossy to replace invalid bytes)");
    }
    total += counts.back().first;
  }
  bar.finish();
  if (o.json) {
    std::string out = "{\"encoding\":" + json_escape(std::string(enc->name())) + ",\"files\":[";
    std::uint64_t all_bytes = 0;
    for (std::size_t i = 0; i < files.size(); ++i) {
      if (i) out += ",";
      out += "{\"path\":" + json_escape(files[i].path) + ",\"bytes\":" + std::to_string(counts[i].second) +
             ",\"tokens\":" + std::to_string(counts[i].first) + "}";
      all_bytes += counts[i].second;
    }
    out += "],\"total\":{\"files\":" + std::to_string(files.size()) + ",\"bytes\":" + std::to_string(all_bytes) +
           ",\"tokens\":" + std::to_string(total) + "}}\n";
    std::fputs(out.c_str(), stdout);
  } else {
    for (std::size_t i = 0; i < files.size(); ++i) std::printf("%llu\t%s\n", static_cast<unsigned long long>(counts[i].first), files[i].path.c_str());
    std::printf("%llu\ttotal\n", static_cast<unsigned long long>(total));
  }
  return exit_ok;
}

int run_encode(const encode_options& o) {
  const auto enc = pick_encoding(o.enc);
  const auto policy = o.enc.lossy ? tokenmaxx::utf8_policy::replace : tokenmaxx::utf8_policy::strict;
  input_file_or_stdin source(o.jsonl);
  std::istream* in = &source.stream();
  std::string line, out;
  std::vector<tokenmaxx::rank_t> ids;
  std::size_t line_no = 0;
  while (std::getline(*in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto fail = [&](const std::string& why) { throw cli_error(exit_error, o.jsonl + ":" + std::to_string(line_no) + ": " + why); };
    nlohmann::json row;
    try {
      row = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& err) {
      fail(std::string("malformed JSON row: ") + err.what());
    }
    if (!row.is_object() || !row.contains("text") || !row["text"].is_string())
      fail("row must be an object with a string field \"text\"");
    ids.clear();
    try {
      enc->encode_ordinary_into(row["text"].get_ref<const std::string&>(), ids, policy);
    } catch (const tokenmaxx::invalid_utf8_error& err) {
      fail(err.what());
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
  return exit_ok;
}

int run_encodings() {
  for (auto n : tokenmaxx::list_encoding_names()) std::printf("%.*s\n", static_cast<int>(n.size()), n.data());
  return exit_ok;
}

// tokenmaxx::count_chat_json (token/chat.hpp): harmony for gpt-oss models, the cookbook estimate for
// the others; errors name the file (and line, for ingest).
chat_count count_chat_json(std::string_view model, std::string_view request_json, const std::string& where) {
  const auto enc = tokenmaxx::encoding_for_model(model);
  absl::StatusOr<tokenmaxx::chat_count> c = tokenmaxx::try_count_chat_json(*enc, request_json);
  if (!c.ok()) throw cli_error(exit_error, where + ": " + std::string(c.status().message()));
  return {c->prompt_tokens, c->messages, std::string(enc->name()), c->method};
}

int run_chat(const chat_options& o) {
  const std::string text = read_file(o.file);
  const chat_count c = count_chat_json(o.model, text, o.file);
  const bool estimate = c.method == tokenmaxx::chat_method::openai_cookbook_estimate;
  const std::string method = estimate ? "openai-cookbook-estimate: 3 per message, 1 per name, 3 reply priming"
                                      : "harmony: rendered exactly (openai-harmony)";
  if (o.json) {
    nlohmann::json j = {{"model", o.model}, {"encoding", c.encoding}, {"messages", c.messages}, {"prompt_tokens", c.tokens},
                        {"method", method}};
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("%llu\tprompt tokens (%llu messages, %s; %s)\n", static_cast<unsigned long long>(c.tokens),
                static_cast<unsigned long long>(c.messages), c.encoding.c_str(),
                estimate ? "OpenAI cookbook estimate" : "harmony format, exact");
  }
  return exit_ok;
}

}  // namespace tokenmaxx_cli
