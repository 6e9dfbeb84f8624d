# A real board's board.dtb: the upstream Linux DTB that Debian's arm64 kernel
# package ships (./takt setup unpacks it into CACHE/dtbs, see
# tools/takt_boardfiles.py), plus the board's overlays, if any, applied with
# fdtoverlay. Nothing of the upstream DTB is in this repository.
#   TAKT_UPSTREAM_DTB    path under CACHE/dtbs, e.g. broadcom/bcm2837-rpi-3-b.dtb
#   TAKT_DT_OVERLAYS     .dtso files (target-path overlays: Debian's DTBs are
#                        built without __symbols__, so labels cannot be used)
# -DTAKT_BOARD_DTB=FILE uses another DTB of the same board instead (a board
# variant such as the Pi 3 B+ or the ZCU102 rev1.1; the same image boots it).
set(TAKT_DTB_DIR ${TAKT_CACHE_DIR}/dtbs CACHE PATH "upstream DTBs (./takt setup)")
set(TAKT_BOARD_DTB "" CACHE FILEPATH "use this DTB instead of the board's upstream one")
if(TAKT_BOARD_DTB)
  set(_base ${TAKT_BOARD_DTB})
else()
  set(_base ${TAKT_DTB_DIR}/${TAKT_UPSTREAM_DTB})
endif()
if(NOT EXISTS ${_base})
  message(FATAL_ERROR "board ${BOARD}: no DTB ${_base}; run ./takt setup (it fetches the "
                      "upstream DTBs from Debian's arm64 kernel package)")
endif()
find_program(FDTOVERLAY fdtoverlay REQUIRED)
set(_dtbos "")
foreach(_ov ${TAKT_DT_OVERLAYS})
  get_filename_component(_n ${_ov} NAME_WE)
  set(_dtbo ${CMAKE_BINARY_DIR}/${_n}.dtbo)
  execute_process(COMMAND ${DTC} -q -@ -I dts -O dtb -o ${_dtbo} ${_ov}
                  RESULT_VARIABLE _rc ERROR_VARIABLE _err)
  if(_rc)
    message(FATAL_ERROR "dtc failed on ${_ov}:\n${_err}")
  endif()
  list(APPEND _dtbos ${_dtbo})
endforeach()
if(_dtbos)
  execute_process(COMMAND ${FDTOVERLAY} -i ${_base} -o ${TAKT_DTB} ${_dtbos}
                  RESULT_VARIABLE _rc ERROR_VARIABLE _err)
  if(_rc)
    message(FATAL_ERROR "fdtoverlay failed applying ${TAKT_DT_OVERLAYS} to ${_base}:\n${_err}")
  endif()
else()
  configure_file(${_base} ${TAKT_DTB} COPYONLY)
endif()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_base} ${TAKT_DT_OVERLAYS})
message(STATUS "board DTB: ${_base} ${TAKT_DT_OVERLAYS}")
