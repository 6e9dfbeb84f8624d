/*
 * Where each indexed node keeps the properties the kernel reads at boot
 * (compatible, status, reg, interrupts, ...): found in one pass over the
 * node's properties when the index is built (dt_index.c), so that a lookup
 * is a search in arrays and one libfdt read at a known offset instead of a
 * walk of the node's properties comparing every name. libfdt's own lookup
 * took half the boot on QEMU's virt DTB (`./takt bench profile`: fdt_next_tag
 * and fdt_offset_ptr 52 % of the instructions to main). Other names (and
 * properties too far from their node to record) of an indexed node are one
 * raw pass over its properties (dt_raw.c); other blobs and nodes past the
 * index go to fdt_getprop as before; the first of two same-named
 * properties wins, as in fdt_getprop.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <libfdt.h>

#include <takt/dt.h>

#include "dt_impl.h"

/* The hot names (dt_impl.h) with their lengths, so that a name in the
 * strings block is one memcmp (of the NUL too) against a hot name of its
 * first two characters. */
#define HOT_NAMES(X) DT_HOT_NAMES(X)
/* A name's first two bytes as one number, and a 6-bit hash of them. */
#define TWO(s) ((uint16_t)((uint8_t)(s)[0] | (uint8_t)(s)[1] << 8))
#define TWO_HASH(two) (((uint32_t)(two) * 0x9e37u >> 10) & 63)
#define HOT(e, s) { s, sizeof(s) - 1, TWO(s) },
static const struct {
	const char *s;
	uint8_t len;
	uint16_t two;	/* TWO(s) */
} hot[] = { HOT_NAMES(HOT) };
/* Bit TWO_HASH(TWO(s)) of every hot name: most names of a blob are not
 * hot, and one test says so where the compare against each was 80
 * instructions a name. */
#define HOT_BIT(e, s) | 1ull << TWO_HASH(TWO(s))
static const uint64_t hot_twos = 0 HOT_NAMES(HOT_BIT);
#define NHOT (int)(sizeof(hot) / sizeof(hot[0]))
#define ABSENT DT_PROP_ABSENT
#define FAR DT_PROP_FAR
_Static_assert(NHOT == DT_HOT_PROPS, "dt_impl.h: DT_HOT_PROPS");

/* Per indexed node i: the property's offset from the node's, ABSENT or FAR.
 * Part of the index's block (dt_index.c), sized to the blob's nodes. */
uint16_t (*dt_props_at)[DT_HOT_PROPS];

/* The hot id of each name offset in the strings block seen so far: a blob
 * names a few dozen properties, each many times (dt_impl.h; a full table
 * just means asking again). */
struct dt_props_names dt_props_names;

/* A caller's name s: its first two bytes filtered as a blob's are
 * (hot_id_at), the rest compared only against hot names that begin so
 * (every hot name has more than two bytes, so a name of one never gets
 * there, and s + 2 is inside s when it does): a blob's few dozen names
 * each met 14 strcmps here (a twentieth of the boot). */
static int hot_id(const char *s)
{
	if (!s || !s[0])
		return -1;
	uint16_t two = TWO(s);

	if (!(hot_twos >> TWO_HASH(two) & 1))
		return -1;
	for (int k = 0; k < NHOT; k++)
		if (two == hot[k].two && strcmp(s + 2, hot[k].s + 2) == 0)
			return k;
	return -1;
}

/* hot_id of the name at nameoff in fdt's strings block, compared in
 * place (dt_name_is) after filters on its first two bytes (hot_twos, then
 * one compare a hot name): half of this file's part of the index build went to
 * fdt_string, then the filter a byte at a time was 6k of the boot. Out of
 * the block: not hot (fdt_string's NULL). */
static int hot_id_at(const void *fdt, int32_t nameoff)
{
	uint32_t size = fdt_size_dt_strings(fdt);

	if (nameoff < 0 || size < 2 || (uint32_t)nameoff > size - 2)
		return -1;	/* not two bytes left: every hot name is longer */
	uint16_t two = TWO((const char *)fdt + fdt_off_dt_strings(fdt) + nameoff);

	if (!(hot_twos >> TWO_HASH(two) & 1))
		return -1;
	for (int k = 0; k < NHOT; k++)
		if (two == hot[k].two && dt_name_is(fdt, (uint32_t)nameoff, hot[k].s, hot[k].len))
			return k;
	return -1;
}

int dt_props_name_new(const void *fdt, int32_t nameoff, unsigned h)
{
	for (unsigned k = 0; k < DT_PROPS_NAMES; k++, h = (h + 1) % DT_PROPS_NAMES) {
		if (dt_props_names.nameoff_1[h] == nameoff + 1)
			return dt_props_names.id[h];
		if (dt_props_names.nameoff_1[h] == 0) {
			int id = hot_id_at(fdt, nameoff);

			dt_props_names.nameoff_1[h] = nameoff + 1;
			dt_props_names.id[h] = (int8_t)id;
			return id;
		}
	}
	return hot_id_at(fdt, nameoff);
}

void dt_props_reset(void)
{
	memset(&dt_props_names, 0, sizeof(dt_props_names));
}

void dt_props_use(void *mem)
{
	dt_props_at = mem;
}

void dt_props_move(void *to, const void *from, int n)
{
	memcpy(to, from, (size_t)n * sizeof(*dt_props_at));
}

/* hot_id for a name the callers pass: almost always a string literal, so
 * the same pointer again. A pointer seen before is checked with one strcmp
 * against the hot name it had (its contents may have changed: a buffer);
 * one seen as not hot is taken as not hot again, which at worst sends the
 * lookup to fdt_getprop, correct and slower. 14 strcmps a lookup were a
 * tenth of the boot. */
#define SEEN 32
static struct {
	const char *name[SEEN];
	int8_t id[SEEN];
} seen;

static inline __attribute__((always_inline)) int hot_id_cached(const char *name)
{
	unsigned h = ((uintptr_t)name >> 2) % SEEN;
	int id;

	if (seen.name[h] == name &&
	    (seen.id[h] < 0 || dt_immutable(name) || !strcmp(name, hot[seen.id[h]].s)))
		return seen.id[h];
	id = hot_id(name);
	seen.name[h] = name;
	seen.id[h] = (int8_t)id;
	return id;
}

/* The value of the property at off, read in place: the index recorded off
 * only from a walk that found the whole property inside the structure
 * block (dt_next_tag_raw; a length past it fails the build), so
 * fdt_getprop_by_offset's checks of the same would find nothing. */
static const void *prop_at(const void *fdt, int off, int *len)
{
	const struct fdt_property *pr =
		(const void *)((const char *)fdt + fdt_off_dt_struct(fdt) + off);

	if (len)
		*len = (int)fdt32_to_cpu(pr->len);
	return pr->data;
}

int dt_hot_id(const char *name)
{
	return hot_id_cached(name);
}

static inline __attribute__((always_inline)) const void *
hot_at(const void *fdt, int i, int node, enum dt_hot id, const char *name, int *len)
{
	uint16_t at = dt_props_at[i][id];

	if (at == FAR)
		return dt_raw_node_prop(fdt, node, name, len);	/* not recorded: one raw pass */
	if (at == ABSENT) {
		if (len)
			*len = -FDT_ERR_NOTFOUND;
		return NULL;
	}
	return prop_at(fdt, node + at, len);
}

const void *dt_props_hot_at(const void *fdt, int i, int node, enum dt_hot id, int *len)
{
	if (i < 0)
		return fdt_getprop(fdt, node, hot[id].s, len);	/* not indexed */
	return hot_at(fdt, i, node, id, hot[id].s, len);
}

const char *dt_hot_name(enum dt_hot id)
{
	return hot[id].s;
}

const void *dt_getprop_hot(const void *fdt, int node, enum dt_hot id, int *len)
{
	return dt_props_hot_at(fdt, dt_index_of(fdt, node), node, id, len);
}

const void *dt_getprop(const void *fdt, int node, const char *name, int *len)
{
	int i = dt_index_of(fdt, node), id = i >= 0 ? hot_id_cached(name) : -1;

	if (i < 0)
		return fdt_getprop(fdt, node, name, len);	/* not indexed */
	if (id < 0)
		return dt_raw_node_prop(fdt, node, name, len);	/* not recorded: one raw pass */
	return hot_at(fdt, i, node, (enum dt_hot)id, name, len);
}
