# tls.entropy=weak (net/tls/tls_rng.c), included by tests/target/tls.cmake and
# by the files of boards with no entropy source (tests/target/boards/zcu102.cmake):
# without a hardware source the bootarg seeds TLS from the clock, with a loud
# warning at boot and again when TLS starts; an unknown value is named and
# ignored (TLS stays refused). TAKT_TEST_CPU_NO_RNG: the board's QEMU -cpu
# without a random number instruction (empty on a board that has none).
include_guard(DIRECTORY)
takt_qemu_test(tls_weak_entropy_override tls NO_RNG QEMU_ARGS ${TAKT_TEST_CPU_NO_RNG}
  -append tls.entropy=weak
  EXPECT "^tls: WARNING: tls.entropy=weak: no hardware entropy source, TLS keys$"
         "^tls: WARNING: Not secure: for a test bench only, never in the field.$"
         "^tls: random numbers from the clock \\(tls.entropy=weak: NOT SECURE\\)$"
         "^PASS ecdsa_p256_sign_verify" "^9 passed, 0 failed")
takt_qemu_test(tls_entropy_bootarg_unknown tls NO_RNG QEMU_ARGS ${TAKT_TEST_CPU_NO_RNG}
  -append "none tls.entropy=strong"
  EXPECT "^tls: tls.entropy=strong unknown \\(the one value is weak\\); ignored$"
         "^tls: no hardware entropy source: TLS refused" "^3 passed, 0 failed"
  REJECT "WARNING")
