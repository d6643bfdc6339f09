# cmake/install.cmake — what `cmake --install BUILD [--prefix P]` puts where.
# Every destination is relative, so everything lands under the prefix:
#
#   bin/jutsu, bin/jutsu-plugin-test
#   lib/<multiarch>/jutsu/plugins/*.so       (JUTSU_PLUGIN_LIBDIR)
#   lib/<multiarch>/libjutsu_sdk.a
#   lib/<multiarch>/pkgconfig/jutsu-plugin.pc
#   lib/<multiarch>/cmake/Jutsu/JutsuConfig.cmake (+ version)
#   include/jutsu/*.h
#   share/jutsu/sample-data/                  the bundled daily bars
#   etc/jutsu/jutsu.yaml                      (/etc/jutsu when the prefix is /usr)
#
# The installed jutsu finds its plugins from its own place
# (JUTSU_PLUGIN_RELDIR, core/CMakeLists.txt); the .pc and the CMake
# package find the prefix from their own places too, so an install tree
# can be moved.
include(CMakePackageConfigHelpers)

# COMPONENT: the package a file goes to (cmake/package.cmake)
install(DIRECTORY include/jutsu DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev)
install(TARGETS jutsu_sdk ARCHIVE DESTINATION ${JUTSU_LIBDIR} COMPONENT dev)
install(DIRECTORY conf/sample-data DESTINATION ${CMAKE_INSTALL_DATADIR}/jutsu COMPONENT core)

# pkg-config: the prefix is found from the .pc file's own directory
file(STRINGS include/jutsu/version.h abi REGEX "^#define JUTSU_ABI_MAJOR ")
string(REGEX REPLACE "^#define JUTSU_ABI_MAJOR +([0-9]+).*" "\\1" JUTSU_ABI_MAJOR "${abi}")
set(pcdir "${JUTSU_LIBDIR}/pkgconfig")
file(RELATIVE_PATH JUTSU_PC_TO_PREFIX "/p/${pcdir}" "/p")
string(REGEX REPLACE "/$" "" JUTSU_PC_TO_PREFIX "${JUTSU_PC_TO_PREFIX}")
configure_file(${CMAKE_CURRENT_LIST_DIR}/jutsu-plugin.pc.in
               ${CMAKE_BINARY_DIR}/jutsu-plugin.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/jutsu-plugin.pc DESTINATION ${pcdir} COMPONENT dev)

# find_package(Jutsu): the Jutsu::sdk target and jutsu_add_plugin()
set(JUTSU_CMAKE_DIR "${JUTSU_LIBDIR}/cmake/Jutsu")
set(JUTSU_PKG_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
set(JUTSU_PKG_LIBDIR "${JUTSU_LIBDIR}")
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/JutsuConfig.cmake.in
    ${CMAKE_BINARY_DIR}/JutsuConfig.cmake INSTALL_DESTINATION ${JUTSU_CMAKE_DIR}
    PATH_VARS JUTSU_PKG_INCLUDEDIR JUTSU_PKG_LIBDIR JUTSU_PLUGIN_LIBDIR)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/JutsuConfigVersion.cmake
    VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_BINARY_DIR}/JutsuConfig.cmake ${CMAKE_BINARY_DIR}/JutsuConfigVersion.cmake
        DESTINATION ${JUTSU_CMAKE_DIR} COMPONENT dev)

# The default config: conf/jutsu.yaml with its paths made absolute for the
# prefix the install goes to (known only at install time). Its state lives
# in <localstatedir>/lib/jutsu; sample data in <datadir>/jutsu.
set(jutsu_install_config [[
  set(p "${CMAKE_INSTALL_PREFIX}")
  if(p STREQUAL "/usr")
    set(etc "/etc")
    set(var "/var/lib/jutsu")
  else()
    set(etc "${p}/etc")
    set(var "${p}/var/lib/jutsu")
  endif()
  file(READ "@SRC@/conf/jutsu.yaml" yaml)
  foreach(pair "path: ../var/jutsu.db|path: ${var}/jutsu.db"
               "backup_dir: ../var/backups|backup_dir: ${var}/backups"
               "secret_key_file: ../var/jutsu.key|secret_key_file: ${var}/jutsu.key"
               "path: sample-data|path: ${p}/@DATADIR@/jutsu/sample-data")
    string(REPLACE "|" ";" kv "${pair}")
    list(GET kv 0 from)
    list(GET kv 1 to)
    string(FIND "${yaml}" "${from}" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "conf/jutsu.yaml no longer says '${from}': update cmake/install.cmake")
    endif()
    string(REPLACE "${from}" "${to}" yaml "${yaml}")
  endforeach()
  file(WRITE "$ENV{DESTDIR}${etc}/jutsu/jutsu.yaml" "${yaml}")
  message(STATUS "Installing: $ENV{DESTDIR}${etc}/jutsu/jutsu.yaml")
]])
string(REPLACE "@SRC@" "${CMAKE_SOURCE_DIR}" jutsu_install_config "${jutsu_install_config}")
string(REPLACE "@DATADIR@" "${CMAKE_INSTALL_DATADIR}" jutsu_install_config
       "${jutsu_install_config}")
install(CODE "${jutsu_install_config}" COMPONENT core)

# the man pages: share/man/man{1,5,7} (cmake/man.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/man.cmake)
