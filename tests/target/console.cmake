# ---- console transmit ring (kernel/console.c; tests/target/apps/console) ----
# Every line has fixed content: one regex per writer lists its lines in
# order (other writers' lines may come between two of them, never inside
# one), so each byte of each line is checked, and a torn line is rejected.
function(_console_seq out prefix count payload gap)
  set(rx "")
  foreach(i RANGE 0 ${count})
    if(i EQUAL count)
      break()
    endif()
    string(LENGTH "${i}" _n)
    if(_n EQUAL 1)
      set(i "0${i}")
    endif()
    if(rx)
      string(APPEND rx "${gap}")
    endif()
    string(APPEND rx "${prefix} ${i} ${payload}\\n")
  endforeach()
  set(${out} "^${rx}" PARENT_SCOPE)
endfunction()
set(_any "(?:[^\\n]*\\n)*?")
set(_console_expect "")
foreach(t RANGE 0 3)
  string(SUBSTRING "ABCD" ${t} 1 _c)
  _console_seq(_rx "ct ${t}" 40 "${_c}{80}" "${_any}")
  list(APPEND _console_expect "${_rx}")
endforeach()
_console_seq(_rx "cm" 100 "M{100}" "${_any}")
list(APPEND _console_expect "${_rx}")
_console_seq(_rx "cb" 64 "Z{90}" "")	# one write: its lines back to back
list(APPEND _console_expect "${_rx}")
# A line of c[tmb] that is not one of those lines whole, or one that does
# not start a line: a torn or interleaved line.
set(_console_reject "^c[tmb] (?![0-3] [0-9]{2} ([A-D])\\1{79}$|[0-9]{2} (M{100}|Z{90})$)"
    ".c[tmb] [0-9]")
takt_qemu_test(console_ring console
  EXPECT "^PASS boot_lines_not_polled" "^PASS drain_waits_till_sent" ${_console_expect} "^13 passed, 0 failed"
  REJECT ${_console_reject})
# The same load with console.tx=ring: the transmit interrupt fills the
# FIFO, not the thread (the app checks which one sent).
takt_qemu_test(console_ring_irq console QEMU_ARGS -append console.tx=ring
  EXPECT "^PASS boot_lines_not_polled" "^PASS drain_waits_till_sent" ${_console_expect} "^12 passed, 0 failed"
  REJECT ${_console_reject})
# The same load with a thread above the transmit thread taking CPU 0 for
# 30 ms out of every 32: the ring passes to the transmit interrupt (the
# rescue) and back to the thread many times while lines are being written,
# and every line still comes out whole and in order. Under -icount, so the
# hog's spins are the same each run.
if(BOARD MATCHES "^qemu-")
  set(_smp -smp 4)	# writers on other CPUs go on during the hog
endif()
takt_qemu_test(console_ring_rescued console
  QEMU_ARGS ${_smp} -icount shift=0,align=off,sleep=off -append hogged
  EXPECT ${_console_expect} "^PASS ring_rescued_under_load" "^14 passed, 0 failed"
  REJECT ${_console_reject})
# console.tx=polled holds from the probe on: the boot's lines were polled
# (by default they wait in the ring till main(), boot_lines_not_polled).
takt_qemu_test(console_boot_polled console QEMU_ARGS -append console.tx=polled
  EXPECT "^dev: " "^PASS boot_lines_polled" "^1 passed, 0 failed")
# main writes nothing for 100 ms: the boot's lines go out meanwhile (the
# transmit thread's deadline hands them to the interrupt: one rescue).
takt_qemu_test(console_boot_lines_without_writer console
  QEMU_ARGS -icount shift=0,align=off,sleep=off -append quiet
  EXPECT "^dev: " "^PASS boot_lines_out_without_a_writer")
# A thread above the transmit thread keeps CPU 0: its last line still comes
# out (the deadline's rescue), under -icount so the 200 ms spin is exact.
takt_qemu_test(console_thread_rescue console
  QEMU_ARGS -icount shift=0,align=off,sleep=off -append hog
  EXPECT "^hog: spinning on CPU 0 now" "^PASS line_out_while_spinning")
# With two CPUs the deadline is only in the arming CPU's timer: CPU 1's
# sleeps meanwhile take one timer interrupt each. Not under -icount: there
# CPU 1 gets no turn while CPU 0 spins (QEMU runs the vCPUs one at a
# time), so it would not sleep during the deadline.
if(BOARD MATCHES "^qemu-")
  takt_qemu_test(console_thread_rescue_smp console
    QEMU_ARGS -smp 2 -append hog
    EXPECT "^hog: spinning on CPU 0 now" "^PASS line_out_while_spinning"
           "^PASS deadline_only_on_arming_cpu")
endif()
_console_seq(_rx "burst" 30 "B{60}" "")
takt_qemu_test(console_panic_after_burst console STATUS 1 QEMU_ARGS -append burst
  EXPECT "${_rx}PANIC: after a burst of 30 lines$")
