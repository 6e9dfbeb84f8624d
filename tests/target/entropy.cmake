# Entropy (kernel/entropy.c, drivers/virtio/virtio_rng.c;
# tests/target/apps/entropy), included by the board files of boards whose
# QEMU machine takes `-device virtio-rng-device` (in their run command):
# random bytes through a
# legacy and a modern transport; without the device there is no source.
# TAKT_TEST_CPU_NO_RNG (the board file's) is the QEMU -cpu without a random
# number instruction, so the device is the only source.
foreach(legacy true false)
  if(legacy)
    set(_kind legacy)
  else()
    set(_kind modern)
  endif()
  takt_qemu_test(entropy_virtio_rng_${_kind} entropy
    QEMU_ARGS ${TAKT_TEST_CPU_NO_RNG} -global virtio-mmio.force-legacy=${legacy}
    EXPECT "^virtio-mmio: /virtio_mmio@[0-9a-f]+: rng, version"
           "^entropy: /virtio_mmio@[0-9a-f]+ virtio-rng$" "^source virtio-rng$"
           "^PASS two_reads_differ" "^14 passed, 0 failed")
endforeach()
# The RNG driver is linked into an app that asks for entropy, and not into
# hello: there the board's virtio-rng is left alone, and with no virtio
# driver at all in hello the transport is not either (nothing reads the
# slots; an app with the transport says "device ID 4 has no driver":
# virtio_empty_slots_quiet on virt).
takt_map_test(entropy_app_links_rng_driver entropy PRESENT "[(/]virtio_rng\\.c\\.obj")
# Each class pulls its own drivers only (one generated member per class,
# cmake/ondemand.cmake): the entropy app has no NIC driver.
takt_map_test(entropy_app_links_no_nic_driver entropy ABSENT "[(/](virtio_net|cadence_gem)\\.c\\.obj")
takt_qemu_test(hello_leaves_virtio_rng_alone hello
  EXPECT "^Takt hello" "^power: off \\(exit status 0\\)"
  REJECT "^entropy: /virtio" "virtio")
takt_qemu_test(entropy_absent entropy NO_RNG QEMU_ARGS ${TAKT_TEST_CPU_NO_RNG} -append none
  EXPECT "^PASS get_without_source_enodev" "^6 passed, 0 failed" REJECT "^entropy:")
# The stack protector's guard (kernel/stack_guard.c) comes from the CPU's
# random number instruction where there is one, else from boot-time counters,
# said to be weak.
takt_qemu_test(stack_guard_from_cpu_rng stack_protector QEMU_ARGS ${TAKT_TEST_CPU_RNG}
  EXPECT "^stack: protector guard from (rndr|rdrand)$" "^stack_protector: done")
takt_qemu_test(stack_guard_weak_without_cpu_rng stack_protector QEMU_ARGS ${TAKT_TEST_CPU_NO_RNG}
  EXPECT "^stack: protector guard from boot-time counters \\(weak" "^stack_protector: done")
