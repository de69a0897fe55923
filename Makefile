# The two commands: `make demo` and `make test` (as root on Debian 12; both install what they need).
BUILD ?= build
JOBS ?= $(shell nproc)

.PHONY: all build test unit demo asan clean format

all: build

build:
	scripts/setup.sh build
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

test:
	scripts/setup.sh test
	$(MAKE) --no-print-directory build
	scripts/run-tests.sh $(BUILD)

unit: build
	scripts/run-tests.sh $(BUILD) -L unit

demo:
	scripts/setup.sh demo
	$(MAKE) --no-print-directory build
	scripts/demo.sh $(BUILD)/pxed

# Unit and system tests under AddressSanitizer + UndefinedBehaviorSanitizer.
asan:
	scripts/setup.sh test
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DPXED_SANITIZE=ON >/dev/null
	cmake --build build-asan -j $(JOBS)
	scripts/run-tests.sh build-asan -L 'unit|system'

format:
	clang-format -i $$(git ls-files '*.cc' '*.h')

clean:
	rm -rf $(BUILD) build-asan
