# Runtime: an OCI runtime, drop-in for runc, one native-AOT binary.
# `make run-example` builds everything and runs bundles/busybox; `make test` runs every test.

SHELL := /bin/bash
DOTNET ?= dotnet
OUT := out
BIN := $(OUT)/runtime
REV := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
SRC := $(shell find src -name '*.cs' -o -name '*.csproj' -o -name '*.c' -o -name '*.h') Directory.Build.props
TEST_FLAGS ?=
ROOT_EXAMPLE ?= /run/runtime-example

.PHONY: all build bundles run-example test test-unit test-spec test-cgroup2 bench clean

all: build bundles

build: $(BIN)

$(BIN): $(SRC)
	$(DOTNET) publish src/Runtime -c Release -o $(OUT) -p:SourceRevisionId=$(REV) -nologo -v:q -clp:ErrorsOnly
	@rm -f $(OUT)/*.dbg

# The busybox rootfs is made from Debian's busybox-static, never committed.
bundles: bundles/busybox/rootfs/bin/busybox

bundles/busybox/rootfs/bin/busybox: bundles/make-rootfs.sh
	bash bundles/make-rootfs.sh bundles/busybox/rootfs

run-example: build bundles
	$(BIN) --root $(ROOT_EXAMPLE) run --bundle bundles/busybox example-$$$$

test: build bundles
	bash tests/run-all.sh $(TEST_FLAGS)

test-unit: build
	bash tests/run-all.sh --unit $(TEST_FLAGS)

test-spec: build bundles
	bash tests/run-all.sh --spec $(TEST_FLAGS)

# Our runtime vs runc vs crun; writes bench/results/ (docs/benchmarks.md). Not part of `make test`.
bench: build bundles
	bash bench/bench.sh

# Real clients (containerd 1.6 + ctr, podman 4.3 + conmon) against out/runtime; needs
# tests/clients/install-deps.sh. CLIENTS_FLAGS e.g. --runtime runc, --filter ctr/, --bench.
.PHONY: test-clients
test-clients: build
	bash tests/clients/run.sh $(CLIENTS_FLAGS)

clean:
	rm -rf $(OUT) bundles/busybox/rootfs
	find . -name bin -o -name obj | grep -E '/(bin|obj)$$' | xargs rm -rf

# Pure cgroup v2 lane: the cgroup tests inside a qemu guest booted with cgroup_no_v1=all.
test-cgroup2: build bundles
	bash tests/cgroup2/run.sh

# A long config fuzz run (make test runs 600 mutations; this runs FUZZ_ITERATIONS, default 20000).
FUZZ_ITERATIONS ?= 20000
fuzz: build bundles
	FUZZ_ITERATIONS=$(FUZZ_ITERATIONS) unshare -m --propagation private dotnet test spec-tests/Runtime.SpecTests --filter "FullyQualifiedName~Fuzz" --logger "console;verbosity=normal"
