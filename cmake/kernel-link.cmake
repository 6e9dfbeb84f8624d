# An app build that links its board's kernel library (TAKT_KERNEL_DIR: a
# TAKT_KERNEL_ONLY build of the same board) instead of compiling the kernel:
# ./takt builds that library once per board and every app links it. The
# app's board.dtb is the library's (the one built into it).
get_filename_component(TAKT_KERNEL_DIR ${TAKT_KERNEL_DIR} ABSOLUTE)
if(NOT EXISTS ${TAKT_KERNEL_DIR}/CMakeCache.txt)
  message(FATAL_ERROR "TAKT_KERNEL_DIR=${TAKT_KERNEL_DIR} is not a configured build "
                      "(make it with -DBOARD=${BOARD} -DTAKT_KERNEL_ONLY=ON)")
endif()
load_cache(${TAKT_KERNEL_DIR} READ_WITH_PREFIX _k_ BOARD TAKT_KERNEL_ONLY)
if(NOT _k_BOARD STREQUAL BOARD OR NOT _k_TAKT_KERNEL_ONLY)
  message(FATAL_ERROR "TAKT_KERNEL_DIR=${TAKT_KERNEL_DIR} is not a kernel library build "
                      "for board ${BOARD} (it is board '${_k_BOARD}', kernel-only '${_k_TAKT_KERNEL_ONLY}')")
endif()
set(TAKT_KERNEL_LIB ${TAKT_KERNEL_DIR}/libtakt.a)
set(TAKT_LIBFDT_LIB ${TAKT_KERNEL_DIR}/libtakt_libfdt.a)
set(TAKT_DTB ${CMAKE_BINARY_DIR}/board.dtb)
configure_file(${TAKT_KERNEL_DIR}/board.dtb ${TAKT_DTB} COPYONLY)
file(READ ${TAKT_KERNEL_DIR}/drivers.txt TAKT_KERNEL_DRIVERS)
string(STRIP "${TAKT_KERNEL_DRIVERS}" TAKT_KERNEL_DRIVERS)
