# libfdt from u-boot's copy: not our code, so not built with -Werror.
# Built trusting its input (SANE | LATEST: about half the cost of a lookup),
# because the kernel reads only a blob that passed tk_dt_validate(), which
# uses a strict copy of the checks: fdt.c + fdt_ro.c built without
# assumptions, linked into one object whose only global symbols are
# fdt_check_header_strict and fdt_check_full_strict.
file(GLOB _fdt_src ${LIBFDT_SOURCE_DIR}/fdt*.c)
add_library(takt_libfdt STATIC ${_fdt_src})
target_link_libraries(takt_libfdt PRIVATE takt_base)
target_compile_definitions(takt_libfdt PRIVATE "FDT_ASSUME_MASK=(FDT_ASSUME_SANE|FDT_ASSUME_LATEST)")

add_library(takt_libfdt_strict OBJECT ${LIBFDT_SOURCE_DIR}/fdt.c ${LIBFDT_SOURCE_DIR}/fdt_ro.c)
target_link_libraries(takt_libfdt_strict PRIVATE takt_base)
set(TAKT_LIBFDT_STRICT ${CMAKE_BINARY_DIR}/libfdt_strict.o)
add_custom_command(OUTPUT ${TAKT_LIBFDT_STRICT}
  COMMAND ${TAKT_CROSS}ld -r -o ${TAKT_LIBFDT_STRICT}.all $<TARGET_OBJECTS:takt_libfdt_strict>
  COMMAND ${TAKT_CROSS}objcopy
          --redefine-sym fdt_check_header=fdt_check_header_strict
          --redefine-sym fdt_check_full=fdt_check_full_strict
          --keep-global-symbol=fdt_check_header_strict
          --keep-global-symbol=fdt_check_full_strict
          ${TAKT_LIBFDT_STRICT}.all ${TAKT_LIBFDT_STRICT}
  DEPENDS $<TARGET_OBJECTS:takt_libfdt_strict>
  COMMAND_EXPAND_LISTS VERBATIM)
set(TAKT_LIBFDT_LIB takt_libfdt)
