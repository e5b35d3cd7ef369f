# Installs lockgraph so that a C++ build picks it up in two lines:
#
#   find_package(lockgraph REQUIRED)
#   target_link_libraries(app PRIVATE lockgraph::runtime)
#
# or with pkg-config: `c++ app.cc $(pkg-config --cflags --libs lockgraph)`.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set_target_properties(lockgraph_runtime_shared PROPERTIES
  EXPORT_NAME runtime
  VERSION ${PROJECT_VERSION}
  SOVERSION ${PROJECT_VERSION_MAJOR})
install(TARGETS lockgraph_runtime_shared EXPORT lockgraphTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY include/lockgraph DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# `lockgraph run` looks for the interposer next to itself, in ../${CMAKE_INSTALL_LIBDIR}.
install(TARGETS lockgraph_preload LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS lockgraph RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

set(LOCKGRAPH_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/lockgraph)
install(EXPORT lockgraphTargets NAMESPACE lockgraph:: DESTINATION ${LOCKGRAPH_CMAKE_DIR})
configure_package_config_file(cmake/lockgraphConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/lockgraphConfig.cmake
  INSTALL_DESTINATION ${LOCKGRAPH_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/lockgraphConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/lockgraphConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/lockgraphConfigVersion.cmake
  DESTINATION ${LOCKGRAPH_CMAKE_DIR})

configure_file(cmake/lockgraph.pc.in ${CMAKE_CURRENT_BINARY_DIR}/lockgraph.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/lockgraph.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
