# ZCU102 (QEMU xlnx-zcu102): the Cadence GEM cases, and the network tests
# (tests/net) through GEM3 on the board's NIC arguments (TAKT_QEMU_NIC).
include(${CMAKE_CURRENT_LIST_DIR}/../gem.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/../../net/tests.cmake)

# Required devices: the system timer not bound (its interrupt-parent names no
# node) stops the boot naming it, status 1 - not a hang at the first sleep.
find_program(FDTPUT fdtput REQUIRED)
add_test(NAME make_zcu_no_timer_dtb COMMAND sh -ec
  "cp ${TAKT_BUILD_ROOT}/hello/board.dtb ${CMAKE_BINARY_DIR}/no_timer.dtb && ${FDTPUT} -t x ${CMAKE_BINARY_DIR}/no_timer.dtb /timer interrupt-parent dead")
set_tests_properties(make_zcu_no_timer_dtb PROPERTIES FIXTURES_SETUP zcu_no_timer_dtb)
takt_qemu_test(timer_missing_panics hello STATUS 1 FIXTURE zcu_no_timer_dtb
  QEMU_ARGS -dtb ${CMAKE_BINARY_DIR}/no_timer.dtb
  EXPECT "^dev: /timer -> .*failed" "PANIC: time: no system timer bound" REJECT "^Takt hello")

# The GIC's distributor and the console given fewer bytes than the
# registers their drivers use: each probe refuses, naming both sizes (they
# once reached past the DT's region), and the boot stops: no interrupt
# controller (checked before the console).
add_test(NAME make_zcu_regs_small_dtb COMMAND sh -ec "
  cp ${TAKT_BUILD_ROOT}/hello/board.dtb ${CMAKE_BINARY_DIR}/regs_small.dtb
  ${FDTPUT} -t x ${CMAKE_BINARY_DIR}/regs_small.dtb /axi/interrupt-controller@f9010000 reg \
    0 f9010000 0 800 0 f9020000 0 20000 0 f9040000 0 20000 0 f9060000 0 20000
  ${FDTPUT} -t x ${CMAKE_BINARY_DIR}/regs_small.dtb /axi/serial@ff000000 reg 0 ff000000 0 44")
set_tests_properties(make_zcu_regs_small_dtb PROPERTIES FIXTURES_SETUP zcu_regs_small_dtb)
takt_qemu_test(regs_small_refused hello STATUS 1 FIXTURE zcu_regs_small_dtb
  QEMU_ARGS -dtb ${CMAKE_BINARY_DIR}/regs_small.dtb
  EXPECT "^dev: /axi/interrupt-controller@f9010000 -> gicv2 failed \\(-22\\): /axi/interrupt-controller@f9010000: gicv2: reg\\[0\\] is 0x800 bytes, fewer than the 0x1000 bytes of registers the driver uses$"
         "^dev: /axi/serial@ff000000 -> cadence_uart failed \\(-22\\): /axi/serial@ff000000: cadence_uart: reg\\[0\\] is 0x44 bytes, fewer than the 0x48 bytes of registers the driver uses$"
         "^PANIC: irq: no interrupt controller bound"
  REJECT "^Takt hello")

# TLS: the Cortex-A53 has no RNDR and QEMU's ZynqMP no entropy device, so TLS
# is refused unless the user boots with tls.entropy=weak (tests/target/
# tls_weak.cmake); the MQTT-over-TLS tests run with it (--weak-entropy).
set(TAKT_TEST_CPU_NO_RNG)
takt_qemu_test(tls_refused_without_entropy tls QEMU_ARGS -append none
  EXPECT "^tls: no hardware entropy source: TLS refused \\(tls.entropy=weak overrides, insecurely\\)$"
         "^3 passed, 0 failed")
include(${CMAKE_CURRENT_LIST_DIR}/../tls_weak.cmake)
takt_net_test(net_mqtt_tls test_mqtt_tls.py gateway TIMEOUT 900 ARGS --weak-entropy)
