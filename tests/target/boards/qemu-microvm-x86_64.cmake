# QEMU microvm variants. RAM comes from the PVH memory map: QEMU reports the
# 639 KiB below the legacy hole and [1 MiB, top), so -m N shows N - 1 MiB.
foreach(mem 128 512)
  math(EXPR usable "${mem} - 1")
  takt_qemu_test(hello_mem_${mem}M hello QEMU_ARGS -m ${mem}M
    EXPECT "^memory: ${usable} MiB")
endforeach()

# The boot area after the image (boot_x86.c): the DT buffer, sized to the
# base DTB and what the merges may add, and the command line's copy; QEMU's
# etc/fdt and the virtio merge's work space only in an app with the virtio
# transport (what hello runs in: ./takt bench boot). Too little RAM for it
# is a panic naming it, never a hang.
takt_qemu_test(boot_area_without_transport hello STATUS 1 QEMU_ARGS -m 1284K
  EXPECT "^PANIC: boot: no RAM after the image [(]at 0x[0-9a-f]+[)] for the 16 KiB boot area$")
takt_qemu_test(boot_area_with_transport virtio_net STATUS 1 NO_RNG QEMU_ARGS -m 1300K -append none
  EXPECT "^PANIC: boot: no RAM after the image [(]at 0x[0-9a-f]+[)] for the 48 KiB boot area$")
# The most the merges add on QEMU fits that buffer: 8 CPUs, all 8 virtio
# slots in use, a 3600-byte command line (QEMU adds its slots to it: some
# 300 bytes, in a buffer of 4096; the kernel then refuses it by
# its own limit, after the merge: not a merge's "no space").
string(REPEAT "x" 3600 cmdline_3600)
takt_qemu_test(boot_area_holds_the_largest_merge hello STATUS 1
  QEMU_ARGS -smp 8 -append "${cmdline_3600}"
  EXPECT "^smp: 8 CPUs from fw_cfg" "^PANIC: bootargs: 3600 bytes, the limit is 1023$"
  REJECT "merging")
takt_qemu_test(boot_area_holds_the_largest_merge_virtio virtio_net STATUS 1 NO_RNG
  QEMU_ARGS -smp 8 -append "${cmdline_3600}"
    -device virtio-rng-device -device virtio-rng-device -device virtio-rng-device
    -device virtio-rng-device -device virtio-rng-device -device virtio-rng-device
    -device virtio-rng-device -device virtio-rng-device
  EXPECT "^smp: 8 CPUs from fw_cfg" "^virtio: 8 virtio-mmio slots from QEMU's etc/fdt"
         "^PANIC: bootargs: 3600 bytes, the limit is 1023$"
  REJECT "merging")

# Under -icount shift=0 the TSC and the LAPIC timer both count virtual ns:
# the calibration must find exactly 1 GHz (repeatable benchmarks).
takt_qemu_test(tsc_1ghz_under_icount timer QEMU_ARGS -icount shift=0,align=off,sleep=off
  EXPECT "^time: TSC at 1000000000 Hz" "^PASS timer_irq_fires")

# A DTB passed as the first PVH module (-initrd) replaces the built-in one
# (hello, with no virtio transport, says nothing of its virtio slots).
takt_qemu_test(module_dtb_used hello QEMU_ARGS -initrd ${TAKT_BUILD_ROOT}/hello/board.dtb
  EXPECT "using the DTB passed as PVH module 0" "^memory: 255 MiB" REJECT "virtio")

# Bad input: a node whose interrupt names an IOAPIC pin that does not exist
# (the IOAPIC has 24), and a corrupt DTB module.
find_program(FDTPUT fdtput REQUIRED)
add_test(NAME make_bad_irq_dtb COMMAND ${CMAKE_COMMAND} -E env sh -c
  "cp ${TAKT_BUILD_ROOT}/hello/board.dtb ${CMAKE_BINARY_DIR}/bad_irq.dtb && ${FDTPUT} -t u ${CMAKE_BINARY_DIR}/bad_irq.dtb /virtio_mmio@feb00e00 interrupts 40 1")
set_tests_properties(make_bad_irq_dtb PROPERTIES FIXTURES_SETUP bad_irq_dtb)
takt_qemu_test(ioapic_pin_missing_panics hello STATUS 1 FIXTURE bad_irq_dtb
  QEMU_ARGS -initrd ${CMAKE_BINARY_DIR}/bad_irq.dtb
  EXPECT "^PANIC: irq: /virtio_mmio@feb00e00: interrupt 0 is IOAPIC pin 40, but /ioapic1@fec00000 has pins 0..23"
  REJECT "^Takt hello")

# A 16550's register layout the driver cannot use is named and refused (the
# console then missing: a panic), never used: reg-shift 28 once put its
# registers 4 GiB away, into RAM; a 32-bit width needs a 4-byte stride.
foreach(case "reg-shift;28;reg-shift \\(0\\.\\.4, one cell\\): 28"
             "reg-io-width;4;reg-io-width \\(1, or 4 with reg-shift 2 or more\\): 4"
             "reg-io-width;2;reg-io-width \\(1, or 4 with reg-shift 2 or more\\): 2")
  list(GET case 0 prop)
  list(GET case 1 val)
  list(GET case 2 says)
  set(_dtb ${CMAKE_BINARY_DIR}/ns16550_${prop}_${val}.dtb)
  add_test(NAME make_ns16550_${prop}_${val}_dtb COMMAND ${CMAKE_COMMAND} -E env sh -c
    "cp ${TAKT_BUILD_ROOT}/hello/board.dtb ${_dtb} && ${FDTPUT} -t u ${_dtb} /serial@3f8 ${prop} ${val}")
  set_tests_properties(make_ns16550_${prop}_${val}_dtb PROPERTIES
    FIXTURES_SETUP ns16550_${prop}_${val}_dtb)
  takt_qemu_test(ns16550_bad_${prop}_${val}_refused hello STATUS 1
    FIXTURE ns16550_${prop}_${val}_dtb QEMU_ARGS -initrd ${_dtb}
    EXPECT "^dev: /serial@3f8 -> ns16550 failed \\(-22\\): /serial@3f8: ${says}$"
    REJECT "^Takt hello")
endforeach()

# Without TSC-deadline mode the LAPIC timer counts at the DT's
# clock-frequency: one below 1 MHz (a one-shot every few TSC ticks, a storm)
# is refused with the value, and the missing timer ends the boot.
add_test(NAME make_lapic_slow_dtb COMMAND ${CMAKE_COMMAND} -E env sh -c
  "cp ${TAKT_BUILD_ROOT}/hello/board.dtb ${CMAKE_BINARY_DIR}/lapic_slow.dtb && ${FDTPUT} -t u ${CMAKE_BINARY_DIR}/lapic_slow.dtb /interrupt-controller@fee00000 clock-frequency 500000")
set_tests_properties(make_lapic_slow_dtb PROPERTIES FIXTURES_SETUP lapic_slow_dtb)
takt_qemu_test(lapic_slow_clock_refused hello STATUS 1 FIXTURE lapic_slow_dtb
  QEMU_ARGS -cpu max,-tsc-deadline -initrd ${CMAKE_BINARY_DIR}/lapic_slow.dtb
  EXPECT "^lapic: timer not started \\(-22\\): /interrupt-controller@fee00000: clock-frequency below 1 MHz \\(500000 Hz\\)"
         "^PANIC: time: no system timer bound"
  REJECT "^Takt hello")

add_test(NAME make_corrupt_module_dtb COMMAND dtb_corrupt ${TAKT_BUILD_ROOT}/hello/board.dtb
         ${CMAKE_BINARY_DIR}/corrupt.dtb nameoff /serial@3f8 compatible)
set_tests_properties(make_corrupt_module_dtb PROPERTIES FIXTURES_SETUP corrupt_module_dtb)
takt_qemu_test(corrupt_module_dtb_panics hello STATUS 1 FIXTURE corrupt_module_dtb
  QEMU_ARGS -initrd ${CMAKE_BINARY_DIR}/corrupt.dtb
  EXPECT "^PANIC: dtb: the DTB passed as PVH module 0 is invalid" REJECT "^Takt hello")

# virtio-mmio slots come from QEMU's own DT (fw_cfg etc/fdt, boot_x86.c):
# QEMU lists only the slots with a device attached (two virtio-blk devices
# take the two top slots, pins 11 and 12), and they replace the built-in
# eight. Without devices QEMU lists none, and the kernel's DT then has none
# (NO_RNG: without the run command's virtio-rng). Only an image with the
# virtio-mmio transport merges them (the virtio_net app, "none": it expects
# no NIC); hello has no virtio driver and reads none of it.
set(_two_blk -drive if=none,id=d0,file=null-co://,format=raw
    -drive if=none,id=d1,file=null-co://,format=raw
    -device virtio-blk-device,drive=d0 -device virtio-blk-device,drive=d1)
takt_qemu_test(virtio_slots_from_qemu virtio_net NO_RNG QEMU_ARGS ${_two_blk} -append none
  EXPECT "^virtio: 2 virtio-mmio slots from QEMU's etc/fdt \\([0-9]+ of [0-9]+ bytes read by fw_cfg DMA"
         "^virtio: /virtio_mmio@feb00c00 reg 0xfeb00c00 irq 11$"
         "^virtio: /virtio_mmio@feb00e00 reg 0xfeb00e00 irq 12$"
         "^virtio-mmio: /virtio_mmio@feb00c00: device ID 2 has no driver. left alone$"
         "^2 passed, 0 failed")
takt_qemu_test(virtio_no_slots_without_devices virtio_net NO_RNG QEMU_ARGS -append none
  EXPECT "^virtio: 0 virtio-mmio slots from QEMU's etc/fdt" "^2 passed, 0 failed"
  REJECT "^virtio: /virtio_mmio")
takt_qemu_test(hello_merges_no_virtio_slots hello NO_RNG QEMU_ARGS ${_two_blk}
  EXPECT "^Takt hello" "^power: off \\(exit status 0\\)"
  REJECT "virtio")

# virtio-net: the same cases on every board with virtio-mmio slots.
include(${CMAKE_CURRENT_LIST_DIR}/../virtio_net.cmake)
# QEMU CPUs with and without RDRAND (the board runs -cpu max: with).
set(TAKT_TEST_CPU_RNG)
set(TAKT_TEST_CPU_NO_RNG -cpu max,-rdrand)
include(${CMAKE_CURRENT_LIST_DIR}/../entropy.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/../tls.cmake)

# Required devices (the board's DT as PVH module, edited): the LAPIC without
# its timer's interrupt still routes interrupts, and the boot stops naming the
# missing timer; the LAPIC without reg leaves only the IOAPIC (a router, no
# root) and the boot stops naming the missing interrupt controller; the
# console stdout-path names not binding stops too. Each a PANIC and status 1,
# never a hang at the first sleep.
set(_req ${CMAKE_BINARY_DIR}/required)
add_test(NAME make_required_dtbs COMMAND sh -ec "
  for c in no_timer no_intc no_console regs_small; do cp ${TAKT_BUILD_ROOT}/hello/board.dtb ${_req}_\$c.dtb; done
  ${FDTPUT} -d ${_req}_no_timer.dtb /interrupt-controller@fee00000 interrupts
  ${FDTPUT} -d ${_req}_no_intc.dtb /interrupt-controller@fee00000 reg
  ${FDTPUT} -t x ${_req}_regs_small.dtb /interrupt-controller@fee00000 reg 0 fee00000 0 100
  ${FDTPUT} -t x ${_req}_regs_small.dtb /ioapic1@fec00000 reg 0 fec00000 0 10
  ${FDTPUT} -t s ${_req}_no_console.dtb /serial@3f8 compatible acme,no-such-uart")
set_tests_properties(make_required_dtbs PROPERTIES FIXTURES_SETUP required_dtbs)
takt_qemu_test(timer_missing_panics hello STATUS 1 FIXTURE required_dtbs
  QEMU_ARGS -initrd ${_req}_no_timer.dtb
  EXPECT "^lapic: timer not started \\(-2\\): /interrupt-controller@fee00000: 'interrupts' is missing"
         "^dev: /interrupt-controller@fee00000 -> lapic$"
         "^PANIC: time: no system timer bound" REJECT "^Takt hello")
takt_qemu_test(intc_missing_panics hello STATUS 1 FIXTURE required_dtbs
  QEMU_ARGS -initrd ${_req}_no_intc.dtb
  EXPECT "^dev: /interrupt-controller@fee00000 -> lapic failed \\(-2\\): .*'reg' is missing"
         "^dev: /ioapic1@fec00000 -> ioapic$"
         "^PANIC: irq: no interrupt controller bound" REJECT "^Takt hello")
# Both controllers given fewer bytes than the registers their drivers use:
# each probe refuses, naming both sizes (they once reached past the DT's
# region, into whatever the DT says is there).
takt_qemu_test(intc_regs_small_refused hello STATUS 1 FIXTURE required_dtbs
  QEMU_ARGS -initrd ${_req}_regs_small.dtb
  EXPECT "^dev: /interrupt-controller@fee00000 -> lapic failed \\(-22\\): /interrupt-controller@fee00000: lapic: reg\\[0\\] is 0x100 bytes, fewer than the 0x3e4 bytes of registers the driver uses$"
         "^dev: /ioapic1@fec00000 -> ioapic failed \\(-22\\): /ioapic1@fec00000: ioapic: reg\\[0\\] is 0x10 bytes, fewer than the 0x14 bytes of registers the driver uses$"
         "^PANIC: irq: no interrupt controller bound" REJECT "^Takt hello")
takt_qemu_test(console_missing_panics hello STATUS 1 FIXTURE required_dtbs
  QEMU_ARGS -initrd ${_req}_no_console.dtb
  EXPECT "^PANIC: console: /serial@3f8 \\(stdout-path\\) did not bind to a driver" REJECT "^Takt hello")

# The supervisor arms QEMU's ib700 card (the board's -device ib700; the DTS
# names it, drivers/watchdog/ib700.c) and feeds it while every channel is
# fed; a starved thread stops the feeding and the card resets the board
# (-no-reboot: QEMU exits) before the supervisor would reset it itself.
# Without -icount: the card's 2 s are host time, not busy-waited guest time.
takt_qemu_test(watchdog_ib700_resets watchdog NO_POWEROFF TIMEOUT 120 QEMU_ARGS -append starve
  EXPECT "^watchdog: hardware watchdog /watchdog@441 armed, 2000 ms, fed while every channel is"
         "^watchdog: thread 'victim' \\(id [0-9]+\\) starved"
         "^watchdog: waiting for the hardware watchdog /watchdog@441 \\(2000 ms\\) to reset the board"
  REJECT "did not reset" "^FAIL")
# Bad input: the ib700 node's reg one port long, and without io-mapped (a
# PVH module DTB is taken as given): the probe fails naming the node, the
# board runs without a watchdog.
add_test(NAME make_bad_ib700_dtbs COMMAND sh -ec "
  cp ${TAKT_BUILD_ROOT}/hello/board.dtb ${CMAKE_BINARY_DIR}/ib700_short.dtb
  cp ${TAKT_BUILD_ROOT}/hello/board.dtb ${CMAKE_BINARY_DIR}/ib700_noio.dtb
  ${FDTPUT} -t x ${CMAKE_BINARY_DIR}/ib700_short.dtb /watchdog@441 reg 0 441 0 1
  ${FDTPUT} -d ${CMAKE_BINARY_DIR}/ib700_noio.dtb /watchdog@441 io-mapped")
set_tests_properties(make_bad_ib700_dtbs PROPERTIES FIXTURES_SETUP bad_ib700_dtbs)
foreach(_c short noio)
  takt_qemu_test(ib700_bad_node_${_c}_refused watchdog FIXTURE bad_ib700_dtbs
    QEMU_ARGS -initrd ${CMAKE_BINARY_DIR}/ib700_${_c}.dtb
    EXPECT "/watchdog@441: reg must be the card's 3 I/O ports \\(io-mapped, below 0x10000\\)"
           "^PASS start_without_watchdog_enodev" "^[0-9]+ passed, 0 failed")
endforeach()
