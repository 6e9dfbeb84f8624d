# What an image links, from its link map: -DMAP=takt.map, -DABSENT=regex
# (no input object may match), -DPRESENT=regex (one must). Run by
# takt_map_test() (tests/target/CMakeLists.txt).
if(NOT EXISTS "${MAP}")
  message(FATAL_ERROR "map_check: ${MAP} is missing (is the app built?)")
endif()
# The map's "Discarded input sections" list names objects that were not
# linked in the end; only what follows "Linker script and memory map" counts.
file(READ "${MAP}" _map)
string(FIND "${_map}" "Linker script and memory map" _at)
if(_at LESS 0)
  message(FATAL_ERROR "map_check: ${MAP} is not a GNU ld map")
endif()
string(SUBSTRING "${_map}" ${_at} -1 _map)
if(ABSENT AND _map MATCHES "${ABSENT}")
  message(FATAL_ERROR "map_check: ${MAP} links ${CMAKE_MATCH_0}, which it must not")
endif()
if(PRESENT AND NOT _map MATCHES "${PRESENT}")
  message(FATAL_ERROR "map_check: ${MAP} does not link ${PRESENT}")
endif()
message("map_check: ${MAP}: ok")
