# ZCU102 (QEMU xlnx-zcu102): the Cadence GEM cases, and the network tests
# (tests/net) through GEM3 on the board's NIC arguments (TAKT_QEMU_NIC).
include(${CMAKE_CURRENT_LIST_DIR}/../gem.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/../../net/tests.cmake)
