# An image's static RAM (text + data + bss, from the build's size.txt:
# Berkeley `size`, whose bss counts every NOLOAD section: .noinit, the boot
# stack) against a budget: -DSIZE=size.txt -DMAX=bytes. Run by
# takt_size_test() (tests/target/CMakeLists.txt). A byte count of the
# linked image: exact, not a timing.
cmake_minimum_required(VERSION 3.16)	# this script's policies
if(NOT EXISTS "${SIZE}")
  message(FATAL_ERROR "size_check: ${SIZE} is missing (is the app built?)")
endif()
file(STRINGS "${SIZE}" _lines LIMIT_COUNT 2)
list(LENGTH _lines _n)
if(_n LESS 2)
  message(FATAL_ERROR "size_check: ${SIZE} has no figures line")
endif()
list(GET _lines 1 _fig)
string(REGEX MATCH "^[ \t]*([0-9]+)[ \t]+([0-9]+)[ \t]+([0-9]+)" _m "${_fig}")
if(NOT _m)
  message(FATAL_ERROR "size_check: ${SIZE}: not `size` output: ${_fig}")
endif()
math(EXPR _all "${CMAKE_MATCH_1} + ${CMAKE_MATCH_2} + ${CMAKE_MATCH_3}")
math(EXPR _left "${MAX} - ${_all}")
if(_all GREATER MAX)
  math(EXPR _over "${_all} - ${MAX}")
  message(FATAL_ERROR "size_check: ${SIZE}: text ${CMAKE_MATCH_1} + data ${CMAKE_MATCH_2} + bss "
                      "${CMAKE_MATCH_3} = ${_all} bytes, ${_over} over the ${MAX}-byte budget")
endif()
message("size_check: ${SIZE}: ${_all} of ${MAX} bytes (${_left} left)")
