// tokenmaxx/tokenmaxx.hpp — umbrella header: everything tokenmaxx offers.
//
// tokenmaxx is the measurement layer for LLM token usage: exact tiktoken-compatible token
// counting (encoding.hpp, vocab.hpp), lock-free usage accounting (ledger.hpp and friends) and
// privacy-preserving adoption metrics (privacy.hpp). Include the individual headers to compile less.
// Each header states its own guarantees (exactness, thread safety, what is lock-free) at its top.
#pragma once

// Tokenizer
#include "tokenmaxx/encoding.hpp"
#include "tokenmaxx/errors.hpp"
#include "tokenmaxx/vocab.hpp"

// Usage accounting
#include "tokenmaxx/budget.hpp"
#include "tokenmaxx/ledger.hpp"
#include "tokenmaxx/pricing.hpp"
#include "tokenmaxx/usage.hpp"
#include "tokenmaxx/usage_export.hpp"
#include "tokenmaxx/usage_snapshot.hpp"
#include "tokenmaxx/usage_window.hpp"

// Privacy-preserving adoption metrics (privacy.hpp includes pseudonym.hpp, privacy_budget.hpp,
// privacy_random.hpp and adoption_report.hpp)
#include "tokenmaxx/privacy.hpp"
