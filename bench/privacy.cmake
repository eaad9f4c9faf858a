# Privacy benchmarks: ingestion cost per event (vs a bare OpenSSL HMAC in the same run) and release
# time for 10,000 groups. Results and the command that reproduces them: bench/results/privacy.md.
tokenmaxx_add_bench(privacy_bench ${CMAKE_CURRENT_SOURCE_DIR}/privacy_bench.cpp)
