/* The entropy registry and virtio-rng: with QEMU's virtio-rng-device,
 * tk_entropy_get fills buffers of odd sizes (spanning several device
 * requests) with bytes that are not constant and differ between calls;
 * bad arguments are refused. With the argument "none" (QEMU started
 * without the device) there is no source and a read is -ENODEV. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <takt/takt.h>
#include <takt/entropy.h>
#include <takt/time.h>

#include "tk_test.h"

static int dummy_read(struct tk_entropy_source *s, void *b, size_t n, uint64_t d)
{
	(void)s, (void)b, (void)d;
	return (int)n;
}

/* 200 bytes that are all the same value are a broken source. */
static bool varied(const unsigned char *b, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (b[i] != b[0])
			return true;
	return false;
}

int main(int argc, char **argv)
{
	static unsigned char a[200], b[200];
	uint64_t deadline = tk_now_ns() + 5000000000ull;
	struct tk_entropy_source bad = { 0 };

	TK_CHECK("register_null_refused", tk_entropy_register(NULL) == -EINVAL);
	TK_CHECK("register_unnamed_refused", tk_entropy_register(&bad) == -EINVAL);
	bad.name = "noread";
	TK_CHECK("register_without_read_refused", tk_entropy_register(&bad) == -EINVAL);
	TK_CHECK("get_null_buffer_refused", tk_entropy_get(NULL, 4, deadline) == -EINVAL);
	if (argc > 1 && strcmp(argv[1], "none") == 0) {
		TK_CHECK("no_source_without_device", !tk_entropy_available());
		TK_CHECK("get_without_source_enodev", tk_entropy_get(a, 16, deadline) == -ENODEV);
		return tk_test_done();
	}
	TK_CHECK("source_found", tk_entropy_available());
	printf("source %s\n", tk_entropy_source_name() ? tk_entropy_source_name() : "(none)");
	TK_CHECK("get_200_bytes", tk_entropy_get(a, sizeof(a), deadline) == 0);
	TK_CHECK("get_200_more", tk_entropy_get(b, sizeof(b), deadline) == 0);
	TK_CHECK("bytes_not_constant", varied(a, sizeof(a)) && varied(b, sizeof(b)));
	TK_CHECK("two_reads_differ", memcmp(a, b, sizeof(a)) != 0);
	TK_CHECK("get_one_byte", tk_entropy_get(a, 1, deadline) == 0);
	TK_CHECK("get_zero_bytes", tk_entropy_get(a, 0, deadline) == 0);
	static struct tk_entropy_source extra = { "extra", dummy_read, 0 };
	TK_CHECK("second_source_registers", tk_entropy_register(&extra) == 0);
	TK_CHECK("registry_full_enospc", tk_entropy_register(&extra) == -ENOSPC);
	TK_CHECK("first_source_still_used", strcmp(tk_entropy_source_name(), "virtio-rng") == 0);
	return tk_test_done();
}
