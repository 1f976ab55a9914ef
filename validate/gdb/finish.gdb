# finish out of a blocking read interrupted by a signal (no SA_RESTART)
set pagination off
set confirm off
set startup-with-shell off
handle SIGALRM nostop print pass
set args read
break blocking_read
run
finish
p got_alarm
p/x x7_after
continue
