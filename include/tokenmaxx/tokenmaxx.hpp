// tokenmaxx/tokenmaxx.hpp: umbrella header: everything tokenmaxx offers.
//
// tokenmaxx is the measurement layer for LLM token usage: exact tiktoken-compatible token counting
// (token.hpp), lock-free usage accounting (usage.hpp) and privacy-preserving adoption metrics
// (privacy.hpp). Include a subsystem's umbrella, or its individual headers, to compile less; each
// header states its own guarantees (exactness, thread safety, what is lock-free) at its top. Link
// tokenmaxx::tokenmaxx (or only the components you use: tokenmaxx::token, ::usage, ::privacy).
//
// Example:
//   #include <tokenmaxx/tokenmaxx.hpp>
//   std::size_t n = tokenmaxx::get_encoding("cl100k_base")->count("hello world");
#pragma once

#include "tokenmaxx/base/version.hpp"
#include "tokenmaxx/privacy.hpp"
#include "tokenmaxx/token.hpp"
#include "tokenmaxx/usage.hpp"
