# The image target, compiler flags, and the two functions apps and drivers
# use: takt_app() and takt_driver().
execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=include
                OUTPUT_VARIABLE TAKT_GCC_INCLUDE OUTPUT_STRIP_TRAILING_WHITESPACE)
execute_process(COMMAND ${CMAKE_C_COMPILER} ${TAKT_CPU_FLAGS} -print-libgcc-file-name
                OUTPUT_VARIABLE TAKT_LIBGCC OUTPUT_STRIP_TRAILING_WHITESPACE)

# Flags for everything in the image, ours or third-party.
add_library(takt_base INTERFACE)
target_compile_options(takt_base INTERFACE
  ${TAKT_CPU_FLAGS} -g -O2 -fno-pie -fno-pic -fno-common
  -ffunction-sections -fdata-sections
  # third-party code without the stack protector; the image's own code
  # (target takt) has it, below
  $<$<NOT:$<STREQUAL:$<TARGET_PROPERTY:NAME>,takt>>:-fno-stack-protector>
  # newlib's headers, then gcc's own (stddef.h, stdarg.h), never glibc's.
  # Given as flags: CMake drops the compiler's implicit dirs from
  # include_directories, which -nostdinc needs back.
  -nostdinc -isystem${NEWLIB_SYSROOT}/include -isystem${TAKT_GCC_INCLUDE}
  $<$<COMPILE_LANGUAGE:C>:-std=gnu11>)
target_include_directories(takt_base SYSTEM INTERFACE ${LIBFDT_SOURCE_DIR})
target_include_directories(takt_base INTERFACE ${TAKT_ROOT}/kernel/include)
# __DYNAMIC_REENT__: newlib was built with it (tools/takt_setup.py); stdout,
# errno & co. go through __getreent(), the running thread's on this CPU.
target_compile_definitions(takt_base INTERFACE __DYNAMIC_REENT__
  TAKT_BOARD="${BOARD}" TAKT_TEXT_OFFSET=${TAKT_TEXT_OFFSET}
  TAKT_BOOT_STACK_SIZE=${TAKT_BOOT_STACK_SIZE})
# Headers newlib lacks (<semaphore.h>) or has only in part for a generic
# target (<pthread.h>, <sched.h>, <sys/_pthreadtypes.h>, the _POSIX_*
# options of <sys/features.h>, ...). They #include_next newlib's, so they
# must come first: an INTERFACE include directory lands on the command
# line before takt_base's compile options (-nostdinc -isystem newlib),
# and BEFORE keeps it ahead of other include directories. Everything in
# the image (kernel, drivers, app, third-party) must see the same pthread
# types, hence takt_base.
target_include_directories(takt_base SYSTEM BEFORE INTERFACE ${TAKT_ROOT}/kernel/posix/include)

if(TAKT_KERNEL_ONLY AND TAKT_KERNEL_DIR)
  message(FATAL_ERROR "TAKT_KERNEL_ONLY builds the kernel library; TAKT_KERNEL_DIR links one: not both")
endif()
if(NOT TAKT_KERNEL_DIR)
  include(${TAKT_ROOT}/cmake/libfdt.cmake)
endif()

# The image (an executable), or with TAKT_KERNEL_ONLY the board's kernel
# library; kernel/, drivers/ and net/ add their sources to it either way.
if(TAKT_KERNEL_ONLY)
  add_library(takt STATIC)
else()
  add_executable(takt)
  set_target_properties(takt PROPERTIES SUFFIX ".elf" LINKER_LANGUAGE C)
  # The app's name: argv[0] (kernel/boot.c) and the metrics' app label. A
  # symbol, not a define, so the kernel library is the same for every app.
  file(CONFIGURE OUTPUT ${CMAKE_BINARY_DIR}/app_name.c
       CONTENT "const char tk_app_name[] = \"${TAKT_APP_NAME}\";\n")
  target_sources(takt PRIVATE ${CMAKE_BINARY_DIR}/app_name.c)
  target_compile_definitions(takt PRIVATE TAKT_APP="${TAKT_APP_NAME}")
endif()
target_link_libraries(takt PRIVATE takt_base)
# Project code: warnings are errors, and the stack protector guards every
# function with a local array or an address-taken local (the guard is one
# global, set at boot: kernel/stack_guard.c). Stack clash protection makes
# a frame larger than the 4 KiB guard page below each stack touch every
# page it takes, so an overflow cannot jump the guard (kernel/stack_pool.c).
add_library(takt_project INTERFACE)
target_compile_options(takt_project INTERFACE -Wall -Wextra -Werror
  -fstack-protector-strong -mstack-protector-guard=global -fstack-clash-protection
  $<$<STREQUAL:${TAKT_ARCH},arm64>:--param=stack-clash-protection-guard-size=12>)
target_include_directories(takt_project INTERFACE ${TAKT_ROOT}/kernel)
target_link_libraries(takt PRIVATE takt_project)
include(${TAKT_ROOT}/cmake/ondemand.cmake)
if(NOT TAKT_KERNEL_DIR)
  target_compile_definitions(takt PRIVATE TAKT_LIBFDT_STRICT)
  target_sources(takt PRIVATE ${TAKT_LIBFDT_STRICT})
  set_source_files_properties(${TAKT_LIBFDT_STRICT} PROPERTIES EXTERNAL_OBJECT TRUE GENERATED TRUE)
endif()

# takt_app(SOURCES a.c b.c [INCLUDES dir...] [FLOAT_PRINTF] [NET] [MQTT]
#          [METRICS] [TLS] [SHELL] [LOG_RING n]) - the whole of an app's CMakeLists.txt
# can be this one line. FLOAT_PRINTF links newlib-nano's %f/%g support (about 8 KiB more);
# NET links the network (net/: lwIP, sockets; takt/net.h), MQTT lwIP's MQTT
# client too, METRICS the HTTP metrics endpoint (takt/metrics.h; the
# cache option TAKT_METRICS=ON/OFF overrides the app's choice), TLS mbedTLS
# (takt/tls.h; net/tls/), SHELL the console shell at boot (takt/shell.h).
# LOG_RING: the messages tk_log's ring holds (a power of two, 8..4096; 216
# bytes each). The ring keeps the boot's kernel lines for a backend added
# later, and is where a flood drops: 128 by default for a networked app
# (remote syslog sends the boot's lines), 32 for the others, where the
# static RAM matters more (kernel/log_ring.h).
function(takt_app)
  cmake_parse_arguments(A "FLOAT_PRINTF;NET;MQTT;METRICS;TLS;SHELL" "LOG_RING" "SOURCES;INCLUDES" ${ARGN})
  if(DEFINED TAKT_METRICS)
    set(A_METRICS ${TAKT_METRICS})
  endif()
  if(A_NET OR A_MQTT OR A_METRICS OR A_TLS)
    set_property(GLOBAL PROPERTY TAKT_NET ON)
  endif()
  if(A_TLS)
    set_property(GLOBAL PROPERTY TAKT_NET_TLS ON)
  endif()
  if(A_METRICS)
    set_property(GLOBAL PROPERTY TAKT_NET_METRICS ON)
    target_compile_definitions(takt PRIVATE TAKT_METRICS=1)
  endif()
  if(A_MQTT)
    set_property(GLOBAL PROPERTY TAKT_NET_MQTT ON)
  endif()
  if(NOT A_SOURCES)
    message(FATAL_ERROR "takt_app() in ${CMAKE_CURRENT_SOURCE_DIR}: no SOURCES")
  endif()
  if(NOT DEFINED A_LOG_RING)
    if(A_NET OR A_MQTT OR A_METRICS OR A_TLS)
      set(A_LOG_RING 128)
    else()
      set(A_LOG_RING 32)
    endif()
  endif()
  set(_order -1)
  foreach(_o RANGE 3 12)
    math(EXPR _n "1 << ${_o}")
    if(A_LOG_RING STREQUAL "${_n}")
      set(_order ${_o})
    endif()
  endforeach()
  if(_order EQUAL -1)
    message(FATAL_ERROR "takt_app() in ${CMAKE_CURRENT_SOURCE_DIR}: LOG_RING ${A_LOG_RING} "
                        "is not a power of two from 8 to 4096")
  endif()
  file(CONFIGURE OUTPUT ${CMAKE_BINARY_DIR}/log_ring.c
       CONTENT "#include \"log_ring.h\"\n\n/* takt_app LOG_RING ${A_LOG_RING} */\nTK_LOG_RING_DEFINE(${_order})\n")
  target_sources(takt PRIVATE ${CMAKE_BINARY_DIR}/log_ring.c)
  target_sources(takt PRIVATE ${A_SOURCES})
  if(A_SHELL)
    target_sources(takt PRIVATE ${TAKT_ROOT}/kernel/shell/autostart.c)
  endif()
  if(A_INCLUDES)
    target_include_directories(takt PRIVATE ${A_INCLUDES})
  endif()
  if(A_FLOAT_PRINTF)
    target_link_options(takt PRIVATE -Wl,-u,_printf_float)
  endif()
endfunction()

# takt_cold_sources(file...) - compiled for size (-Os) rather than speed:
# code that runs once (boot, the DT, memory map and device setup), on a
# failure path (panic, crash core and record), or to read settings. The
# run-time paths (scheduler, threads, time, interrupts, sync, console, log,
# drivers' I/O, the net stack) stay -O2: their instruction counts are
# benchmarked (./takt bench sched, boot). Paths relative to the caller's
# folder; for the image's own target, takt.
function(takt_cold_sources)
  set_property(SOURCE ${ARGN} TARGET_DIRECTORY takt APPEND PROPERTY COMPILE_OPTIONS -Os)
endfunction()

# takt_driver(NAME SOURCES file.c [COMPATIBLE c...] [CLASS netdev|entropy
#             [PULL symbol] | ONDEMAND]) - built when the board DT has an enabled node
# with one of its compatibles, or the board forces it (TAKT_FORCE_DRIVERS),
# unless excluded (TAKT_EXCLUDE_DRIVERS). Without COMPATIBLE the list is
# read from the TK_DRIVER() (or TK_DRIVER_PRESENT()) line of the source, so the driver file stays the
# one place that names them. A driver with a CLASS goes into the on-demand
# library and is linked only into an app that uses its class
# (cmake/ondemand.cmake); PULL names a symbol of its (default
# tk_driver_NAME, its TK_DRIVER entry). ONDEMAND: into that library with no
# class, so linked only when an on-demand driver linked calls it (a bus
# transport such as virtio-mmio, whose devices' drivers are on demand).
function(takt_driver name)
  cmake_parse_arguments(D "ONDEMAND" "CLASS;PULL" "SOURCES;COMPATIBLE" ${ARGN})
  if(NOT D_COMPATIBLE)
    list(GET D_SOURCES 0 _main)
    file(STRINGS ${CMAKE_CURRENT_SOURCE_DIR}/${_main} _line REGEX "^TK_DRIVER(_PRESENT)?\\(${name},")
    if(_line AND NOT _line MATCHES "\"[ \t]*\\)")
      message(FATAL_ERROR "takt_driver(${name}): keep the TK_DRIVER(${name}, ...) line of ${_main} on one line (its compatibles are read from it)")
    endif()
    string(REGEX MATCHALL "\"[^\"]+\"" _quoted "${_line}")
    string(REPLACE "\"" "" D_COMPATIBLE "${_quoted}")
    if(NOT D_COMPATIBLE)
      message(FATAL_ERROR "takt_driver(${name}): no TK_DRIVER(${name}, ...) line with compatibles in ${_main}")
    endif()
  endif()
  set(_why "")
  foreach(_c ${D_COMPATIBLE})
    if(_c IN_LIST TAKT_DT_COMPATIBLES)
      set(_why "${_c}")
      break()
    endif()
  endforeach()
  if(name IN_LIST TAKT_FORCE_DRIVERS)
    set(_why "forced by bsp/${BOARD}")
  endif()
  if(name IN_LIST TAKT_EXCLUDE_DRIVERS OR NOT _why)
    return()
  endif()
  if(D_CLASS)
    takt_ondemand_driver(${name} ${D_CLASS} "${D_PULL}" ${D_SOURCES})
    set(_why "${_why}, only in apps using the ${D_CLASS} class")
  elseif(D_ONDEMAND)
    target_sources(takt_ondemand PRIVATE ${D_SOURCES})
    set(_why "${_why}, only in apps linking a driver that calls it")
  else()
    target_sources(takt PRIVATE ${D_SOURCES})
  endif()
  set_property(GLOBAL APPEND PROPERTY TAKT_DRIVERS "${name} (${_why})")
endfunction()
