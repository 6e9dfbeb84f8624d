# QEMU raspi3b: the upstream Pi 3 DTB, the BCM2836 per-core root controller
# with the BCM2835 ARM controller chained to it, the mini-UART console, the
# PM block for reset, power-off and the watchdog.

# The watchdog bites: started with 100 ms and never fed, the board resets
# (-no-reboot: QEMU exits 0) before the app's 3 s sleep ends. QEMU 7.2's PM
# model resets at once when the watchdog is armed (it has no countdown), so
# the start/feed/stop cycle (the app's "cycle" mode) is not run under QEMU;
# the API's refusals are (watchdog_api, every board).
# (watchdog.hw=off: the supervisor the app's API checks start must not arm it
# first.)
takt_qemu_test(watchdog_expiry_resets watchdog NO_POWEROFF QEMU_ARGS -append "expire watchdog.hw=off"
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
    $(${FDTGET} -t x ${_dtb} /soc/gpio@7e200000 phandle)
  cp ${_dtb} ${_bad}/release-unaligned.dtb
  ${FDTPUT} -t x ${_bad}/release-unaligned.dtb /cpus/cpu@1 cpu-release-addr 0 dc
  cp ${_dtb} ${_bad}/cpu-absent.dtb
  ${FDTPUT} -c ${_bad}/cpu-absent.dtb /cpus/cpu@4
  ${FDTPUT} -t s ${_bad}/cpu-absent.dtb /cpus/cpu@4 device_type cpu
  ${FDTPUT} -t s ${_bad}/cpu-absent.dtb /cpus/cpu@4 enable-method spin-table
  ${FDTPUT} -t x ${_bad}/cpu-absent.dtb /cpus/cpu@4 reg 4
  ${FDTPUT} -t x ${_bad}/cpu-absent.dtb /cpus/cpu@4 cpu-release-addr 0 4000
  cp ${_dtb} ${_bad}/timer-dangling.dtb
  ${FDTPUT} -t x ${_bad}/timer-dangling.dtb /timer interrupt-parent dead
  cp ${_dtb} ${_bad}/uart-bad-irq.dtb
  ${FDTPUT} -t u ${_bad}/uart-bad-irq.dtb /soc/serial@7e215040 interrupts 1 40
  cp ${_dtb} ${_bad}/timer-bad-irq.dtb
  ${FDTPUT} -t u ${_bad}/timer-bad-irq.dtb /timer interrupts 12 0 13 0 14 0 15 0
  cp ${_dtb} ${_bad}/regs-small.dtb
  ${FDTPUT} -t x ${_bad}/regs-small.dtb ${_armctrl} reg 7e00b200 24
  ${FDTPUT} -t x ${_bad}/regs-small.dtb /soc/serial@7e215040 reg 7e215040 28
  cp ${_dtb} ${_bad}/regs-small-root.dtb
  ${FDTPUT} -t x ${_bad}/regs-small-root.dtb /soc/local_intc@40000000 reg 40000000 f0
  ${FDTPUT} -t x ${_bad}/regs-small-root.dtb /soc/aux@7e215000 reg 7e215000 4")
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
# An interrupt either controller cannot deliver: the device's probe fails
# naming the cells (the line once carried an earlier lookup's stale text).
takt_qemu_test(mini_uart_bad_irq_said hello STATUS 1 FIXTURE rpi3_bad_dtbs
  QEMU_ARGS -dtb ${_bad}/uart-bad-irq.dtb
  EXPECT "^dev: /soc/serial@7e215040 -> bcm2835_aux_uart failed \\(-22\\): BCM2835 interrupt <1 40> is not <bank line> with bank 0..2 and line 0..7 \\(bank 0\\) or 0..31$"
         ${_no_console}
  REJECT "^Takt hello")
# A register block given fewer bytes than its driver uses: the probe
# refuses, naming both sizes (each once reached past the DT's region). The
# root controller and the AUX block (the mini-UART's enable bit, through
# 'clocks') likewise (without the root the boot stops there first).
takt_qemu_test(regs_small_refused hello STATUS 1 FIXTURE rpi3_bad_dtbs
  QEMU_ARGS -dtb ${_bad}/regs-small.dtb
  EXPECT "^dev: ${_armctrl} -> bcm2835_armctrl_ic failed \\(-22\\): ${_armctrl}: bcm2835_armctrl_ic: reg\\[0\\] is 0x24 bytes, fewer than the 0x28 bytes"
         "^dev: /soc/serial@7e215040 -> bcm2835_aux_uart failed \\(-22\\): /soc/serial@7e215040: bcm2835_aux_uart: reg\\[0\\] is 0x28 bytes, fewer than the 0x2c bytes of registers the driver uses$"
         ${_no_console}
  REJECT "^Takt hello")
takt_qemu_test(regs_small_root_refused hello STATUS 1 FIXTURE rpi3_bad_dtbs
  QEMU_ARGS -dtb ${_bad}/regs-small-root.dtb
  EXPECT "^dev: /soc/local_intc@40000000 -> bcm2836_l1_intc failed \\(-22\\): /soc/local_intc@40000000: bcm2836_l1_intc: reg\\[0\\] is 0xf0 bytes, fewer than the 0xf4 bytes"
         "^dev: /soc/serial@7e215040 -> bcm2835_aux_uart failed \\(-22\\): /soc/aux@7e215000: bcm2835_aux_uart: reg\\[0\\] is 0x4 bytes, fewer than the 0x8 bytes"
         "^PANIC: irq: no interrupt controller bound"
  REJECT "^Takt hello")
takt_qemu_test(timer_bad_irq_said hello STATUS 1 FIXTURE rpi3_bad_dtbs
  QEMU_ARGS -dtb ${_bad}/timer-bad-irq.dtb
  EXPECT "^dev: /timer -> arm_arch_timer failed \\(-22\\): .*BCM2836 per-core interrupt <1[2-5]> is not below 10"
         "PANIC: time: no system timer bound" REJECT "^Takt hello")
# Required devices: the system timer not bound stops the boot, said.
takt_qemu_test(timer_missing_panics hello STATUS 1 FIXTURE rpi3_bad_dtbs
  QEMU_ARGS -dtb ${_bad}/timer-dangling.dtb
  EXPECT "^dev: /timer -> .*failed" "PANIC: time: no system timer bound" REJECT "^Takt hello")
# Its parent exists but no driver binds it (the GPIO block's controller).
takt_qemu_test(chained_intc_parent_unbound hello STATUS 1 FIXTURE rpi3_bad_dtbs
  QEMU_ARGS -dtb ${_bad}/intc-unbound.dtb
  EXPECT "^dev: ${_armctrl} -> bcm2835_armctrl_ic failed \\(-6\\): .*interrupt parent /soc/gpio@7e200000 is not a bound interrupt controller"
         ${_no_console}
  REJECT "^Takt hello")

# The secondaries spinning on the spin table are released before main; a
# cpu-release-addr that is not an aligned RAM slot is left alone with a line
# (never written through), and the others still start.
takt_qemu_test(secondaries_started hello
  EXPECT "^cpu: 4 of 4 CPUs online" "^Takt hello")
takt_qemu_test(cpu_release_addr_unaligned_left_alone hello FIXTURE rpi3_bad_dtbs
  QEMU_ARGS -dtb ${_bad}/release-unaligned.dtb
  EXPECT "^cpu: cpu@1: no usable cpu-release-addr \\(8-byte aligned RAM\\) \\(-22\\); not started"
         "^cpu: 3 of 4 CPUs online" "^Takt hello")
# A CPU the DT lists but nothing answers for (no core spins on its slot):
# named after the bound, and the system runs on the other four.
takt_qemu_test(cpu_absent_times_out hello FIXTURE rpi3_bad_dtbs
  QEMU_ARGS -dtb ${_bad}/cpu-absent.dtb
  EXPECT "^cpu: cpu@4 \\(hwid 0x4\\) did not come up within 100 ms; running without it"
         "^cpu: 4 of 5 CPUs online" "^Takt hello")

# --- The card, booted the way a Pi boots it (cmake/fit.cmake, card kind rpi3) ---
# QEMU has no GPU firmware: it loads Debian's u-boot-rpi (rpi_3) as the
# kernel and hands it the board DTB as the firmware would; u-boot's distro
# boot reads the card on the SD controller (sdhost), runs boot.scr, which
# loads the plain takt.bin and booti's it with the firmware's DT
# (${fdt_addr}). snapshot=on: QEMU 7.2's SD card refuses a read-only drive,
# and the runs must not write the card (nor lock it against each other).
if(DEFINED ENV{XDG_CACHE_HOME})
  set(_uboot_rpi $ENV{XDG_CACHE_HOME}/takt/u-boot-rpi/rpi_3/u-boot.bin)
else()
  set(_uboot_rpi $ENV{HOME}/.cache/takt/u-boot-rpi/rpi_3/u-boot.bin)
endif()
set(_rpi_card ${TAKT_BUILD_ROOT}/hello/takt-sdcard.img)
set(_rpi_via_uboot -drive if=sd,format=raw,file=${_rpi_card},snapshot=on)
# takt_qemu_test(NO_KERNEL) drops "-kernel @IMAGE@"; u-boot goes in its place.
takt_qemu_test(uboot_rpi_finds_boot_scr hello NO_KERNEL TIMEOUT 90
  QEMU_ARGS -kernel ${_uboot_rpi} ${_rpi_via_uboot}
  EXPECT "^U-Boot 20" "Found U-Boot script /boot.scr"
         "^Takt: loading /takt.bin from mmc 0:1, DT at [0-9a-f]+$" "^Starting kernel")
takt_qemu_test(uboot_rpi_boots_card hello NO_KERNEL TIMEOUT 90
  QEMU_ARGS -kernel ${_uboot_rpi} ${_rpi_via_uboot}
  EXPECT "^Starting kernel" "^dev: /soc/local_intc@40000000 -> bcm2836_l1_intc$"
         "^Takt hello on rpi-3b" "^memory: 960 MiB" "^boot: entry to main in")
# The app's status comes through u-boot too (crash: PANIC, status 1).
takt_qemu_test(uboot_rpi_exit_status crash STATUS 1 NO_KERNEL TIMEOUT 90
  QEMU_ARGS -kernel ${_uboot_rpi}
            -drive if=sd,format=raw,file=${TAKT_BUILD_ROOT}/crash/takt-sdcard.img,snapshot=on
  EXPECT "^Starting kernel" "^PANIC: unexpected exception")
