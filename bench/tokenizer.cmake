tokenmaxx_add_bench(tokenizer_bench ${CMAKE_CURRENT_SOURCE_DIR}/tokenizer_bench.cpp)
