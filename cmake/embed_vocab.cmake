# TOKENMAXX_EMBED_VOCAB: a small compiled library that carries the hash-verified official rank
# files, so binaries that link tokenmaxx::embedded_vocab need no vocabulary file at run time.
if(NOT TOKENMAXX_EMBED_VOCAB)
  return()
endif()
if(NOT TOKENMAXX_VOCAB_DIR)
  message(FATAL_ERROR "TOKENMAXX_EMBED_VOCAB needs TOKENMAXX_VOCAB_DIR (the folder with the .tiktoken files)")
endif()
find_package(Python3 REQUIRED COMPONENTS Interpreter)
set(_tokenmaxx_gen_dir ${PROJECT_BINARY_DIR}/generated)
set(_tokenmaxx_gen ${_tokenmaxx_gen_dir}/tokenmaxx/embedded_vocab_data.hpp)
set(_tokenmaxx_vocab_files)
foreach(f r50k_base p50k_base cl100k_base o200k_base)
  list(APPEND _tokenmaxx_vocab_files ${TOKENMAXX_VOCAB_DIR}/${f}.tiktoken)
endforeach()
add_custom_command(
  OUTPUT ${_tokenmaxx_gen}
  COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tools/embed_vocab.py
          --vocab-dir ${TOKENMAXX_VOCAB_DIR} --out ${_tokenmaxx_gen}
  DEPENDS ${PROJECT_SOURCE_DIR}/tools/embed_vocab.py ${PROJECT_SOURCE_DIR}/include/tokenmaxx/vocab.hpp ${_tokenmaxx_vocab_files}
  COMMENT "Embedding verified vocabularies from ${TOKENMAXX_VOCAB_DIR}")
add_library(tokenmaxx_embedded_vocab STATIC ${PROJECT_SOURCE_DIR}/src/embedded_vocab.cpp ${_tokenmaxx_gen})
add_library(tokenmaxx::embedded_vocab ALIAS tokenmaxx_embedded_vocab)
set_target_properties(tokenmaxx_embedded_vocab PROPERTIES EXPORT_NAME embedded_vocab POSITION_INDEPENDENT_CODE ON)
target_include_directories(tokenmaxx_embedded_vocab PRIVATE ${_tokenmaxx_gen_dir})
target_link_libraries(tokenmaxx_embedded_vocab PUBLIC tokenmaxx)
target_compile_definitions(tokenmaxx_embedded_vocab PUBLIC TOKENMAXX_EMBEDDED_VOCAB=1)
if(TOKENMAXX_INSTALL)
  install(TARGETS tokenmaxx_embedded_vocab EXPORT tokenmaxxTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
endif()
