# virtio-net on virtio-mmio (tests/target/apps/virtio_net), included by the
# board files of boards whose QEMU machine takes `-device virtio-net-device`
# (not in the shared list: the default command has no netdev). An ARP request
# for QEMU user-net's gateway 10.0.2.2 is answered, through a legacy
# (version 1) and a modern (version 2) transport; with status=off the link is
# taken as up; without a netdev there is no network device; a lent frame's
# bad releases are refused (_bad_release, CMakeLists.txt).
foreach(legacy true false)
  if(legacy)
    set(_ver "1 \\(legacy\\)")
    set(_kind legacy)
  else()
    set(_ver "2 \\(modern\\)")
    set(_kind modern)
  endif()
  takt_qemu_test(virtio_net_arp_${_kind} virtio_net
    QEMU_ARGS -global virtio-mmio.force-legacy=${legacy}
              -netdev user,id=n0 -device virtio-net-device,netdev=n0
    EXPECT "^virtio-mmio: /virtio_mmio@[0-9a-f]+: net, version ${_ver}"
           "^net0: /virtio_mmio@[0-9a-f]+ mac 52:54:00:12:34:56, link up$"
           "^own mac 52:54:00:12:34:56$"
           "^arp: 10\\.0\\.2\\.2 is at [0-9a-f]{2}(:[0-9a-f]{2}){5} "
           "^PASS arp_reply_unicast_mac" ${_bad_release} "^9 passed, 0 failed")
endforeach()
takt_qemu_test(virtio_net_no_status_feature virtio_net
  QEMU_ARGS -netdev user,id=n0 -device virtio-net-device,netdev=n0,status=off,mac=52:54:00:aa:bb:cc
  EXPECT "^net0: /virtio_mmio@[0-9a-f]+ mac 52:54:00:aa:bb:cc, link up \\(no status feature\\)$"
         "^own mac 52:54:00:aa:bb:cc$" "^9 passed, 0 failed")
# The device's own MAC is input too: a multicast one fails the probe, named.
takt_qemu_test(virtio_net_multicast_mac_refused virtio_net STATUS 1
  QEMU_ARGS -netdev user,id=n0 -device virtio-net-device,netdev=n0,mac=01:54:00:12:34:56
  EXPECT "^dev: /virtio_mmio@[0-9a-f]+ -> virtio_mmio failed \\(-22\\): /virtio_mmio@[0-9a-f]+: virtio-net: the device's MAC is a multicast address$"
         "^FAIL netdev_found"
  REJECT "^net0:")
takt_qemu_test(virtio_net_absent virtio_net QEMU_ARGS -append none
  EXPECT "^PASS no_netdev_without_device" "^2 passed, 0 failed" REJECT "^net0:")

# The NIC driver (and with it the virtio-mmio transport) is linked into an
# app that uses a network device (this one calls tk_netdev_*), and not into
# hello: there the device is left alone, no slot read.
takt_map_test(virtio_net_app_links_nic_driver virtio_net PRESENT "[(/]virtio_net\\.c\\.obj")
takt_map_test(virtio_net_app_links_transport virtio_net PRESENT "[(/]virtio_mmio\\.c\\.obj")
# ... and no RNG driver: it asks for no entropy (one pull member per class).
takt_map_test(virtio_net_app_links_no_rng_driver virtio_net ABSENT "[(/]virtio_rng\\.c\\.obj")
takt_qemu_test(hello_leaves_virtio_net_alone hello
  QEMU_ARGS -netdev user,id=n0 -device virtio-net-device,netdev=n0
  EXPECT "^Takt hello" "^power: off \\(exit status 0\\)"
  REJECT "^net0:" "virtio")

# The network tests (tests/net), on the virtio-net NIC.
include(${CMAKE_CURRENT_LIST_DIR}/../net/tests.cmake)
