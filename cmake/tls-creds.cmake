# Certificates, key and credentials built into a TLS image (net/tls/,
# <takt/tls.h> tk_tls_creds): cache variables, also ./takt build --tls-ca
# FILE --tls-cert FILE --tls-key FILE and -D on cmake.
#   TAKT_TLS_CA    PEM CA certificate(s) the peers are verified against
#   TAKT_TLS_CERT  PEM certificate of this device (mutual TLS), with
#   TAKT_TLS_KEY   its PEM private key (unencrypted)
#   TAKT_TLS_USER, TAKT_TLS_PASS  a user name and password the image's
#                  services may use (MQTT CONNECT; never printed)
# Each file is checked here so a wrong path or a wrong file is a configure
# error naming it, not a handshake that fails on the device.
set(TAKT_TLS_CA "" CACHE FILEPATH "PEM CA certificate(s) built into a TLS image")
set(TAKT_TLS_CERT "" CACHE FILEPATH "PEM client/server certificate built into a TLS image")
set(TAKT_TLS_KEY "" CACHE FILEPATH "PEM private key of TAKT_TLS_CERT")
set(TAKT_TLS_USER "" CACHE STRING "user name built into a TLS image (MQTT)")
set(TAKT_TLS_PASS "" CACHE STRING "password built into a TLS image (MQTT; never printed)")
mark_as_advanced(TAKT_TLS_PASS)

find_program(TAKT_OPENSSL openssl)

# _tls_check_pem(VAR what regex openssl-subcommand)
function(_tls_check_pem var what regex cmd)
  set(f "${${var}}")
  if(NOT IS_ABSOLUTE "${f}")
    message(FATAL_ERROR "${var}=${f}: give an absolute path (./takt build makes it one)")
  endif()
  if(NOT EXISTS "${f}" OR IS_DIRECTORY "${f}")
    message(FATAL_ERROR "${var}=${f}: no such file (the ${what})")
  endif()
  file(SIZE "${f}" _size)
  if(_size EQUAL 0 OR _size GREATER 65536)
    message(FATAL_ERROR "${var}=${f}: ${_size} bytes; the ${what} must be a PEM file of 1 B..64 KiB")
  endif()
  file(STRINGS "${f}" _begin REGEX "${regex}")
  if(NOT _begin)
    message(FATAL_ERROR "${var}=${f}: not a PEM ${what} (no line matching '${regex}')")
  endif()
  if(TAKT_OPENSSL)
    execute_process(COMMAND ${TAKT_OPENSSL} ${cmd} -noout -in "${f}"
                    RESULT_VARIABLE _rc OUTPUT_QUIET ERROR_VARIABLE _err)
    if(NOT _rc EQUAL 0)
      string(STRIP "${_err}" _err)
      message(FATAL_ERROR "${var}=${f}: openssl cannot read it as a ${what}:\n${_err}")
    endif()
  endif()
endfunction()

# The public key of a certificate or a private key, to see that they match.
function(_tls_pubkey out file)
  if(file STREQUAL TAKT_TLS_CERT)
    set(_cmd x509 -pubkey -noout)
  else()
    set(_cmd pkey -pubout)
  endif()
  execute_process(COMMAND ${TAKT_OPENSSL} ${_cmd} -in "${file}"
                  OUTPUT_VARIABLE _pub RESULT_VARIABLE _rc ERROR_QUIET)
  set(${out} "${_rc}:${_pub}" PARENT_SCOPE)
endfunction()

# A file as a C array with a NUL after it (mbedTLS's PEM parser wants the
# NUL counted in the length).
function(_tls_c_array out name file)
  if(file)
    file(READ "${file}" _hex HEX)
    string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," _bytes "${_hex}")
    string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n\t" _bytes "${_bytes}")
    set(${out} "static const unsigned char ${name}[] = {\n\t${_bytes}0x00 };\n" PARENT_SCOPE)
  else()
    set(${out} "#define ${name} 0\n" PARENT_SCOPE)
  endif()
endfunction()

# A string as a C literal: quotes and backslashes escaped; control
# characters refused (a credential with a newline is a mistake).
function(_tls_c_string out var)
  set(v "${${var}}")
  if(v MATCHES "[\n\r\t]")
    message(FATAL_ERROR "${var}: control characters are not allowed")
  endif()
  string(LENGTH "${v}" _n)
  if(_n GREATER 128)
    message(FATAL_ERROR "${var}: ${_n} characters; at most 128")
  endif()
  string(REPLACE "\\" "\\\\" v "${v}")
  string(REPLACE "\"" "\\\"" v "${v}")
  set(${out} "\"${v}\"" PARENT_SCOPE)
endfunction()

# Check the settings and write ${CMAKE_BINARY_DIR}/tls_creds.c; its path
# in TAKT_TLS_CREDS_SOURCE.
function(takt_tls_creds)
  if((TAKT_TLS_CERT AND NOT TAKT_TLS_KEY) OR (TAKT_TLS_KEY AND NOT TAKT_TLS_CERT))
    message(FATAL_ERROR "TAKT_TLS_CERT and TAKT_TLS_KEY (--tls-cert, --tls-key) go together: "
            "a certificate without its key, or a key without its certificate, cannot be used")
  endif()
  if(TAKT_TLS_CERT AND NOT TAKT_TLS_CA)
    message(FATAL_ERROR "TAKT_TLS_CERT without TAKT_TLS_CA (./takt build --tls-ca FILE): "
            "without a CA the peer cannot be verified, and Takt does not do unverified TLS")
  endif()
  if(TAKT_TLS_CA)
    _tls_check_pem(TAKT_TLS_CA "CA certificate" "-----BEGIN CERTIFICATE-----" x509)
  endif()
  if(TAKT_TLS_CERT)
    _tls_check_pem(TAKT_TLS_CERT "certificate" "-----BEGIN CERTIFICATE-----" x509)
    _tls_check_pem(TAKT_TLS_KEY "private key" "-----BEGIN (EC |RSA )?PRIVATE KEY-----" pkey)
    file(STRINGS "${TAKT_TLS_KEY}" _enc REGEX "ENCRYPTED")
    if(_enc)
      message(FATAL_ERROR "TAKT_TLS_KEY=${TAKT_TLS_KEY}: the key is encrypted; the device has no "
              "one to type its passphrase: give it unencrypted (openssl pkey -in K -out K2)")
    endif()
    if(TAKT_OPENSSL)
      _tls_pubkey(_a "${TAKT_TLS_CERT}")
      _tls_pubkey(_b "${TAKT_TLS_KEY}")
      if(NOT _a STREQUAL _b)
        message(FATAL_ERROR "TAKT_TLS_KEY=${TAKT_TLS_KEY} is not the key of "
                "TAKT_TLS_CERT=${TAKT_TLS_CERT} (their public keys differ)")
      endif()
    endif()
  endif()
  set_property(DIRECTORY ${TAKT_ROOT} APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
               ${TAKT_TLS_CA} ${TAKT_TLS_CERT} ${TAKT_TLS_KEY})
  _tls_c_array(_ca tls_ca "${TAKT_TLS_CA}")
  _tls_c_array(_cert tls_cert "${TAKT_TLS_CERT}")
  _tls_c_array(_key tls_key "${TAKT_TLS_KEY}")
  _tls_c_string(_user TAKT_TLS_USER)
  _tls_c_string(_pass TAKT_TLS_PASS)
  set(_sz_ca "0")
  if(TAKT_TLS_CA)
    set(_sz_ca "sizeof(tls_ca)")
  endif()
  set(_sz_cert "0")
  if(TAKT_TLS_CERT)
    set(_sz_cert "sizeof(tls_cert)")
    set(_sz_key "sizeof(tls_key)")
  else()
    set(_sz_key "0")
  endif()
  file(WRITE ${CMAKE_BINARY_DIR}/tls_creds.c.new
"/* Generated by cmake/tls-creds.cmake from TAKT_TLS_*: do not edit. */
#include <takt/tls.h>

${_ca}${_cert}${_key}
static const struct tk_tls_creds creds = {
	.ca = tls_ca, .ca_len = ${_sz_ca},
	.cert = tls_cert, .cert_len = ${_sz_cert},
	.key = tls_key, .key_len = ${_sz_key},
	.user = ${_user}, .pass = ${_pass},
};

const struct tk_tls_creds *tk_tls_creds(void)
{
	return &creds;
}
")
  # copied only when changed: an unchanged configure recompiles nothing
  configure_file(${CMAKE_BINARY_DIR}/tls_creds.c.new ${CMAKE_BINARY_DIR}/tls_creds.c COPYONLY)
  set(TAKT_TLS_CREDS_SOURCE ${CMAKE_BINARY_DIR}/tls_creds.c PARENT_SCOPE)
endfunction()
