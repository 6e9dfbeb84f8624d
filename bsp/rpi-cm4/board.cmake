# Raspberry Pi Compute Module 4 on its IO board (BCM2711, 4x Cortex-A72), described by the upstream
# Linux DTB. Interrupts: GIC-400 (the DT's bcm2836-l1-intc node is not an
# interrupt controller there); console: the mini-UART (stdout-path =
# serial1). /memory is left empty (size 0) for the firmware to fill.
# QEMU 7.2 does not emulate the CM4: the board is built, packaged as a card
# and checked against its DTB by host tests (tests/unit/test_boards.c).
set(TAKT_ARCH arm64)
set(TAKT_CPU_FLAGS -mcpu=cortex-a72 -mno-outline-atomics)
set(TAKT_DRAM_BASE 0x0)
set(TAKT_TEXT_OFFSET 0x200000)
set(TAKT_UPSTREAM_DTB broadcom/bcm2711-rpi-cm4-io.dtb)
set(TAKT_BOOT_STACK_SIZE 0x4000)
# The card cmake/fit.cmake makes for its boot chain.
set(TAKT_CARD rpi4)
set(TAKT_QEMU "")
