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

# TLS: the Cortex-A53 has no RNDR and QEMU's ZynqMP no entropy device, so TLS
# is refused unless the user boots with tls.entropy=weak (tests/target/
# tls_weak.cmake); the MQTT-over-TLS tests run with it (--weak-entropy).
set(TAKT_TEST_CPU_NO_RNG)
takt_qemu_test(tls_refused_without_entropy tls QEMU_ARGS -append none
  EXPECT "^tls: no hardware entropy source: TLS refused \\(tls.entropy=weak overrides, insecurely\\)$"
         "^3 passed, 0 failed")
include(${CMAKE_CURRENT_LIST_DIR}/../tls_weak.cmake)
takt_net_test(net_mqtt_tls test_mqtt_tls.py gateway TIMEOUT 900 ARGS --weak-entropy)
