# mlpipe: a plain GNU Makefile.  `make`, `make check`, `make install`,
# `make demo`, `make bench`, `make clean`; `make check SANITIZE=1` builds
# with AddressSanitizer and UBSan into build-sanitize/.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=

CC ?= cc
CFLAGS ?= -O2 -g
BLAS_CFLAGS := $(shell pkg-config --cflags openblas 2>/dev/null)
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck)

# OpenMP runs the data-parallel loops (lib/math/ml_parallel.h).
OPENMP ?= -fopenmp
ML_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Ilib $(BLAS_CFLAGS) $(OPENMP) -MMD -MP
ML_LIBS := -lcsv -lxxhash -lz -lzstd -lm -lpthread
ML_LDFLAGS := $(OPENMP)
# HTTP (libmicrohttpd) and JSON (cJSON) are linked only where they are used
# (ml-serve, and the tests and fuzzers of its request parsing): the other
# programs stay small and start fast.
JSON_CFLAGS := $(shell pkg-config --cflags libcjson 2>/dev/null)
JSON_LIBS := $(shell pkg-config --libs libcjson 2>/dev/null || echo -lcjson)
HTTP_CFLAGS := $(shell pkg-config --cflags libmicrohttpd 2>/dev/null)
HTTP_LIBS := $(shell pkg-config --libs libmicrohttpd 2>/dev/null || echo -lmicrohttpd)
ML_CFLAGS += $(JSON_CFLAGS) $(HTTP_CFLAGS)

ifeq ($(SANITIZE),1)
BUILD ?= build-sanitize
# A sanitizer report must fail the run, never pass as an expected exit 1.
export ASAN_OPTIONS ?= abort_on_error=1
export UBSAN_OPTIONS ?= abort_on_error=1:halt_on_error=1
ML_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
ML_LDFLAGS += -fsanitize=address,undefined
else
BUILD ?= build
endif

LIB_SRC := $(wildcard lib/*/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
LIBRARY := $(BUILD)/libmlpipe.a
CLI_OBJ := $(BUILD)/cmd/cli.o $(BUILD)/cmd/plot.o
PROGRAMS := $(patsubst cmd/%.c,$(BUILD)/%,$(wildcard cmd/ml-*.c))
# Programs written in Python, copied beside the others: ml-from-sklearn (numpy and
# scikit-learn), ml-import (the standard library only).
SCRIPTS := $(BUILD)/ml-from-sklearn $(BUILD)/ml-import
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))
MAN_PAGES := $(wildcard man/man1/*.1 man/man5/*.5 man/man7/*.7)

# Keep objects between runs: a second `make` has nothing to do.
.SECONDARY:

.PHONY: fuzz fuzz-replay all check layers-check unit-check cli-check install uninstall demo bench clean deps number-stress

all: $(PROGRAMS) $(SCRIPTS)

$(BUILD)/ml-%: scripts/ml-%
	@mkdir -p $(dir $@)
	cp $< $@ && chmod 755 $@

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ML_CFLAGS) $(CFLAGS) -c $< -o $@

$(LIBRARY): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/ml-%: $(BUILD)/cmd/ml-%.o $(CLI_OBJ) $(LIBRARY)
	$(CC) $(CFLAGS) $(ML_LDFLAGS) $(LDFLAGS) -o $@ $^ $(ML_LIBS)

$(BUILD)/ml-serve: ML_LIBS += $(HTTP_LIBS) $(JSON_LIBS)
$(BUILD)/tests/test_request: ML_LIBS += $(HTTP_LIBS) $(JSON_LIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIBRARY)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(ML_LDFLAGS) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(ML_LIBS)

check: deps
	$(MAKE) layers-check unit-check cli-check fuzz-replay

# No file in lib/ includes a header from a layer above its own (lib/README.md).
layers-check:
	@sh scripts/check-layers.sh

# Check's timeouts catch hangs, not slowness: a sanitizer build on a busy
# machine runs some tests ten times slower than usual.
unit-check: $(UNIT_TESTS)
	@failed=0; for t in $(UNIT_TESTS); do \
		CK_TIMEOUT_MULTIPLIER=$${CK_TIMEOUT_MULTIPLIER:-10} $$t || failed=1; done; exit $$failed

cli-check: $(PROGRAMS) $(SCRIPTS)
	@BIN=$(abspath $(BUILD)) sh tests/cli/run.sh

install: $(PROGRAMS) $(SCRIPTS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7
	install -m 755 $(PROGRAMS) $(SCRIPTS) $(DESTDIR)$(BINDIR)
	for page in $(MAN_PAGES); do \
		section=$${page##*.}; install -m 644 $$page $(DESTDIR)$(MANDIR)/man$$section; done

uninstall:
	for p in $(notdir $(PROGRAMS) $(SCRIPTS)); do rm -f $(DESTDIR)$(BINDIR)/$$p; done
	for page in $(MAN_PAGES); do \
		section=$${page##*.}; rm -f $(DESTDIR)$(MANDIR)/man$$section/$$(basename $$page); done

deps:
	sh scripts/install-deps.sh

demo: deps
	$(MAKE) all
	BIN=$(abspath $(BUILD)) sh scripts/demo.sh

bench: $(PROGRAMS)
	/usr/bin/python3 scripts/bench.py --bin $(abspath $(BUILD)) $(BENCH_ARGS)

# Long randomized check of number parsing/printing against strtod/printf.
number-stress: $(BUILD)/number-stress
	$(BUILD)/number-stress 100000000 1

$(BUILD)/number-stress: tests/unit/number_stress.c $(LIBRARY)
	$(CC) $(ML_CFLAGS) $(CFLAGS) $(ML_LDFLAGS) -o $@ $< $(LIBRARY) $(ML_LIBS)

# Fuzzing: `make fuzz` runs libFuzzer (clang) on each reader for FUZZ_TIME
# seconds; `make check` replays the committed corpora (tests/fuzz/corpus).
FUZZERS := csv binary pipefile apply eval request npy libsvm
FUZZ_REPLAY := $(FUZZERS:%=$(BUILD)/fuzz/replay_%)
FUZZ_CC ?= clang
FUZZ_TIME ?= 60
FUZZ_BUILD := build-fuzz
# Fuzzing runs single-threaded (ml_parallel.h): no OpenMP runtime to link.
FUZZ_CFLAGS := $(filter-out $(OPENMP),$(ML_CFLAGS)) -Wno-unknown-pragmas
FUZZ_FLAGS := -g -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined

$(BUILD)/fuzz/replay_%: $(BUILD)/tests/fuzz/replay.o $(BUILD)/tests/fuzz/fuzz_%.o $(LIBRARY)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(ML_LDFLAGS) $(LDFLAGS) -o $@ $^ $(ML_LIBS)

$(BUILD)/fuzz/replay_request: ML_LIBS += $(JSON_LIBS)

fuzz-replay: $(FUZZ_REPLAY)
	@failed=0; for f in $(FUZZERS); do \
		$(BUILD)/fuzz/replay_$$f tests/fuzz/corpus/$$f || failed=1; done; exit $$failed

$(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/tests/fuzz/fuzz_%.o $(LIB_SRC:%.c=$(FUZZ_BUILD)/%.o)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $^ $(ML_LIBS) $(HTTP_LIBS) $(JSON_LIBS)

fuzz: $(FUZZERS:%=$(FUZZ_BUILD)/fuzz_%)
	@for f in $(FUZZERS); do mkdir -p $(FUZZ_BUILD)/corpus/$$f && \
		$(FUZZ_BUILD)/fuzz_$$f -max_total_time=$(FUZZ_TIME) -timeout=10 -max_len=8192 \
			-dict=tests/fuzz/$$f.dict -artifact_prefix=$(FUZZ_BUILD)/crash-$$f- \
			$(FUZZ_BUILD)/corpus/$$f tests/fuzz/corpus/$$f || exit 1; done

clean:
	rm -rf build build-sanitize build-clang build-fuzz

-include $(FUZZ_REPLAY:$(BUILD)/fuzz/replay_%=$(BUILD)/tests/fuzz/fuzz_%.d) $(BUILD)/tests/fuzz/replay.d
-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(PROGRAMS:$(BUILD)/%=$(BUILD)/cmd/%.d)
-include $(UNIT_TESTS:$(BUILD)/tests/%=$(BUILD)/tests/unit/%.d)
