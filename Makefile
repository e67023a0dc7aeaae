# Makefile of the grader. `make demo` and `make check` are the two commands
# of the README; both install what is missing first (`make deps`).
#
#   make              build grader/grader (and libgrader.a)
#   make deps         install missing Debian packages (scripts/install-deps.sh)
#   make demo         build, then grade the sample submissions into reports/
#   make check        every test suite; ends with "N passed, N failed"
#   make unit         the Check unit tests only
#   make SANITIZE=address unit   the unit tests under ASan+UBSan
#   make valgrind     the unit tests under valgrind memcheck
#   make gradescope EXERCISE=x   the Gradescope autograder zip of exercise x
#   make fuzz         libFuzzer on the spec parser and the tool-log parser
#                     for FUZZ_SECONDS (default 600), seeded from the repo
#   make bench        batch grading speed and memory -> bench/results.md
#   make format       clang-format the sources
#   make clean

CC      ?= cc
PKGS    := yaml-0.1 jansson libarchive libcrypto
# the unit tests also read PNG screenshots (summary.html rendered by Chromium)
TEST_PKGS := check libpng
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

WARN    := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral
HARDEN  := -D_FORTIFY_SOURCE=2 -fstack-protector-strong
CFLAGS  ?= -O2 -g
ALL_CFLAGS = -std=gnu11 $(WARN) $(HARDEN) $(CFLAGS) \
	-DGRADER_VERSION='"$(VERSION)"' \
	$(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS    = $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lyaml -ljansson -larchive -lcrypto) -lpthread -lrt -lm

ifdef SANITIZE
ALL_CFLAGS += -fsanitize=$(SANITIZE),undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDSAN      := -fsanitize=$(SANITIZE),undefined
BUILD      := build/san-$(SANITIZE)
else
BUILD      := build/default
endif

LIB_SRC  := $(filter-out grader/main.c,$(wildcard grader/*.c))
LIB_OBJ  := $(patsubst grader/%.c,$(BUILD)/%.o,$(LIB_SRC))
TEST_SRC := $(wildcard grader/tests/check_*.c)
TEST_OBJ := $(patsubst grader/tests/%.c,$(BUILD)/tests/%.o,$(TEST_SRC))

GRADER   := grader/grader
ifdef SANITIZE
GRADER   := $(BUILD)/grader
endif

.PHONY: all deps demo check unit valgrind fuzz format clean fixtures-check bench

all: $(GRADER)

deps:
	@bash scripts/install-deps.sh

$(BUILD)/%.o: grader/%.c grader/*.h | $(BUILD)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/tests/%.o: grader/tests/%.c grader/*.h grader/tests/*.h $(BUILD)/tests/suites.h | $(BUILD)
	$(CC) $(ALL_CFLAGS) $(shell pkg-config --cflags $(TEST_PKGS)) -I grader -I $(BUILD)/tests -c $< -o $@

$(BUILD):
	@mkdir -p $(BUILD)/tests

$(BUILD)/libgrader.a: $(LIB_OBJ)
	ar rcs $@ $^

$(GRADER): $(BUILD)/main.o $(BUILD)/libgrader.a
	$(CC) $(LDSAN) -o $@ $^ $(LIBS)

# Every tests/check_*.c defines one or more `Suite *make_<x>_suite(void)`;
# the runner's list is generated so that adding a suite touches one file.
$(BUILD)/tests/suites.h: $(TEST_SRC) | $(BUILD)
	@grep -ho 'Suite \*make_[a-z0-9_]*_suite(void)' $(TEST_SRC) | sort -u | \
		sed 's/Suite \*\(make_[a-z0-9_]*_suite\)(void)/SUITE(\1)/' > $@.tmp
	@if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi

$(BUILD)/check_grader: $(TEST_OBJ) $(BUILD)/libgrader.a
	$(CC) $(LDSAN) -o $@ $(TEST_OBJ) $(BUILD)/libgrader.a $(LIBS) $(shell pkg-config --libs $(TEST_PKGS))

# Small programs the runner's tests spawn (sleepers, forkers, floods, ...).
# progs/asan_*.c are built with AddressSanitizer, progs/tsan_*.c with TSan.
PROG_SRC := $(wildcard grader/tests/progs/*.c)
PROGS    := $(patsubst grader/tests/progs/%.c,$(BUILD)/progs/%,$(PROG_SRC))
PROG_CFLAGS = -std=gnu11 -O1 -g -Wall -pthread

# The schedule-perturbation library preloaded into students' programs
# (grader/runtime/perturb.c): its own shared object, never sanitized (it
# runs in the student's process, not the grader's), never in libgrader.a.
# Built by `all`, and with the test programs (its tests preload it).
PERTURB  := $(BUILD)/runtime/perturb.so
ALL_CFLAGS += -DGRADER_PERTURB_SO='"$(abspath $(PERTURB))"'
$(PERTURB): grader/runtime/perturb.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(WARN) -O2 -g -fPIC -shared -fvisibility=hidden -pthread -o $@ $< -ldl
PROGS    += $(PERTURB)
all: $(PERTURB)

$(BUILD)/progs/asan_%: grader/tests/progs/asan_%.c
	@mkdir -p $(dir $@)
	$(CC) $(PROG_CFLAGS) -fsanitize=address,undefined -fno-omit-frame-pointer -o $@ $< -lrt
$(BUILD)/progs/tsan_%: grader/tests/progs/tsan_%.c
	@mkdir -p $(dir $@)
	$(CC) $(PROG_CFLAGS) -fsanitize=thread -o $@ $< -lrt
$(BUILD)/progs/%: grader/tests/progs/%.c
	@mkdir -p $(dir $@)
	$(CC) $(PROG_CFLAGS) -o $@ $< -lrt

TEST_ENV = GRADER_BIN=$(abspath $(GRADER)) GRADER_TEST_PROGS=$(abspath $(BUILD)/progs) \
	GRADER_ROOT=$(abspath .)

unit: $(BUILD)/check_grader $(GRADER) $(PROGS)
	cd grader/tests && $(TEST_ENV) $(abspath $(BUILD)/check_grader)

valgrind: $(BUILD)/check_grader $(GRADER) $(PROGS)
	cd grader/tests && CK_FORK=no $(TEST_ENV) valgrind -q --error-exitcode=99 \
		--leak-check=full --errors-for-leak-kinds=definite $(abspath $(BUILD)/check_grader)

demo: deps
	@$(MAKE) --no-print-directory all
	@bash scripts/demo.sh

check: deps
	@$(MAKE) --no-print-directory all
	@bash scripts/check-all.sh

# The Gradescope autograder zip of one exercise (docs/gradescope.md):
# build/gradescope/<exercise>-autograder.zip
.PHONY: gradescope
gradescope:
	@test -n "$(EXERCISE)" || { echo "usage: make gradescope EXERCISE=<exercise name>" >&2; exit 2; }
	@$(MAKE) --no-print-directory all
	@bash scripts/gradescope/build.sh "$(EXERCISE)"
# libFuzzer targets: the library rebuilt with clang and ASan (plus the
# fuzzer's coverage hooks), linked with grader/fuzz/fuzz_<x>.c.
FUZZ          := build/fuzz
FUZZ_CC       := clang
FUZZ_CFLAGS    = -std=gnu11 $(WARN) -O1 -g -fno-omit-frame-pointer \
	-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
	-DGRADER_VERSION='"$(VERSION)"' $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
FUZZ_OBJ := $(patsubst grader/%.c,$(FUZZ)/%.o,$(LIB_SRC))
FUZZ_SECONDS ?= 600

$(FUZZ)/%.o: grader/%.c grader/*.h
	@mkdir -p $(FUZZ)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@
$(FUZZ)/libgrader.a: $(FUZZ_OBJ)
	ar rcs $@ $^
$(FUZZ)/fuzz_%: grader/fuzz/fuzz_%.c $(FUZZ)/libgrader.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -I grader -fsanitize=fuzzer -o $@ $< $(FUZZ)/libgrader.a $(LIBS)

fuzz: $(FUZZ)/fuzz_spec $(FUZZ)/fuzz_diag
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash scripts/fuzz.sh $(FUZZ)
bench: all
	@bash scripts/bench.sh

format:
	clang-format -i grader/*.c grader/*.h grader/tests/*.c

clean:
	rm -rf build grader/grader
	find reports -mindepth 1 ! -name README.md -exec rm -rf {} + 2>/dev/null || true
