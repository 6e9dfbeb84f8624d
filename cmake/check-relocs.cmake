# Fails the build when the arm64 image has a dynamic relocation that
# kernel/arch/arm64/start.S cannot apply: it handles R_AARCH64_RELATIVE only
# (pointers in data; tools/takt_relr.py then packs them as RELR), and there
# must be no dynamic symbols to resolve.
# R_AARCH64_NONE entries (GOT slots ld reserved and then relaxed away) do
# nothing and are skipped by start.S too.
# Run with -DELF=takt.elf -DREADELF=<cross readelf>.
execute_process(COMMAND ${READELF} -rW ${ELF} OUTPUT_VARIABLE _out RESULT_VARIABLE _rc)
if(_rc)
  message(FATAL_ERROR "check-relocs: ${READELF} -r ${ELF} failed")
endif()
string(REGEX MATCHALL "\n[0-9a-f]+ +[0-9a-f]+ +R_AARCH64_[A-Z0-9_]+" _relocs "${_out}")
set(_bad "")
set(_n 0)
foreach(_r ${_relocs})
  math(EXPR _n "${_n} + 1")
  if(NOT _r MATCHES "R_AARCH64_(RELATIVE|NONE)$")
    string(STRIP "${_r}" _r)
    list(APPEND _bad "${_r}")
  endif()
endforeach()
if(_bad)
  list(JOIN _bad "\n  " _bad)
  message(FATAL_ERROR "check-relocs: ${ELF} has relocations start.S cannot apply "
                      "(only R_AARCH64_RELATIVE is handled):\n  ${_bad}")
endif()
