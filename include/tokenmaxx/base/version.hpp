// tokenmaxx/base/version.hpp: the library version, in one place.
//
// TOKENMAXX_VERSION_MAJOR/MINOR/PATCH and TOKENMAXX_VERSION (a string) are the single source of
// the version number: CMake's project version, the Python package's `tokenmaxx.__version__` and
// the OTLP scope version all read it from this file. CHANGELOG.md says what each version changed.
//
// Guarantees: plain macros and constants; no code, no dependencies, safe to include anywhere.
//
// Example:
//   #include <tokenmaxx/base/version.hpp>
//   static_assert(TOKENMAXX_VERSION_MAJOR == 0);
//   std::string_view v = tokenmaxx::version_string;   // "0.2.0"
#pragma once

#include <string_view>

#define TOKENMAXX_VERSION_MAJOR 0
#define TOKENMAXX_VERSION_MINOR 2
#define TOKENMAXX_VERSION_PATCH 0
#define TOKENMAXX_VERSION "0.2.0"

namespace tokenmaxx {
inline constexpr std::string_view version_string = TOKENMAXX_VERSION;
}  // namespace tokenmaxx
