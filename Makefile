# kstall: which kernel mechanism is making my service slow, and who is causing it.
#
#   make run    install missing packages, build, run ./kstall
#   make test   the same, then every test (unit, fixture, integration, BPF)
#   make deps   install missing Debian/Ubuntu packages only
#   make bench [ROUNDS=5] [SECONDS=5]   the benchmark suite (root; bench/run)
#   make install [PREFIX=/usr/local] [DESTDIR=]

VERSION    := 0.1.0
PREFIX     ?= /usr/local
DESTDIR    ?=
CC         ?= cc
CLANG      ?= clang
BPFTOOL    ?= $(shell command -v bpftool 2>/dev/null || echo /usr/sbin/bpftool)
# vmlinux.h is generated at build time from this BTF file (see README).
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
ARCH       := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' -e 's/ppc64le/powerpc/' -e 's/s390x/s390/')

PKGS       := libbpf json-c
CFLAGS_PKG  = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS_PKG    = $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lbpf -ljson-c)

WARN       := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral -Wno-format-truncation
CFLAGS     ?= -O2 -g
CFLAGS     += -std=gnu11 $(WARN) -D_GNU_SOURCE -DKSTALL_VERSION='"$(VERSION)"' -Ibuild $(CFLAGS_PKG)
LDLIBS     := $(LIBS_PKG) -lelf -lz -lpthread -lm
SANFLAGS   := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

# What only bench/ uses (bench/run and the peers it compares kstall with);
# in DEB_DEPS too, for CI's smoke run of the suite (tests/unit/test_bench.c).
BENCH_DEPS := bpftrace libbpf-tools sysstat time python3

# Debian package names that `make deps` installs when missing.
DEB_DEPS   := gcc make pkg-config clang llvm libclang-rt-dev bpftool libbpf-dev libelf-dev \
              zlib1g-dev libjson-c-dev libcmocka-dev tar gzip iproute2 coreutils \
              libfuse3-dev fuse3 linux-perf procps e2fsprogs \
              stress-ng xz-utils zstd fio redis-server redis-tools fuse-overlayfs \
              $(BENCH_DEPS)

LIB_SRCS   := $(sort $(wildcard src/lib/*.c src/proc/*.c src/collect/*.c src/model/*.c \
                src/detect/*.c src/render/*.c src/kb/*.c src/cmd/*.c src/trace/*.c src/record/*.c))
BPF_SRCS   := $(wildcard src/bpf/*.bpf.c)
SKELS      := $(patsubst src/bpf/%.bpf.c,build/%.skel.h,$(BPF_SRCS))
# Headers made at build time: syscall names from the libc's <sys/syscall.h>.
GEN_HDRS   := build/syscall_names.h
OBJS       := $(patsubst src/%.c,build/obj/%.o,$(LIB_SRCS))
ASAN_OBJS  := $(patsubst src/%.c,build/asan/%.o,$(LIB_SRCS))
HDRS       := $(wildcard src/*/*.h)

UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(patsubst tests/unit/%.c,build/tests/%,$(UNIT_SRCS))
HELPERS    := $(patsubst tests/helpers/%.c,build/tests/helpers/%,$(wildcard tests/helpers/*.c)) \
              build/bench/pingpong
PARSER_SRCS := $(wildcard src/proc/*.c) src/lib/util.c src/model/vma.c
RECORDING_SRCS := src/record/recfile.c src/collect/traced.c src/model/pattern.c src/lib/util.c
# Fuzz targets: tests/fuzz/fuzz_NAME.c, each linking FUZZ_SRCS_fuzz_NAME and
# FUZZ_LIBS_fuzz_NAME, seeded by tests/fuzz/seed-NAME.sh (tests/fuzz/run.sh).
FUZZ_BINS  := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SEEDERS := build/fuzz/seed_recording
FUZZ_SRCS_fuzz_parsers := $(PARSER_SRCS)
FUZZ_SRCS_fuzz_recording := $(RECORDING_SRCS)
FUZZ_LIBS_fuzz_recording := $(LIBS_PKG) -lz -lm
TREE_SRCS  := $(sort $(wildcard src/lib/*.c src/proc/*.c src/collect/*.c src/model/*.c src/detect/*.c \
                src/render/*.c src/kb/*.c))
FUZZ_SRCS_fuzz_tree := $(TREE_SRCS)
FUZZ_LIBS_fuzz_tree := $(LIBS_PKG) -lz -lm -lpthread
FUZZ_SECONDS ?= 20
REAL_FIXTURES ?= ../shared/fixtures/real

# V=1 shows full commands.
ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-8s %s\n' $(1) $(2)
endif

.PHONY: all run test deps install clean fuzz golden check-deps bench
.DELETE_ON_ERROR:

all: kstall

deps:
	@./tools/deps.sh $(DEB_DEPS)

run: deps
	@$(MAKE) --no-print-directory kstall
	./kstall $(ARGS)

test: deps
	@$(MAKE) --no-print-directory check-deps
	@$(MAKE) --no-print-directory kstall build/kstall-asan $(UNIT_BINS) $(HELPERS) $(FUZZ_BINS) $(FUZZ_SEEDERS)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) REAL_FIXTURES=$(REAL_FIXTURES) ./tests/run.sh

# The benchmark suite (bench/run): throughput of each workload with
# nothing, an empty-program floor, the peers and kstall, interleaved over
# ROUNDS rounds of SECONDS each, per-program BPF cost and check against
# cat; results in bench/results/DATE-HOST.{json,md}. Root.
ROUNDS  ?= 5
SECONDS ?= 5
bench:
	@./tools/deps.sh $(BENCH_DEPS)
	@$(MAKE) --no-print-directory kstall build/bench/pingpong build/bench/floor build/tests/helpers/nss_probe \
		build/tests/helpers/sleepers
	./bench/run --rounds $(ROUNDS) --seconds $(SECONDS)

# Layering: detectors, renderers and the model they read see struct inputs
# (src/model/inputs.h) only. Nothing they include, directly or through
# another header, may reach the sysroot (file access), the collector or the
# tracer; `make test` checks it first.
LAYER_SRCS   := $(sort $(wildcard src/detect/*.[ch] src/render/*.[ch] src/model/*.[ch]))
LAYER_BANNED := lib/sysroot.h collect/collect.h trace/trace.h
check-deps:
	$(call msg,CHECK,detect/render/model-includes)
	$(Q)bad=0; for f in $(LAYER_SRCS); do \
		deps=$$($(CC) $(CFLAGS) -MM -MT x -x c $$f) || exit 1; \
		for h in $(LAYER_BANNED); do \
			case "$$deps" in *"$$h"*) bad=1; \
				echo "$$f reaches src/$$h: a detector, renderer or model file sees struct inputs only" >&2;; \
			esac; \
		done; \
	done; exit $$bad

# Golden outputs (tests/golden): rewrite them from the current build, for a
# reviewed change to what kstall prints. `git diff tests/golden` shows it.
golden: build/kstall-asan build/tests/test_golden
	@mkdir -p tests/golden
	@KSTALL_GOLDEN=update ./build/tests/test_golden

# libFuzzer: every tests/fuzz/fuzz_*.c target for FUZZ_SECONDS each, seeded
# from the real captures and kstall's own writer:
#   make fuzz [FUZZ_SECONDS=600]
fuzz: $(FUZZ_BINS) $(FUZZ_SEEDERS)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) REAL_FIXTURES=$(REAL_FIXTURES) ./tests/fuzz/run.sh $(notdir $(FUZZ_BINS))

.SECONDEXPANSION:
build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $$(FUZZ_SRCS_fuzz_$$*) $(HDRS) $(GEN_HDRS)
	@mkdir -p $(@D)
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) -std=gnu11 -g -O1 -Wall -Wextra -Werror -D_GNU_SOURCE -DKSTALL_VERSION='"$(VERSION)"' -Isrc -Ibuild $(CFLAGS_PKG) \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined $< $(FUZZ_SRCS_$(@F)) -o $@ \
		$(FUZZ_LIBS_$(@F))

build/fuzz/seed_recording: tests/fuzz/seed_recording.c $(RECORDING_SRCS) $(HDRS) $(GEN_HDRS)
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) -std=gnu11 -O1 -g $(WARN) -D_GNU_SOURCE -Isrc -Ibuild $(CFLAGS_PKG) $< $(RECORDING_SRCS) -o $@ \
		$(LIBS_PKG) -lz -lm

# ---- BPF pipeline: vmlinux.h -> .bpf.o -> skeleton ----
build/vmlinux.h:
	@mkdir -p build
	@test -r $(VMLINUX_BTF) || { echo "kstall: $(VMLINUX_BTF) not readable: the build needs kernel BTF (CONFIG_DEBUG_INFO_BTF) or VMLINUX_BTF=path" >&2; exit 1; }
	$(call msg,VMLINUX,$@)
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp && mv $@.tmp $@

build/bpf/%.bpf.o: src/bpf/%.bpf.c $(wildcard src/bpf/*.h) build/vmlinux.h
	@mkdir -p $(@D)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Ibuild -Isrc/bpf -c $< -o $@

build/%.skel.h: build/bpf/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $*_bpf > $@.tmp && mv $@.tmp $@

# ---- C ----
build/syscall_names.h:
	@mkdir -p build
	$(call msg,GEN,$@)
	$(Q)echo '#include <sys/syscall.h>' | $(CC) -D_GNU_SOURCE -dM -E - | \
		sed -n 's/^#define SYS_\([a-z0-9_]*\) .*/S(\1)/p' | sort -u > $@.tmp && mv $@.tmp $@

build/obj/%.o: src/%.c $(HDRS) $(SKELS) $(GEN_HDRS)
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

build/asan/%.o: src/%.c $(HDRS) $(SKELS) $(GEN_HDRS)
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -O1 $(SANFLAGS) -c $< -o $@

kstall: src/main.c $(OBJS) $(HDRS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) src/main.c $(OBJS) -o $@ $(LDFLAGS) $(LDLIBS)

build/kstall-asan: src/main.c $(ASAN_OBJS) $(HDRS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -O1 $(SANFLAGS) src/main.c $(ASAN_OBJS) -o $@ $(LDFLAGS) $(LDLIBS)

build/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(ASAN_OBJS) $(HDRS)
	@mkdir -p $(@D)
	$(call msg,TEST,$@)
	$(Q)$(CC) $(CFLAGS) -O1 $(SANFLAGS) -Isrc $< $(ASAN_OBJS) -o $@ $(LDFLAGS) $(LDLIBS) -lcmocka

FUSE_HELPERS := build/tests/helpers/slowfs build/tests/helpers/stuckfs
$(FUSE_HELPERS): build/tests/helpers/%: tests/helpers/%.c
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE $$(pkg-config --cflags fuse3) $< -o $@ \
		$$(pkg-config --libs fuse3)

build/tests/helpers/%: tests/helpers/%.c
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE $< -o $@ -lpthread

build/bench/pingpong: bench/pingpong.c
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE $< -o $@

# bench/: the floor (empty tp_btf programs) that bench/run measures against.
build/bench/floor.skel.h: bench/floor.bpf.c build/vmlinux.h
	@mkdir -p build/bench
	$(call msg,BPF,$@)
	$(Q)$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Ibuild -c $< -o build/bench/floor.bpf.o
	$(Q)$(BPFTOOL) gen skeleton build/bench/floor.bpf.o name floor_bpf > $@.tmp && mv $@.tmp $@

build/bench/floor: bench/floor.c build/bench/floor.skel.h
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Ibuild/bench $< -o $@ $(LDLIBS)

install: kstall
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/doc/kstall
	install -m 0755 kstall $(DESTDIR)$(PREFIX)/bin/kstall
	install -m 0644 README.md $(DESTDIR)$(PREFIX)/share/doc/kstall/README.md
	cp -r docs $(DESTDIR)$(PREFIX)/share/doc/kstall/

clean:
	rm -rf build kstall
.SECONDARY:
