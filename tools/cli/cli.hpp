// Internal to the tokenmaxx command-line tool (tools/cli): what the subcommands share.
#pragma once

#include <cstdint>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tokenmaxx/token/chat.hpp"

namespace tokenmaxx_cli {

// Exit codes, as `tokenmaxx --help` and the README state them.
inline constexpr int exit_ok = 0;
inline constexpr int exit_error = 1;      // an input could not be read or is invalid (named with its line)
inline constexpr int exit_usage = 2;      // bad command line
inline constexpr int exit_bad_lines = 3;  // finished, but some input lines were malformed (each reported)
inline constexpr int exit_budget = 4;     // the privacy budget refused a release; nothing of it was published

inline constexpr std::string_view exit_codes_help =
    "Exit codes: 0 success; 1 an input could not be read or is invalid (the message names the file\n"
    "and line); 2 bad command line; 3 finished, but some input lines were malformed (each is reported\n"
    "on stderr with its line number, and counted); 4 the privacy budget refused a release (nothing of\n"
    "that release was published).\n";

// An error that ends the command with `code` after printing `what()`.
struct cli_error : std::runtime_error {
  cli_error(int exit_code, const std::string& message) : std::runtime_error(message), code(exit_code) {}
  int code;
};

// An input named on the command line: the file at `path`, or stdin for "-". Throws cli_error
// naming the file when it cannot be opened.
class input_file_or_stdin {
 public:
  explicit input_file_or_stdin(const std::string& path) : use_stdin_(path == "-") {
    if (use_stdin_) return;
    file_.open(path, std::ios::binary);
    if (!file_) throw cli_error(exit_error, "cannot open " + path);
  }
  std::istream& stream() { return use_stdin_ ? std::cin : file_; }

 private:
  bool use_stdin_;
  std::ifstream file_;
};

std::string read_file(const std::string& path);  // the whole input (see input_file_or_stdin)
// Reports each malformed line on stderr and returns exit_bad_lines, or exit_ok when there is none.
int report_malformed(const std::vector<std::string>& errors, std::string_view what_happened_to_the_rest);
// The ISO 8601 week of a Unix time: its Monday 00:00 UTC (Unix seconds) and its label "2026-W37".
std::pair<std::int64_t, std::string> iso_week(std::int64_t unix_seconds);                    // throws cli_error naming the file
void write_file(const std::string& path, std::string_view content);  // creates or replaces

// One usage event of an events file (see events.cpp for the accepted JSON shapes).
struct usage_event_row {
  std::size_t line = 0;
  std::int64_t time_seconds = 0;  // Unix seconds, UTC
  std::string person, team, workflow, tenant, model;
  std::uint64_t input = 0, cached_input = 0, output = 0, reasoning = 0;
  std::uint64_t total_tokens() const { return input + cached_input + output + reasoning; }
};

struct event_read_result {
  std::vector<usage_event_row> events;
  std::vector<std::string> errors;  // "FILE:LINE: why" for each malformed line (never the line's content)
  std::size_t lines = 0;
};

// Reads an events file (JSON lines), parsing on up to `threads` threads (0: every core) in blocks of
// whole lines. Lines that carry raw messages are counted with the model's encoding. Events and
// errors come in line order whatever the thread count. Malformed lines are collected in `errors`,
// never dropped silently.
event_read_result read_events(const std::string& path, unsigned threads = 0);

// Counts an OpenAI-style chat request (token/chat.hpp has the rules). Throws cli_error on malformed input.
struct chat_count {
  std::uint64_t tokens = 0;
  std::uint64_t messages = 0;
  std::string encoding;
  tokenmaxx::chat_method method = tokenmaxx::chat_method::openai_cookbook_estimate;
};
chat_count count_chat_json(std::string_view model, std::string_view request_json, const std::string& where);


// The subcommands (main.cpp parses the command line into these).
struct encoding_choice {
  std::string encoding, model;
  bool lossy = false;
};
struct count_options {
  encoding_choice enc;
  std::vector<std::string> inputs;  // files, directories (recursive) or "-"; none = stdin
  bool json = false;
  std::string progress = "auto";    // auto: on stderr when it is a terminal and the input is large
  std::uint64_t progress_min_bytes = 16u << 20;
};
struct encode_options {
  encoding_choice enc;
  std::string jsonl;
};
struct chat_options {
  std::string model, file;
  bool json = false;
};
struct ingest_options {
  std::vector<std::string> files;
  std::string prices, out;
  unsigned threads = 0;  // 0: every core
};
struct report_options {
  std::vector<std::string> files;
  std::string period = "week", org, outcomes, audit_log, out;
  std::int64_t k = 5;
  double epsilon = 1.0, budget = 0;  // budget per week; 0 = epsilon
};
struct demo_options {
  std::string out = "tokenmaxx-demo";
  std::uint64_t seed = 2026;
  std::int64_t people = 2000;
  double epsilon = 1.0;
};

int run_count(const count_options& o);
int run_encode(const encode_options& o);
int run_encodings();
int run_chat(const chat_options& o);
int run_ingest(const ingest_options& o);
int run_report(const report_options& o);
int run_demo(const demo_options& o);

}  // namespace tokenmaxx_cli
