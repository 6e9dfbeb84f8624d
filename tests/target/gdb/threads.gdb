# Thread awareness through tools/takt_gdbproxy.py: every Takt thread is a gdb
# thread with its name, state and parameters, and switched-out threads unwind
# from the frame their context switch left.
break gdb_checkpoint
continue
info threads
thread apply all bt
