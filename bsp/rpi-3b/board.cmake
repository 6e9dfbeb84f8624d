# Raspberry Pi 3 Model B (BCM2837, 4x Cortex-A53, 1 GiB), described by the
# upstream Linux DTB (Debian's arm64 kernel package, fetched by ./takt setup).
# Interrupts: the BCM2836 per-core controller is the root, the BCM2835 ARM
# controller chained to it; the console is the mini-UART (stdout-path =
# serial1). QEMU's raspi3b emulates it: all cores start at EL2 (the kernel
# drops to EL1), the secondaries wait on the spin table.
set(TAKT_ARCH arm64)
set(TAKT_CPU_FLAGS -mcpu=cortex-a53 -mno-outline-atomics)
# RAM starts at 0. The image is position-independent; the Pi firmware loads
# kernel8.img at 0x80000, u-boot's booti and QEMU at DRAM base + text_offset.
set(TAKT_DRAM_BASE 0x0)
set(TAKT_TEXT_OFFSET 0x200000)
set(TAKT_UPSTREAM_DTB broadcom/bcm2837-rpi-3-b.dtb)
set(TAKT_DT_OVERLAYS ${CMAKE_CURRENT_LIST_DIR}/crash-record.dtso)
set(TAKT_BOOT_STACK_SIZE 0x4000)
# The card cmake/fit.cmake makes for its boot chain.
set(TAKT_CARD rpi3)
# QEMU raspi3b: the first -serial is the PL011 (wired to Bluetooth on a real
# Pi 3), the second the mini-UART the DT names as console. It makes no DTB of
# its own (-dtb is required; it rewrites /memory to 960 MiB, the RAM not
# kept by the GPU). -semihosting carries the exit status out.
set(TAKT_QEMU qemu-system-aarch64 -M raspi3b -display none -audiodev none,id=snd0 -no-reboot -semihosting
    -serial null -serial mon:stdio -dtb @DTB@ -kernel @IMAGE@)
# Other upstream DTBs of the same board that the same image must boot
# (tests/target: hello with -dtb each).
set(TAKT_BOARD_VARIANTS broadcom/bcm2837-rpi-3-b-plus.dtb)
