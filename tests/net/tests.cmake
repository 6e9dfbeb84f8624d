# The network tests, for every board with a NIC QEMU can give a user-mode
# network: included by tests/target/virtio_net.cmake (boards with virtio-net)
# and by the test file of a board with its own NIC (tests/target/boards/
# zcu102.cmake: the GEM). The scripts attach netdev n0 to the board's NIC as
# run.json says ("nic", from TAKT_QEMU_NIC in bsp/<board>/board.cmake;
# virtio-net when absent). Apps: apps/gateway, tests/target/apps/net_*.
include_guard(DIRECTORY)
# The network stack against real peers on loopback (tests/net/*.py): each
# script boots the image it is given with a user-mode NIC and host port
# forwards (tests/net/guest.py), drives it from the host and exits non-zero
# on a failed check. takt_net_test(NAME SCRIPT APP [TIMEOUT s] [DNS] [ARGS ...]);
# DNS: the test runs the DNS peer on 127.0.0.1:53, which one test at a time may.
function(takt_net_test name script app)
  cmake_parse_arguments(T "DNS" "TIMEOUT" "ARGS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  add_test(NAME ${name} COMMAND ${Python3_EXECUTABLE} -B ${TAKT_ROOT}/tests/net/${script}
           --build-dir ${TAKT_BUILD_ROOT}/${app} --board ${BOARD} ${T_ARGS})
  set_tests_properties(${name} PROPERTIES TIMEOUT ${T_TIMEOUT})
  if(T_DNS)
    set_tests_properties(${name} PROPERTIES RESOURCE_LOCK host_dns_port_53)
  endif()
endfunction()

takt_net_test(net_addressing test_addressing.py net_sockets TIMEOUT 300)
takt_net_test(net_sockets test_sockets.py net_sockets DNS)
takt_net_test(net_mqtt test_mqtt.py gateway TIMEOUT 240 DNS)
takt_net_test(net_http test_http.py gateway TIMEOUT 300)	# 35 s alone on the ZCU102; 52-70 s under host load
takt_net_test(net_syslog test_syslog.py syslog_app TIMEOUT 900)
takt_net_test(net_sntp test_sntp.py sntp_app TIMEOUT 300)
takt_net_test(net_crash test_crash.py crash_record TIMEOUT 240)
takt_net_test(net_isolation test_isolation.py cyclictest_net TIMEOUT 300)
takt_net_test(net_takt_run_gateway test_run.py gateway TIMEOUT 240)
