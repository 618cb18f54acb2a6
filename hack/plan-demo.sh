#!/usr/bin/env bash
# make plan-demo: what merging a demo change of examples/local would do (docs/reviewing-a-change.md). The change is
# examples/plan-demo: its YAML files replace examples/local's of the same name, and removed.txt names files the
# change deletes. First offline (the two revisions of the manifests); then, when the local stack runs (make dev, or
# KUBECONFIG), against the cluster: the live plan of the changed manifests and the fleet report.
set -euo pipefail
plan="$1" out="$2"
rm -rf "${out}" && mkdir -p "${out}/after"
cp examples/local/*.yaml "${out}/after/"
cp examples/plan-demo/*.yaml "${out}/after/"
while read -r f; do [ -n "${f}" ] && rm -f "${out}/after/${f}"; done < examples/plan-demo/removed.txt

echo "==> plan examples/local -> examples/local with examples/plan-demo's change (offline: manifests only)"
"${plan}" examples/local "${out}/after"

kc="${KUBECONFIG:-_output/dev/kubeconfig}"
if [ ! -f "${kc}" ]; then
  echo "==> no local stack (${kc}): run make dev in another terminal for the live plan and the fleet report"
  exit 0
fi
echo
echo "==> plan --live --prune: the same change against the cluster (${kc}), with what the provider last saw in the cloud"
if ! "${plan}" --live --prune --kubeconfig "${kc}" "${out}/after"; then
  echo "==> the cluster did not answer: is make dev running?"
  exit 0
fi
echo
echo "==> plan --live -A: the fleet report (what each resource's conditions say)"
"${plan}" --live --kubeconfig "${kc}" -A
