// Package harness starts the real servers the integration and end-to-end tests, make dev and make bench run
// against — envtest's kube-apiserver and etcd, moto_server — and the recording proxy that sits between the
// provider and the cloud emulators.
package harness
