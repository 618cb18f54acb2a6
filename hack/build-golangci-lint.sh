#!/usr/bin/env bash
# Builds golangci-lint, pinned here, from the Go module proxy; prints the folder holding the binary. It is not a
# go.mod tool: its own dependencies would pin the provider's. A cold build takes 2-3 minutes on 2 cores.
source "$(dirname "${BASH_SOURCE[0]}")/cache.sh"

VERSION=v2.15.0
dir="$(tools_cache_root)/$(tools_key "golangci-lint-${VERSION}" "${BASH_SOURCE[0]}")"
if [ -x "${dir}/golangci-lint" ]; then echo "${dir}"; exit 0; fi

log "building golangci-lint ${VERSION} from the Go module proxy (first build takes 2-3 min on 2 cores)"
start=$(date +%s)
mkdir -p "${dir}.tmp"
(cd "$(mktemp -d)" && GOBIN="${dir}.tmp" GOFLAGS=-mod=mod go install "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@${VERSION}")
rm -rf "${dir}" && mv "${dir}.tmp" "${dir}"
log "built golangci-lint in $(( $(date +%s) - start ))s, cached in ${dir}"
echo "${dir}"
