# catch syscall getppid: entry and exit stops, x8/x0/x7 at each
set pagination off
set confirm off
set startup-with-shell off
set args getppid
catch syscall getppid
run
printf "entry: x8=%ld x0=%#lx x7=%#lx pc=svc_site+%ld\n", $x8, $x0, $x7, $pc - (long)&svc_site
continue
printf "exit: x8=%ld x0=%ld x7=%#lx pc=svc_site+%ld\n", $x8, $x0, $x7, $pc - (long)&svc_site
continue
