# The flashable card of an arm64 build (included by image.cmake), made by
# tools/takt_image.py without root or loop mounts. What goes on it depends on the
# board's boot chain (TAKT_CARD in bsp/<board>/board.cmake; fit when unset):
#   fit      QEMU virt (Debian's u-boot-qemu): boot.scr + takt.itb on a small FAT
#   rpi3     Raspberry Pi 3 (bcm2837), rpi4: Pi 4 B / CM4 (bcm2711): FAT32 with
#            config.txt (bsp/<board>/config.txt), Debian's u-boot-rpi u-boot.bin,
#            boot.scr that booti's the plain takt.bin (u-boot-rpi has no FIT), the
#            board DTB under the name config.txt's device_tree gives, and the GPU
#            firmware from -DTAKT_FIRMWARE_DIR (./takt build --firmware DIR)
#   zynqmp   ZCU102: FAT32 with boot.scr + takt.itb for the vendor's u-boot, and
#            BOOT.BIN from TAKT_FIRMWARE_DIR (bsp/zcu102/README.md)
# Outputs:
#   takt.itb           FIT cards: takt.bin (+ board.dtb with TAKT_FIT_DTB), sha256
#                      each, one configuration "conf"; with TAKT_SIGN_KEY_DIR signed
#   boot.scr           u-boot script (mkimage -T script)
#   takt-sdcard.img    MBR + one FAT partition (+ .bmap: the blocks that hold data)
#   u-boot-ctrl.dtb    signed builds only: u-boot's control DTB with the public key,
#                      required for "conf" (on QEMU: the machine's dumped DTB)
#   run-uboot.json     the QEMU command that boots the card through u-boot
#                      (./takt run --via-uboot)
# The boot script hands Takt the boot loader's own DT (u-boot's control DT, the Pi
# firmware's), which describes the machine as it is; TAKT_FIT_DTB=ON puts
# board.dtb into the FIT instead, so that a signature covers it.
if(NOT TAKT_ARCH STREQUAL "arm64")
  return()
endif()

set(TAKT_SIGN_KEY_DIR "" CACHE PATH
    "sign the FIT with DIR/takt.key (./takt keygen DIR); empty: unsigned")
option(TAKT_FIT_DTB "boot with the board DTB carried in the FIT (covered by a signature) \
instead of the boot loader's DT" OFF)
set(TAKT_FIRMWARE_DIR "" CACHE PATH
    "copy the board's boot firmware from DIR onto the card (Pi: bootcode.bin, start*.elf, fixup*.dat; ZCU102: BOOT.BIN)")
# u-boot's control DTB to put the public key into. Empty on QEMU boards: the DTB
# QEMU hands its firmware is dumped (-M ...,dumpdtb=) and used.
set(TAKT_UBOOT_CTRL_DTB "" CACHE FILEPATH "u-boot control DTB for the public key")
# Where boot.scr loads the FIT (the board may set it): above the kernel's
# load address with room for a 62 MiB image.
if(NOT DEFINED TAKT_FIT_LOAD_ADDR)
  math(EXPR TAKT_FIT_LOAD_ADDR "${TAKT_DRAM_BASE} + 0x4000000" OUTPUT_FORMAT HEXADECIMAL)
endif()
if(NOT DEFINED TAKT_CARD)
  set(TAKT_CARD fit)
elseif(NOT TAKT_CARD MATCHES "^(fit|rpi3|rpi4|zynqmp)$")
  message(FATAL_ERROR "bsp/${BOARD}/board.cmake: TAKT_CARD '${TAKT_CARD}' is not one of fit, rpi3, rpi4, zynqmp")
endif()
set(_rpi FALSE)
if(TAKT_CARD MATCHES "^rpi")
  set(_rpi TRUE)
endif()

if(EXISTS ${TAKT_ROOT}/bsp/${BOARD}/boot.cmd.in)
  set(_boot_cmd ${TAKT_ROOT}/bsp/${BOARD}/boot.cmd.in)
elseif(_rpi)
  set(_boot_cmd ${TAKT_ROOT}/tools/boot-rpi.cmd.in)
else()
  set(_boot_cmd ${TAKT_ROOT}/tools/boot.cmd.in)
endif()

set(_tool ${TAKT_ROOT}/tools/takt_image.py)
set(_out ${CMAKE_BINARY_DIR})
set(_outputs ${_out}/boot.scr)
set(_args --kernel ${TAKT_IMAGE} --dtb ${TAKT_DTB} --load ${TAKT_LOAD_ADDR}
    --fit-addr ${TAKT_FIT_LOAD_ADDR} --boot-cmd ${_boot_cmd} --outdir ${_out}
    --card ${TAKT_CARD} "--desc=Takt ${TAKT_APP_NAME} for ${BOARD}")
set(_deps takt $<TARGET_FILE:takt> ${TAKT_DTB} ${_tool} ${_boot_cmd})
set(_card TRUE)
if(_rpi)
  # Debian's u-boot-rpi (./takt setup unpacks it into the cache): rpi_3 for the
  # Pi 3, rpi_4 for the Pi 4 and CM4; a board may name another (rpi_arm64) or
  # point TAKT_UBOOT_RPI at its own u-boot.bin.
  if(NOT TAKT_UBOOT_RPI_CONFIG)
    if(TAKT_CARD STREQUAL "rpi3")
      set(TAKT_UBOOT_RPI_CONFIG rpi_3)
    else()
      set(TAKT_UBOOT_RPI_CONFIG rpi_4)
    endif()
  endif()
  if(NOT TAKT_UBOOT_RPI)
    set(TAKT_UBOOT_RPI ${TAKT_CACHE_DIR}/u-boot-rpi/${TAKT_UBOOT_RPI_CONFIG}/u-boot.bin)
  endif()
  set(_config_txt ${TAKT_ROOT}/bsp/${BOARD}/config.txt)
  if(NOT EXISTS ${_config_txt})
    message(FATAL_ERROR "board ${BOARD}: a Raspberry Pi card needs bsp/${BOARD}/config.txt")
  endif()
  if(TAKT_SIGN_KEY_DIR)
    message(FATAL_ERROR "board ${BOARD}: Debian's u-boot-rpi has no FIT support, so the Pi "
                        "card boots a plain image and cannot be signed (drop --sign)")
  endif()
  if(NOT EXISTS ${TAKT_UBOOT_RPI})
    message(WARNING "no ${TAKT_UBOOT_RPI} (./takt setup fetches Debian's u-boot-rpi): "
                    "no card image for ${BOARD}")
    set(_card FALSE)
    list(APPEND _args --no-card)
  else()
    list(APPEND _args --uboot ${TAKT_UBOOT_RPI} --config-txt ${_config_txt})
    list(APPEND _deps ${TAKT_UBOOT_RPI} ${_config_txt})
  endif()
else()
  list(APPEND _outputs ${_out}/takt.itb)
endif()
if(_card)
  list(APPEND _outputs ${_out}/takt-sdcard.img)
endif()
if(TAKT_FIT_DTB)
  if(_rpi)
    message(FATAL_ERROR "board ${BOARD}: TAKT_FIT_DTB: the Pi card has no FIT")
  endif()
  list(APPEND _args --fit-dtb)
  message(STATUS "FIT: carries board.dtb, which u-boot hands to Takt")
endif()
if(TAKT_FIRMWARE_DIR)
  get_filename_component(_fw ${TAKT_FIRMWARE_DIR} ABSOLUTE)
  if(NOT IS_DIRECTORY ${_fw})
    message(FATAL_ERROR "TAKT_FIRMWARE_DIR=${_fw} is not a folder")
  endif()
  list(APPEND _args --firmware-dir ${_fw})
  file(GLOB _fw_files ${_fw}/*)
  list(APPEND _deps ${_fw_files})
endif()
if(TAKT_SIGN_KEY_DIR)
  get_filename_component(_keys ${TAKT_SIGN_KEY_DIR} ABSOLUTE)
  if(NOT EXISTS ${_keys}/takt.key OR NOT EXISTS ${_keys}/takt.crt)
    message(FATAL_ERROR "TAKT_SIGN_KEY_DIR=${_keys} has no takt.key/takt.crt "
                        "(make them with ./takt keygen ${_keys})")
  endif()
  list(APPEND _args --sign-dir ${_keys})
  list(APPEND _deps ${_keys}/takt.key ${_keys}/takt.crt)
  list(APPEND _outputs ${_out}/u-boot-ctrl.dtb)
  if(TAKT_UBOOT_CTRL_DTB)
    list(APPEND _args --ctrl-dtb ${TAKT_UBOOT_CTRL_DTB})
    list(APPEND _deps ${TAKT_UBOOT_CTRL_DTB})
  elseif(TAKT_QEMU)
    string(REPLACE ";" "|" _q "${TAKT_QEMU}")
    list(APPEND _args "--qemu=${_q}")
  endif()
  if(TAKT_FIT_DTB)
    message(STATUS "FIT: signed with ${_keys}/takt.key (rsa2048, sha256; kernel and DTB)")
  else()
    message(STATUS "FIT: signed with ${_keys}/takt.key (rsa2048, sha256; the kernel only: "
                   "the DT is u-boot's, TAKT_FIT_DTB=ON puts it under the signature)")
  endif()
endif()
find_package(Python3 REQUIRED COMPONENTS Interpreter)
add_custom_command(OUTPUT ${_outputs}
  COMMAND ${Python3_EXECUTABLE} ${_tool} build ${_args}
  DEPENDS ${_deps}
  COMMENT "boot script and card image (${TAKT_CARD})"
  VERBATIM)
add_custom_target(takt_fit ALL DEPENDS ${_outputs})

# run-uboot.json: boot the card through u-boot in QEMU (./takt run --via-uboot):
# Debian's u-boot-qemu as -bios with the card as a virtio disk; on the Pi 3,
# u-boot-rpi as the "kernel" (QEMU has no GPU firmware: it loads u-boot.bin and
# hands it the board DTB, as the firmware would) with the card on the SD
# controller. The card is not written: read-only on virtio, a throw-away
# overlay on the SD card (QEMU 7.2's refuses a read-only drive), so that
# several runs may share one card.
set(_via "")
if(TAKT_QEMU AND TAKT_UBOOT_QEMU_BIOS)
  set(_via bios)
elseif(TAKT_QEMU AND _rpi AND _card)
  set(_via rpi)
endif()
if(_via)
  set(_argv "")
  set(_skip FALSE)
  foreach(_a ${TAKT_QEMU})
    if(_skip)
      set(_skip FALSE)
      continue()
    endif()
    if(_a STREQUAL "-kernel")
      set(_skip TRUE)
      continue()
    endif()
    string(REPLACE "@DTB@" "${TAKT_DTB}" _a "${_a}")
    list(APPEND _argv "\"${_a}\"")
  endforeach()
  if(_via STREQUAL "bios")
    list(APPEND _argv "\"-bios\"" "\"${TAKT_UBOOT_QEMU_BIOS}\"")
    if(TAKT_SIGN_KEY_DIR)
      list(APPEND _argv "\"-dtb\"" "\"${_out}/u-boot-ctrl.dtb\"")
    endif()
    list(APPEND _argv "\"-drive\"" "\"if=none,file=${_out}/takt-sdcard.img,format=raw,id=sd,readonly=on\""
         "\"-device\"" "\"virtio-blk-device,drive=sd\"")
  else()
    list(APPEND _argv "\"-kernel\"" "\"${TAKT_UBOOT_RPI}\""
         "\"-drive\"" "\"if=sd,format=raw,file=${_out}/takt-sdcard.img,snapshot=on\"")
  endif()
  list(JOIN _argv ", " _argv)
  file(WRITE ${_out}/run-uboot.json
    "{\"board\": \"${BOARD}\", \"app\": \"${TAKT_APP_NAME}\", \"image\": \"${_out}/takt-sdcard.img\", \"net\": ${_net_json}, \"metrics\": ${_metrics_json}, \"nic\": [${_nic}], \"qemu\": [${_argv}]}\n")
else()
  file(REMOVE ${_out}/run-uboot.json)
endif()
