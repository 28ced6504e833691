# onramp — `make` builds, `make test` runs every test (integration tests with
# real TLS servers, nginx, a throwaway Secret Service and tmux included).
GO      ?= go
BIN     ?= bin/onramp
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)

.PHONY: all build run test test-deps unit e2e bench lint fuzz clean

all: build

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/onramp

# Runs the onramp TUI (or help, without a terminal).
run: build
	./$(BIN)

# All tests. First the Debian packages the tests drive (nginx, gnome-keyring,
# tmux, ...) are installed when missing. The real-keyring tests (secretstore,
# the secret commands) need a Secret Service: scripts/with-secret-service.sh
# starts a throwaway gnome-keyring under dbus-run-session when none answers.
test: test-deps build
	ONRAMP_BIN=$(CURDIR)/$(BIN) scripts/with-secret-service.sh $(GO) test -count=1 -timeout 25m ./...

# Installs the missing test packages (apt-get as root, or sudo); otherwise
# prints the command to run and stops with exit status 2.
test-deps:
	@scripts/install-test-deps.sh

# Fast tests only: no real servers beyond Go's own loopback listeners.
unit:
	$(GO) test -short -count=1 ./...

# The real-terminal end-to-end test (tmux); also part of `make test`.
e2e: test-deps build
	ONRAMP_BIN=$(CURDIR)/$(BIN) scripts/with-secret-service.sh $(GO) test -count=1 -timeout 10m ./e2e/...

# Speed and memory targets, each compared side by side with a reference tool.
bench: test-deps build
	@for b in bench/*.sh; do echo "== $$b"; ONRAMP_BIN=$(CURDIR)/$(BIN) bash $$b || exit 1; done
	$(GO) test -run '^$$' -bench . -benchmem ./...

STATICCHECK ?= $(shell command -v staticcheck || echo $$($(GO) env GOPATH)/bin/staticcheck)

lint:
	@test -x $(STATICCHECK) || $(GO) install honnef.co/go/tools/cmd/staticcheck@v0.8.2
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(STATICCHECK) ./...

# A short run of every fuzz target.
FUZZTIME ?= 10s
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

clean:
	rm -rf bin
