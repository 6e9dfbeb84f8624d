/*
 * The constant table a debugger reads instead of DWARF: where the thread
 * list is and where each field of a thread, and each register of a
 * switched-out thread, sits. tools/takt_gdbproxy.py finds it by its symbol
 * (takt_debug_offsets) and checks magic and version before trusting it.
 * Version 1; a field added at the end keeps the version, a change bumps it.
 */
#include <stddef.h>
#include <stdint.h>
#include "smp.h"
#include "thread_impl.h"

#define DEBUG_OFFSETS_MAGIC 0x5444424fu	/* "TDBO" */
#define NOREG 0xffff

extern struct list_node all_threads;	/* thread.c */

/* Per register number of gdb's 'g' packet (the arch's numbering): its byte
 * offset in the frame arch_context_switch leaves at ctx.sp (context.S),
 * NOREG when the switch does not save it. sp after the switch is ctx.sp +
 * frame_size; pc is the saved return address. */
#if defined(__aarch64__)
#define GREGS 33	/* x0..x30, sp, pc */
#define FRAME_SIZE 160
#define RA_OFF 88	/* x30 */
#define N NOREG
#define CS_REGS { N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, \
	0, 8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, N, N }
#define SP_REG 31
#define PC_REG 32
#elif defined(__x86_64__)
#define GREGS 17	/* rax rbx rcx rdx rsi rdi rbp rsp r8..r15 rip */
#define FRAME_SIZE 64
#define RA_OFF 56
#define N NOREG
#define CS_REGS { N, 48, N, N, N, N, 40, N, N, N, N, N, 32, 24, 16, 8, N }
#define SP_REG 7
#define PC_REG 16
#endif

struct tk_debug_offsets {
	uint32_t magic, version;
	uint32_t size;			/* of this table */
	uint32_t thread_magic;		/* tk_thread.magic of a live thread */
	uint64_t all_threads;		/* address of the list head */
	uint64_t cpus, cpu_stride;	/* struct cpu cpus[], sizeof(struct cpu) */
	uint16_t cpus_max, cpu_current, cpu_idle, cpu_online;
	/* struct tk_thread */
	uint16_t t_magic, t_id, t_state, t_name, t_name_len, t_ctx_sp, t_all_node;
	uint16_t t_policy, t_prio, t_runtime, t_deadline, t_period, t_cpu, t_on_cpu;
	uint16_t t_stack_lo, t_stack_size, t_fn;
	/* switched-out frame */
	uint16_t frame_size, ra_off, sp_reg, pc_reg, gregs;
	uint16_t frame_reg[GREGS];
};

#define T(f) offsetof(struct tk_thread, f)

__attribute__((used)) const struct tk_debug_offsets takt_debug_offsets = {
	.magic = DEBUG_OFFSETS_MAGIC, .version = 1,
	.size = sizeof(struct tk_debug_offsets),
	.thread_magic = THREAD_MAGIC,
	.all_threads = (uint64_t)(uintptr_t)&all_threads,
	.cpus = (uint64_t)(uintptr_t)cpus, .cpu_stride = sizeof(struct cpu),
	.cpus_max = TK_CPUS_MAX,
	.cpu_current = offsetof(struct cpu, current),
	.cpu_idle = offsetof(struct cpu, idle),
	.cpu_online = offsetof(struct cpu, online),
	.t_magic = T(magic), .t_id = T(id), .t_state = T(state), .t_name = T(name),
	.t_name_len = TK_NAME_MAX, .t_ctx_sp = T(ctx.sp), .t_all_node = T(all_node),
	.t_policy = T(sched.policy), .t_prio = T(sched.prio),
	.t_runtime = T(sched.runtime), .t_deadline = T(sched.deadline),
	.t_period = T(sched.period), .t_cpu = T(cpu), .t_on_cpu = T(on_cpu),
	.t_stack_lo = T(stack_lo), .t_stack_size = T(stack_size), .t_fn = T(fn),
	.frame_size = FRAME_SIZE, .ra_off = RA_OFF, .sp_reg = SP_REG, .pc_reg = PC_REG,
	.gregs = GREGS, .frame_reg = CS_REGS,
};
