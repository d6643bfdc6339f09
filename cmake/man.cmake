# cmake/man.cmake — the man pages (included from cmake/install.cmake).
#
#   jutsu(1)              generated from the command table and `jutsu --help`
#   jutsu.yaml(5)         generated from the host's schema and every built plugin's
#   jutsu-plugin-test(1)  man/jutsu-plugin-test.1.in, by hand
#   jutsu-plugin(7)       man/jutsu-plugin.7.in, by hand (the ABI; docs/plugin-abi.md)
#
# The generator (man/jutsu-man.c) links the host's own code, so a page can
# never name a command or a key the binary does not have. Every page lands
# in <build>/man, is compressed there (gzip -9n: no name, no time, as
# Debian wants) and installed under share/man/man{1,5,7}: jutsu(1) and
# jutsu.yaml(5) with the service (COMPONENT core), the other two with the
# SDK (COMPONENT dev). The date on the pages is the configure date, or
# SOURCE_DATE_EPOCH's for a reproducible build.
set(JUTSU_MAN_DIR ${CMAKE_BINARY_DIR}/man)
# the ABI version below is read at configure time: a change re-configures
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
             ${CMAKE_SOURCE_DIR}/include/jutsu/version.h)
string(TIMESTAMP JUTSU_MAN_DATE "%Y-%m-%d" UTC)
file(STRINGS ${CMAKE_SOURCE_DIR}/include/jutsu/version.h abi_minor
     REGEX "^#define JUTSU_ABI_MINOR ")
string(REGEX REPLACE "^#define JUTSU_ABI_MINOR +([0-9]+).*" "\\1" JUTSU_MAN_ABI_MINOR
       "${abi_minor}")
file(STRINGS ${CMAKE_SOURCE_DIR}/include/jutsu/version.h abi_major
     REGEX "^#define JUTSU_ABI_MAJOR ")
string(REGEX REPLACE "^#define JUTSU_ABI_MAJOR +([0-9]+).*" "\\1" JUTSU_MAN_ABI_MAJOR
       "${abi_major}")

add_executable(jutsu-man ${CMAKE_SOURCE_DIR}/man/jutsu-man.c)
target_link_libraries(jutsu-man PRIVATE jutsu_core)

# every plugin target, so that jutsu.yaml(5) is made after them all
get_property(man_plugins GLOBAL PROPERTY JUTSU_PLUGINS)

# a sanitizer build's generator must not fail the build over the
# sanitizer's own leak report at exit
set(man_env ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=0 JUTSU_PLUGIN_PATH=)
add_custom_command(OUTPUT ${JUTSU_MAN_DIR}/jutsu.1
    COMMAND ${CMAKE_COMMAND} -E make_directory ${JUTSU_MAN_DIR}
    COMMAND ${man_env} $<TARGET_FILE:jutsu-man> jutsu ${JUTSU_MAN_DATE} > ${JUTSU_MAN_DIR}/jutsu.1
    DEPENDS jutsu-man
    COMMENT "Generating jutsu(1)" VERBATIM)
add_custom_command(OUTPUT ${JUTSU_MAN_DIR}/jutsu.yaml.5
    COMMAND ${CMAKE_COMMAND} -E make_directory ${JUTSU_MAN_DIR}
    COMMAND ${man_env} $<TARGET_FILE:jutsu-man> config ${JUTSU_MAN_DATE}
            ${JUTSU_PLUGIN_BUILD_DIR} > ${JUTSU_MAN_DIR}/jutsu.yaml.5
    DEPENDS jutsu-man ${man_plugins}
    COMMENT "Generating jutsu.yaml(5)" VERBATIM)

# the hand-written pages, with the version and the ABI filled in
foreach(page jutsu-plugin-test.1 jutsu-plugin.7)
  configure_file(${CMAKE_SOURCE_DIR}/man/${page}.in ${JUTSU_MAN_DIR}/${page} @ONLY)
endforeach()

find_program(JUTSU_GZIP gzip)
set(man_outputs "")
foreach(page jutsu.1:core jutsu.yaml.5:core jutsu-plugin-test.1:dev jutsu-plugin.7:dev)
  string(REPLACE ":" ";" pc ${page})
  list(GET pc 0 name)
  list(GET pc 1 component)
  string(REGEX REPLACE ".*\\.([0-9])$" "\\1" section ${name})
  set(file ${JUTSU_MAN_DIR}/${name})
  if(JUTSU_GZIP)
    add_custom_command(OUTPUT ${file}.gz
        COMMAND ${JUTSU_GZIP} -9n -c ${file} > ${file}.gz
        DEPENDS ${file} VERBATIM)
    set(file ${file}.gz)
  endif()
  list(APPEND man_outputs ${file})
  install(FILES ${file} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section}
          COMPONENT ${component})
endforeach()
add_custom_target(man ALL DEPENDS ${man_outputs})
