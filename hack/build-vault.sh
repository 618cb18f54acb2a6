#!/usr/bin/env bash
# Builds the Vault dev server the tests and `make dev` use: Vault v1.14.2, the last MPL-2.0 release, from the Go
# module proxy. Prints the folder holding the `vault` binary. A cold build takes 5-7 minutes on 2 cores.
#
# NOTE: Vault's release branches build against an in-tree copy of its sdk that the module proxy does not serve.
# With the published sdk v0.9.2 the server panics at start: a sanity check rejects the open-source build's
# enterprise stub paths ("defines a CreateOperation but no ExistenceCheck"). The build copies sdk v0.9.2 into
# hack/tools/vault/sdk (git-ignored), turns those two panics into no-ops, and builds against the copy.
source "$(dirname "${BASH_SOURCE[0]}")/cache.sh"

SDK_VERSION=v0.9.2
mod="${HACK_DIR}/tools/vault"
dir="$(tools_cache_root)/$(tools_key vault "${mod}/go.mod" "${mod}/go.sum" "${BASH_SOURCE[0]}")"
if [ -x "${dir}/vault" ]; then echo "${dir}"; exit 0; fi

log "preparing the Vault sdk ${SDK_VERSION} copy"
src="$(cd "$(mktemp -d)" && go mod download -json "github.com/hashicorp/vault/sdk@${SDK_VERSION}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[ -d "${src}" ] || { echo "cannot download github.com/hashicorp/vault/sdk@${SDK_VERSION}" >&2; exit 1; }
rm -rf "${mod}/sdk" && cp -r "${src}" "${mod}/sdk" && chmod -R u+w "${mod}/sdk"
sed -i 's|panic(fmt.Sprintf("Pattern %v defines a CreateOperation but no ExistenceCheck", p.Pattern))|_ = p.Pattern // provider-stateful: OSS build enterprise stubs|' "${mod}/sdk/framework/backend.go"
grep -q "provider-stateful: OSS build" "${mod}/sdk/framework/backend.go" || { echo "the Vault sdk patch did not apply" >&2; exit 1; }

log "building vault v1.14.2 from the Go module proxy (first build takes 5-7 min on 2 cores)"
start=$(date +%s)
mkdir -p "${dir}.tmp"
(cd "${mod}" && GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w" -o "${dir}.tmp/vault" github.com/hashicorp/vault)
rm -rf "${dir}" && mv "${dir}.tmp" "${dir}"
log "built vault in $(( $(date +%s) - start ))s, cached in ${dir}"
echo "${dir}"
