# The network tests, for every board with virtio-net (included by
# tests/target/virtio_net.cmake). Apps: apps/gateway, tests/target/apps/net_*.
takt_net_test(net_addressing test_addressing.py net_sockets TIMEOUT 300)
takt_net_test(net_sockets test_sockets.py net_sockets DNS)
takt_net_test(net_mqtt test_mqtt.py gateway TIMEOUT 240 DNS)
takt_net_test(net_http test_http.py gateway)
takt_net_test(net_isolation test_isolation.py cyclictest_net TIMEOUT 300)
takt_net_test(net_takt_run_gateway test_run.py gateway TIMEOUT 240)
