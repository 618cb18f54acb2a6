//go:build generate

// Package apis is the only code-generation entry point: `make generate` runs `go generate` here, which regenerates
// deepcopy methods and CRDs (controller-gen), crossplane-runtime method sets (angryjet), the Argo CD health checks
// (hack/argocd-cm) and the field tables of the kinds' docs pages (hack/kinddocs, from each kind's declared
// fields). The tools are pinned as `tool` directives in go.mod, so the output depends only on go.mod, the types
// and the field tables.

// Remove existing CRDs so that a deleted type leaves no stale manifest behind.
//go:generate rm -rf ../package/crds

//go:generate go tool controller-gen object:headerFile=../hack/boilerplate.go.txt paths=./... crd:crdVersions=v1 output:artifacts:config=../package/crds

//go:generate env GOFLAGS=-tags=generate go tool angryjet generate-methodsets --header-file=../hack/boilerplate.go.txt ./...

// Argo CD health checks, one per managed kind in the CRDs just written.
//go:generate go run ../hack/argocd-cm ..

// Each kind's field table into its docs page (docs/kinds/<kind>.md, between the fields markers).
//go:generate go run ../hack/kinddocs ..

package apis
