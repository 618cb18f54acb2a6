#!/usr/bin/env bash
# Shared helpers for the hack/ scripts: where built tool binaries are cached.
#
# Binaries live outside the clone (CI checks out a fresh clone every run; an in-repo cache would rebuild the
# control plane each time), in a folder keyed by a hash of everything that pins them: the tools module's go.mod
# and go.sum and the build script itself. Change a pin and the key changes, so a rebuild happens exactly then.
set -euo pipefail

HACK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(cd "${HACK_DIR}/.." && pwd)"

# tools_cache_root prints the root of the tool cache; STATEFUL_TOOLS_CACHE overrides it.
tools_cache_root() {
  echo "${STATEFUL_TOOLS_CACHE:-${XDG_CACHE_HOME:-${HOME}/.cache}/provider-stateful}"
}

# tools_key NAME FILE... prints NAME-<hash of the files>.
tools_key() {
  local name="$1"; shift
  echo "${name}-$(cat "$@" | sha256sum | cut -c1-16)"
}

log() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
