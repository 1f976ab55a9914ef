# arm64 syscall exit path series: build, boot and test it under QEMU.
#
#   make run      build base and series kernels (debug and prod configs),
#                 run the kselftests on each under qemu, compare
#   make check    the gate: harness tests, the series applies and is
#                 checkpatch clean, `run`, and every patch on its own
#
# Smaller steps: deps tree export build selftests test-harness outgoing
# Evidence: bench validate cover rangediff selftests-6.12
# BASE=<kernel git tree | source dir | tarball> uses your own base.
# PIECES=strace (or churn,gdb,...) narrows make validate.

PYTHON ?= python3
H = $(PYTHON) -m harness

.PHONY: run check check-quick deps tree export build selftests bench cover validate \
	test-harness outgoing clean distclean help rangediff selftests-6.12

run:
	$(H).run

check:
	$(H).check

check-quick:
	$(H).check --quick

deps:
	$(H).deps

tree: deps
	$(H).tree apply

export:
	$(H).tree export

build: deps
	$(H).kbuild

selftests: deps
	$(H).selftests

test-harness:
	$(PYTHON) -m unittest discover -s tests -t .

outgoing: deps
	$(H).outgoing

clean:
	rm -rf out

distclean: clean
	rm -rf build

help:
	@sed -n '1,/^$$/p' Makefile

bench: deps
	$(H).bench

cover:
	$(H).cover

rangediff: deps
	$(H).rangediff

selftests-6.12: deps
	$(H).oldbase

validate: deps
	$(H).validate $(if $(PIECES),--pieces $(PIECES))
