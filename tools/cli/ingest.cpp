// tokenmaxx ingest: usage events into the ledger (per tenant and model, priced), written as a
// snapshot (binary and JSON), Prometheus text and OTLP JSON. Also the events reader `report` uses.
#include <algorithm>
#include <chrono>
#include <exception>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "cli.hpp"
#include "tokenmaxx/token.hpp"
#include "tokenmaxx/usage.hpp"

namespace tokenmaxx_cli {

namespace {

// Times from 1970 to the end of 9999: later seconds would overflow the nanosecond clock (year 2262).
constexpr std::int64_t max_time_seconds = 253'402'300'799;

// Unix seconds, or ISO 8601 UTC "YYYY-MM-DDTHH:MM:SS[.fff]Z", in [1970, 9999].
bool parse_time(const nlohmann::json& v, std::int64_t& out) {
  if (v.is_number_unsigned()) {
    if (v.get<std::uint64_t>() > static_cast<std::uint64_t>(max_time_seconds)) return false;
    out = static_cast<std::int64_t>(v.get<std::uint64_t>());
    return true;
  }
  if (v.is_number_integer()) {
    out = v.get<std::int64_t>();
    return out >= 0 && out <= max_time_seconds;
  }
  if (!v.is_string()) return false;
  const std::string s = v.get<std::string>();
  int y, mo, d, h, mi, se;
  char tail[16] = {0};
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%15s", &y, &mo, &d, &h, &mi, &se, tail) < 6) return false;
  const std::string t = tail;
  if (!(t == "Z" || t.empty() || (t[0] == '.' && t.back() == 'Z') || t == "+00:00")) return false;
  const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(mo)), std::chrono::day(static_cast<unsigned>(d))};
  if (!ymd.ok() || y < 1970 || y > 9999 || h > 23 || mi > 59 || se > 60 || h < 0 || mi < 0 || se < 0) return false;
  out = std::chrono::sys_days(ymd).time_since_epoch().count() * 86400 + h * 3600 + mi * 60 + se;
  return true;
}

// A token count of one event: an integer in [0, 2^48 - 1], the most one ledger record may carry.
bool get_count(const nlohmann::json& obj, const char* key, std::uint64_t& out) {
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return true;  // absent: 0
  if (it->is_number_unsigned()) {
    out = it->get<std::uint64_t>();
    return out <= tokenmaxx::max_increment;
  }
  if (!it->is_number_integer() || it->get<std::int64_t>() < 0) return false;
  out = it->get<std::uint64_t>();
  return out <= tokenmaxx::max_increment;
}

// One line of an events file (line number `n`): an event, or an error naming the file and line.
void parse_event_line(const std::string& path, std::size_t n, std::string_view line, event_read_result& result) {
  if (line.find_first_not_of(" \t\r") == std::string_view::npos) return;
  // Errors name the file, line and field, never the content (it may hold a person's identifier).
  auto bad = [&](const std::string& why) { result.errors.push_back(path + ":" + std::to_string(n) + ": " + why); };
  const nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    bad("not a JSON object");
    return;
  }
  usage_event_row e;
  e.line = n;
  bool ok = true;
  for (auto [key, field] : {std::pair<const char*, std::string*>{"person", &e.person}, {"team", &e.team},
                            {"workflow", &e.workflow}, {"tenant", &e.tenant}, {"model", &e.model}}) {
    const auto it = j.find(key);
    if (it == j.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
      bad(std::string("missing, empty or non-string field \"") + key + "\"");
      ok = false;
      break;
    }
    *field = it->get<std::string>();
  }
  if (!ok) return;
  if (!j.contains("time") || !parse_time(j["time"], e.time_seconds)) {
    bad("\"time\" must be Unix seconds or an ISO 8601 UTC time such as 2026-01-05T09:30:00Z, from 1970 to 9999");
    return;
  }
  if (const auto u = j.find("usage"); u != j.end()) {
    if (!u->is_object()) {
      bad("\"usage\" must be an object");
      return;
    }
    std::uint64_t prompt = 0, completion = 0, cached = 0, reasoning = 0, in_tok = 0, out_tok = 0;
    bool fields = get_count(*u, "prompt_tokens", prompt) && get_count(*u, "completion_tokens", completion) &&
                  get_count(*u, "input_tokens", in_tok) && get_count(*u, "output_tokens", out_tok);
    if (const auto pd = u->find("prompt_tokens_details"); fields && pd != u->end() && pd->is_object())
      fields = get_count(*pd, "cached_tokens", cached);
    if (const auto cd = u->find("completion_tokens_details"); fields && cd != u->end() && cd->is_object())
      fields = get_count(*cd, "reasoning_tokens", reasoning);
    if (const auto id = u->find("input_tokens_details"); fields && id != u->end() && id->is_object())
      fields = get_count(*id, "cached_tokens", cached);
    if (const auto od = u->find("output_tokens_details"); fields && od != u->end() && od->is_object())
      fields = get_count(*od, "reasoning_tokens", reasoning);
    if (!fields) {
      bad("usage token counts must be integers from 0 to 2^48 - 1");
      return;
    }
    if ((prompt || completion) && (in_tok || out_tok)) {
      bad("usage has both prompt_tokens/completion_tokens and input_tokens/output_tokens");
      return;
    }
    prompt += in_tok;
    completion += out_tok;
    if (cached > prompt || reasoning > completion) {
      bad("cached_tokens above the prompt tokens or reasoning_tokens above the completion tokens");
      return;
    }
    e.input = prompt - cached;
    e.cached_input = cached;
    e.output = completion - reasoning;
    e.reasoning = reasoning;
  } else if (const auto m = j.find("messages"); m != j.end()) {
    try {
      const auto enc = tokenmaxx::encoding_for_model(e.model);
      absl::StatusOr<std::vector<tokenmaxx::chat_message>> messages = tokenmaxx::try_chat_messages_from_json(*m);
      absl::StatusOr<tokenmaxx::chat_count> prompt =
          messages.ok() ? tokenmaxx::try_count_chat(*enc, *messages) : absl::StatusOr<tokenmaxx::chat_count>(messages.status());
      if (!prompt.ok()) {
        bad(std::string(prompt.status().message()));
        return;
      }
      e.input = prompt->prompt_tokens;
      if (const auto r = j.find("response"); r != j.end()) {
        if (!r->is_string()) {
          bad("\"response\" must be text");
          return;
        }
        e.output = enc->count(r->get<std::string>());
      }
    } catch (const tokenmaxx::error& err) {  // an unknown model, text that is not UTF-8
      bad(err.what());
      return;
    }
  } else {
    bad("neither \"usage\" (token counts) nor \"messages\" (text to count)");
    return;
  }
  result.events.push_back(std::move(e));
}

// Parses `lines` (numbered from `first_line`) on up to `threads` threads, appending the events and
// errors to `result` in line order.
void parse_event_lines(const std::string& path, std::size_t first_line, const std::vector<std::string_view>& lines,
                       unsigned threads, event_read_result& result) {
  const std::size_t per_thread_min = 2048;  // below this a thread costs more than it saves
  const std::size_t n_threads = std::max<std::size_t>(1, std::min<std::size_t>(threads, lines.size() / per_thread_min));
  std::vector<event_read_result> parts(n_threads);
  std::vector<std::exception_ptr> failures(n_threads);
  auto work = [&](std::size_t t) {
    try {
      const std::size_t lo = lines.size() * t / n_threads, hi = lines.size() * (t + 1) / n_threads;
      for (std::size_t i = lo; i < hi; ++i) parse_event_line(path, first_line + i, lines[i], parts[t]);
    } catch (...) {
      failures[t] = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < n_threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (std::thread& th : pool) th.join();
  for (const std::exception_ptr& f : failures)
    if (f) std::rethrow_exception(f);
  for (event_read_result& part : parts) {
    result.events.insert(result.events.end(), std::make_move_iterator(part.events.begin()), std::make_move_iterator(part.events.end()));
    result.errors.insert(result.errors.end(), std::make_move_iterator(part.errors.begin()), std::make_move_iterator(part.errors.end()));
  }
}

}  // namespace

event_read_result read_events(const std::string& path, unsigned threads) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  std::ifstream in(path, std::ios::binary);
  if (!in) throw cli_error(exit_error, "cannot open " + path);
  event_read_result result;
  // Blocks of whole lines, each parsed on all threads: memory stays bounded by the block size.
  constexpr std::size_t block_bytes = 32u << 20;
  std::string block, carry;
  std::vector<std::string_view> lines;
  for (bool eof = false; !eof;) {
    block = std::move(carry);
    carry.clear();
    const std::size_t had = block.size();
    block.resize(had + block_bytes);
    in.read(block.data() + had, static_cast<std::streamsize>(block_bytes));
    block.resize(had + static_cast<std::size_t>(in.gcount()));
    eof = !in;
    if (in.bad()) throw cli_error(exit_error, "cannot read " + path);
    if (!eof) {  // keep the partial last line for the next block
      const std::size_t last_newline = block.rfind('\n');
      if (last_newline == std::string::npos) {  // one line longer than a block: read on
        carry = std::move(block);
        continue;
      }
      carry.assign(block, last_newline + 1);
      block.resize(last_newline + 1);
    }
    lines.clear();
    for (std::size_t pos = 0; pos < block.size();) {
      std::size_t end = block.find('\n', pos);
      if (end == std::string::npos) end = block.size();
      lines.emplace_back(block.data() + pos, end - pos);
      pos = end + 1;
    }
    parse_event_lines(path, result.lines + 1, lines, threads, result);
    result.lines += lines.size();
  }
  return result;
}

int run_ingest(const ingest_options& o) {
  const auto started = std::chrono::steady_clock::now();
  absl::StatusOr<tokenmaxx::price_table> prices = tokenmaxx::price_table::load_litellm_file(o.prices);
  if (!prices.ok()) throw cli_error(exit_error, o.prices + ": " + std::string(prices.status().message()));
  tokenmaxx::ledger ledger({.capacity = 100'000, .prices = std::make_shared<const tokenmaxx::price_table>(*std::move(prices))});
  std::size_t events = 0, lines = 0;
  std::vector<std::string> errors;
  for (const std::string& path : o.files) {
    event_read_result r = read_events(path, o.threads);
    lines += r.lines;
    for (const usage_event_row& e : r.events) {
      const absl::Status st = ledger.record(e.tenant, e.model,
                                            {.input = e.input, .cached_input = e.cached_input, .output = e.output,
                                             .reasoning = e.reasoning, .requests = 1});
      if (!st.ok()) {
        errors.push_back(path + ":" + std::to_string(e.line) + ": " + std::string(st.message()));
        continue;
      }
      ++events;
    }
    errors.insert(errors.end(), r.errors.begin(), r.errors.end());
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  std::error_code ec;
  std::filesystem::create_directories(o.out, ec);
  if (ec) throw cli_error(exit_error, "cannot create " + o.out + ": " + ec.message());
  const tokenmaxx::usage_snapshot snapshot = ledger.snapshot();
  write_file(o.out + "/ledger.bin", tokenmaxx::encode_binary(snapshot));
  write_file(o.out + "/ledger.json", tokenmaxx::encode_json(snapshot));
  tokenmaxx::prometheus_exporter prom;
  absl::StatusOr<std::string> metrics = prom.render(snapshot);
  if (!metrics.ok()) throw cli_error(exit_error, "prometheus export: " + std::string(metrics.status().message()));
  write_file(o.out + "/metrics.prom", *metrics);
  absl::StatusOr<std::string> otlp = tokenmaxx::to_otlp_json(ledger.snapshot_and_reset());
  if (!otlp.ok()) throw cli_error(exit_error, "OTLP export: " + std::string(otlp.status().message()));
  write_file(o.out + "/otlp.json", *otlp);

  std::printf("%-16s %-28s %9s %13s %13s %12s\n", "tenant", "model", "requests", "input", "output", "cost USD");
  tokenmaxx::usage_snapshot sorted = snapshot;
  std::sort(sorted.rows.begin(), sorted.rows.end(),
            [](const auto& a, const auto& b) { return std::tie(a.tenant, a.model) < std::tie(b.tenant, b.model); });
  for (const tokenmaxx::usage_row& r : sorted.rows) {
    using tt = tokenmaxx::token_type;
    const std::uint64_t in = r.tokens_of(tt::input) + r.tokens_of(tt::cached_input) + r.tokens_of(tt::cache_creation) +
                             r.tokens_of(tt::cache_creation_1h);
    const std::uint64_t out = r.tokens_of(tt::output) + r.tokens_of(tt::reasoning);
    char cost[64];
    std::snprintf(cost, sizeof cost, "%llu.%06llu%s", static_cast<unsigned long long>(r.cost.micros / 1'000'000),
                  static_cast<unsigned long long>(r.cost.micros % 1'000'000), r.cost.unpriced_tokens ? " (partial)" : "");
    std::printf("%-16s %-28s %9llu %13llu %13llu %12s\n", r.tenant.c_str(), r.model.c_str(),
                static_cast<unsigned long long>(r.requests), static_cast<unsigned long long>(in),
                static_cast<unsigned long long>(out), cost);
  }
  const unsigned threads = o.threads ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  std::printf("ingested %zu events from %zu lines in %.3f s (%.0f events/s, %u thread%s); %zu malformed\n", events, lines, secs,
              secs > 0 ? static_cast<double>(events) / secs : 0.0, threads, threads == 1 ? "" : "s", errors.size());
  std::printf("wrote %s/{ledger.bin,ledger.json,metrics.prom,otlp.json}\n", o.out.c_str());
  return report_malformed(errors, "ingested");
}

}  // namespace tokenmaxx_cli
