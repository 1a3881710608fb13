# SPDX-License-Identifier: GPL-2.0-or-later
#
#   make          build build/kerf (and build/mksim)
#   make check    install what is missing, build, run every test
#   make demo     run kerf's main job end to end
#   make asan     the whole suite under ASan+UBSan (build-asan/)
#   make valgrind the unit tests under valgrind
#   make fuzz     run each libFuzzer target for FUZZ_SECONDS (default 300)
#   make bench    the benchmarks (kerf against dtc)

BUILD ?= build
MESON_TEST = meson test --print-errorlogs --num-processes 2
FUZZ_SECONDS ?= 300

.PHONY: all deps check demo asan valgrind fuzz fuzz-smoke bench clean

all: $(BUILD)/build.ninja
	ninja -C $(BUILD)

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja:
	@scripts/install-deps.sh
	meson setup $(BUILD)

check: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)
	$(MESON_TEST) -C $(BUILD); \
	  rc=$$?; scripts/summarize-tests.sh $(BUILD)/meson-logs/testlog.json; \
	  exit $$rc

build-asan/build.ninja:
	@scripts/install-deps.sh
	meson setup build-asan -Db_sanitize=address,undefined \
	  -Db_lundef=false -Db_lto=false -Dbuildtype=debug

asan: deps build-asan/build.ninja
	ninja -C build-asan
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  $(MESON_TEST) -C build-asan; \
	  rc=$$?; scripts/summarize-tests.sh build-asan/meson-logs/testlog.json; \
	  exit $$rc

VALGRIND = valgrind --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite,indirect -q

# Unit tests, and every kerf run of the CLI goldens, the dtc corpus and
# the fuzz regressions, under valgrind.
valgrind: all
	$(MESON_TEST) -C $(BUILD) --suite unit --wrapper '$(VALGRIND)'
	KERF_WRAPPER='$(VALGRIND)' $(MESON_TEST) -C $(BUILD) \
	  --suite cli --suite conformance --suite regress --timeout-multiplier 10

build-fuzz/build.ninja:
	@scripts/install-deps.sh
	CC=clang meson setup build-fuzz -Dfuzz=true -Dtests=disabled \
	  -Db_sanitize=address,undefined -Db_lundef=false -Db_lto=false \
	  -Dwerror=true

fuzz: build-fuzz/build.ninja
	ninja -C build-fuzz
	fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

fuzz-smoke: build-fuzz/build.ninja
	ninja -C build-fuzz
	FUZZ_FLAGS=-seed=1 fuzz/run.sh build-fuzz 60

bench: all
	rc=0; bench/compile/run.sh $(BUILD) || rc=$$?; bench/validate/run.sh $(BUILD) || rc=$$?; exit $$rc

demo: all
	@scripts/demo.sh $(BUILD)

clean:
	rm -rf $(BUILD) build-asan build-fuzz
