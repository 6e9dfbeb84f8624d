# Xilinx ZCU102 (Zynq UltraScale+ MPSoC, 4x Cortex-A53), described by the
# upstream Linux DTB. GIC-400, generic timer, Cadence UARTs (console: serial0),
# Cadence GEM3 Ethernet, PSCI over SMC. QEMU's xlnx-zcu102 emulates it: CPU0
# starts at EL1, the others are off until PSCI CPU_ON.
set(TAKT_ARCH arm64)
set(TAKT_CPU_FLAGS -mcpu=cortex-a53 -mno-outline-atomics)
set(TAKT_DRAM_BASE 0x0)
set(TAKT_TEXT_OFFSET 0x200000)
set(TAKT_UPSTREAM_DTB xilinx/zynqmp-zcu102-rev1.0.dtb)
# The upstream /chosen/bootargs is Linux's "earlycon": it would reach main()
# as an argument. bootargs.dtso empties it (a boot loader's bootargs or
# QEMU's -append still replace it).
set(TAKT_DT_OVERLAYS ${CMAKE_CURRENT_LIST_DIR}/bootargs.dtso
    ${CMAKE_CURRENT_LIST_DIR}/crash-record.dtso)
set(TAKT_BOOT_STACK_SIZE 0x4000)
# The card cmake/fit.cmake makes for its boot chain.
set(TAKT_CARD zynqmp)
# -dtb is required (the machine makes no DTB); QEMU rewrites /memory to -m.
set(TAKT_QEMU qemu-system-aarch64 -M xlnx-zcu102 -m 512M -nographic -audiodev none,id=snd0 -no-reboot -semihosting
    -dtb @DTB@ -kernel @IMAGE@)
# Other upstream DTBs of the same board that the same image must boot
# (tests/target: hello with -dtb each; their bootargs say "earlycon").
set(TAKT_BOARD_VARIANTS xilinx/zynqmp-zcu102-rev1.1.dtb)
# User NIC (netdev n0; tests/net, ./takt run, bench net): QEMU gives the n-th NIC to GEM n and the DT enables GEM3 only.
set(TAKT_QEMU_NIC -nic user,restrict=on -nic user,restrict=on -nic user,restrict=on -net nic,netdev=n0)
