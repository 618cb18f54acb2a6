#!/usr/bin/env bash
# Builds the Cloud Storage emulator the tests and `make dev` use: fake-gcs-server v1.56.1 (the newest the module
# proxy serves) with provider-stateful's patch, hack/tools/fake-gcs-server/fields.patch. Prints the folder holding
# the `fake-gcs-server` binary. A cold build takes about a minute on 2 cores.
#
# NOTE: upstream keeps only a bucket's versioning, default event-based hold and ACLs; it drops labels, lifecycle,
# CORS, IAM configuration (uniform access, public access prevention), retention and soft-delete policies,
# encryption, billing, logging, storage class and location, resets versioning on any PATCH that does not name it,
# and answers 412 (GCS: 409) when a non-empty bucket is deleted. The patch stores and returns those fields as the
# JSON API does (PATCH semantics, labels merged key by key, server-set effective times, the 7-day default
# soft-delete policy, lockRetentionPolicy with its metageneration precondition, a locked policy that cannot be
# shortened) and answers 409. The copy is made from the module cache into hack/tools/fake-gcs-server/src
# (git-ignored) and built as its own module, with upstream's go.mod and go.sum.
source "$(dirname "${BASH_SOURCE[0]}")/cache.sh"

VERSION=v1.56.1
mod="${HACK_DIR}/tools/fake-gcs-server"
dir="$(tools_cache_root)/$(tools_key fake-gcs-server "${mod}/fields.patch" "${BASH_SOURCE[0]}")"
if [ -x "${dir}/fake-gcs-server" ]; then echo "${dir}"; exit 0; fi

log "copying fake-gcs-server ${VERSION} from the Go module proxy and applying hack/tools/fake-gcs-server/fields.patch"
src="$(cd "$(mktemp -d)" && go mod download -json "github.com/fsouza/fake-gcs-server@${VERSION}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[ -d "${src}" ] || { echo "cannot download github.com/fsouza/fake-gcs-server@${VERSION}" >&2; exit 1; }
rm -rf "${mod}/src" && cp -r "${src}" "${mod}/src" && chmod -R u+w "${mod}/src"
(cd "${mod}/src" && patch -s -p1 < "${mod}/fields.patch") || { echo "the fake-gcs-server patch did not apply" >&2; exit 1; }

log "building fake-gcs-server ${VERSION} (first build takes about a minute on 2 cores)"
start=$(date +%s)
mkdir -p "${dir}.tmp"
(cd "${mod}/src" && go build -trimpath -ldflags "-s -w" -o "${dir}.tmp/fake-gcs-server" .)
rm -rf "${dir}" && mv "${dir}.tmp" "${dir}"
log "built fake-gcs-server in $(( $(date +%s) - start ))s, cached in ${dir}"
echo "${dir}"
