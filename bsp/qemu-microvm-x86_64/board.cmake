# QEMU "microvm" (x86_64), booted as a PVH ELF: no firmware tables, no PCI;
# the embedded board DTB describes it, merged at boot with the PVH memory
# map and command line (kernel/arch/x86_64/boot_x86.c), and with QEMU's own
# DT (fw_cfg file etc/fdt, read by fw_cfg DMA, header first): its
# virtio,mmio nodes (the slots with a device attached) replace the eight
# built-in ones, and the boot log says how many ("virtio: N virtio-mmio
# slots from QEMU's etc/fdt"). Without fw_cfg or etc/fdt the built-in slots
# stay (one log line). A bad etc/fdt (failing validation or the slot checks
# in qemu_dt.c) is logged and ignored: the board boots on the built-in slots.
# A DTB passed as PVH module 0 (-initrd) is taken as given, slots included.
set(TAKT_ARCH x86_64)
# -mno-red-zone: interrupts are taken on the interrupted stack (no IST), so
# the 128 bytes below RSP are not the function's. -mcmodel=small: the image
# lives below 2 GiB. No PIE/PIC (takt.cmake adds -fno-pie -fno-pic).
set(TAKT_CPU_FLAGS -m64 -march=x86-64 -mno-red-zone -mcmodel=small
    -fno-asynchronous-unwind-tables -fcf-protection=none)
# Linked (and loaded by the PVH loader) at 1 MiB.
set(TAKT_DRAM_BASE 0x0)
set(TAKT_TEXT_OFFSET 0x100000)
set(TAKT_DTS ${TAKT_ROOT}/dts/qemu-microvm-x86_64.dts)
set(TAKT_BOOT_STACK_SIZE 0x4000)
# @IMAGE@ is replaced by the bootable image (the PVH ELF). From the brief's
# command: acpi=off (no ACPI: the DT describes the machine), pic/pit/rtc off
# (the LAPIC timer and the IOAPIC are all Takt uses, and the board DTB does
# not name them), -cpu max (the widest TCG CPU: NX, the TSC), isa-debug-exit
# at 0xf4 carrying odd exit statuses out, -no-reboot so that the reset a
# status-0 exit uses ends QEMU with 0. -device ib700: the watchdog card the
# board DTS names (drivers/watchdog/ib700.c), armed by the supervisor.
# -device virtio-rng-device: the entropy source TLS prefers to RDRAND (the
# first registered); tests that want no device say NO_RNG
# (tests/target/CMakeLists.txt).
set(TAKT_QEMU qemu-system-x86_64 -M microvm,acpi=off,pic=off,pit=off,rtc=off
    -cpu max -m 256M -nodefaults -no-reboot -nographic -serial stdio
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 -device ib700
    -device virtio-rng-device -kernel @IMAGE@)
