# arm64 cross toolchain: Debian's gcc-aarch64-linux-gnu used freestanding
# against newlib (no glibc headers: see TAKT_SYSTEM_INCLUDES in takt.cmake).
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(TAKT_CROSS aarch64-linux-gnu-)
set(TAKT_NEWLIB_TRIPLE aarch64-none-elf)
set(TAKT_NEWLIB_ARCH aarch64)
set(CMAKE_C_COMPILER ${TAKT_CROSS}gcc)
set(CMAKE_ASM_COMPILER ${TAKT_CROSS}gcc)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
