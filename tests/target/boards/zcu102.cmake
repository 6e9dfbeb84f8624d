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
