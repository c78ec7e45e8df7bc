# SPDX-License-Identifier: GPL-2.0
# iopgt top-level commands. The kernel matrix lives in scripts/ (see README).
#
#   make test [TARGETS="sid-arm64 trixie-amd64"]   host unit tests + VM matrix
#   make demo [DEMO_TARGET=sid-arm64]               CLI session in a VM
#   make vm-shell TARGET=sid-arm64                   interactive VM shell
#   make vm-run TARGET=sid-arm64 RUN=script.sh [FILES="a b"]
#   make soak [SOAK_SECONDS=3600] [TARGETS=...]      the matrix with a long fuzz run
#   make targets                                     list valid target names

TARGETS ?=
DEMO_TARGET ?= sid-arm64
TARGET ?=
RUN ?=
FILES ?=
SOAK_SECONDS ?= 3600

.PHONY: all test soak demo vm-shell vm-run targets shellcheck clean

all: test

test:
	scripts/matrix.sh test $(TARGETS)

# The whole suite with the fuzzer running SOAK_SECONDS per kernel; the
# per-test, per-program and per-VM time limits grow to match.
soak:
	IOPGT_FUZZ_SECONDS=$(SOAK_SECONDS) \
	IOPGT_TEST_TIMEOUT_SCALE=$$(( $(SOAK_SECONDS) / 500 + 1 )) \
	IOPGT_TEST_TIMEOUT=$$(( $(SOAK_SECONDS) + 600 )) \
	IOPGT_VM_TIMEOUT=$$(( $(SOAK_SECONDS) + 2400 )) \
	scripts/matrix.sh test $(TARGETS)

demo:
	scripts/matrix.sh run $(DEMO_TARGET) scripts/demo.sh

vm-shell:
	@test -n "$(TARGET)" || { echo "usage: make vm-shell TARGET=<target>; targets:" >&2; scripts/targets.sh >&2; exit 2; }
	scripts/matrix.sh shell $(TARGET)

vm-run:
	@test -n "$(TARGET)" && test -n "$(RUN)" || { echo "usage: make vm-run TARGET=<target> RUN=<script> [FILES=...]; targets:" >&2; scripts/targets.sh >&2; exit 2; }
	scripts/matrix.sh run $(TARGET) $(RUN) $(FILES)

targets:
	@scripts/targets.sh

shellcheck:
	shellcheck -x scripts/*.sh .ci/run

clean:
	rm -rf build
