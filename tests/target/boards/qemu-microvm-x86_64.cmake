# QEMU microvm variants. RAM comes from the PVH memory map: QEMU reports the
# 639 KiB below the legacy hole and [1 MiB, top), so -m N shows N - 1 MiB.
foreach(mem 128 512)
  math(EXPR usable "${mem} - 1")
  takt_qemu_test(hello_mem_${mem}M hello QEMU_ARGS -m ${mem}M
    EXPECT "^memory: ${usable} MiB")
endforeach()

# Under -icount shift=0 the TSC and the LAPIC timer both count virtual ns:
# the calibration must find exactly 1 GHz (repeatable benchmarks).
takt_qemu_test(tsc_1ghz_under_icount timer QEMU_ARGS -icount shift=0,align=off,sleep=off
  EXPECT "^time: TSC at 1000000000 Hz" "^PASS timer_irq_fires")

# A DTB passed as the first PVH module (-initrd) replaces the built-in one.
takt_qemu_test(module_dtb_used hello QEMU_ARGS -initrd ${TAKT_BUILD_ROOT}/hello/board.dtb
  EXPECT "using the DTB passed as PVH module 0" "^memory: 255 MiB")

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

add_test(NAME make_corrupt_module_dtb COMMAND dtb_corrupt ${TAKT_BUILD_ROOT}/hello/board.dtb
         ${CMAKE_BINARY_DIR}/corrupt.dtb nameoff /serial@3f8 compatible)
set_tests_properties(make_corrupt_module_dtb PROPERTIES FIXTURES_SETUP corrupt_module_dtb)
takt_qemu_test(corrupt_module_dtb_panics hello STATUS 1 FIXTURE corrupt_module_dtb
  QEMU_ARGS -initrd ${CMAKE_BINARY_DIR}/corrupt.dtb
  EXPECT "^PANIC: dtb: the DTB passed as PVH module 0 is invalid" REJECT "^Takt hello")
