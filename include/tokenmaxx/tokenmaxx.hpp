// tokenmaxx/tokenmaxx.hpp — umbrella header: everything tokenmaxx offers.
//
// tokenmaxx is the measurement layer for LLM token usage: exact tiktoken-compatible token
// counting (encoding.hpp, vocab.hpp), lock-free usage accounting (ledger) and privacy-preserving
// adoption metrics (privacy). Include the individual headers to compile less.
#pragma once

#include "tokenmaxx/encoding.hpp"
#include "tokenmaxx/errors.hpp"
#include "tokenmaxx/vocab.hpp"
