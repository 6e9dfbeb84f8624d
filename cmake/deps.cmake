# Third-party code comes from the set-up cache (./takt setup fills it from
# Debian packages); every path can be pointed at your own copy.
if(NOT TAKT_CACHE_DIR)
  if(DEFINED ENV{XDG_CACHE_HOME})
    set(TAKT_CACHE_DIR $ENV{XDG_CACHE_HOME}/takt)
  else()
    set(TAKT_CACHE_DIR $ENV{HOME}/.cache/takt)
  endif()
endif()
set(NEWLIB_DIR ${TAKT_CACHE_DIR}/newlib/${TAKT_NEWLIB_ARCH} CACHE PATH "newlib-nano install prefix")
set(LIBFDT_SOURCE_DIR ${TAKT_CACHE_DIR}/libfdt CACHE PATH "libfdt sources (u-boot's scripts/dtc/libfdt)")

set(NEWLIB_SYSROOT ${NEWLIB_DIR}/${TAKT_NEWLIB_TRIPLE})
if(NOT EXISTS ${NEWLIB_SYSROOT}/lib/libc.a)
  message(FATAL_ERROR "newlib-nano not found in ${NEWLIB_SYSROOT}: run ./takt setup (or pass -DNEWLIB_DIR=...)")
endif()
if(NOT EXISTS ${LIBFDT_SOURCE_DIR}/libfdt.h)
  message(FATAL_ERROR "libfdt sources not found in ${LIBFDT_SOURCE_DIR}: run ./takt setup (or pass -DLIBFDT_SOURCE_DIR=...)")
endif()
