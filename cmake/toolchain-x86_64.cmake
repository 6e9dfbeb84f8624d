# x86_64: the host's gcc and binutils used freestanding against newlib (no
# glibc headers: see TAKT_SYSTEM_INCLUDES in takt.cmake). The code model and
# red-zone flags are in bsp/<board>/board.cmake's TAKT_CPU_FLAGS.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(TAKT_CROSS "")
set(TAKT_NEWLIB_TRIPLE x86_64-none-elf)
set(TAKT_NEWLIB_ARCH x86_64)
set(CMAKE_C_COMPILER gcc)
set(CMAKE_ASM_COMPILER gcc)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
# The bootable image is the PVH ELF itself (no raw binary: the loader reads
# the PVH note and the program headers).
set(TAKT_IMAGE_IS_ELF ON)
