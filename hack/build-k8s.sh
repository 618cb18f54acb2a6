#!/usr/bin/env bash
# Builds the local control plane from the Go module proxy: etcd, kube-apiserver, kube-controller-manager and a
# matching kubectl, pinned in hack/tools/k8s/go.mod. Prints the folder that holds them (envtest's
# KUBEBUILDER_ASSETS). A cold build takes about 5 minutes on 2 cores; later runs return at once.
source "$(dirname "${BASH_SOURCE[0]}")/cache.sh"

K8S_VERSION=v1.35.4
mod="${HACK_DIR}/tools/k8s"
dir="$(tools_cache_root)/$(tools_key k8s "${mod}/go.mod" "${mod}/go.sum" "${BASH_SOURCE[0]}")"
bins=(etcd kube-apiserver kube-controller-manager kubectl)

complete=1
for b in "${bins[@]}"; do [ -x "${dir}/${b}" ] || complete=0; done
if [ "${complete}" = 1 ]; then echo "${dir}"; exit 0; fi

mkdir -p "${dir}.tmp"
# Without these stamps discovery reports v0.0.0-master and kubectl refuses to talk to the server.
ldflags="-s -w -X k8s.io/component-base/version.gitVersion=${K8S_VERSION} -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=35 -X k8s.io/component-base/version.gitTreeState=clean -X k8s.io/client-go/pkg/version.gitVersion=${K8S_VERSION} -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=35"
i=0
for pkg in go.etcd.io/etcd/server/v3 k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kubectl; do
  i=$((i+1)); b="${bins[$((i-1))]}"
  [ -x "${dir}.tmp/${b}" ] && continue
  log "building ${b} (${i}/${#bins[@]}) from the Go module proxy; the first build of the control plane takes ~5 min on 2 cores"
  start=$(date +%s)
  (cd "${mod}" && GOFLAGS=-mod=mod go build -trimpath -ldflags "${ldflags}" -o "${dir}.tmp/${b}" "${pkg}")
  log "built ${b} in $(( $(date +%s) - start ))s"
done
rm -rf "${dir}" && mv "${dir}.tmp" "${dir}"
log "control plane cached in ${dir}"
echo "${dir}"
