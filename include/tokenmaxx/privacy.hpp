// tokenmaxx/privacy.hpp: umbrella header of the privacy subsystem.
//
// Adoption metrics by team and workflow that never single out a person: keyed pseudonyms
// (privacy/pseudonym.hpp), contribution bounds and integer-exact differential privacy
// (privacy/aggregator.hpp), a per-period budget kept in a durable audit log (privacy/accountant.hpp),
// noise from the CSPRNG only (privacy/random.hpp), and the released report with its formats
// (privacy/report.hpp, privacy/report_format.hpp). Include single headers to compile less; each
// states its guarantees at its top. Link tokenmaxx::privacy.
//
// Guarantees:
//  - Those of the headers it includes; this header adds nothing of its own.
//  - Thread safety: as stated in each header.
//
// Example:
//   auto key = tokenmaxx::master_key::generate();
//   if (!key.ok()) return key.status();
//   auto week = tokenmaxx::pseudonymizer::create(*key, "2025-W14");
//   if (!week.ok()) return week.status();
#pragma once

#include "tokenmaxx/privacy/accountant.hpp"
#include "tokenmaxx/privacy/aggregator.hpp"
#include "tokenmaxx/privacy/pseudonym.hpp"
#include "tokenmaxx/privacy/random.hpp"
#include "tokenmaxx/privacy/report.hpp"
#include "tokenmaxx/privacy/report_format.hpp"
