# TOKENMAXX_EMBED_VOCAB: a small compiled library that carries the hash-verified official rank
# files, so binaries that link tokenmaxx::embedded_vocab need no vocabulary file at run time.
# The files and their pinned SHA-256 come from data/vocab_files.tsv (tools/embed_vocab.py checks them).
if(NOT TOKENMAXX_VOCAB_DIR)
  message(FATAL_ERROR "TOKENMAXX_EMBED_VOCAB needs TOKENMAXX_VOCAB_DIR (the folder with the .tiktoken files)")
endif()
find_package(Python3 REQUIRED COMPONENTS Interpreter)
include(tokenmaxx_vocab_files)
set(_tokenmaxx_gen_dir ${PROJECT_BINARY_DIR}/generated)
set(_tokenmaxx_gen ${_tokenmaxx_gen_dir}/tokenmaxx/embedded_vocab_data.hpp)
set(_tokenmaxx_vocab_paths)
foreach(_name IN LISTS TOKENMAXX_KNOWN_VOCAB_FILES)
  list(APPEND _tokenmaxx_vocab_paths ${TOKENMAXX_VOCAB_DIR}/${_name})
endforeach()
add_custom_command(
  OUTPUT ${_tokenmaxx_gen}
  COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tools/embed_vocab.py
          --vocab-dir ${TOKENMAXX_VOCAB_DIR} --out ${_tokenmaxx_gen}
  DEPENDS ${PROJECT_SOURCE_DIR}/tools/embed_vocab.py ${PROJECT_SOURCE_DIR}/tools/vocab_files.py
          ${PROJECT_SOURCE_DIR}/data/vocab_files.tsv ${_tokenmaxx_vocab_paths}
  COMMENT "Embedding verified vocabularies from ${TOKENMAXX_VOCAB_DIR}")
add_library(tokenmaxx_embedded_vocab STATIC ${PROJECT_SOURCE_DIR}/src/token/embedded_vocab.cpp ${_tokenmaxx_gen})
add_library(tokenmaxx::embedded_vocab ALIAS tokenmaxx_embedded_vocab)
set_target_properties(tokenmaxx_embedded_vocab PROPERTIES EXPORT_NAME embedded_vocab POSITION_INDEPENDENT_CODE ON)
target_include_directories(tokenmaxx_embedded_vocab PRIVATE ${_tokenmaxx_gen_dir})
target_link_libraries(tokenmaxx_embedded_vocab PUBLIC tokenmaxx_token)
target_compile_definitions(tokenmaxx_embedded_vocab PUBLIC TOKENMAXX_EMBEDDED_VOCAB=1)
