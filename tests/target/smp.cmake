# Multicore (tests/target/apps/smp): secondaries from the DT, affinity, a
# cross-CPU wake-up that preempts (IPI) and one that does not (no IPI),
# spinlock / mutex / malloc / printf from every CPU, 1000 threads over all
# CPUs, deadline threads beside FIFO hogs on every CPU. Under -icount QEMU
# runs the vCPUs one at a time in turns, so the runs repeat. Boards with a
# fixed core count (the Pi 3: 4) run it as they are; QEMU virt with -smp 2
# and -smp 4; x86_64 (QEMU microvm) with -smp 2 and -smp 4.
if(TAKT_ARCH STREQUAL "arm64")
  if(BOARD STREQUAL "qemu-virt-arm64")
    takt_qemu_test(smp_2cpus smp TIMEOUT 120
      QEMU_ARGS -smp 2 -icount shift=0,align=off,sleep=off -append "cpus=2 rx_delivery"
      SEND "^smp: type a key" "k"
      EXPECT "^smp: 2 of 2 CPUs online" "^PASS irq_delivered_on_the_routed_cpu$"
             "^PASS console_rx_delivered_on_the_routed_cpu$" "^[0-9]+ passed, 0 failed")
    # The same on a GICv2 (the ZCU102's GIC-400 kind): its SPI routing
    # (GICD_ITARGETSR) seen delivering, the console's line and virtio-rng's.
    takt_qemu_test(smp_2cpus_gicv2 smp TIMEOUT 120
      QEMU_ARGS -smp 2 -icount shift=0,align=off,sleep=off -M gic-version=2
                -append "cpus=2 rx_delivery"
      SEND "^smp: type a key" "k"
      EXPECT "^dev: /intc@8000000 -> gicv2$" "^PASS irq_delivered_on_the_routed_cpu$"
             "^PASS console_rx_delivered_on_the_routed_cpu$" "^[0-9]+ passed, 0 failed")
    takt_qemu_test(smp_2cpus_irqoff smp TIMEOUT 120
      QEMU_ARGS -smp 2 -icount shift=0,align=off,sleep=off -append "cpus=2 irqoff.stats=on"
      EXPECT "^PASS irqoff_stats_counted" "^[0-9]+ passed, 0 failed")
    takt_qemu_test(smp_4cpus smp TIMEOUT 120
      QEMU_ARGS -smp 4 -icount shift=0,align=off,sleep=off -append cpus=4
      EXPECT "^smp: 4 of 4 CPUs online" "^[0-9]+ passed, 0 failed")
    takt_qemu_test(smp_8cpus_boot hello TIMEOUT 120
      QEMU_ARGS -smp 8 -icount shift=0,align=off,sleep=off
      EXPECT "^cpu: 8 of 8 CPUs online" "^Takt hello")
    # maxcpus=N (Linux's): N CPUs at most, and the app does not see it.
    # -icount: a secondary's 100 ms bound holds however loaded the host is.
    takt_qemu_test(smp_maxcpus hello
      QEMU_ARGS -smp 4 -icount shift=0,align=off,sleep=off -append "maxcpus=2 x"
      EXPECT "^cpu: cpu@3: maxcpus=2; not started" "^cpu: 2 of 4 CPUs online"
             "argv\\[1\\] = \"x\"" REJECT "maxcpus=2\"")
    takt_qemu_test(smp_maxcpus_bad hello
      QEMU_ARGS -smp 2 -icount shift=0,align=off,sleep=off -append "maxcpus=0"
      EXPECT "^boot: maxcpus=0: not a number of CPUs from 1 to 8; ignored"
             "^cpu: 2 of 2 CPUs online")
  else()
    if(BOARD STREQUAL "rpi-3b")	# its console, the mini-UART, is behind AUX: not routable
      set(_console console_chained)
      set(_send "")
    else()	# the console's receive interrupt on the last CPU, a key typed
      set(_console rx_delivery)
      set(_send SEND "^smp: type a key" "k"
          EXPECT "^PASS console_rx_delivered_on_the_routed_cpu$")
    endif()
    takt_qemu_test(smp_all_cpus smp TIMEOUT 120
      QEMU_ARGS -icount shift=0,align=off,sleep=off -append ${_console}
      EXPECT "^smp: 4 of 4 CPUs online" "^[0-9]+ passed, 0 failed" ${_send})
  endif()
else()
  # x86_64: the APs by INIT-SIPI-SIPI to the cpu nodes' APIC IDs (QEMU
  # microvm's count from fw_cfg); without -smp, one CPU.
  takt_qemu_test(smp_one_cpu smp EXPECT "^smp: 1 of 1 CPUs online" "^[0-9]+ passed, 0 failed")
  takt_qemu_test(smp_x86_2cpus smp TIMEOUT 120
    QEMU_ARGS -smp 2 -icount shift=0,align=off,sleep=off -append "cpus=2 rx_delivery"
    SEND "^smp: type a key" "k"
    EXPECT "^smp: 2 of 2 CPUs online" "^PASS irq_delivered_on_the_routed_cpu$"
           "^PASS console_rx_delivered_on_the_routed_cpu$" "^[0-9]+ passed, 0 failed")
  # 21-41 s alone; once over 120 with two suites and two helpers on the host
  takt_qemu_test(smp_x86_4cpus smp TIMEOUT 240
    QEMU_ARGS -smp 4 -icount shift=0,align=off,sleep=off -append cpus=4
    EXPECT "^smp: 4 of 4 CPUs online" "^[0-9]+ passed, 0 failed")
  takt_qemu_test(smp_x86_maxcpus hello QEMU_ARGS -smp 4 -append "maxcpus=2 x"
    EXPECT "^cpu: cpu@3: maxcpus=2; not started" "^cpu: 2 of 4 CPUs online")
  takt_qemu_test(smp_x86_more_than_8 hello QEMU_ARGS -smp 9
    EXPECT "^smp: QEMU reports 9 CPUs; Takt runs 8 at most: the first 8$"
           "^cpu: 8 of 8 CPUs online")
endif()
