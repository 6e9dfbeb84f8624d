# ./takt debug --batch: QEMU starts halted; a breakpoint on main is reached and
# gdb unwinds main to the kernel's thread entry (no '??' frames).
break main
continue
bt
info registers pc
