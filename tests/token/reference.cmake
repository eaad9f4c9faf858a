# The references that the tokenizer tests and fuzzers check tokenmaxx against
# (tests/token/reference_*.hpp, tests/base/reference_utf8.hpp, fuzz/fuzz_check.hpp): PCRE2 runs
# tiktoken's published patterns, and the Unicode Character Database (Debian's unicode-data) says
# which code points PCRE2's older Unicode cannot judge. Included by tests/token/CMakeLists.txt and fuzz/CMakeLists.txt.
if(NOT TARGET tokenmaxx_token_reference)
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(PCRE2 REQUIRED IMPORTED_TARGET libpcre2-8)
  find_path(TOKENMAXX_UCD_DIR UnicodeData.txt PATHS /usr/share/unicode /usr/share/unicode-data NO_DEFAULT_PATH
            DOC "Folder with the Unicode Character Database (UnicodeData.txt)")
  if(NOT TOKENMAXX_UCD_DIR)
    message(FATAL_ERROR "tokenmaxx tests: UnicodeData.txt not found; install Debian's unicode-data or set TOKENMAXX_UCD_DIR")
  endif()
  add_library(tokenmaxx_token_reference INTERFACE)
  target_include_directories(tokenmaxx_token_reference INTERFACE ${CMAKE_CURRENT_LIST_DIR} ${PROJECT_SOURCE_DIR}/tests/base
                             ${PROJECT_SOURCE_DIR}/fuzz)
  target_link_libraries(tokenmaxx_token_reference INTERFACE PkgConfig::PCRE2)
  target_compile_definitions(tokenmaxx_token_reference INTERFACE TOKENMAXX_TEST_UCD_DIR="${TOKENMAXX_UCD_DIR}")
endif()
