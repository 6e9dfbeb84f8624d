# The board's kernel library (TAKT_KERNEL_ONLY): libtakt.a (kernel, arch,
# POSIX layer, the drivers this board's DT names, the strict libfdt checks,
# the built-in DTB) and libtakt_libfdt.a. Apps link libtakt.a whole (drivers
# and TK_INIT hooks are reached only through their linker sections) and let
# --gc-sections drop what they do not use, as when the kernel is compiled
# into the app. drivers.txt lists the drivers for the apps' build logs.
get_property(_drivers GLOBAL PROPERTY TAKT_DRIVERS)
list(JOIN _drivers ", " _drivers)
file(WRITE ${CMAKE_BINARY_DIR}/drivers.txt "${_drivers}\n")
message(STATUS "board ${BOARD}: kernel library; drivers: ${_drivers}")
