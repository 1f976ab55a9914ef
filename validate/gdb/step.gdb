# stepi across the svc instruction: pc advances by 4, x7 not clobbered
set pagination off
set confirm off
set startup-with-shell off
set args step
break *&svc_site
run
echo --- before stepi\n
p/x $pc - (long)&svc_site
p $x8
p $x0
p/x $x7
stepi
echo --- after stepi\n
p/x $pc - (long)&svc_site
p $x8
p $x0
p/x $x7
continue
