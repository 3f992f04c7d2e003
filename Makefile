# tend: the front door. Every target installs what is missing first.
#   make run     build (release) and start the agent on the built-in config
#   make test    Debug + ASan/UBSan build, every test through ctest
#   make bench   release build, Google Benchmarks, side-by-side comparison
#   make lint    clang-format check and clang-tidy
#   make fuzz    libFuzzer targets, each for FUZZ_SECONDS
#   make install install the binary and systemd unit under PREFIX

PREFIX       ?= /usr/local
UNITDIR      ?= /etc/systemd/system
DESTDIR      ?=
JOBS         ?= $(shell nproc)
DATA_DIR     ?= ./tend-data
FUZZ_SECONDS ?= 60
BUILD        := build
REL          := $(BUILD)/release
DBG          := $(BUILD)/debug
FUZZ         := $(BUILD)/fuzz
PEERS        := $(BUILD)/peers

.PHONY: all deps release debug run test bench lint fuzz install docs clean peers

all: release

deps:
	@bash scripts/deps.sh

peers: deps
	@bash scripts/peers.sh $(PEERS)

$(REL)/build.ninja:
	cmake -S . -B $(REL) -G Ninja -DCMAKE_BUILD_TYPE=Release -DTEND_TESTS=OFF -DTEND_BENCH=ON

release: deps $(REL)/build.ninja
	cmake --build $(REL) -j $(JOBS)

$(DBG)/build.ninja:
	cmake -S . -B $(DBG) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DTEND_SANITIZE=ON

debug: deps $(DBG)/build.ninja
	cmake --build $(DBG) -j $(JOBS)

run: release
	$(REL)/tend agent --data-dir $(DATA_DIR)

test: debug peers
	cd $(DBG) && TEND_PEERS_DIR=$(CURDIR)/$(PEERS)/bin ctest --output-on-failure -j $(JOBS) --timeout 300

bench: release peers
	bash bench/run.sh $(REL) $(PEERS)/bin

lint: deps $(DBG)/build.ninja
	bash scripts/lint.sh $(DBG)

$(FUZZ)/build.ninja:
	CXX=clang++ cmake -S . -B $(FUZZ) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTEND_FUZZ=ON -DTEND_TESTS=OFF

fuzz: deps $(FUZZ)/build.ninja
	cmake --build $(FUZZ) -j $(JOBS)
	bash scripts/fuzz.sh $(FUZZ) $(FUZZ_SECONDS)

docs: release
	$(REL)/tend config reference > docs/configuration.md

# Installs the binary, the systemd unit and, unless one exists, the default
# configuration as /etc/tend/tend.yml. Then: systemctl daemon-reload &&
# systemctl enable --now tend.
install: release
	install -D -m 0755 $(REL)/tend $(DESTDIR)$(PREFIX)/bin/tend
	install -D -m 0644 packaging/tend.service $(DESTDIR)$(UNITDIR)/tend.service
	sed -i 's|/usr/local/bin/tend|$(PREFIX)/bin/tend|' $(DESTDIR)$(UNITDIR)/tend.service
	@if [ ! -e $(DESTDIR)/etc/tend/tend.yml ]; then \
	  install -d -m 0755 $(DESTDIR)/etc/tend && \
	  $(REL)/tend config default > $(DESTDIR)/etc/tend/tend.yml && \
	  echo "installed default configuration $(DESTDIR)/etc/tend/tend.yml"; \
	fi

clean:
	rm -rf $(BUILD)
