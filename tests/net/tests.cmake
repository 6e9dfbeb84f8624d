# The network tests, for every board with virtio-net (included by
# tests/target/virtio_net.cmake). Apps: apps/gateway, tests/target/apps/net_*.
takt_net_test(net_dhcp_static test_addressing.py gateway)
