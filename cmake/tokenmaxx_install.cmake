# Install rules and the CMake package (one export set per component, see tokenmaxxConfig.cmake.in).
include(CMakePackageConfigHelpers)
set(_tokenmaxx_cmake_dir ${CMAKE_INSTALL_DATADIR}/cmake/tokenmaxx)

install(DIRECTORY include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES LICENSE DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/tokenmaxx)

set(_tokenmaxx_components base token usage privacy tokenmaxx)
set(_tokenmaxx_target_base tokenmaxx_base)
set(_tokenmaxx_target_token tokenmaxx_token)
set(_tokenmaxx_target_usage tokenmaxx_usage)
set(_tokenmaxx_target_privacy tokenmaxx_privacy)
set(_tokenmaxx_target_tokenmaxx tokenmaxx)
if(TARGET tokenmaxx_token_compiled)
  list(APPEND _tokenmaxx_components token_compiled)
  set(_tokenmaxx_target_token_compiled tokenmaxx_token_compiled)
endif()
if(TARGET tokenmaxx_embedded_vocab)
  list(APPEND _tokenmaxx_components embedded_vocab)
  set(_tokenmaxx_target_embedded_vocab tokenmaxx_embedded_vocab)
endif()

foreach(_comp IN LISTS _tokenmaxx_components)
  install(TARGETS ${_tokenmaxx_target_${_comp}} EXPORT tokenmaxx-${_comp}-targets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(EXPORT tokenmaxx-${_comp}-targets NAMESPACE tokenmaxx:: DESTINATION ${_tokenmaxx_cmake_dir})
  export(EXPORT tokenmaxx-${_comp}-targets NAMESPACE tokenmaxx::
         FILE ${PROJECT_BINARY_DIR}/tokenmaxx-${_comp}-targets.cmake)
endforeach()

configure_package_config_file(cmake/tokenmaxxConfig.cmake.in ${PROJECT_BINARY_DIR}/tokenmaxxConfig.cmake
                              INSTALL_DESTINATION ${_tokenmaxx_cmake_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/tokenmaxxConfigVersion.cmake COMPATIBILITY SameMinorVersion)
configure_file(cmake/tokenmaxx_dependencies.cmake ${PROJECT_BINARY_DIR}/tokenmaxx_dependencies.cmake COPYONLY)
install(FILES ${PROJECT_BINARY_DIR}/tokenmaxxConfig.cmake ${PROJECT_BINARY_DIR}/tokenmaxxConfigVersion.cmake
              cmake/tokenmaxx_dependencies.cmake
        DESTINATION ${_tokenmaxx_cmake_dir})
