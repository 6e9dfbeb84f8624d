# TLS (net/tls/, mbedTLS via takt_app(... TLS); tests/target/apps/tls),
# included by the board files of boards whose QEMU machine takes
# `-device virtio-rng-device`: the DRBG seeds from the hardware source and
# the configured primitives work; without a source TLS is refused. The
# board file says which QEMU -cpu has a random number instruction
# (TAKT_TEST_CPU_RNG) and which has none (TAKT_TEST_CPU_NO_RNG).
takt_qemu_test(tls_mbedtls tls QEMU_ARGS ${TAKT_TEST_CPU_NO_RNG}
  EXPECT "^tls: random numbers from virtio-rng$" "^PASS ecdsa_p256_sign_verify" "^9 passed, 0 failed")
takt_qemu_test(tls_refused_without_entropy tls NO_RNG QEMU_ARGS ${TAKT_TEST_CPU_NO_RNG} -append none
  EXPECT "^tls: no hardware entropy source: TLS refused \\(tls.entropy=weak overrides, insecurely\\)$"
         "^3 passed, 0 failed")
takt_qemu_test(tls_cpu_rng tls NO_RNG QEMU_ARGS ${TAKT_TEST_CPU_RNG}
  EXPECT "^entropy: cpu (rndr|rdrand)$" "^tls: random numbers from (rndr|rdrand)$"
         "^9 passed, 0 failed")
include(${CMAKE_CURRENT_LIST_DIR}/tls_weak.cmake)
# tls.entropy=weak beside a hardware source: ignored, and said.
takt_qemu_test(tls_weak_ignored_with_source tls QEMU_ARGS ${TAKT_TEST_CPU_NO_RNG} -append tls.entropy=weak
  EXPECT "^tls: tls.entropy=weak ignored: virtio-rng is a hardware source$"
         "^tls: random numbers from virtio-rng$" "^9 passed, 0 failed"
  REJECT "WARNING")
# MQTT over TLS against mosquitto (tests/net/test_mqtt_tls.py): here, not in
# tests/net/tests.cmake, because it runs only where TLS has an entropy source.
# It builds two TLS gateways of its own (about 20 s each) from the plain
# gateway's build folder.
include(${CMAKE_CURRENT_LIST_DIR}/../net/tests.cmake)
takt_net_test(net_mqtt_tls test_mqtt_tls.py gateway TIMEOUT 900)
