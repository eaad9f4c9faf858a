# Reads data/vocab_files.tsv (the one list of known rank files) into
#   TOKENMAXX_KNOWN_VOCAB_FILES                 file names, in order
#   TOKENMAXX_VOCAB_SHA256_<name with . as _>   the pinned SHA-256 of each
set(_tokenmaxx_vocab_tsv "${CMAKE_CURRENT_LIST_DIR}/../data/vocab_files.tsv")
file(STRINGS "${_tokenmaxx_vocab_tsv}" _tokenmaxx_vocab_lines REGEX "^[^#]")
set(TOKENMAXX_KNOWN_VOCAB_FILES)
foreach(_line IN LISTS _tokenmaxx_vocab_lines)
  if(NOT _line MATCHES "^([A-Za-z0-9_.-]+)\t([0-9a-f]+)\t(.+)$")
    message(FATAL_ERROR "${_tokenmaxx_vocab_tsv}: malformed line '${_line}'")
  endif()
  list(APPEND TOKENMAXX_KNOWN_VOCAB_FILES "${CMAKE_MATCH_1}")
  string(REPLACE "." "_" _key "${CMAKE_MATCH_1}")
  set(TOKENMAXX_VOCAB_SHA256_${_key} "${CMAKE_MATCH_2}")
endforeach()
if(NOT TOKENMAXX_KNOWN_VOCAB_FILES)
  message(FATAL_ERROR "${_tokenmaxx_vocab_tsv} lists no rank files")
endif()
