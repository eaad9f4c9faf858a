# What each tokenmaxx component needs, in one place: the build (CMakeLists.txt) and the installed
# package config (tokenmaxxConfig.cmake) both include this file, so a consumer that asks only for
# COMPONENTS token finds only what the tokenizer needs.
#
# tokenmaxx_find_component_dependencies(<component>) finds the packages of one component; in the
# package config it uses find_dependency (so a missing package makes find_package(tokenmaxx) fail
# cleanly), in the build find_package(... REQUIRED).

macro(_tokenmaxx_find package)
  if(TOKENMAXX_IN_PACKAGE_CONFIG)
    find_dependency(${package} ${ARGN})
  else()
    find_package(${package} ${ARGN} REQUIRED)
  endif()
endmacro()

macro(tokenmaxx_find_component_dependencies component)
  if("${component}" STREQUAL "base")
    _tokenmaxx_find(absl CONFIG)
    _tokenmaxx_find(OpenSSL COMPONENTS Crypto)
    _tokenmaxx_find(Threads)
  elseif("${component}" STREQUAL "token" OR "${component}" STREQUAL "token_compiled")
    tokenmaxx_find_component_dependencies(base)
    # Debian's xsimd package links a target named xtl without finding it; xtl-dev provides it.
    _tokenmaxx_find(xtl CONFIG)
    _tokenmaxx_find(xsimd CONFIG)
    # Vendor vocabularies in JSON (Mistral tekken) and Hugging Face tokenizer.json files.
    _tokenmaxx_find(nlohmann_json CONFIG)
    # PCRE2 (Debian libpcre2-dev) runs custom pretokenizer patterns; it ships pkg-config data only.
    _tokenmaxx_find(PkgConfig)
    if(NOT TARGET PkgConfig::PCRE2)
      if(TOKENMAXX_IN_PACKAGE_CONFIG)
        pkg_check_modules(PCRE2 QUIET IMPORTED_TARGET GLOBAL libpcre2-8)
        if(NOT PCRE2_FOUND)
          set(${CMAKE_FIND_PACKAGE_NAME}_FOUND FALSE)
          set(${CMAKE_FIND_PACKAGE_NAME}_NOT_FOUND_MESSAGE "PCRE2 (pkg-config module libpcre2-8) was not found")
          return()
        endif()
      else()
        pkg_check_modules(PCRE2 REQUIRED IMPORTED_TARGET GLOBAL libpcre2-8)
      endif()
    endif()
  elseif("${component}" STREQUAL "usage" OR "${component}" STREQUAL "privacy")
    tokenmaxx_find_component_dependencies(base)
    _tokenmaxx_find(nlohmann_json CONFIG)
  endif()
endmacro()

# Link lists (used by the build only; the exported targets carry them to consumers).
set(TOKENMAXX_BASE_DEPENDENCIES absl::status absl::statusor absl::strings OpenSSL::Crypto Threads::Threads)
set(TOKENMAXX_TOKEN_DEPENDENCIES absl::flat_hash_map absl::hash xsimd PkgConfig::PCRE2 nlohmann_json::nlohmann_json)
set(TOKENMAXX_USAGE_DEPENDENCIES absl::flat_hash_map absl::flat_hash_set absl::hash absl::int128 nlohmann_json::nlohmann_json)
set(TOKENMAXX_PRIVACY_DEPENDENCIES absl::flat_hash_map absl::hash absl::int128 nlohmann_json::nlohmann_json)

if(NOT TOKENMAXX_IN_PACKAGE_CONFIG)
  foreach(_tokenmaxx_component token usage privacy)
    tokenmaxx_find_component_dependencies(${_tokenmaxx_component})
  endforeach()
endif()
