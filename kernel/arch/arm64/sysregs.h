/* arm64 system register bits used by the boot and MMU code (ARM DDI 0487). */
#ifndef TAKT_ARM64_SYSREGS_H
#define TAKT_ARM64_SYSREGS_H

#define CPACR_FPEN		(3 << 20)
#define HCR_EL2_RW		(1 << 31)
#define CNTHCTL_EL1PCTEN	(1 << 0)
#define CNTHCTL_EL1PCEN		(1 << 1)
#define CPTR_EL2_RES1		0x33ff
#define ICC_SRE_EL2		S3_4_C12_C9_5
#define ICC_SRE_SRE		(1 << 0)
#define ICC_SRE_ENABLE		(1 << 3)
#define SCTLR_EL1_RES1		0x30d00800
#define SPSR_EL1H_MASKED	0x3c5

#define SCTLR_M			(1 << 0)
#define SCTLR_A			(1 << 1)
#define SCTLR_C			(1 << 2)
#define SCTLR_I			(1 << 12)

#endif
