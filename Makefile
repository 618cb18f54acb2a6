# provider-stateful. `make dev` runs the local stack; `make test` is everything CI runs.
SHELL := /usr/bin/env bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo v0.0.0-dev)
LDFLAGS := -X github.com/stateful-dev/provider-stateful/internal/version.Version=$(VERSION)
OUTPUT  := _output
GO_TEST_FLAGS ?=

.PHONY: help
help: ## Show the targets.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

.PHONY: build
build: ## Build the provider binary into _output/.
	go build -ldflags "$(LDFLAGS)" -o $(OUTPUT)/provider ./cmd/provider

.PHONY: plan
plan: ## Build the plan command (what a change of manifests does to the cloud: docs/reviewing-a-change.md) into _output/.
	go build -ldflags "$(LDFLAGS)" -o $(OUTPUT)/plan ./cmd/plan

.PHONY: plan-demo
plan-demo: plan ## Plan a demo change of examples/local (examples/plan-demo): offline, then against the local stack when make dev runs.
	@hack/plan-demo.sh $(OUTPUT)/plan $(OUTPUT)/plan-demo

XPKG_ARCHES := amd64 arm64

.PHONY: xpkg
xpkg: ## Build one Crossplane package per architecture into _output/xpkg (no Docker, no image pulled).
	@for a in $(XPKG_ARCHES); do echo "building the provider for linux/$$a"; \
	  CGO_ENABLED=0 GOOS=linux GOARCH=$$a go build -trimpath -buildvcs=false -ldflags "-s -w $(LDFLAGS)" -o $(OUTPUT)/linux_$$a/provider ./cmd/provider; done
	go run ./hack/xpkg build -version $(VERSION) -out $(OUTPUT)/xpkg $(foreach a,$(XPKG_ARCHES),-bin $(a)=$(OUTPUT)/linux_$(a)/provider)

.PHONY: check-xpkg
check-xpkg: xpkg ## Build the packages and check them as Crossplane reads them; run the binary in this machine's.
	go run ./hack/xpkg check $(foreach a,$(XPKG_ARCHES),$(OUTPUT)/xpkg/provider-stateful-$(VERSION)-$(a).xpkg)

.PHONY: generate
generate: ## Regenerate deepcopy/managed methods and CRDs from apis/.
	cd apis && go generate -tags generate ./...

.PHONY: check-generate
check-generate: ## Fail when `make generate` would change a generated file (CRDs, zz_generated.*, the kinds' field tables in docs).
	@snap=$$(mktemp -d); cp -r apis package docs "$$snap"/; \
	$(MAKE) --no-print-directory generate >/dev/null; \
	if ! diff -r "$$snap"/apis apis >/dev/null || ! diff -r "$$snap"/package package >/dev/null || ! diff -r "$$snap"/docs docs >/dev/null; then \
	  diff -ru "$$snap"/apis apis | head -40; diff -ru "$$snap"/package package | head -40; diff -ru "$$snap"/docs docs | head -40; \
	  echo "generated files are out of date: run 'make generate' and commit the result"; rm -rf "$$snap"; exit 1; fi; \
	rm -rf "$$snap"; echo "generated files are up to date"

.PHONY: lint
lint: ## golangci-lint (.golangci.yml: vet, staticcheck, errorlint, revive, gocritic, nolintlint, lll, gofmt, goimports) over every build tag.
	@out=$$(gofmt -l $$(git ls-files --cached --others --exclude-standard '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$$(hack/build-golangci-lint.sh)/golangci-lint run ./...

.PHONY: unit
unit: ## Unit tests, with the race detector.
	go test -race -count=1 $(GO_TEST_FLAGS) ./...

# Every native fuzz target (go test -fuzz takes one target per run). The committed corpora under testdata/fuzz run
# with the unit tests; `make fuzz` explores beyond them for FUZZTIME each. FUZZTIME is a count of executions, not a
# duration: a duration races Go's fuzz coordinator at its deadline and fails with "context deadline exceeded" and
# no crasher (golang/go#75804, fixed in Go 1.27).
FUZZ_TARGETS := \
	internal/clients/aws/policy:FuzzNormalize \
	internal/controller/aws/bucket:FuzzConfigInSync \
	internal/controller/aws/queue:FuzzAttributesInSync \
	internal/controller/aws/dbinstance:FuzzInSyncAfterRDS \
	internal/controller/aws/table:FuzzInSyncAfterCreate \
	internal/controller/gcp/topic:FuzzConverges \
	internal/controller/gcp/subscription:FuzzConverges \
	internal/controller/gcp/bttable:FuzzConverges \
	internal/controller/gcp/bttable:FuzzDescribe \
	internal/controller/gcp/gcsbucket:FuzzConverges
FUZZTIME ?= 10000x

.PHONY: fuzz
fuzz: ## Run each fuzz target for FUZZTIME executions (default 10000x; make test runs this short form).
	@for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; fn=$${t##*:}; echo "fuzz $$fn ($$pkg) for $(FUZZTIME)"; \
	  go test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) ./$$pkg >/tmp/fuzz-$$fn.log 2>&1 || { tail -30 /tmp/fuzz-$$fn.log; exit 1; }; done

.PHONY: control-plane
control-plane: ## Build (once) and cache kube-apiserver, etcd, kube-controller-manager and kubectl.
	@hack/build-k8s.sh >/dev/null

.PHONY: vault
vault: ## Build (once) and cache the Vault v1.14.2 dev server.
	@hack/build-vault.sh >/dev/null

.PHONY: fake-gcs
fake-gcs: ## Build (once) and cache fake-gcs-server v1.56.1 with provider-stateful's patch (the Cloud Storage emulator).
	@hack/build-fake-gcs.sh >/dev/null

.PHONY: check-moto
check-moto:
	@command -v moto_server >/dev/null || { echo 'moto_server is not installed: pip install "moto[server]"'; exit 1; }

.PHONY: integration
integration: check-moto control-plane vault fake-gcs ## Integration tests: envtest's apiserver + moto + Vault + the GCP emulators, the real reconcilers.
	KUBEBUILDER_ASSETS=$$(hack/build-k8s.sh) VAULT_BIN=$$(hack/build-vault.sh)/vault FAKE_GCS_BIN=$$(hack/build-fake-gcs.sh)/fake-gcs-server go test -tags integration -p 1 -parallel 6 -count=1 -timeout 20m $(GO_TEST_FLAGS) ./test/integration/...

.PHONY: e2e
e2e: check-moto control-plane vault fake-gcs crossplane build xpkg ## The local stack with real Crossplane installing the package: examples, compositions, drift, delete.
	KUBEBUILDER_ASSETS=$$(hack/build-k8s.sh) VAULT_BIN=$$(hack/build-vault.sh)/vault FAKE_GCS_BIN=$$(hack/build-fake-gcs.sh)/fake-gcs-server CROSSPLANE_TOOLS=$$(hack/build-crossplane.sh) \
	  XPKGS="$(foreach a,$(XPKG_ARCHES),$(abspath $(OUTPUT))/xpkg/provider-stateful-$(VERSION)-$(a).xpkg)" \
	  go test -tags e2e -count=1 -timeout 12m $(GO_TEST_FLAGS) ./test/e2e/...

# The disaster-recovery test (test/recovery): the make dev stack without Crossplane, on the examples' ports, so it
# runs after e2e, never beside it.
.PHONY: recovery
recovery: check-moto control-plane vault fake-gcs build ## Disaster recovery: the examples, the control plane lost and rebuilt (nothing created, deleted or reset), a second installation refused.
	KUBEBUILDER_ASSETS=$$(hack/build-k8s.sh) VAULT_BIN=$$(hack/build-vault.sh)/vault FAKE_GCS_BIN=$$(hack/build-fake-gcs.sh)/fake-gcs-server \
	  go test -tags e2e -count=1 -timeout 10m $(GO_TEST_FLAGS) ./test/recovery/...

.PHONY: crossplane
crossplane: ## Build (once) and cache Crossplane core, the crossplane CLI and function-patch-and-transform.
	@hack/build-crossplane.sh >/dev/null

.PHONY: compositions
compositions: crossplane ## Render every example composition with the crossplane CLI and validate it against the CRDs.
	CROSSPLANE_TOOLS=$$(hack/build-crossplane.sh) go test -tags compositions -count=1 -timeout 5m $(GO_TEST_FLAGS) ./test/compositions/...

.PHONY: dev
dev: check-moto control-plane vault fake-gcs build ## Run the local stack with the examples applied, until Ctrl-C.
	@KUBEBUILDER_ASSETS=$$(hack/build-k8s.sh) VAULT_BIN=$$(hack/build-vault.sh)/vault FAKE_GCS_BIN=$$(hack/build-fake-gcs.sh)/fake-gcs-server go run ./hack/dev

.PHONY: dev-crossplane
dev-crossplane: check-moto control-plane vault fake-gcs crossplane xpkg ## make dev with real Crossplane installing the package, and the example XRs composed.
	@KUBEBUILDER_ASSETS=$$(hack/build-k8s.sh) VAULT_BIN=$$(hack/build-vault.sh)/vault FAKE_GCS_BIN=$$(hack/build-fake-gcs.sh)/fake-gcs-server go run ./hack/dev -dir _output/dev-crossplane \
	  -crossplane "$$(hack/build-crossplane.sh)" -xpkgs "$(foreach a,$(XPKG_ARCHES),$(abspath $(OUTPUT))/xpkg/provider-stateful-$(VERSION)-$(a).xpkg)"

# make bench: N resources per burst, RUNS fresh stacks, SCENARIOS (S0 and the floors always run), ARGS more
# hack/bench flags (-poll 10m -provider-env GOMAXPROCS=1 ...). Not part of make test: about 10 minutes per run at
# N=2000 on 2 cores.
N ?= 2000
RUNS ?= 3
SCENARIOS ?= S0,S1,S2,S3,S4,S5,mixed,S6,SH
ARGS ?=

.PHONY: bench
bench: check-moto control-plane vault fake-gcs build ## The benchmark (docs/benchmarks/: BENCHMARKS.md, BENCHMARKS.json and its SVG charts): N=, RUNS=, SCENARIOS=, ARGS=.
	KUBEBUILDER_ASSETS=$$(hack/build-k8s.sh) VAULT_BIN=$$(hack/build-vault.sh)/vault FAKE_GCS_BIN=$$(hack/build-fake-gcs.sh)/fake-gcs-server \
	  go run ./hack/bench -n $(N) -runs $(RUNS) -scenarios $(SCENARIOS) $(ARGS)

.PHONY: profile
profile: check-moto control-plane vault build ## pprof CPU and heap of the provider in the cold burst and steady state, into _output/profile.
	KUBEBUILDER_ASSETS=$$(hack/build-k8s.sh) VAULT_BIN=$$(hack/build-vault.sh)/vault \
	  go run ./hack/bench -n $(N) -runs 1 -scenarios S0,S1,S2 -profile _output/profile -out /dev/null -json _output/profile/bench.json $(ARGS)
	@echo "go tool pprof -top _output/profile/s1-cpu-*.pb.gz   (and s2-cpu-*, s1-heap.pb.gz, s2-heap.pb.gz)"

.PHONY: test
test: lint check-generate unit fuzz check-xpkg compositions integration e2e recovery ## Everything CI runs.
