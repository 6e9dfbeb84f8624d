# Cadence GEM (drivers/net/cadence_gem.c) on QEMU xlnx-zcu102, included by the
# board test file of a board whose NIC is a GEM (tests/target/boards/
# zcu102.cmake). The tk_netdev test app (tests/target/apps/virtio_net: an ARP
# request for QEMU user-net's gateway 10.0.2.2 is answered) runs through the
# GEM on the board's NIC arguments (TAKT_QEMU_NIC: GEM3 is QEMU's 4th NIC).
# QEMU's PHY answers at MDIO address 23, the DT says 0xc: the bus search
# finds it and says so. Edited copies of the board DTB (fdtput) replace the
# board's -dtb: a DT MAC is used and programmed into the address filter; a
# DT PHY address that is right needs no search; a malformed MAC fails the
# probe with a message.
find_program(FDTPUT fdtput REQUIRED)
set(_gem /axi/ethernet@ff0e0000)
set(_gem_rx "/axi/ethernet@ff0e0000")
set(_gem_nic -netdev user,id=n0 ${TAKT_QEMU_NIC})
set(_gem_dtb ${TAKT_BUILD_ROOT}/virtio_net/board.dtb)

takt_qemu_test(gem_arp virtio_net QEMU_ARGS ${_gem_nic}
  EXPECT "^gem: ${_gem_rx}: no PHY at MDIO address 12 \\(the DT's\\); found one at 23 \\(id 0x01410cc2\\)$"
         "^gem: ${_gem_rx}: link up, 1000 Mb/s full duplex$"
         "^net0: ${_gem_rx} mac 52:54:00:12:34:5[0-9a-f], link up$"
         "^gem: ${_gem_rx}: module_id 0x[0-9a-f]+, 64-bit descriptors, mac from the boot loader$"
         "^arp: 10\\.0\\.2\\.2 is at [0-9a-f]{2}(:[0-9a-f]{2}){5} "
         "^PASS arp_reply_unicast_mac" ${_bad_release} "^9 passed, 0 failed")

# The GEM driver is linked into the app that uses a network device.
takt_map_test(gem_app_links_nic_driver virtio_net PRESENT "[(/]cadence_gem\\.c\\.obj")

function(gem_dtb_case fixture)	# ARGN: fdtput arguments after the file
  list(JOIN ARGN " " _args)
  add_test(NAME make_${fixture} COMMAND ${CMAKE_COMMAND} -E env sh -c
    "cp ${_gem_dtb} ${CMAKE_BINARY_DIR}/${fixture}.dtb && ${FDTPUT} ${CMAKE_BINARY_DIR}/${fixture}.dtb ${_args}")
  set_tests_properties(make_${fixture} PROPERTIES FIXTURES_SETUP ${fixture})
endfunction()

gem_dtb_case(gem_mac_dtb -t bx ${_gem} local-mac-address 02 11 22 33 44 55)
takt_qemu_test(gem_mac_from_dt virtio_net FIXTURE gem_mac_dtb
  QEMU_ARGS ${_gem_nic} -dtb ${CMAKE_BINARY_DIR}/gem_mac_dtb.dtb
  EXPECT "^net0: ${_gem_rx} mac 02:11:22:33:44:55, link up$"
         "mac from local-mac-address$" "^PASS arp_reply_unicast_mac" "^9 passed, 0 failed")

gem_dtb_case(gem_phy_dtb -t u ${_gem}/ethernet-phy@c reg 23)
takt_qemu_test(gem_phy_at_dt_address virtio_net FIXTURE gem_phy_dtb
  QEMU_ARGS ${_gem_nic} -dtb ${CMAKE_BINARY_DIR}/gem_phy_dtb.dtb
  EXPECT "^net0: ${_gem_rx} mac .*, link up$" "^9 passed, 0 failed"
  REJECT "no PHY at MDIO address")

# A PHY address the DT gets wrong is named, and the bus searched.
gem_dtb_case(gem_phy_reg_40_dtb -t u ${_gem}/ethernet-phy@c reg 40)
takt_qemu_test(gem_phy_bad_reg_said virtio_net FIXTURE gem_phy_reg_40_dtb
  QEMU_ARGS ${_gem_nic} -dtb ${CMAKE_BINARY_DIR}/gem_phy_reg_40_dtb.dtb
  EXPECT "^gem: ${_gem_rx}: the PHY's reg is not an MDIO address 0..31$"
         "^gem: ${_gem_rx}: searched the bus; found one at MDIO address 23 "
         "^9 passed, 0 failed")

gem_dtb_case(gem_badmac_dtb -t bx ${_gem} local-mac-address 02 11 22 33 44)
takt_qemu_test(gem_bad_mac_refused virtio_net STATUS 1 FIXTURE gem_badmac_dtb
  QEMU_ARGS ${_gem_nic} -dtb ${CMAKE_BINARY_DIR}/gem_badmac_dtb.dtb
  EXPECT "^dev: ${_gem_rx} -> cadence_gem failed \\(-22\\): ${_gem_rx}: cadence-gem: local-mac-address is not 6 bytes$"
         "^FAIL netdev_found"
  REJECT "^net0:")

# reg smaller than the GEM registers the driver uses: refused, naming both
# sizes (the driver once checked this with no test).
gem_dtb_case(gem_regs_small_dtb -t x ${_gem} reg 0 ff0e0000 0 400)
takt_qemu_test(gem_regs_small_refused virtio_net STATUS 1 FIXTURE gem_regs_small_dtb
  QEMU_ARGS ${_gem_nic} -dtb ${CMAKE_BINARY_DIR}/gem_regs_small_dtb.dtb
  EXPECT "^dev: ${_gem_rx} -> cadence_gem failed \\(-22\\): ${_gem_rx}: cadence_gem: reg\\[0\\] is 0x400 bytes, fewer than the 0x500 bytes of registers the driver uses$"
         "^FAIL netdev_found"
  REJECT "^net0:")
