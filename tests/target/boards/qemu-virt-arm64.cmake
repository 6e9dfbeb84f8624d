# QEMU virt variants: the DT QEMU passes in x0 is what the kernel follows.
foreach(mem 128 256 1024)
  takt_qemu_test(hello_mem_${mem}M hello QEMU_ARGS -m ${mem}M
    EXPECT "^memory: ${mem} MiB")
endforeach()

foreach(v 2 3)
  takt_qemu_test(timer_gicv${v} timer QEMU_ARGS -M virt,gic-version=${v}
    EXPECT "^dev: /intc@8000000 -> gicv${v}$" "^PASS timer_irq_fires")
endforeach()

# Entered at EL2 (virtualization=on): drops to EL1 and runs as usual.
takt_qemu_test(hello_from_el2 hello QEMU_ARGS -M virt,virtualization=on
  EXPECT "^memory: 256 MiB")

# No DTB from the boot loader (ELF loaded by QEMU's generic loader, x0 = 0):
# the built-in board DTB is used.
takt_qemu_test(builtin_dtb_when_none_passed hello NO_KERNEL
  QEMU_ARGS -device loader,file=@ELF@,cpu-num=0
  EXPECT "using the built-in DTB" "^memory: 256 MiB")

# A corrupt DTB from the boot loader: QEMU accepts and edits it, the kernel
# must refuse it with a PANIC line and a failure status.
add_test(NAME make_corrupt_dtb COMMAND dtb_corrupt ${TAKT_BUILD_ROOT}/hello/board.dtb
         ${CMAKE_BINARY_DIR}/corrupt.dtb nameoff /pl011@9000000 clock-names)
set_tests_properties(make_corrupt_dtb PROPERTIES FIXTURES_SETUP corrupt_dtb)
takt_qemu_test(corrupt_dtb_panics hello STATUS 1 FIXTURE corrupt_dtb
  QEMU_ARGS -dtb ${CMAKE_BINARY_DIR}/corrupt.dtb
  EXPECT "^PANIC: dtb: .*invalid" REJECT "^Takt hello")
