# TLS (net/tls/, mbedTLS via takt_app(... TLS); tests/target/apps/tls),
# included by the board files of boards whose QEMU machine takes
# `-device virtio-rng-device`: the DRBG seeds from the hardware source and
# the configured primitives work; without a source TLS is refused.
takt_qemu_test(tls_mbedtls tls QEMU_ARGS -device virtio-rng-device
  EXPECT "^tls: random numbers from virtio-rng$" "^PASS ecdsa_p256_sign_verify" "^9 passed, 0 failed")
takt_qemu_test(tls_refused_without_entropy tls QEMU_ARGS -append none
  EXPECT "^tls: no hardware entropy source: TLS refused$" "^3 passed, 0 failed")
