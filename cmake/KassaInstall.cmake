# SPDX-License-Identifier: Apache-2.0
#
# KassaInstall.cmake: what `cmake --install BUILD [--prefix DIR]` lays out (GNUInstallDirs),
# included once at the end of the top-level CMakeLists.txt:
#
#   sbin/kassad                                  the daemon
#   bin/kassa-till, kassa-office, kassa-bench    the client programs
#   share/kassa/migrations/                      numbered migrations, functions/, superseded.txt;
#                                                an installed kassad finds them relative to
#                                                itself (server/core/paths.c)
#   etc/kassa/kassad.ini.example                 the configuration example (every key)
#   lib/systemd/system/kassad.service            the systemd unit, when server/ configures one
#   share/man/man1,5,8/                          kassa-till(1), kassa-office(1), kassa-bench(1),
#                                                kassad.conf(5), kassad(8)
#   share/locale/zh_CN/LC_MESSAGES/kassa.mo      the catalogue (po/CMakeLists.txt installs it)
#   share/doc/kassa/                             README.md, docs/operations.md, LICENSE
#
# tests/packaging/test_install.sh installs into a temporary prefix and checks this layout.

install(TARGETS kassad RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR})
install(TARGETS kassa-till kassa-office kassa-bench kassa-ca RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

install(DIRECTORY ${PROJECT_SOURCE_DIR}/migrations/
	DESTINATION ${CMAKE_INSTALL_DATADIR}/kassa/migrations
	FILES_MATCHING PATTERN "*.sql" PATTERN "superseded.txt")

install(FILES ${PROJECT_SOURCE_DIR}/docker/kassad.ini.example
	DESTINATION ${CMAKE_INSTALL_SYSCONFDIR}/kassa)

# the unit is configured by server/ (server/systemd/kassad.service.in) when it exists
install(FILES ${PROJECT_BINARY_DIR}/server/systemd/kassad.service
	DESTINATION lib/systemd/system OPTIONAL)

foreach(page kassa-till.1 kassa-office.1 kassa-bench.1 kassa-ca.1 kassad.conf.5 kassad.8)
	string(REGEX REPLACE ".*\\.([0-9])$" "\\1" sect ${page})
	install(FILES ${PROJECT_SOURCE_DIR}/docs/man/${page}
		DESTINATION ${CMAKE_INSTALL_MANDIR}/man${sect})
endforeach()

install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/LICENSE
	${PROJECT_SOURCE_DIR}/docs/operations.md
	DESTINATION ${CMAKE_INSTALL_DOCDIR})
