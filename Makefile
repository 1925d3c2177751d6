# chartscan — one non-recursive Makefile for the whole tree.
#
#   make              build ./chartscan
#   make check        build and run every test (unit + integration), and
#                     check the review station's JavaScript (scripts/check-js)
#                     and the size limits of files and functions (scripts/check-size)
#   make demo         install what is missing, run a generated batch end to end
#   make bench        print throughput and accuracy figures (OCR, pipeline, scaling)
#   make eval         print indexing accuracy figures, tuning and held-out halves
#   make install      install the program, its man page and its bash completion
#                     to $(DESTDIR)$(PREFIX)
#   SANITIZE=address,undefined make check    build with sanitizers
#   make fuzz         run each libFuzzer target for FUZZ_SECONDS (default 60; clang)
.DELETE_ON_ERROR:
.SUFFIXES:

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
DESTDIR ?=

CC      ?= cc
PKG_CONFIG ?= pkg-config
PKGS    := tesseract lept libtiff-4 libarchive libpq libcrypto libmicrohttpd libsodium jansson zbar
TEST_PKGS := check

WARNINGS := -Wall -Wextra -Werror -Wmissing-prototypes -Wstrict-prototypes \
            -Wshadow -Wpointer-arith -Wformat=2 -Wno-format-nonliteral -Wno-format-truncation
OPT      ?= -O2 -g
SANITIZE ?=
SANFLAGS := $(if $(SANITIZE),-fsanitize=$(SANITIZE) -fno-omit-frame-pointer,)

PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
# zint (the cover sheets' barcodes) ships no .pc file on Debian 12
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lzint
CHECK_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(TEST_PKGS) 2>/dev/null)
CHECK_LIBS   := $(shell $(PKG_CONFIG) --libs $(TEST_PKGS) 2>/dev/null)

CPPFLAGS += -I. -D_GNU_SOURCE
CFLAGS   ?=
ALL_CFLAGS = -std=c11 -pthread $(OPT) $(WARNINGS) $(SANFLAGS) $(PKG_CFLAGS) $(CFLAGS) -MMD -MP
ALL_LDFLAGS = $(SANFLAGS) -pthread $(LDFLAGS)

B := build

# Modules, bottom floor first.  Every .c in a module folder belongs to it,
# and every .c in its rooms (one level of sub-folders: pipeline/store, ...).
MODULES := common ocr indexer pipeline workers review cli
$(foreach m,$(MODULES),$(eval SRC_$(m) := $(wildcard $(m)/*.c $(m)/*/*.c)))
$(foreach m,$(MODULES),$(eval OBJ_$(m) := $(patsubst %.c,$(B)/%.o,$(SRC_$(m)))))
SCHEMA_SQL := $(sort $(wildcard schema/*.sql))
# The review station's pages, style sheet and scripts, served as they are.
REVIEW_ASSETS := $(sort $(wildcard review/assets/*.html review/assets/*.css review/assets/*.js))
LIB_OBJ := $(OBJ_common) $(OBJ_ocr) $(OBJ_indexer) $(OBJ_pipeline) $(B)/gen/schema_sql.o \
           $(OBJ_workers) $(OBJ_review) $(B)/gen/review_assets.o

# scripts/tools/NAME.c is one program, build/tools/NAME, with its main; the
# other files of a program, if any, are scripts/tools/NAME/*.c.  What the
# tools share is in scripts/tools/lib/ (toolkit.h), linked into every one.
TOOLS_SRC := $(wildcard scripts/tools/*.c)
TOOLS := $(patsubst scripts/tools/%.c,$(B)/tools/%,$(TOOLS_SRC))
TOOLS_LIB_SRC := $(wildcard scripts/tools/lib/*.c)
TOOLS_LIB_OBJ := $(patsubst %.c,$(B)/%.o,$(TOOLS_LIB_SRC))
tool_obj = $(patsubst %.c,$(B)/%.o,$(wildcard scripts/tools/$(1)/*.c))
$(foreach t,$(TOOLS),$(eval $(t): $(call tool_obj,$(notdir $(t)))))

TEST_SRC := $(wildcard tests/check_*.c)
TEST_BIN := $(patsubst tests/%.c,$(B)/tests/%,$(TEST_SRC))
TEST_SUPPORT := $(filter-out tests/check_%.c,$(wildcard tests/*.c))
TEST_SUPPORT_OBJ := $(patsubst %.c,$(B)/%.o,$(TEST_SUPPORT))

.PHONY: all check demo bench eval install uninstall clean deps tools
all: chartscan tools

chartscan: $(LIB_OBJ) $(OBJ_cli)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

tools: $(TOOLS)

$(B)/tools/%: scripts/tools/%.c $(TOOLS_LIB_OBJ) $(OBJ_common)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(call tool_obj,$(@F)) $(TOOLS_LIB_OBJ) $(OBJ_common) $(ALL_LDFLAGS) $(PKG_LIBS) -lm

$(B)/gen/schema_sql.c: $(SCHEMA_SQL) scripts/embed-schema
	@mkdir -p $(@D)
	scripts/embed-schema $(SCHEMA_SQL) > $@

# the folder too, so that removing a file rebuilds the table
$(B)/gen/review_assets.c: $(REVIEW_ASSETS) review/assets scripts/embed-assets
	@mkdir -p $(@D)
	scripts/embed-assets $(REVIEW_ASSETS) > $@

$(B)/gen/%.o: $(B)/gen/%.c
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

# ocrbench runs the ocr module's cleanup and OCR, so it links the ocr objects too.
$(B)/tools/ocrbench: scripts/tools/ocrbench.c $(TOOLS_LIB_OBJ) $(OBJ_common) $(OBJ_ocr)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(call tool_obj,$(@F)) $(TOOLS_LIB_OBJ) $(OBJ_common) $(OBJ_ocr) $(ALL_LDFLAGS) $(PKG_LIBS) -lm

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(B)/tests/%.o: tests/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(CHECK_CFLAGS) -c -o $@ $<

$(B)/tests/check_%: $(B)/tests/check_%.o $(TEST_SUPPORT_OBJ) $(LIB_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CHECK_LIBS) -lm

# Missing libraries or programs: install them first (scripts/install-deps says what it does).
deps:
	@scripts/check-deps || scripts/install-deps

# A product file over 800 lines or a function over 120 fails make check
# (scripts/check-size; CHECK_SIZE_MODE=warn only reports them).
CHECK_SIZE_MODE ?= fail
check: deps
	@$(MAKE) --no-print-directory all $(TEST_BIN)
	@CHECK_SIZE_MODE=$(CHECK_SIZE_MODE) scripts/run-tests scripts/check-js scripts/check-size $(TEST_BIN)

demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo

bench: deps
	@$(MAKE) --no-print-directory all
	@scripts/bench-ocr
	@scripts/bench
	@scripts/bench-scale
	@scripts/bench-export

# Indexing evaluation: separation, types and patient matching on generated
# sets, by a tuning and a held-out half of the layout families; seeds 1 and
# 2 unless EVAL_SEEDS says otherwise (about 6 minutes a seed on 2 cores).
eval: deps
	@$(MAKE) --no-print-directory chartscan $(B)/tools/evalgen $(B)/tools/evalscore
	@EVAL_NO_BUILD=1 EVAL_BUILD=$(B) EVAL_SEEDS="$${EVAL_SEEDS:-$${EVAL_SEED:-1 2}}" scripts/eval-index

# The schema is compiled into the binary: installing it is one file, and
# its manual page (doc/chartscan.1; tests/check_docs.c keeps it and --help agreed).
install: chartscan
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(COMPLETIONDIR)
	install -m 0755 chartscan $(DESTDIR)$(BINDIR)/chartscan
	install -m 0644 doc/chartscan.1 $(DESTDIR)$(MANDIR)/man1/chartscan.1
	install -m 0644 doc/completion/chartscan.bash $(DESTDIR)$(COMPLETIONDIR)/chartscan

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/chartscan $(DESTDIR)$(MANDIR)/man1/chartscan.1 \
	      $(DESTDIR)$(COMPLETIONDIR)/chartscan

clean:
	rm -rf $(B) chartscan

# Fuzzing: tests/fuzz/fuzz_NAME.c is one libFuzzer target, its seeds in
# tests/fuzz/corpus/NAME/.  `make check` replays every corpus: build/fuzz/replay_NAME
# is the target linked by $(CC) with tests/fuzz/driver.c (a crash or a failed
# property fails the run; SANITIZE=address,undefined adds the sanitizers).
# `make fuzz` builds the targets with clang (-fsanitize=fuzzer,address,undefined,
# the library objects too, under build/fuzz/clang) and runs each for FUZZ_SECONDS;
# new inputs go to build/fuzz/work/NAME, crashes to build/fuzz/NAME-crash-*.
# The archive target includes pipeline/stages/unpack.c itself (its static name check).
FUZZ_NAMES   := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_REPLAY  := $(patsubst %,$(B)/fuzz/replay_%,$(FUZZ_NAMES))
FUZZ_TARGETS := $(patsubst %,$(B)/fuzz/libfuzzer/%,$(FUZZ_NAMES))
FUZZ_SECONDS ?= 60
CLANG        ?= clang
FUZZ_CFLAGS  := -std=c11 -pthread -O1 -g -fno-omit-frame-pointer $(PKG_CFLAGS) \
                -fsanitize=fuzzer-no-link,address,undefined
FUZZ_LIB_OBJ := $(patsubst $(B)/%,$(B)/fuzz/clang/%,$(LIB_OBJ))
fuzz_objs = $(if $(filter archive,$(1)),$(filter-out %/pipeline/stages/unpack.o,$(2)),$(2))
TEST_BIN += $(FUZZ_REPLAY)
.PHONY: fuzz

$(B)/fuzz/obj/%.o: tests/fuzz/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(B)/fuzz/obj/driver_%.o: tests/fuzz/driver.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -DFUZZ_NAME='"$*"' -c -o $@ $<

$(B)/fuzz/replay_%: $(B)/fuzz/obj/fuzz_%.o $(B)/fuzz/obj/driver_%.o $(LIB_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $(call fuzz_objs,$*,$^) $(PKG_LIBS) -lm

$(B)/fuzz/clang/gen/%.o: $(B)/gen/%.c
	@mkdir -p $(@D)
	$(CLANG) $(CPPFLAGS) $(FUZZ_CFLAGS) -c -o $@ $<

$(B)/fuzz/clang/%.o: %.c
	@mkdir -p $(@D)
	$(CLANG) $(CPPFLAGS) $(FUZZ_CFLAGS) -c -o $@ $<

$(B)/fuzz/libfuzzer/%: $(B)/fuzz/clang/tests/fuzz/fuzz_%.o $(FUZZ_LIB_OBJ)
	@mkdir -p $(@D)
	$(CLANG) -fsanitize=fuzzer,address,undefined -pthread -o $@ $(call fuzz_objs,$*,$^) \
	    $(PKG_LIBS) -lm

fuzz: $(FUZZ_TARGETS)
	@for n in $(FUZZ_NAMES); do \
	    mkdir -p $(B)/fuzz/work/$$n; \
	    echo "== fuzz $$n: $(FUZZ_SECONDS)s"; \
	    $(B)/fuzz/libfuzzer/$$n -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	        -print_final_stats=1 -artifact_prefix=$(B)/fuzz/$$n- \
	        $(B)/fuzz/work/$$n tests/fuzz/corpus/$$n || exit 1; \
	done

-include $(shell find $(B) -name '*.d' 2>/dev/null)
