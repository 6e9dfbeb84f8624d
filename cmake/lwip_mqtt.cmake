# lwIP's MQTT client, with one fix of ours applied to a copy in the build tree
# (the cache keeps Debian's tree untouched; no lwIP code is in this repository).
#
# lwIP 2.1.3's mqtt_parse_incoming (Debian's too) reads a fixed header of any
# length: every remaining-length byte with the continuation bit set is stored
# at client->rx_buffer[msg_idx++], unbounded, and shifted by 7 * (n - 2). So a
# broker, or anyone on a plain mqtt:// path, that sends 0x30 and then ~1300
# bytes 0x80 writes past the 256-byte rx_buffer, the output ring after it and
# the client's heap block (UBSan saw the shift by 35 first; found by
# tests/fuzz/fuzz_mqtt.c). MQTT 3.1.1 section 2.2.3 allows at most four length
# bytes: the copy closes the connection on a fifth (a fixed header of more
# than 5 bytes), before it is stored or shifted.
#
# takt_lwip_mqtt_source(LWIP_SRC_DIR OUT_VAR): OUT_VAR = the fixed copy's path.
function(takt_lwip_mqtt_source lwip_src out_var)
  set(_in ${lwip_src}/apps/mqtt/mqtt.c)
  set(_out ${CMAKE_CURRENT_BINARY_DIR}/lwip_mqtt/mqtt.c)
  file(READ ${_in} _c)
  set(_anchor "      fixed_hdr_len++;\n")
  string(FIND "${_c}" "${_anchor}" _at)
  if(_at EQUAL -1)
    message(FATAL_ERROR "${_in}: no '${_anchor}' line: lwIP changed; check whether "
                        "cmake/lwip_mqtt.cmake's fix is still needed there")
  endif()
  string(REPLACE "${_anchor}" "${_anchor}      if (fixed_hdr_len > 5) {\n        return MQTT_CONNECT_DISCONNECTED; /* Takt: cmake/lwip_mqtt.cmake */\n      }\n" _c "${_c}")
  file(WRITE ${_out}.new "${_c}")
  configure_file(${_out}.new ${_out} COPYONLY)	# rewritten only when it differs
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_in})
  set(${out_var} ${_out} PARENT_SCOPE)
endfunction()
