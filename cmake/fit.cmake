# The flashable packages of an arm64 build (included by image.cmake):
#   takt.itb           FIT: takt.bin + board.dtb, sha256 each, one configuration "conf";
#                      with TAKT_SIGN_KEY_DIR the configuration is signed (rsa2048)
#   boot.scr           u-boot script (mkimage -T script) that loads and bootm's the FIT
#   takt-sdcard.img    MBR + one FAT partition holding boot.scr and takt.itb (+ .bmap
#                      when bmaptool is installed)
#   u-boot-ctrl.dtb    signed builds only: u-boot's control DTB with the public key,
#                      required for "conf" (on QEMU: the machine's dumped DTB)
#   run-uboot.json     the QEMU command that boots the card through u-boot (-bios)
# Made by tools/takt_image.py, without root or loop mounts.
if(NOT TAKT_ARCH STREQUAL "arm64")
  return()
endif()

set(TAKT_SIGN_KEY_DIR "" CACHE PATH
    "sign the FIT with DIR/takt.key (./takt keygen DIR); empty: unsigned")
# u-boot's control DTB to put the public key into. Empty on QEMU boards: the DTB
# QEMU hands its firmware is dumped (-M ...,dumpdtb=) and used.
set(TAKT_UBOOT_CTRL_DTB "" CACHE FILEPATH "u-boot control DTB for the public key")
# Where boot.scr loads the FIT (the board may set it): above the kernel's
# load address with room for a 62 MiB image.
if(NOT DEFINED TAKT_FIT_LOAD_ADDR)
  math(EXPR TAKT_FIT_LOAD_ADDR "${TAKT_DRAM_BASE} + 0x4000000" OUTPUT_FORMAT HEXADECIMAL)
endif()
if(EXISTS ${TAKT_ROOT}/bsp/${BOARD}/boot.cmd.in)
  set(_boot_cmd ${TAKT_ROOT}/bsp/${BOARD}/boot.cmd.in)
else()
  set(_boot_cmd ${TAKT_ROOT}/tools/boot.cmd.in)
endif()

set(_tool ${TAKT_ROOT}/tools/takt_image.py)
set(_out ${CMAKE_BINARY_DIR})
set(_outputs ${_out}/takt.itb ${_out}/boot.scr ${_out}/takt-sdcard.img)
set(_args --kernel ${TAKT_IMAGE} --dtb ${TAKT_DTB} --load ${TAKT_LOAD_ADDR}
    --fit-addr ${TAKT_FIT_LOAD_ADDR} --boot-cmd ${_boot_cmd} --outdir ${_out}
    "--desc=Takt ${TAKT_APP_NAME} for ${BOARD}")
set(_deps takt $<TARGET_FILE:takt> ${TAKT_DTB} ${_tool} ${_boot_cmd})
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
  message(STATUS "FIT: signed with ${_keys}/takt.key (rsa2048, sha256)")
endif()
find_package(Python3 REQUIRED COMPONENTS Interpreter)
add_custom_command(OUTPUT ${_outputs}
  COMMAND ${Python3_EXECUTABLE} ${_tool} build ${_args}
  DEPENDS ${_deps}
  COMMENT "FIT, boot script and card image"
  VERBATIM)
add_custom_target(takt_fit ALL DEPENDS ${_outputs})

# run-uboot.json: boot the card through Debian's u-boot for QEMU (./takt run --via-uboot).
if(TAKT_QEMU AND TAKT_UBOOT_QEMU_BIOS)
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
    list(APPEND _argv "\"${_a}\"")
  endforeach()
  list(APPEND _argv "\"-bios\"" "\"${TAKT_UBOOT_QEMU_BIOS}\"")
  if(TAKT_SIGN_KEY_DIR)
    list(APPEND _argv "\"-dtb\"" "\"${_out}/u-boot-ctrl.dtb\"")
  endif()
  list(APPEND _argv "\"-drive\"" "\"if=none,file=${_out}/takt-sdcard.img,format=raw,id=sd,readonly=on\""
       "\"-device\"" "\"virtio-blk-device,drive=sd\"")
  list(JOIN _argv ", " _argv)
  file(WRITE ${_out}/run-uboot.json
    "{\"board\": \"${BOARD}\", \"app\": \"${TAKT_APP_NAME}\", \"image\": \"${_out}/takt-sdcard.img\", \"qemu\": [${_argv}]}\n")
endif()
