# Ledger benchmarks: record cost (uncontended, one hot key, distinct keys) against a plain std::atomic
# fetch_add and a mutex-guarded map measured in the same run, and snapshot time for 100,000 keys.
tokenmaxx_add_bench(ledger_bench ${CMAKE_CURRENT_SOURCE_DIR}/ledger_bench.cpp)
