#!/usr/bin/env bash
# Builds the Crossplane pieces the package and composition tests use, from the Go module proxy, each from its own
# tools module: Crossplane core v2.4.0 (version-stamped: a package that declares spec.crossplane.version fails the
# compatibility check against an unstamped core), the crossplane CLI v2.5.0, and function-patch-and-transform
# v0.10.7. Prints the folder holding `crossplane` (core), `crossplane-cli`, `function-patch-and-transform` and the
# core's own CRDs (`crds/`, which `core start` does not install). A cold build takes 15-25 minutes on 2 cores.
source "$(dirname "${BASH_SOURCE[0]}")/cache.sh"

core="${HACK_DIR}/tools/crossplane-core" cli="${HACK_DIR}/tools/crossplane-cli" fn="${HACK_DIR}/tools/function-pat"
dir="$(tools_cache_root)/$(tools_key crossplane "${core}/go.mod" "${core}/go.sum" "${cli}/go.mod" "${cli}/go.sum" "${fn}/go.mod" "${fn}/go.sum" "${BASH_SOURCE[0]}")"
if [ -x "${dir}/crossplane" ] && [ -x "${dir}/crossplane-cli" ] && [ -x "${dir}/function-patch-and-transform" ] && [ -d "${dir}/crds" ]; then
  echo "${dir}"; exit 0
fi
mkdir -p "${dir}.tmp"

build() { # build NAME MODULE PACKAGE LDFLAGS
  if [ -x "${dir}.tmp/$1" ]; then return; fi
  log "building $1 from the Go module proxy ($3)"
  local start; start=$(date +%s)
  (cd "$2" && GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w $4" -o "${dir}.tmp/$1" "$3")
  log "built $1 in $(( $(date +%s) - start ))s"
}
build crossplane "${core}" github.com/crossplane/crossplane/v2/cmd/crossplane "-X github.com/crossplane/crossplane-runtime/v2/pkg/version.version=v2.4.0"
build function-patch-and-transform "${fn}" github.com/crossplane-contrib/function-patch-and-transform ""
build crossplane-cli "${cli}" github.com/crossplane/cli/v2/cmd/crossplane "-X github.com/crossplane/crossplane-runtime/v2/pkg/version.version=v2.5.0"

src="$(cd "${core}" && go list -m -f '{{.Dir}}' github.com/crossplane/crossplane/v2)"
rm -rf "${dir}.tmp/crds" && cp -r "${src}/cluster/crds" "${dir}.tmp/crds" && chmod -R u+w "${dir}.tmp/crds"
rm -rf "${dir}" && mv "${dir}.tmp" "${dir}"
log "Crossplane tools cached in ${dir}"
echo "${dir}"
