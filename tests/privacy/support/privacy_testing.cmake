# The test build of the privacy layer: seeded and failing randomness and access to true totals
# (support/privacy_testing.hpp), compiled only into tests and benchmarks that link this target.
# Nothing here is installed; the macro opens the one friend declaration in aggregator.hpp.
include_guard(GLOBAL)
add_library(tokenmaxx_privacy_testing INTERFACE)
target_include_directories(tokenmaxx_privacy_testing INTERFACE ${CMAKE_CURRENT_LIST_DIR})
target_compile_definitions(tokenmaxx_privacy_testing INTERFACE TOKENMAXX_PRIVACY_TESTING=1)
target_link_libraries(tokenmaxx_privacy_testing INTERFACE tokenmaxx::privacy)
