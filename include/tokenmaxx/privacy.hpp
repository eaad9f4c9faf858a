// tokenmaxx/privacy.hpp: umbrella header of the privacy subsystem.
//
// Adoption metrics by team and workflow that never single out a person: keyed pseudonyms,
// contribution bounds, a minimum group size, integer-exact differential privacy with a per-period
// budget and an audit log, and the released report. Include the individual headers under
// tokenmaxx/privacy/ to compile less; each states its guarantees at its top. Link tokenmaxx::privacy.
//
// Example:
//   #include <tokenmaxx/privacy.hpp>
//   auto key = tokenmaxx::master_key::generate();
//   auto week = tokenmaxx::pseudonymizer::create(*key, "2025-W14");
#pragma once

#include "tokenmaxx/privacy/accountant.hpp"
#include "tokenmaxx/privacy/aggregator.hpp"
#include "tokenmaxx/privacy/pseudonym.hpp"
#include "tokenmaxx/privacy/random.hpp"
#include "tokenmaxx/privacy/report.hpp"
