/* lwIP's MQTT client as the image builds it (cmake/lwip_mqtt.cmake's fix):
 * a broker's fixed header longer than MQTT allows closes the connection
 * instead of running over the client's receive buffer (found by
 * tests/fuzz/fuzz_mqtt.c), and legal headers still parse. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>

#include <cmocka.h>

#include "mqtt_host.h"

static mqtt_connection_status_t status;
static int events;

static void on_connect(mqtt_client_t *c, void *arg, mqtt_connection_status_t st)
{
	(void)c, (void)arg;
	status = st;
	events++;
}

/* A client with TCP up and CONNECT sent, as the gateway's publisher has it. */
static mqtt_client_t *connected_client(void)
{
	static const struct mqtt_connect_client_info_t info = { .client_id = "takt-test" };
	ip_addr_t ip = IPADDR4_INIT_BYTES(10, 0, 2, 2);
	mqtt_client_t *c = mqtt_client_new();

	assert_non_null(c);
	assert_int_equal(mqtt_client_connect(c, &ip, 1883, on_connect, NULL, &info), ERR_OK);
	c->conn->connected(c->conn->arg, c->conn, ERR_OK);
	events = 0;
	return c;
}

static void feed(mqtt_client_t *c, const void *data, size_t len)
{
	assert_int_equal(c->conn->recv(c->conn->arg, c->conn, mqtt_host_pbuf(data, len), ERR_OK),
			 ERR_OK);
}

static void done(mqtt_client_t *c)
{
	mqtt_disconnect(c);
	mqtt_client_free(c);
	assert_int_equal(pcbs_open, 0);
}

static void test_connack_accepted_connects(void **state)
{
	mqtt_client_t *c = connected_client();

	(void)state;
	feed(c, "\x20\x02\x00\x00", 4);
	assert_int_equal(events, 1);
	assert_int_equal(status, MQTT_CONNECT_ACCEPTED);
	assert_true(mqtt_client_is_connected(c));
	done(c);
}

/* 0x30 then five length bytes with the continuation bit: the fifth closes. */
static void test_fifth_remaining_length_byte_closes(void **state)
{
	mqtt_client_t *c = connected_client();

	(void)state;
	feed(c, "\x20\x02\x00\x00", 4);
	feed(c, "\x30\x80\x80\x80\x80\x80\x01", 7);
	assert_int_equal(status, MQTT_CONNECT_DISCONNECTED);
	assert_null(c->conn);
	assert_true(c->msg_idx <= 6);
	done(c);
}

/* The heap overflow itself: 1400 continuation bytes in one segment wrote
 * past rx_buffer (256), the output ring and the client's block. */
static void test_endless_fixed_header_stays_in_the_buffer(void **state)
{
	static uint8_t seg[1401];
	mqtt_client_t *c = connected_client();

	(void)state;
	seg[0] = 0x30;
	memset(seg + 1, 0x80, sizeof(seg) - 1);
	feed(c, seg, sizeof(seg));
	assert_int_equal(status, MQTT_CONNECT_DISCONNECTED);
	assert_true(c->msg_idx <= 6);
	done(c);
}

/* Four length bytes are legal (up to 256 MiB): the header parses and the
 * connection waits for the body, also when the header comes byte by byte. */
static void test_four_length_bytes_still_parse(void **state)
{
	mqtt_client_t *c = connected_client();

	(void)state;
	feed(c, "\x20\x02\x00\x00", 4);
	events = 0;
	static const uint8_t hdr[] = { 0x30, 0x80, 0x80, 0x80, 0x01, 0x00, 0x03, 'a', '/', 'b' };

	for (size_t i = 0; i < sizeof(hdr); i++)
		feed(c, &hdr[i], 1);
	assert_int_equal(events, 0);
	assert_non_null(c->conn);
	done(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connack_accepted_connects),
		cmocka_unit_test(test_fifth_remaining_length_byte_closes),
		cmocka_unit_test(test_endless_fixed_header_stays_in_the_buffer),
		cmocka_unit_test(test_four_length_bytes_still_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
