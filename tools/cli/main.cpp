// tokenmaxx: the command-line tool. Counting (count, encode, chat), usage accounting (ingest) and a
// privacy-safe weekly adoption report (report, demo). `tokenmaxx --help` and `tokenmaxx CMD --help`
// describe each command; README.md ("Command line") shows them.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <string>

#include "cli.hpp"

namespace {

using namespace tokenmaxx_cli;

constexpr const char* usage_summary =
    "usage:\n"
    "  tokenmaxx count  (--encoding NAME | --model MODEL) [--lossy] [--json] [PATH...]\n"
    "  tokenmaxx encode (--encoding NAME | --model MODEL) [--lossy] --jsonl FILE\n"
    "  tokenmaxx encodings\n"
    "  tokenmaxx chat   --model MODEL [--json] FILE.json\n"
    "  tokenmaxx ingest EVENTS.jsonl... --prices PRICES.json --out DIR\n"
    "  tokenmaxx report EVENTS.jsonl... --org ORG.json [--outcomes CSV] [--k 5] [--epsilon 1] --out DIR\n"
    "  tokenmaxx demo   [--out DIR]\n"
    "'tokenmaxx --help' and 'tokenmaxx COMMAND --help' explain each command and the exit codes.\n";

void add_encoding_options(CLI::App* cmd, encoding_choice& e) {
  auto* enc = cmd->add_option("-e,--encoding", e.encoding, "encoding name (tokenmaxx encodings lists them)");
  auto* model = cmd->add_option("-m,--model", e.model, "model name, e.g. gpt-4o (its encoding is used)");
  enc->excludes(model);
  model->excludes(enc);
  cmd->add_flag("--lossy", e.lossy, "replace invalid UTF-8 with U+FFFD instead of failing");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "tokenmaxx: exact token counting, usage accounting and privacy-safe AI adoption reports.\n"
      "Vocabulary files are read from $TOKENMAXX_VOCAB_DIR, the embedded data or the per-user cache;\n"
      "llama3, llama4 and tekken also from the vendor's Python package ($TOKENMAXX_SITE_PACKAGES or\n"
      "$VIRTUAL_ENV).",
      "tokenmaxx"};
  app.footer(std::string(exit_codes_help));
  app.require_subcommand(1);

  count_options count;
  auto* c = app.add_subcommand("count", "count tokens of files, directories (recursively) or stdin; per file and total");
  add_encoding_options(c, count.enc);
  c->add_option("inputs", count.inputs, "files, directories or - (stdin); stdin when none");
  c->add_flag("--json", count.json, "one JSON object: {encoding, files: [{path, bytes, tokens}], total}");
  c->add_option("--progress", count.progress, "auto (stderr is a terminal and the input is large), always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  c->add_option("--progress-min-bytes", count.progress_min_bytes, "input size from which auto shows progress (default 16 MiB)");
  c->footer("Prints \"<tokens>\\t<path>\" per file and \"<tokens>\\ttotal\". Files are read in 1 MiB blocks and\n"
            "counted exactly as one text (the streaming counter). A progress bar (bytes done, MB/s, ETA)\n"
            "goes to stderr only.");

  encode_options encode;
  auto* e = app.add_subcommand("encode", "encode JSON lines {\"id\",\"text\"} into {\"id\",\"count\",\"tokens\"}");
  add_encoding_options(e, encode.enc);
  e->add_option("--jsonl", encode.jsonl, "input file, or - for stdin")->required();

  app.add_subcommand("encodings", "list the encoding names");

  chat_options chat;
  auto* h = app.add_subcommand("chat", "count the prompt tokens of an OpenAI-style chat request (JSON)");
  h->add_option("--model", chat.model, "model the request is for, e.g. gpt-4o")->required();
  h->add_option("file", chat.file, "the request: {\"messages\": [...]} or a bare messages array; - for stdin")->required();
  h->add_flag("--json", chat.json, "print {model, encoding, messages, prompt_tokens}");
  h->footer(
      "gpt-oss models (encoding o200k_harmony) are rendered in the harmony format exactly as the\n"
      "openai-harmony package renders the conversation before the assistant's reply (tested token for\n"
      "token); a server that prepends its own system message counts that message too.\n"
      "For every other model this is OpenAI's documented ESTIMATE, not the served count: per the OpenAI\n"
      "cookbook (\"How to count tokens with tiktoken\") every message adds 3 tokens, a \"name\" field 1 more,\n"
      "and 3 tokens prime the reply; every string field of a message (role, content, name) is encoded.\n"
      "Content given as parts counts the text parts; other parts (images, audio) are an error because\n"
      "their token cost is not a text count.");

  ingest_options ingest;
  auto* i = app.add_subcommand("ingest", "account usage events per tenant and model; write snapshot and exports");
  i->add_option("files", ingest.files, "events files (JSON lines)")->required();
  i->add_option("--prices", ingest.prices, "LiteLLM model_prices_and_context_window.json (costs)")->required();
  i->add_option("--out", ingest.out, "output folder")->required();
  i->add_option("--threads", ingest.threads, "threads parsing the events (default 0: every core); the result does not depend on it")
      ->check(CLI::Range(0u, 1024u));
  i->footer(
      "Each line: {\"time\", \"person\", \"team\", \"workflow\", \"tenant\", \"model\"} plus either \"usage\"\n"
      "(as the API reports it: prompt_tokens, completion_tokens, prompt_tokens_details.cached_tokens,\n"
      "completion_tokens_details.reasoning_tokens; or input_tokens/output_tokens) or \"messages\" (+\n"
      "optional \"response\" text) that tokenmaxx counts. time: Unix seconds or ISO 8601 UTC.\n"
      "Writes ledger.bin, ledger.json (checksummed snapshot), metrics.prom (Prometheus text) and\n"
      "otlp.json (OTLP JSON). Malformed lines are reported with their line numbers and counted (exit 3).");

  report_options report;
  auto* r = app.add_subcommand("report", "weekly AI adoption by team and workflow through the privacy gate");
  r->add_option("files", report.files, "events files (JSON lines, as for ingest)")->required();
  r->add_option("--period", report.period, "release period (only week)")->check(CLI::IsMember({"week"}));
  r->add_option("--k", report.k, "minimum group size (suppress groups below k people)")->check(CLI::Range(2, 1000000));
  r->add_option("--epsilon", report.epsilon, "epsilon spent by each weekly release")->check(CLI::Range(0.001, 100.0));
  r->add_option("--budget", report.budget, "epsilon budget per week in the audit log (default: --epsilon)");
  r->add_option("--org", report.org, "org chart {\"teams\": {name: headcount}, \"workflows\": [...]} (public groups)")->required();
  r->add_option("--outcomes", report.outcomes, "team outcomes CSV: team,week,outcomes (public team figures)");
  r->add_option("--audit-log", report.audit_log, "privacy audit log (default OUT/privacy-audit.jsonl); its budget persists");
  r->add_option("--out", report.out, "output folder for report.json and report.html")->required();
  r->footer("Every number on the report is noisy (discrete Laplace) and every week is charged to the audit\n"
            "log's budget before anything is written; a second run over the same weeks with the same log is\n"
            "refused (exit 4). No person identifier or pseudonym is written anywhere.");

  demo_options demo;
  auto* d = app.add_subcommand("demo", "generate a synthetic organisation, then run ingest and report on it");
  d->add_option("--out", demo.out, "output folder (default tokenmaxx-demo); its previous demo output is replaced");
  d->add_option("--seed", demo.seed, "seed of the synthetic data (the privacy noise is always fresh)");
  d->add_option("--people", demo.people, "people in the organisation")->check(CLI::Range(100, 200000));
  d->add_option("--epsilon", demo.epsilon, "epsilon per weekly release")->check(CLI::Range(0.001, 100.0));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& err) {
    if (err.get_exit_code() == 0) return app.exit(err);  // --help
    std::fprintf(stderr, "tokenmaxx: %s\n%s", err.what(), usage_summary);
    return exit_usage;
  }
  try {
    if (c->parsed()) return run_count(count);
    if (e->parsed()) return run_encode(encode);
    if (app.got_subcommand("encodings")) return run_encodings();
    if (h->parsed()) return run_chat(chat);
    if (i->parsed()) return run_ingest(ingest);
    if (r->parsed()) return run_report(report);
    if (d->parsed()) return run_demo(demo);
  } catch (const cli_error& err) {
    std::fprintf(stderr, "tokenmaxx: %s%s\n", err.code == exit_usage ? "" : "error: ", err.what());
    if (err.code == exit_usage) std::fputs(usage_summary, stderr);
    return err.code;
  } catch (const std::exception& err) {
    std::fprintf(stderr, "tokenmaxx: error: %s\n", err.what());
    return exit_error;
  }
  return exit_usage;
}
