# arm64 syscall exit path series: build, boot and test it under QEMU.
#
#   make run      build base and series kernels (debug and prod configs),
#                 run the kselftests on each under qemu, compare
#   make check    the gate: harness tests, the series applies and is
#                 checkpatch clean, `run`, and every patch on its own
#
# Smaller steps: deps tree export build selftests test-harness outgoing
# Evidence: bisect bench validate cover rangediff selftests-6.12 conformance
# mutants
# BASE=<kernel git tree | source dir | tarball> uses your own base;
# SERIES=<git tree>:<base>..<branch> tests a branch of your own tree.
# PIECES=strace (or churn,gdb,...) narrows make validate.
# ARGS="..." passes options to the verb: make run ARGS="--configs debug
# --tests exit-path" is the inner loop.  python3 -m harness <verb> --help
# lists each verb's options.

PYTHON ?= python3
H = $(PYTHON) -m harness

.PHONY: run check check-quick deps tree export build selftests bench cover validate \
	test-harness outgoing clean distclean help rangediff selftests-6.12 \
	conformance bisect mutants

run:
	$(H) run $(ARGS)

check:
	$(H) check $(ARGS)

check-quick:
	$(H) check --quick $(ARGS)

deps:
	$(H) deps $(ARGS)

tree: deps
	$(H) tree $(ARGS)

export:
	$(H) export $(ARGS)

build: deps
	$(H) build $(ARGS)

selftests: deps
	$(H) selftests $(ARGS)

test-harness:
	$(PYTHON) -m unittest discover -s tests -t .

outgoing: deps
	$(H) outgoing $(ARGS)

clean:
	rm -rf out

distclean: clean
	$(PYTHON) -m harness.tree may-delete
	rm -rf build

help:
	@sed -n '1,/^$$/p' Makefile
	@$(H) --help

bisect: deps
	$(H) bisect $(ARGS)

bench: deps
	$(H) bench $(ARGS)

cover:
	$(H) cover $(ARGS)

rangediff: deps
	$(H) rangediff $(ARGS)

conformance: deps
	$(H) conformance $(ARGS)

selftests-6.12: deps
	$(H) selftests-6.12 $(ARGS)

validate: deps
	$(H) validate $(if $(PIECES),--pieces $(PIECES)) $(ARGS)

mutants: deps
	$(H) mutants $(ARGS)
