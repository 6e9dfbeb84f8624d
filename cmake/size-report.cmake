# size.txt: text/data/bss totals and the per-section breakdown.
execute_process(COMMAND ${SIZE} -B ${ELF} OUTPUT_VARIABLE _b)
execute_process(COMMAND ${SIZE} -A ${ELF} OUTPUT_VARIABLE _a)
file(WRITE ${OUT} "${_b}\n${_a}")
string(REGEX MATCH "\n *([0-9]+)[ \t]+([0-9]+)[ \t]+([0-9]+)" _m "${_b}")
message(STATUS "size: text ${CMAKE_MATCH_1} data ${CMAKE_MATCH_2} bss ${CMAKE_MATCH_3} bytes (details in ${OUT})")
