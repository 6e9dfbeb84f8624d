# QEMU "virt" with a Cortex-A53: GICv3 by default, GICv2 when QEMU is
# started with gic-version=2 (the DT it passes says which; both drivers are
# linked so either works).
set(TAKT_ARCH arm64)
# -mno-outline-atomics: gcc 12 would call libgcc helpers that need glibc's
# __getauxval for every atomic read-modify-write; inline them instead.
set(TAKT_CPU_FLAGS -mcpu=cortex-a53 -mno-outline-atomics)
# Image header text_offset: QEMU -kernel and u-boot booti both load a raw
# Image at DRAM base + text_offset, so the link address is fixed. 2 MiB,
# not Linux's old 0x80000: QEMU keeps its DTB in the first MiB of RAM when
# it starts firmware (u-boot, or an ELF through -device loader).
set(TAKT_DRAM_BASE 0x40000000)
set(TAKT_TEXT_OFFSET 0x200000)
set(TAKT_DTS ${TAKT_ROOT}/dts/qemu-virt-arm64.dts)
set(TAKT_FORCE_DRIVERS gicv2)
set(TAKT_BOOT_STACK_SIZE 0x4000)
# @IMAGE@ is replaced by the bootable image's path. -semihosting gives the
# exit status to the host (PSCI SYSTEM_OFF always exits 0). virtio-rng: the
# entropy source TLS needs (a Cortex-A53 has no RNDR); tests that want no
# source say NO_RNG (tests/target/CMakeLists.txt).
set(TAKT_QEMU qemu-system-aarch64 -M virt,gic-version=3 -cpu cortex-a53 -m 256M
    -nographic -no-reboot -semihosting -device virtio-rng-device -kernel @IMAGE@)
# Boot through u-boot (./takt run --via-uboot, cmake/fit.cmake): Debian's
# u-boot-qemu build as -bios; boot.cmd.in here is the card's boot script.
set(TAKT_UBOOT_QEMU_BIOS /usr/lib/u-boot/qemu_arm64/u-boot.bin)
