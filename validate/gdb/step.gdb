# stepi across the svc instruction: pc advances by 4, x7 not clobbered
set pagination off
set confirm off
set startup-with-shell off
set args step
break *&svc_site
run
printf "before: pc=svc_site+%ld x8=%ld x0=%ld x7=%#lx\n", $pc - (long)&svc_site, $x8, $x0, $x7
stepi
printf "after: pc=svc_site+%ld x8=%ld x0=%ld x7=%#lx\n", $pc - (long)&svc_site, $x8, $x0, $x7
continue
