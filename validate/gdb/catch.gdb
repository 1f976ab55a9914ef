# catch syscall getppid: entry and exit stops, x8/x0/x7 at each
set pagination off
set confirm off
set startup-with-shell off
set args getppid
catch syscall getppid
run
echo --- entry stop\n
p $x8
p/x $x0
p/x $x7
p/x $pc - (long)&svc_site
continue
echo --- exit stop\n
p $x8
p $x0
p/x $x7
p/x $pc - (long)&svc_site
continue
