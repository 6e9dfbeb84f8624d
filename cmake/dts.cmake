# Board DTS -> board.dtb (C preprocessor, then dtc), or, for a real board,
# the upstream Linux DTB from the set-up cache with the board's overlays
# (upstream-dtb.cmake); then the compatibles of its enabled nodes, read back with libfdt by tools/dtcompat.c. Done at
# configure time because the driver choice depends on it.
find_program(DTC dtc REQUIRED)
set(TAKT_DTB ${CMAKE_BINARY_DIR}/board.dtb)
if(TAKT_UPSTREAM_DTB)
  include(${CMAKE_CURRENT_LIST_DIR}/upstream-dtb.cmake)
else()
  set(_pre ${CMAKE_BINARY_DIR}/board.dts.pre)
  get_filename_component(_dts_dir ${TAKT_DTS} DIRECTORY)
  execute_process(
    COMMAND ${CMAKE_C_COMPILER} -E -P -x assembler-with-cpp -nostdinc -undef
            -D__DTS__ -I ${_dts_dir} -I ${TAKT_ROOT}/dts ${TAKT_DTS} -o ${_pre}
    RESULT_VARIABLE _rc)
  if(_rc)
    message(FATAL_ERROR "preprocessing ${TAKT_DTS} failed")
  endif()
  execute_process(COMMAND ${DTC} -q -I dts -O dtb -o ${TAKT_DTB} ${_pre}
                  RESULT_VARIABLE _rc ERROR_VARIABLE _err)
  if(_rc)
    message(FATAL_ERROR "dtc failed on ${TAKT_DTS}:\n${_err}")
  endif()
  file(GLOB _dtsi ${TAKT_ROOT}/dts/*.dtsi ${TAKT_ROOT}/dts/*.h)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${TAKT_DTS} ${_dtsi})
endif()

set(_tool ${CMAKE_BINARY_DIR}/host/dtcompat)
if(NOT EXISTS ${_tool} OR ${TAKT_ROOT}/tools/dtcompat.c IS_NEWER_THAN ${_tool})
  file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/host)
  execute_process(COMMAND cc -O2 -Wall -Wextra -Werror -o ${_tool} ${TAKT_ROOT}/tools/dtcompat.c -lfdt
                  RESULT_VARIABLE _rc)
  if(_rc)
    message(FATAL_ERROR "building tools/dtcompat.c failed (needs libfdt-dev: ./takt setup)")
  endif()
endif()
execute_process(COMMAND ${_tool} ${TAKT_DTB} OUTPUT_VARIABLE _compat RESULT_VARIABLE _rc)
if(_rc)
  message(FATAL_ERROR "reading compatibles from ${TAKT_DTB} failed")
endif()
string(REPLACE "\n" ";" TAKT_DT_COMPATIBLES "${_compat}")
list(REMOVE_DUPLICATES TAKT_DT_COMPATIBLES)
