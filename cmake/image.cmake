# Link the image, then write takt.bin, size.txt and run.json.
set(_ld ${TAKT_ROOT}/linker/${TAKT_ARCH}.ld)
math(EXPR TAKT_LOAD_ADDR "${TAKT_DRAM_BASE} + ${TAKT_TEXT_OFFSET}" OUTPUT_FORMAT HEXADECIMAL)
# arm64 links position-independent (start.S relocates itself: one image
# runs at whatever address the Pi firmware, u-boot or QEMU loads it); x86_64
# is loaded at its link address by the PVH loader.
if(TAKT_ARCH STREQUAL "arm64")
  set(_pie -Wl,-pie -Wl,--no-dynamic-linker)
  # Cortex-A53 erratum 843419: an ADRP at a page's last two words is
  # rewritten to an ADR (same effect, in range of anything in an image
  # under 1 MiB). ld's default also uses veneers, whose section came with a
  # page of padding (4 KiB of static RAM in hello); with =adr a site out of
  # an ADR's reach fails the link instead of going unfixed.
  list(APPEND _pie -Wl,--fix-cortex-a53-843419=adr)
else()
  set(_pie -no-pie)
endif()
target_link_options(takt PRIVATE
  -nostdlib -nostartfiles -static ${_pie} ${TAKT_CPU_FLAGS}
  -Wl,--gc-sections -Wl,--build-id=none -Wl,--no-warn-rwx-segments -Wl,-T,${_ld}
  -Wl,--defsym=TAKT_LOAD_ADDR=${TAKT_LOAD_ADDR}
  -Wl,--defsym=TAKT_BOOT_STACK_SIZE=${TAKT_BOOT_STACK_SIZE}
  -Wl,-Map=${CMAKE_BINARY_DIR}/takt.map
  -Wl,--undefined=takt_debug_offsets)   # kept for debuggers (kernel/debug_offsets.c)
set_property(TARGET takt APPEND PROPERTY LINK_DEPENDS ${_ld})
if(TAKT_KERNEL_LIB)	# the board's kernel library, whole (cmake/kernel-link.cmake)
  target_link_libraries(takt PRIVATE -Wl,--whole-archive ${TAKT_KERNEL_LIB} -Wl,--no-whole-archive)
  set_property(TARGET takt APPEND PROPERTY LINK_DEPENDS ${TAKT_KERNEL_LIB} ${TAKT_LIBFDT_LIB}
               ${TAKT_ONDEMAND_LIB})
endif()
# The on-demand library (cmake/ondemand.cmake) as a plain archive, in the
# group: its members are linked only when the app, the net stack or a
# kernel object references them.
target_link_libraries(takt PRIVATE -Wl,--start-group ${TAKT_LIBFDT_LIB} ${TAKT_ONDEMAND_LIB}
  ${NEWLIB_SYSROOT}/lib/libc.a ${NEWLIB_SYSROOT}/lib/libm.a ${TAKT_LIBGCC} -Wl,--end-group)

# The bootable image: a raw binary (arm64 Image), or, where the toolchain
# file sets TAKT_IMAGE_IS_ELF (x86_64 PVH), the ELF without symbols or debug
# info (the gateway: 267 KB -> 224 KB).
set(TAKT_IMAGE ${CMAKE_BINARY_DIR}/takt.bin)
if(TAKT_IMAGE_IS_ELF)
  set(_objcopy_args --strip-all)	# symbols stay in takt.elf, for gdb
else()
  set(_objcopy_args -O binary)
endif()
# arm64: check the relocations are all start.S can apply, then pack them
# as RELR (tools/takt_relr.py: 24 bytes each -> about a bit each), before
# the image and the size report are made from takt.elf.
if(TAKT_ARCH STREQUAL "arm64")
  find_package(Python3 REQUIRED COMPONENTS Interpreter)
  set(_relcheck COMMAND ${CMAKE_COMMAND} -DELF=$<TARGET_FILE:takt> -DREADELF=${TAKT_CROSS}readelf
                -P ${TAKT_ROOT}/cmake/check-relocs.cmake
                COMMAND ${Python3_EXECUTABLE} ${TAKT_ROOT}/tools/takt_relr.py $<TARGET_FILE:takt>)
endif()
add_custom_command(TARGET takt POST_BUILD
  ${_relcheck}
  COMMAND ${TAKT_CROSS}objcopy ${_objcopy_args} $<TARGET_FILE:takt> ${TAKT_IMAGE}
  COMMAND ${CMAKE_COMMAND} -DELF=$<TARGET_FILE:takt> -DSIZE=${TAKT_CROSS}size
          -DOUT=${CMAKE_BINARY_DIR}/size.txt -P ${TAKT_ROOT}/cmake/size-report.cmake
  VERBATIM)

# run.json: the QEMU command line for this board and image.
set(_argv "")
foreach(_a ${TAKT_QEMU})
  string(REPLACE "@IMAGE@" "${TAKT_IMAGE}" _a "${_a}")
  string(REPLACE "@DTB@" "${TAKT_DTB}" _a "${_a}")
  string(REPLACE "\\" "\\\\" _a "${_a}")
  string(REPLACE "\"" "\\\"" _a "${_a}")
  list(APPEND _argv "\"${_a}\"")
endforeach()
list(JOIN _argv ", " _argv)
get_property(_net GLOBAL PROPERTY TAKT_NET)
get_property(_metrics GLOBAL PROPERTY TAKT_NET_METRICS)
set(_net_json "false")
set(_metrics_json "false")
if(_net)
  set(_net_json "true")
endif()
if(_metrics)
  set(_metrics_json "true")
endif()
# "nic": the QEMU arguments that put netdev n0 on the board's NIC (TAKT_QEMU_NIC in
# bsp/<board>/board.cmake; empty: the users take virtio-net-device).
set(_nic "")
foreach(_a ${TAKT_QEMU_NIC})
  list(APPEND _nic "\"${_a}\"")
endforeach()
list(JOIN _nic ", " _nic)
file(WRITE ${CMAKE_BINARY_DIR}/run.json
  "{\"board\": \"${BOARD}\", \"app\": \"${TAKT_APP_NAME}\", \"image\": \"${TAKT_IMAGE}\", \"net\": ${_net_json}, \"metrics\": ${_metrics_json}, \"nic\": [${_nic}], \"qemu\": [${_argv}]}\n")

get_property(_drivers GLOBAL PROPERTY TAKT_DRIVERS)
list(JOIN _drivers ", " _drivers)
if(TAKT_KERNEL_LIB)
  set(_drivers "${TAKT_KERNEL_DRIVERS} (kernel library ${TAKT_KERNEL_DIR})")
endif()
message(STATUS "board ${BOARD}, app ${TAKT_APP_NAME} (${TAKT_APP_DIR})")
message(STATUS "drivers: ${_drivers}")
include(${TAKT_ROOT}/cmake/fit.cmake)   # arm64: FIT, boot.scr, card image
