// tokenmaxx/usage.hpp: umbrella header of the usage-accounting subsystem.
//
// Lock-free per-tenant usage accounting: the `usage` record, prices and exact cost, the ledger,
// snapshots and their codecs, calendar windows, budgets, and Prometheus / OpenTelemetry export.
// Include the individual headers under tokenmaxx/usage/ to compile less. Link tokenmaxx::usage.
//
// Guarantees:
//  - Each header states its own guarantees at its top; docs/USAGE.md collects them.
//  - Thread safety: see each header (the ledger and budgets are safe for concurrent use; snapshots,
//    prices and exporters are values or single-user objects).
//
// Example:
//   #include <tokenmaxx/usage.hpp>
//   tokenmaxx::ledger ledger;
//   absl::Status st = ledger.record("acme", "gpt-4o", {.input = 1200, .output = 300, .requests = 1});
//   if (!st.ok()) return st;
#pragma once

#include "tokenmaxx/usage/budget.hpp"
#include "tokenmaxx/usage/export.hpp"
#include "tokenmaxx/usage/fleet.hpp"
#include "tokenmaxx/usage/ledger.hpp"
#include "tokenmaxx/usage/pricing.hpp"
#include "tokenmaxx/usage/snapshot.hpp"
#include "tokenmaxx/usage/snapshot_codec.hpp"
#include "tokenmaxx/usage/usage.hpp"
#include "tokenmaxx/usage/window.hpp"
