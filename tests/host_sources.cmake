# The kernel's pure code (no registers, no asm) that both host projects
# compile: tests/unit (cmocka, ASan/UBSan) and tests/fuzz (libFuzzer). Each
# adds its own on top. Needs TAKT_ROOT and FDT_INCLUDE_DIR.
set(TAKT_HOST_SOURCES
  "${TAKT_ROOT}/kernel/dt.c"
  "${TAKT_ROOT}/kernel/dt_validate.c"
  "${TAKT_ROOT}/kernel/dt_chosen.c"
  "${TAKT_ROOT}/kernel/dt_index.c"
  "${TAKT_ROOT}/kernel/dt_props.c"
  "${TAKT_ROOT}/kernel/dt_raw.c"
  "${TAKT_ROOT}/kernel/dt_irq.c"
  "${TAKT_ROOT}/kernel/dt_reg.c"
  "${TAKT_ROOT}/kernel/memmap.c"
  "${TAKT_ROOT}/kernel/bootargs.c"
  "${TAKT_ROOT}/kernel/device_match.c"
  "${TAKT_ROOT}/kernel/arch/x86_64/pvh.c"
  "${TAKT_ROOT}/kernel/arch/x86_64/qemu_dt.c"
  "${TAKT_ROOT}/net/config.c"
  "${TAKT_ROOT}/net/syslog_target.c"
  "${TAKT_ROOT}/drivers/virtio/virtq_chain.c")
set(TAKT_HOST_INCLUDES
  "${TAKT_ROOT}/kernel" "${TAKT_ROOT}/kernel/include" "${FDT_INCLUDE_DIR}"
  "${TAKT_ROOT}/kernel/arch/x86_64"   # pvh.h, qemu_dt.h: pure, no x86 asm
  "${TAKT_ROOT}/net"                  # config.h
  "${TAKT_ROOT}/drivers/virtio")      # virtq_chain.h: pure, no registers
