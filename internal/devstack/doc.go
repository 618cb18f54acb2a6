// Package devstack holds the development stack that hack/dev and hack/bench run, and the integration, end-to-end
// and recovery tests import: stack (etcd, kube-apiserver, the emulators, Vault and the provider as a process, on
// loopback), harness (the servers it starts, the recording proxies) and hostile (endpoints a tenant could aim the
// provider at to harm it). It is not under test/ because commands import it, and not named localstack, which is
// another product's name.
package devstack
