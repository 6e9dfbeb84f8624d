/* The board DTB, compiled by dtc at build time: used when the boot loader
 * passes none, or one that does not validate. */
	.section .rodata.board_dtb, "a"
	.balign	8
	.global	board_dtb, board_dtb_end
board_dtb:
#define STR_(x) #x
#define STR(x) STR_(x)
	.incbin	STR(TAKT_DTB_PATH)
board_dtb_end:
