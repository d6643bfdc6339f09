# cmake/package.cmake — the .deb and .rpm packages (CPack; scripts/package.sh
# makes them, scripts/package-check.sh checks them; docs/install.md).
# Included last, when every install rule is known. One package per install
# COMPONENT:
#
#   core        jutsu             the host, every plugin but storage-postgres, sample data,
#                                 /etc/jutsu/jutsu.yaml (a conffile), the unit, sysusers.d,
#                                 tmpfiles.d; Provides jutsu-plugin-abi-<ABI major>
#   postgresql  jutsu-postgresql  storage-postgres, so that libpq stays out of jutsu
#   dev         jutsu-dev         headers, libjutsu_sdk.a, jutsu-plugin.pc, the CMake
#               (jutsu-devel      package, jutsu-plugin-test, the plugin authors' docs
#               as an .rpm)
#
# There is no jutsu-http: the host links libsodium itself, the sources
# pull libcurl (and with it GnuTLS and OpenSSL), and the default config
# serves the REST API with all three auth plugins, so a core without them
# would fail its own `config check` to save libmicrohttpd and libfido2.
#
# Dependencies come from what each file links (dpkg-shlibdeps; rpm's
# autoreq); the plugin packages depend on the ABI the core provides, as
# Debian's nginx modules do. The unit and the conffile name /usr/bin and
# /etc, so the unit files are installed only under the prefix /usr.

set(JUTSU_PACKAGE_CONTACT "Jutsu maintainers <jutsu@example.org>" CACHE STRING
    "The Maintainer/Packager of the .deb and .rpm packages")
set(JUTSU_PKG_RELEASE 1)
set(JUTSU_ABI_PROVIDES "jutsu-plugin-abi-${JUTSU_ABI_MAJOR}")
set(pkgsrc ${CMAKE_SOURCE_DIR}/packaging)

# --- what only a package installs
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  install(FILES ${pkgsrc}/jutsu.service DESTINATION lib/systemd/system COMPONENT core)
  install(FILES ${pkgsrc}/jutsu.sysusers DESTINATION lib/sysusers.d RENAME jutsu.conf
          COMPONENT core)
  install(FILES ${pkgsrc}/jutsu.tmpfiles DESTINATION lib/tmpfiles.d RENAME jutsu.conf
          COMPONENT core)
endif()

# each package's copyright and changelog, where Debian policy wants them
string(TIMESTAMP JUTSU_PKG_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
configure_file(${pkgsrc}/changelog.in ${CMAKE_BINARY_DIR}/packaging/changelog.Debian @ONLY)
find_program(JUTSU_GZIP_PKG gzip REQUIRED)
execute_process(COMMAND ${JUTSU_GZIP_PKG} -9nf ${CMAKE_BINARY_DIR}/packaging/changelog.Debian
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gzip of packaging/changelog.Debian failed (${rc})")
endif()
foreach(pc core:jutsu postgresql:jutsu-postgresql dev:jutsu-dev)
  string(REPLACE ":" ";" pc ${pc})
  list(GET pc 0 comp)
  list(GET pc 1 pkg)
  install(FILES ${pkgsrc}/copyright ${CMAKE_BINARY_DIR}/packaging/changelog.Debian.gz
          DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/${pkg} COMPONENT ${comp})
endforeach()

# the plugin authors' docs and, once it exists, the example plugin
foreach(doc plugin-abi.md plugin-guide.md)
  if(EXISTS ${CMAKE_SOURCE_DIR}/docs/${doc})
    install(FILES ${CMAKE_SOURCE_DIR}/docs/${doc}
            DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/jutsu-dev COMPONENT dev)
  endif()
endforeach()
if(IS_DIRECTORY ${CMAKE_SOURCE_DIR}/docs/examples)
  install(DIRECTORY ${CMAKE_SOURCE_DIR}/docs/examples
          DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/jutsu-dev COMPONENT dev)
endif()

# jutsu_package_files: every target whose file a package holds, so that
# scripts/package.sh builds these and not the test programs (it configures
# with CMAKE_SKIP_INSTALL_ALL_DEPENDENCY, and cpack fails on a file not built)
set(pkg_targets jutsu)
foreach(t jutsu-plugin-test man)
  if(TARGET ${t})
    list(APPEND pkg_targets ${t})
  endif()
endforeach()
get_property(plugins GLOBAL PROPERTY JUTSU_PLUGINS)
list(APPEND pkg_targets ${plugins})
add_custom_target(jutsu_package_files DEPENDS ${pkg_targets})

# --- common to both generators
set(CPACK_PACKAGE_NAME jutsu)
set(CPACK_PACKAGE_VENDOR "the Jutsu authors")
set(CPACK_PACKAGE_CONTACT "${JUTSU_PACKAGE_CONTACT}")
# CPack puts this summary in front of every .deb's description unless it is
# CPack's own default, and each package has a synopsis of its own (below)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_NAME} built using CMake")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
# the install code that writes /etc/jutsu/jutsu.yaml tests the prefix, so
# the staging root goes in DESTDIR, not into the prefix
set(CPACK_SET_DESTDIR ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_OUTPUT_FILE_PREFIX ${CMAKE_SOURCE_DIR}/dist)
set(CPACK_COMPONENTS_ALL core postgresql dev)
set(JUTSU_PKG_FULL_VERSION "${PROJECT_VERSION}-${JUTSU_PKG_RELEASE}")
# each package's synopsis and description: the .deb's Description is
# both, the .rpm's Summary and %description one each
set(core_summary "${PROJECT_DESCRIPTION}")
set(core_body "Jutsu keeps market data, trades, positions and end-of-day performance in
SQLite or PostgreSQL with exact money, syncs daily bars, runs trading
strategies and computes KPIs at the end of each trading day. This package
holds the jutsu host, its plugins (except the PostgreSQL driver), the
sample data, the default config and the systemd service, which runs as
the user jutsu with its state under /var/lib/jutsu.")
set(postgresql_summary "PostgreSQL storage driver for Jutsu")
set(postgresql_body "The storage-postgres plugin, with which the jutsu service keeps its data
in a PostgreSQL database (database.type: postgresql) instead of SQLite.")
set(dev_summary "Jutsu plugin SDK: headers, library and test harness")
set(dev_body "What a third party needs to write a Jutsu plugin out of the source tree:
the plugin ABI headers, the static SDK library, the jutsu-plugin
pkg-config file, the Jutsu CMake package with jutsu_add_plugin(), the
jutsu-plugin-test harness and the plugin authors' documentation.")
foreach(comp core postgresql dev)
  string(TOUPPER ${comp} COMP)
  set(CPACK_DEBIAN_${COMP}_DESCRIPTION "${${comp}_summary}\n${${comp}_body}")
  set(CPACK_RPM_${COMP}_PACKAGE_SUMMARY "${${comp}_summary}")
  set(CPACK_RPM_${COMP}_PACKAGE_DESCRIPTION "${${comp}_body}")
endforeach()

# --- Debian
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_PACKAGE_RELEASE ${JUTSU_PKG_RELEASE})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SOURCE jutsu)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_CORE_PACKAGE_NAME jutsu)
set(CPACK_DEBIAN_POSTGRESQL_PACKAGE_NAME jutsu-postgresql)
set(CPACK_DEBIAN_DEV_PACKAGE_NAME jutsu-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_CORE_PACKAGE_PROVIDES ${JUTSU_ABI_PROVIDES})
# the postinst makes the user and its directories; the unit's ExecReload
# is /bin/kill
set(CPACK_DEBIAN_CORE_PACKAGE_DEPENDS
    "systemd | systemd-standalone-sysusers | systemd-sysusers"
    "systemd | systemd-standalone-tmpfiles | systemd-tmpfiles" procps)
string(REPLACE ";" ", " CPACK_DEBIAN_CORE_PACKAGE_DEPENDS "${CPACK_DEBIAN_CORE_PACKAGE_DEPENDS}")
set(CPACK_DEBIAN_POSTGRESQL_PACKAGE_DEPENDS ${JUTSU_ABI_PROVIDES})
# the SDK and harness of this very host; jutsu-plugin.pc requires json-c
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "jutsu (= ${JUTSU_PKG_FULL_VERSION}), libjson-c-dev")
set(CPACK_DEBIAN_CORE_PACKAGE_CONTROL_EXTRA
    ${pkgsrc}/deb/conffiles ${pkgsrc}/deb/postinst ${pkgsrc}/deb/prerm ${pkgsrc}/deb/postrm)

# --- RPM (paths as on Debian, lib/<multiarch>: the host finds its plugins
# from its own place, so they work wherever the files are)
set(CPACK_RPM_COMPONENT_INSTALL ON)
set(CPACK_RPM_PACKAGE_RELEASE ${JUTSU_PKG_RELEASE})
set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
set(CPACK_RPM_PACKAGE_LICENSE "LicenseRef-not-yet-chosen")
set(CPACK_PACKAGE_RELOCATABLE OFF)   # (the config and unit name /usr, /etc)
set(CPACK_RPM_CORE_PACKAGE_GROUP "System Environment/Daemons")
set(CPACK_RPM_POSTGRESQL_PACKAGE_GROUP "System Environment/Daemons")
set(CPACK_RPM_DEV_PACKAGE_GROUP "Development/Libraries")
# (CPack's spec has no Packager: line; rpmbuild takes it from this macro)
# rpmbuild strips static archives of their debug information by default
# (brp-strip-static-archive); libjutsu_sdk.a keeps it, as in the .deb, for
# plugin authors' debuggers (rpmlint: static-library-without-debuginfo)
set(CPACK_RPM_SPEC_MORE_DEFINE "%define packager ${JUTSU_PACKAGE_CONTACT}
%define __brp_strip_static_archive /bin/true")
set(CPACK_RPM_CORE_PACKAGE_NAME jutsu)
set(CPACK_RPM_POSTGRESQL_PACKAGE_NAME jutsu-postgresql)
# -devel, as RPM distributions name a package of headers and libraries
set(CPACK_RPM_DEV_PACKAGE_NAME jutsu-devel)
set(CPACK_RPM_CORE_PACKAGE_PROVIDES ${JUTSU_ABI_PROVIDES})
set(CPACK_RPM_POSTGRESQL_PACKAGE_REQUIRES ${JUTSU_ABI_PROVIDES})
set(CPACK_RPM_DEV_PACKAGE_REQUIRES "jutsu = ${PROJECT_VERSION}, json-c-devel")
set(CPACK_RPM_CORE_USER_FILELIST "%config(noreplace) /etc/jutsu/jutsu.yaml")
set(CPACK_RPM_CORE_POST_INSTALL_SCRIPT_FILE ${pkgsrc}/rpm/post.sh)
set(CPACK_RPM_CORE_PRE_UNINSTALL_SCRIPT_FILE ${pkgsrc}/rpm/preun.sh)
set(CPACK_RPM_CORE_POST_UNINSTALL_SCRIPT_FILE ${pkgsrc}/rpm/postun.sh)
# directories the system owns, not these packages
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
    /usr/${JUTSU_LIBDIR} /usr/${JUTSU_LIBDIR}/pkgconfig /usr/${JUTSU_LIBDIR}/cmake
    /usr/lib/systemd /usr/lib/systemd/system /usr/lib/sysusers.d /usr/lib/tmpfiles.d
    /usr/share/man /usr/share/man/man1 /usr/share/man/man5 /usr/share/man/man7)

include(CPack)
