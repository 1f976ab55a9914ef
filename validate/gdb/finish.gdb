# finish out of a blocking read interrupted by a signal (no SA_RESTART)
set pagination off
set confirm off
set startup-with-shell off
handle SIGALRM nostop print pass
set args read
break blocking_read
run
finish
printf "after finish: got_alarm=%d x0=%ld\n", got_alarm, $x0
continue
