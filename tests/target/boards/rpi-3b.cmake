# QEMU raspi3b: the upstream Pi 3 DTB, the BCM2836 per-core root controller
# with the BCM2835 ARM controller chained to it, the mini-UART console, the
# PM block for reset, power-off and the watchdog.

# The watchdog bites: started with 100 ms and never fed, the board resets
# (-no-reboot: QEMU exits 0) before the app's 3 s sleep ends. QEMU 7.2's PM
# model resets at once when the watchdog is armed (it has no countdown), so
# the start/feed/stop cycle (the app's "cycle" mode) is not run under QEMU;
# the API's refusals are (watchdog_api, every board).
takt_qemu_test(watchdog_expiry_resets watchdog QEMU_ARGS -append expire
  EXPECT "^watchdog: starting with 100 ms, not fed" REJECT "^FAIL")

# Without semihosting the kernel's power-off goes to the PM block (a reset
# into partition 63, which QEMU treats as a shutdown): QEMU exits instead of
# the run hanging in "no way to power off".
set(_q "")
foreach(a ${TAKT_QEMU})
  if(NOT a STREQUAL "-semihosting")
    string(REPLACE "@IMAGE@" "${TAKT_BUILD_ROOT}/hello/takt.bin" a "${a}")
    string(REPLACE "@DTB@" "${TAKT_BUILD_ROOT}/hello/board.dtb" a "${a}")
    list(APPEND _q "${a}")
  endif()
endforeach()
add_test(NAME poweroff_through_pm_watchdog
  COMMAND ${Python3_EXECUTABLE} ${TAKT_ROOT}/tools/qemu_test.py --status 0 --timeout 60
          "--expect=^boot: entry to main in" "--reject=no way to power off" "--reject=^PANIC:"
          -- ${_q})
set_tests_properties(poweroff_through_pm_watchdog PROPERTIES TIMEOUT 90)

# Bad board DTBs (edited copies of the board's, fdtput): each device that
# cannot work fails its probe with a line saying why, and the console the
# DT names not binding is a PANIC with status 1 (printed through
# semihosting, there being no console).
find_program(FDTPUT fdtput REQUIRED)
find_program(FDTGET fdtget REQUIRED)
set(_dtb ${TAKT_BUILD_ROOT}/hello/board.dtb)
set(_bad ${CMAKE_BINARY_DIR}/bad-dtb)
set(_armctrl /soc/interrupt-controller@7e00b200)
add_test(NAME make_rpi3_bad_dtbs COMMAND sh -ec "
  mkdir -p ${_bad}
  cp ${_dtb} ${_bad}/uart-noreg.dtb
  ${FDTPUT} -d ${_bad}/uart-noreg.dtb /soc/serial@7e215040 reg
  cp ${_dtb} ${_bad}/intc-dangling.dtb
  ${FDTPUT} -t x ${_bad}/intc-dangling.dtb ${_armctrl} interrupt-parent dead
  cp ${_dtb} ${_bad}/intc-unbound.dtb
  ${FDTPUT} -t x ${_bad}/intc-unbound.dtb ${_armctrl} interrupt-parent \
    $(${FDTGET} -t x ${_dtb} /soc/gpio@7e200000 phandle)")
set_tests_properties(make_rpi3_bad_dtbs PROPERTIES FIXTURES_SETUP rpi3_bad_dtbs)
set(_no_console "^PANIC: console: /soc/serial@7e215040 \\(stdout-path\\) did not bind")

takt_qemu_test(mini_uart_without_reg_refused hello STATUS 1 FIXTURE rpi3_bad_dtbs
  QEMU_ARGS -dtb ${_bad}/uart-noreg.dtb
  EXPECT "^dev: /soc/serial@7e215040 -> bcm2835_aux_uart failed \\(-22\\): .*no 'reg'"
         ${_no_console}
  REJECT "^Takt hello")
# The chained controller's parent phandle names no node: it fails, and so
# does the mini-UART behind it (-ENXIO), each naming the missing piece.
takt_qemu_test(chained_intc_parent_missing hello STATUS 1 FIXTURE rpi3_bad_dtbs
  QEMU_ARGS -dtb ${_bad}/intc-dangling.dtb
  EXPECT "^dev: ${_armctrl} -> bcm2835_armctrl_ic failed \\(-6\\): .*'interrupt-parent' refers to phandle 0xdead, which no node has"
         "^dev: /soc/serial@7e215040 -> bcm2835_aux_uart failed \\(-6\\): .*interrupt parent ${_armctrl} is not a bound interrupt controller"
         ${_no_console}
  REJECT "^Takt hello")
# Its parent exists but no driver binds it (the GPIO block's controller).
takt_qemu_test(chained_intc_parent_unbound hello STATUS 1 FIXTURE rpi3_bad_dtbs
  QEMU_ARGS -dtb ${_bad}/intc-unbound.dtb
  EXPECT "^dev: ${_armctrl} -> bcm2835_armctrl_ic failed \\(-6\\): .*interrupt parent /soc/gpio@7e200000 is not a bound interrupt controller"
         ${_no_console}
  REJECT "^Takt hello")
