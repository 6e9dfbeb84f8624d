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

# The image is position-independent (start.S applies its own relocations):
# the raw takt.bin loaded at addresses other than its link address (DRAM
# base + text_offset), one 2 MiB-aligned and one only 4 KiB-aligned, runs
# the same. x0 = 0 there, so the built-in DTB is used.
foreach(addr 0x48000000 0x4a345000)
  takt_qemu_test(image_runs_at_${addr} hello NO_KERNEL
    QEMU_ARGS -device loader,file=@IMAGE@,addr=${addr},cpu-num=0,force-raw=on
    EXPECT "^boot: image at ${addr}, [0-9]+ KiB$" "^memory: 256 MiB" "^boot: entry to main in")
endforeach()

# A corrupt DTB from the boot loader: QEMU accepts and edits it, the kernel
# must refuse it with a PANIC line and a failure status.
add_test(NAME make_corrupt_dtb COMMAND dtb_corrupt ${TAKT_BUILD_ROOT}/hello/board.dtb
         ${CMAKE_BINARY_DIR}/corrupt.dtb nameoff /pl011@9000000 clock-names)
set_tests_properties(make_corrupt_dtb PROPERTIES FIXTURES_SETUP corrupt_dtb)
takt_qemu_test(corrupt_dtb_panics hello STATUS 1 FIXTURE corrupt_dtb
  QEMU_ARGS -dtb ${CMAKE_BINARY_DIR}/corrupt.dtb
  EXPECT "^PANIC: dtb: .*invalid" REJECT "^Takt hello")

# Through Debian's real u-boot (u-boot-qemu, -bios): distro boot finds boot.scr
# on the card image's FAT partition (virtio-blk), which loads the FIT and bootm's
# it; Takt runs with u-boot's own DT (QEMU's, /memory fixed up), not a copy in
# the FIT (that only with TAKT_FIT_DTB: the verified-boot cases below).
set(_uboot -bios ${TAKT_UBOOT_QEMU_BIOS})
function(takt_card_args var card)
  set(${var} -drive if=none,file=${card},format=raw,id=sd,readonly=on
      -device virtio-blk-device,drive=sd PARENT_SCOPE)
endfunction()
takt_card_args(_card ${TAKT_BUILD_ROOT}/hello/takt-sdcard.img)
takt_qemu_test(uboot_boots_card hello NO_KERNEL QEMU_ARGS ${_uboot} ${_card}
  EXPECT "Found U-Boot script /boot.scr" "sha256\\+ OK" "^Starting kernel"
         "^Takt hello on qemu-virt-arm64" "^boot: entry to main in")
takt_qemu_test(uboot_fixes_memory hello NO_KERNEL QEMU_ARGS ${_uboot} ${_card} -m 128M
  EXPECT "^Starting kernel" "^memory: 128 MiB")
# u-boot hands over the machine's DT: the card boots on QEMU's default GIC
# (v2) and on a GICv3 alike, each driver bound as the DT says.
foreach(v 2 3)
  takt_qemu_test(uboot_card_gicv${v} hello NO_KERNEL
    QEMU_ARGS ${_uboot} ${_card} -M virt,gic-version=${v}
    EXPECT "^Starting kernel" "^dev: /intc@8000000 -> gicv${v}$" "^Takt hello")
endforeach()
# The app's exit status comes through too (crash: PANIC, status 1).
takt_card_args(_crash_card ${TAKT_BUILD_ROOT}/crash/takt-sdcard.img)
takt_qemu_test(uboot_exit_status crash STATUS 1 NO_KERNEL
  QEMU_ARGS ${_uboot} ${_crash_card}
  EXPECT "^Starting kernel" "^PANIC: unexpected exception")

# Verified boot: key A in u-boot's control DTB (QEMU's dumped virt DTB +
# mkimage -K, required = "conf", passed with -dtb). Signed with A: boots.
# One kernel byte flipped after signing, or signed with key B, or not signed
# at all: u-boot refuses and Takt never starts.
set(_vb ${CMAKE_BINARY_DIR}/verified-boot)
string(REPLACE ";" "|" _q "${TAKT_QEMU}")
math(EXPR _load "${TAKT_DRAM_BASE} + ${TAKT_TEXT_OFFSET}" OUTPUT_FORMAT HEXADECIMAL)
math(EXPR _fit "${TAKT_DRAM_BASE} + 0x4000000" OUTPUT_FORMAT HEXADECIMAL)
add_test(NAME make_verified_boot_cards
  COMMAND ${Python3_EXECUTABLE} ${TAKT_ROOT}/tools/takt_image.py testcards ${_vb}
          --build-dir ${TAKT_BUILD_ROOT}/hello --load ${_load} --fit-addr ${_fit}
          --boot-cmd ${TAKT_ROOT}/bsp/${BOARD}/boot.cmd.in "--qemu=${_q}")
set_tests_properties(make_verified_boot_cards PROPERTIES FIXTURES_SETUP verified_boot)
set(_vb_refused "^Takt hello" "^Starting kernel")
takt_card_args(_c ${_vb}/signed.img)
takt_qemu_test(uboot_signed_boots hello NO_KERNEL FIXTURE verified_boot
  QEMU_ARGS ${_uboot} -dtb ${_vb}/ctrl.dtb ${_c}
  EXPECT "Verifying Hash Integrity \\.\\.\\. sha256,rsa2048:takt\\+ OK" "^Takt hello")
takt_card_args(_c ${_vb}/tampered.img)
takt_qemu_test(uboot_tampered_refused hello NO_KERNEL NO_POWEROFF FIXTURE verified_boot
  QEMU_ARGS ${_uboot} -dtb ${_vb}/ctrl.dtb ${_c}
  EXPECT "Bad hash value for 'hash' hash node in 'kernel' image node"
         "ERROR: can't get kernel image!" "^Takt: boot refused"
  REJECT ${_vb_refused})
takt_card_args(_c ${_vb}/wrongkey.img)
takt_qemu_test(uboot_wrong_key_refused hello NO_KERNEL NO_POWEROFF FIXTURE verified_boot
  QEMU_ARGS ${_uboot} -dtb ${_vb}/ctrl.dtb ${_c}
  EXPECT "sha256,rsa2048:takt-  error!" "Failed to verify required signature 'key-takt'"
  REJECT ${_vb_refused})
takt_qemu_test(uboot_unsigned_refused hello NO_KERNEL NO_POWEROFF FIXTURE verified_boot
  QEMU_ARGS ${_uboot} -dtb ${_vb}/ctrl.dtb ${_card}
  EXPECT "Failed to verify required signature 'key-takt'"
  REJECT ${_vb_refused})

# QEMU's DT lists 32 virtio-mmio slots, filled from the last (0xa003e00) down:
# the two devices (a NIC, a virtio-blk disk) are each reported, the NIC
# bound, the disk (no driver in Takt) left alone; the 30 empty slots (skipped
# by the transport's present hook) say nothing and bind nothing. (hello has
# no virtio code at all: hello_leaves_virtio_*_alone.)
takt_qemu_test(virtio_empty_slots_quiet virtio_net NO_RNG
  QEMU_ARGS -netdev user,id=n0 -device virtio-net-device,netdev=n0
            -drive if=none,id=d0,file=null-co://,format=raw -device virtio-blk-device,drive=d0
  EXPECT "^virtio-mmio: /virtio_mmio@a003e00: net, version "
         "^dev: /virtio_mmio@a003e00 -> virtio_mmio$"
         "^virtio-mmio: /virtio_mmio@a003c00: device ID 2 has no driver. left alone$"
         "^9 passed, 0 failed"
  REJECT "^virtio-mmio: /virtio_mmio@a00([0-2][0-9a-f]|3[0-9ab])"
         "^dev: /virtio_mmio@a00([0-2][0-9a-f]|3[0-9ab])")

# virtio-net: the same cases on every board with virtio-mmio slots.
include(${CMAKE_CURRENT_LIST_DIR}/../virtio_net.cmake)
# QEMU CPUs with and without RNDR (the board runs a Cortex-A53: none).
set(TAKT_TEST_CPU_RNG -cpu max)
set(TAKT_TEST_CPU_NO_RNG)
include(${CMAKE_CURRENT_LIST_DIR}/../entropy.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/../tls.cmake)

find_program(FDTPUT fdtput REQUIRED)
# Bad input: a DT whose stdout-path names no node is missing its console:
# a PANIC naming it (through semihosting: there is no console) and status 1,
# never a silent boot.
add_test(NAME make_no_console_dtb COMMAND ${CMAKE_COMMAND} -E env sh -c
  "cp ${TAKT_BUILD_ROOT}/hello/board.dtb ${CMAKE_BINARY_DIR}/no_console.dtb && ${FDTPUT} -t s ${CMAKE_BINARY_DIR}/no_console.dtb /chosen stdout-path serial7")
set_tests_properties(make_no_console_dtb PROPERTIES FIXTURES_SETUP no_console_dtb)
takt_qemu_test(console_missing_panics hello STATUS 1 FIXTURE no_console_dtb
  QEMU_ARGS -dtb ${CMAKE_BINARY_DIR}/no_console.dtb
  EXPECT "PANIC: console: /chosen: stdout-path \"serial7\" names no node" REJECT "^Takt hello")

# A crash record region over the kernel image: refused with one line.
add_test(NAME crash_record_overlap COMMAND ${Python3_EXECUTABLE}
  ${CMAKE_CURRENT_LIST_DIR}/../crash_record.py --mode overlap --region ${_cr_region}
  --out ${CMAKE_CURRENT_BINARY_DIR}/crash_record_overlap -- ${_cr_cmd})

# An interrupt the GIC cannot deliver on the console's node: the console
# still works, polled, and says why it takes no input (it once fell back
# without a word, and the shell failed later with -ENODEV).
add_test(NAME make_bad_console_irq_dtb COMMAND ${CMAKE_COMMAND} -E env sh -c
  "cp ${TAKT_BUILD_ROOT}/hello/board.dtb ${CMAKE_BINARY_DIR}/bad_console_irq.dtb && ${FDTPUT} -t u ${CMAKE_BINARY_DIR}/bad_console_irq.dtb /pl011@9000000 interrupts 0 9999 4")
set_tests_properties(make_bad_console_irq_dtb PROPERTIES FIXTURES_SETUP bad_console_irq_dtb)
takt_qemu_test(console_bad_irq_said hello FIXTURE bad_console_irq_dtb
  QEMU_ARGS -dtb ${CMAKE_BINARY_DIR}/bad_console_irq.dtb
  EXPECT "^pl011: /pl011@9000000: interrupt not connected \\(-22: GIC interrupt <0 9999> is no SPI below [0-9]+ nor PPI below 16\\): polled, no input$"
         "^Takt hello")

# The console's reg given fewer bytes than the PL011 registers its driver
# uses: the probe refuses, naming both sizes (it once reached past the DT's
# region), and the console not binding stops the boot.
add_test(NAME make_pl011_regs_small_dtb COMMAND ${CMAKE_COMMAND} -E env sh -ec
  "cp ${TAKT_BUILD_ROOT}/hello/board.dtb ${CMAKE_BINARY_DIR}/pl011_regs_small.dtb
   ${FDTPUT} -t x ${CMAKE_BINARY_DIR}/pl011_regs_small.dtb /pl011@9000000 reg 0 9000000 0 40
   cp ${TAKT_BUILD_ROOT}/hello/board.dtb ${CMAKE_BINARY_DIR}/pl011_regs_empty.dtb
   ${FDTPUT} -t x ${CMAKE_BINARY_DIR}/pl011_regs_empty.dtb /pl011@9000000 reg 0 9000000 0 0")
set_tests_properties(make_pl011_regs_small_dtb PROPERTIES FIXTURES_SETUP pl011_regs_small_dtb)
takt_qemu_test(pl011_regs_small_refused hello STATUS 1 FIXTURE pl011_regs_small_dtb
  QEMU_ARGS -dtb ${CMAKE_BINARY_DIR}/pl011_regs_small.dtb
  EXPECT "^dev: /pl011@9000000 -> pl011 failed \\(-22\\): /pl011@9000000: pl011: reg\\[0\\] is 0x40 bytes, fewer than the 0x48 bytes of registers the driver uses$"
         "^PANIC: console: /pl011@9000000 \\(stdout-path\\) did not bind"
  REJECT "^Takt hello")
takt_qemu_test(pl011_regs_empty_refused hello STATUS 1 FIXTURE pl011_regs_small_dtb
  QEMU_ARGS -dtb ${CMAKE_BINARY_DIR}/pl011_regs_empty.dtb
  EXPECT "^dev: /pl011@9000000 -> pl011 failed \\(-22\\): /pl011@9000000: pl011: reg\\[0\\] is empty \\(size 0\\)$"
         "^PANIC: console: /pl011@9000000 \\(stdout-path\\) did not bind"
  REJECT "^Takt hello")

# A PSCI node whose method is neither conduit: the probe fails saying so (it
# once printed whatever error text an earlier lookup had left). QEMU rewrites
# /psci's method in any DTB it loads, so the bad node is a second one; the
# boot goes on with /psci.
add_test(NAME make_psci_bad_method_dtb COMMAND ${CMAKE_COMMAND} -E env sh -ec
  "cp ${TAKT_BUILD_ROOT}/hello/board.dtb ${CMAKE_BINARY_DIR}/psci_bad_method.dtb
   ${FDTPUT} -c ${CMAKE_BINARY_DIR}/psci_bad_method.dtb /psci-bad
   ${FDTPUT} -t s ${CMAKE_BINARY_DIR}/psci_bad_method.dtb /psci-bad compatible arm,psci-1.0
   ${FDTPUT} -t s ${CMAKE_BINARY_DIR}/psci_bad_method.dtb /psci-bad method svc")
set_tests_properties(make_psci_bad_method_dtb PROPERTIES FIXTURES_SETUP psci_bad_method_dtb)
takt_qemu_test(psci_bad_method_said hello FIXTURE psci_bad_method_dtb
  QEMU_ARGS -dtb ${CMAKE_BINARY_DIR}/psci_bad_method.dtb
  EXPECT "^dev: /psci-bad -> psci failed \\(-22\\): /psci-bad: psci: method 'svc' is neither hvc nor smc$"
         "^dev: /psci -> psci$" "^Takt hello")

# A DT that describes other hardware than the machine has: each GIC driver
# reads the distributor's ID registers first and refuses another GIC with a
# line saying what it found, never touching it (a GICv3 driver on a GICv2
# took a data abort at the redistributor). With the root interrupt
# controller missing, the kernel stops: a PANIC and status 1, not a hang.
takt_qemu_test(gicv3_dt_on_gicv2_refused hello STATUS 1
  QEMU_ARGS -M virt,gic-version=2 -dtb ${TAKT_BUILD_ROOT}/hello/board.dtb
  EXPECT "^gicv3: /intc@8000000: the distributor is not a GICv3 \\(.*ArchRev 2, a GICv2\\): not bound"
         "^PANIC: irq: no interrupt controller bound"
  REJECT "^Takt hello" "data abort" "^dev: /intc@8000000 -> ")
find_program(DTC dtc REQUIRED)
add_test(NAME make_gicv2_dtb COMMAND sh -ec "
  ${Python3_EXECUTABLE} ${TAKT_ROOT}/tools/takt_image.py dumpdtb ${CMAKE_BINARY_DIR}/gicv2-full.dtb -- \
    qemu-system-aarch64 -M virt,gic-version=2 -cpu cortex-a53 -m 256M -nographic
  ${DTC} -q -I dtb -O dtb -o ${CMAKE_BINARY_DIR}/gicv2.dtb ${CMAKE_BINARY_DIR}/gicv2-full.dtb")
set_tests_properties(make_gicv2_dtb PROPERTIES FIXTURES_SETUP gicv2_dtb)
takt_qemu_test(gicv2_dt_on_gicv3_refused hello STATUS 1 FIXTURE gicv2_dtb
  QEMU_ARGS -M virt,gic-version=3 -dtb ${CMAKE_BINARY_DIR}/gicv2.dtb
  EXPECT "^gicv2: /intc@8000000: the distributor is not a GICv2 \\(GICD_TYPER.IDbits [0-9]+: a GICv3's\\): not bound"
         "^PANIC: irq: no interrupt controller bound"
  REJECT "^Takt hello" "data abort" "^dev: /intc@8000000 -> ")

# Bad /cpus entries (the board DT plus edited cpu nodes, -smp 2): a CPU that
# PSCI refuses (no such MPIDR), an enable-method nobody provides, a node
# without reg: each is named and left out, and the system runs on the CPUs
# that came up.
set(_cpus ${CMAKE_BINARY_DIR}/bad-cpus.dtb)
add_test(NAME make_bad_cpus_dtb COMMAND sh -ec "
  cp ${TAKT_BUILD_ROOT}/hello/board.dtb ${_cpus}
  for n in 1 5 6 7; do ${FDTPUT} -c ${_cpus} /cpus/cpu@\$n; ${FDTPUT} -t s ${_cpus} /cpus/cpu@\$n device_type cpu; done
  for n in 1 5 6; do ${FDTPUT} -t x ${_cpus} /cpus/cpu@\$n reg \$n; done
  for n in 1 5; do ${FDTPUT} -t s ${_cpus} /cpus/cpu@\$n enable-method psci; done
  ${FDTPUT} -t s ${_cpus} /cpus/cpu@6 enable-method parking-lot")
set_tests_properties(make_bad_cpus_dtb PROPERTIES FIXTURES_SETUP bad_cpus_dtb)
takt_qemu_test(smp_bad_cpu_nodes_left_out hello FIXTURE bad_cpus_dtb
  QEMU_ARGS -smp 2 -icount shift=0,align=off,sleep=off -dtb ${_cpus}
  EXPECT "^psci: CPU_ON 0x5: error -2"
         "^cpu: cpu@5: CPU_ON refused \\(-5\\); not started"
         "^cpu: cpu@6: its enable-method has no bound driver \\(-19\\); not started"
         "^cpu: cpu@7: no reg; not started"
         "^cpu: 2 of 5 CPUs online" "^Takt hello")

# Interrupt routing from the DT: the UART node's interrupt-affinity names
# cpu@1 (QEMU's own -smp 2 DT, dumped), and its line is routed there once
# the CPUs are up; a phandle of a node that is no CPU (the GIC) is named and
# the line stays on CPU 0.
find_program(FDTGET fdtget REQUIRED)
set(_aff ${CMAKE_BINARY_DIR}/irq_affinity)
add_test(NAME make_irq_affinity_dtb COMMAND sh -ec "
  ${Python3_EXECUTABLE} ${TAKT_ROOT}/tools/takt_image.py dumpdtb ${_aff}.dtb -- \
    qemu-system-aarch64 -M virt,gic-version=3 -cpu cortex-a53 -smp 2 -m 256M -nographic
  cp ${_aff}.dtb ${_aff}-bad.dtb
  cp ${_aff}.dtb ${_aff}-short.dtb
  ${FDTPUT} -t bx ${_aff}-short.dtb /pl011@9000000 interrupt-affinity 1 2 3
  ${FDTPUT} -t x ${_aff}.dtb /pl011@9000000 interrupt-affinity $(${FDTGET} -t x ${_aff}.dtb /cpus/cpu@1 phandle)
  ${FDTPUT} -t x ${_aff}-bad.dtb /pl011@9000000 interrupt-affinity $(${FDTGET} -t x ${_aff}.dtb /intc@8000000 phandle)")
set_tests_properties(make_irq_affinity_dtb PROPERTIES FIXTURES_SETUP irq_affinity_dtb)
takt_qemu_test(smp_irq_affinity_from_dt smp TIMEOUT 120 FIXTURE irq_affinity_dtb
  QEMU_ARGS -smp 2 -icount shift=0,align=off,sleep=off -dtb ${_aff}.dtb -append "cpus=2 con_cpu=1"
  EXPECT "^PASS irq_affinity_as_the_dt_says" "^[0-9]+ passed, 0 failed")
takt_qemu_test(irq_affinity_not_phandles hello FIXTURE irq_affinity_dtb
  QEMU_ARGS -smp 2 -dtb ${_aff}-short.dtb
  EXPECT "^irq: /pl011@9000000: interrupt-affinity is not a list of phandles; ignored"
         "^Takt hello")
takt_qemu_test(irq_affinity_not_a_cpu hello FIXTURE irq_affinity_dtb
  QEMU_ARGS -smp 2 -dtb ${_aff}-bad.dtb
  EXPECT "^irq: /pl011@9000000: interrupt-affinity entry 0 names no online CPU; on CPU 0"
         "^Takt hello")

# Required devices: a DT whose system timer does not bind (its
# interrupt-parent names no node) stops at boot naming the timer and why,
# status 1, instead of hanging at the first sleep.
add_test(NAME make_no_timer_dtb COMMAND ${CMAKE_COMMAND} -E env sh -c
  "cp ${TAKT_BUILD_ROOT}/hello/board.dtb ${CMAKE_BINARY_DIR}/no_timer.dtb && ${FDTPUT} -t x ${CMAKE_BINARY_DIR}/no_timer.dtb /timer interrupt-parent dead")
set_tests_properties(make_no_timer_dtb PROPERTIES FIXTURES_SETUP no_timer_dtb)
takt_qemu_test(timer_missing_panics hello STATUS 1 FIXTURE no_timer_dtb
  QEMU_ARGS -dtb ${CMAKE_BINARY_DIR}/no_timer.dtb
  EXPECT "/timer" "PANIC: time: no system timer bound" REJECT "^Takt hello")
