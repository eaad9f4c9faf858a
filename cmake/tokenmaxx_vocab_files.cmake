# Reads data/vocab_files.tsv (the one list of known rank files) into
#   TOKENMAXX_KNOWN_VOCAB_FILES                 names of the files tiktoken downloads (OpenAI's), in
#                                               order: the ones that may be embedded or shipped
#                                               (vendor files, source pypi:..., never are)
#   TOKENMAXX_VOCAB_SHA256_<name with . as _>   the pinned SHA-256 of each
set(_tokenmaxx_vocab_tsv "${CMAKE_CURRENT_LIST_DIR}/../data/vocab_files.tsv")
file(STRINGS "${_tokenmaxx_vocab_tsv}" _tokenmaxx_vocab_lines REGEX "^[^#]")
set(TOKENMAXX_KNOWN_VOCAB_FILES)
foreach(_line IN LISTS _tokenmaxx_vocab_lines)
  if(NOT _line MATCHES "^([A-Za-z0-9_.-]+)\t([0-9a-f]+)\t([^\t]+)\t(tiktoken|tekken)$")
    message(FATAL_ERROR "${_tokenmaxx_vocab_tsv}: malformed line '${_line}'")
  endif()
  set(_name "${CMAKE_MATCH_1}")
  set(_sha256 "${CMAKE_MATCH_2}")
  if(NOT CMAKE_MATCH_3 MATCHES "^https://")
    continue()
  endif()
  list(APPEND TOKENMAXX_KNOWN_VOCAB_FILES "${_name}")
  string(REPLACE "." "_" _key "${_name}")
  set(TOKENMAXX_VOCAB_SHA256_${_key} "${_sha256}")
endforeach()
if(NOT TOKENMAXX_KNOWN_VOCAB_FILES)
  message(FATAL_ERROR "${_tokenmaxx_vocab_tsv} lists no rank files")
endif()
