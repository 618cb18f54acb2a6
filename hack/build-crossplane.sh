#!/usr/bin/env bash
# Builds the Crossplane pieces the package, composition and e2e tests use, from the Go module proxy, each from its
# own tools module: Crossplane core v2.4.0, the crossplane CLI v2.5.0, and function-patch-and-transform v0.10.7.
# Prints a folder holding `crossplane` (core), `crossplane-cli`, `function-patch-and-transform` and the core's own
# CRDs (`crds/`, which `core start` does not install). Each binary is cached on its own, keyed by its tools module
# and its link flags, so changing one rebuilds only that one. Cold, 15-25 minutes on 2 cores.
#
# Link flags:
#   - core and CLI are version-stamped: a package that declares spec.crossplane.version fails the compatibility
#     check against an unstamped core;
#   - the core's controller-runtime default metrics address is "0" (off): `crossplane rbac start` has no flag for
#     it and would bind :8080 on every interface; `core start` takes --metrics-port, so it is not affected.
source "$(dirname "${BASH_SOURCE[0]}")/cache.sh"

core="${HACK_DIR}/tools/crossplane-core" cli="${HACK_DIR}/tools/crossplane-cli" fn="${HACK_DIR}/tools/function-pat"
root="$(tools_cache_root)"
dir="${root}/$(tools_key crossplane "${core}/go.mod" "${core}/go.sum" "${cli}/go.mod" "${cli}/go.sum" "${fn}/go.mod" "${fn}/go.sum" "${BASH_SOURCE[0]}")"
if [ -x "${dir}/crossplane" ] && [ -x "${dir}/crossplane-cli" ] && [ -x "${dir}/function-patch-and-transform" ] && [ -d "${dir}/crds" ]; then
  echo "${dir}"; exit 0
fi
mkdir -p "${dir}.tmp"

build() { # build NAME MODULE PACKAGE LDFLAGS: a cached binary, linked into the folder
  local key; key="$(tools_key "$1" "$2/go.mod" "$2/go.sum" <(echo "$4"))"
  local bin="${root}/bin/${key}/$1"
  if [ ! -x "${bin}" ]; then
    log "building $1 from the Go module proxy ($3)"
    local start; start=$(date +%s)
    mkdir -p "$(dirname "${bin}")"
    (cd "$2" && GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w $4" -o "${bin}.tmp" "$3") && mv "${bin}.tmp" "${bin}"
    log "built $1 in $(( $(date +%s) - start ))s"
  fi
  ln -sfn "${bin}" "${dir}.tmp/$1"
}
build crossplane "${core}" github.com/crossplane/crossplane/v2/cmd/crossplane \
  "-X github.com/crossplane/crossplane-runtime/v2/pkg/version.version=v2.4.0 -X sigs.k8s.io/controller-runtime/pkg/metrics/server.DefaultBindAddress=0"
build function-patch-and-transform "${fn}" github.com/crossplane-contrib/function-patch-and-transform ""
build crossplane-cli "${cli}" github.com/crossplane/cli/v2/cmd/crossplane "-X github.com/crossplane/crossplane-runtime/v2/pkg/version.version=v2.5.0"

src="$(cd "${core}" && go list -m -f '{{.Dir}}' github.com/crossplane/crossplane/v2)"
rm -rf "${dir}.tmp/crds" && cp -r "${src}/cluster/crds" "${dir}.tmp/crds" && chmod -R u+w "${dir}.tmp/crds"
rm -rf "${dir}" && mv "${dir}.tmp" "${dir}"
log "Crossplane tools cached in ${dir}"
echo "${dir}"
