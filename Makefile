# worklog — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
DB ?= sqlite:./data/worklog.db
LISTEN ?= 127.0.0.1:8080
PUBLIC_URL ?= http://$(LISTEN)
CTEST_ARGS ?=

.PHONY: run test test-asan bench demo format lint fuzz deps test-deps web build build-dev build-asan build-release clean hooks

deps:
	scripts/install-deps

test-deps:
	scripts/install-deps --test

web:
	@if [ -f web/package.json ]; then cd web && npm run build --silent; fi

build/%/build.ninja:
	cmake -S . -B build/$* -G Ninja $(PRESET_FLAGS_$*) $(CMAKE_FLAGS)

PRESET_FLAGS_dev = -DCMAKE_BUILD_TYPE=Debug -DWORKLOG_BUILD_BENCH=OFF
PRESET_FLAGS_asan = -DCMAKE_BUILD_TYPE=Debug -DWORKLOG_SANITIZE=ON -DWORKLOG_BUILD_BENCH=OFF
PRESET_FLAGS_release = -DCMAKE_BUILD_TYPE=Release -DWORKLOG_BUILD_BENCH=ON

build-dev: build/dev/build.ninja
	cmake --build build/dev -j $(JOBS)
build-asan: build/asan/build.ninja
	cmake --build build/asan -j $(JOBS)
build-release: build/release/build.ninja
	cmake --build build/release -j $(JOBS)

# Installs what is missing, builds, and starts worklog on SQLite.
run: deps web build-release
	mkdir -p data
	build/release/src/cli/worklog serve --db $(DB) --listen $(LISTEN) --public-url $(PUBLIC_URL) --data-dir ./data

# Builds and runs every test: unit, store (SQLite and a throw-away PostgreSQL), integration, e2e.
test: test-deps web build-dev
	scripts/with-postgres ctest --test-dir build/dev --output-on-failure -j 2 $(CTEST_ARGS)

# ASan+UBSan build running the unit, store and integration tests.
test-asan: test-deps build-asan
	ASAN_OPTIONS=detect_leaks=1 scripts/with-postgres ctest --test-dir build/asan --output-on-failure -j 2 -L 'unit|store|integration' $(CTEST_ARGS)

bench: test-deps web build-release
	scripts/with-postgres bench/run-all

demo: deps web build-release
	build/release/src/cli/worklog demo

# libFuzzer on the GitLab normalizer: a small clang tree in build/fuzz (only the fuzz target
# and the layers it links), corpus seeded from tests/fixtures and go-gitlab's testdata.
FUZZ_SECONDS ?= 300
fuzz: test-deps
	JOBS=$(JOBS) CMAKE_FLAGS="$(CMAKE_FLAGS)" scripts/run-fuzz --build-dir build/fuzz --seconds $(FUZZ_SECONDS)

format:
	git ls-files '*.cc' '*.h' | xargs clang-format -i

lint: build/dev/build.ninja
	run-clang-tidy -j $(JOBS) -p build/dev -quiet '$(CURDIR)/(src|tools)/'

hooks:
	git config core.hooksPath tools/git-hooks

clean:
	rm -rf build
