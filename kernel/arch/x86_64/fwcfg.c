/*
 * QEMU's fw_cfg interface as microvm has it (QEMU docs/specs/fw_cfg.txt):
 * I/O ports 0x510 (16-bit selector), 0x511 (data) and 0x514 (the DMA
 * interface's 64-bit big-endian descriptor address; writing its low half,
 * port 0x518, starts the transfer). With DMA a transfer is one pair of
 * port writes whatever its length; without it (FW_CFG_ID bit 1 clear) the
 * data is read with rep insb, still one instruction for the whole block:
 * each single inb traps to QEMU, which under TCG makes a byte-wise read of
 * kilobytes take visible time.
 */
#include <errno.h>
#include <string.h>

#include "x86.h"

#define FW_CFG_PORT_SEL		0x510
#define FW_CFG_PORT_DATA	0x511
#define FW_CFG_PORT_DMA_HI	0x514
#define FW_CFG_PORT_DMA_LO	0x518
#define FW_CFG_SIGNATURE	0x00
#define FW_CFG_ID		0x01
#define FW_CFG_FILE_DIR		0x19
#define FW_CFG_ID_DMA		(1u << 1)
#define DMA_CTL_ERROR		0x01
#define DMA_CTL_READ		0x02
#define DMA_CTL_SELECT		0x08

struct fw_cfg_dma {
	uint32_t control, length;	/* big-endian */
	uint64_t address;		/* big-endian */
};

struct fw_cfg_file {
	uint32_t size;			/* big-endian */
	uint16_t select, reserved;	/* big-endian */
	char name[56];
};

static bool use_dma;
static struct fw_cfg_dma dma __attribute__((aligned(16)));

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" :: "a"(v), "Nd"(port));
}

static void insb_block(void *buf, uint32_t n)
{
	__asm__ volatile("rep insb" : "+D"(buf), "+c"(n) : "d"((uint16_t)FW_CFG_PORT_DATA)
			 : "memory");
}

/* Read len bytes of the item sel (sel < 0: continue the current item). */
static int fw_read(int sel, void *buf, uint32_t len)
{
	if (!use_dma) {
		if (sel >= 0)
			outw(FW_CFG_PORT_SEL, (uint16_t)sel);
		insb_block(buf, len);
		return 0;
	}
	uint32_t ctl = DMA_CTL_READ | (sel >= 0 ? DMA_CTL_SELECT | (uint32_t)sel << 16 : 0);
	uint64_t pa = (uint64_t)(uintptr_t)&dma;

	dma.control = __builtin_bswap32(ctl);
	dma.length = __builtin_bswap32(len);
	dma.address = __builtin_bswap64((uint64_t)(uintptr_t)buf);
	__asm__ volatile("" ::: "memory");
	outl(FW_CFG_PORT_DMA_HI, __builtin_bswap32((uint32_t)(pa >> 32)));
	outl(FW_CFG_PORT_DMA_LO, __builtin_bswap32((uint32_t)pa));
	/* QEMU completes the transfer within the port write; bounded anyway. */
	for (int i = 0; i < 1000000; i++) {
		uint32_t c = __builtin_bswap32(*(volatile uint32_t *)&dma.control);

		if (c & DMA_CTL_ERROR)
			return -EIO;
		if (c == 0)
			return 0;
		__asm__ volatile("pause");
	}
	return -ETIMEDOUT;
}

int x86_fwcfg_probe(bool *dma_out)
{
	char sig[4];
	uint32_t id;

	use_dma = false;
	fw_read(FW_CFG_SIGNATURE, sig, sizeof(sig));
	if (memcmp(sig, "QEMU", 4))
		return -ENODEV;
	fw_read(FW_CFG_ID, &id, sizeof(id));	/* little-endian */
	use_dma = (id & FW_CFG_ID_DMA) != 0;
	*dma_out = use_dma;
	return 0;
}

int x86_fwcfg_find(const char *name, uint16_t *sel, uint32_t *size)
{
	uint32_t count;
	struct fw_cfg_file f;
	int err = fw_read(FW_CFG_FILE_DIR, &count, sizeof(count));

	if (err)
		return err;
	count = __builtin_bswap32(count);
	for (uint32_t i = 0; i < count && i < 4096; i++) {
		err = fw_read(-1, &f, sizeof(f));
		if (err)
			return err;
		f.name[sizeof(f.name) - 1] = 0;
		if (!strcmp(f.name, name)) {
			*sel = __builtin_bswap16(f.select);
			*size = __builtin_bswap32(f.size);
			return 0;
		}
	}
	return -ENOENT;
}

int x86_fwcfg_read(int sel, void *buf, uint32_t len)
{
	return fw_read(sel, buf, len);
}
