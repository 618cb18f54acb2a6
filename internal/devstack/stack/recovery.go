package stack

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"syscall"
)

// LoseControlPlane is the disaster the recovery test rebuilds from: the provider is killed, then
// kube-controller-manager, kube-apiserver and etcd are stopped and etcd's data directory removed — every object,
// Secret, claim and event of the cluster is gone. The clouds (moto, the emulators) and Vault keep running, as they
// would outside a lost cluster. It returns the data directory etcd had, for the caller to see that it is gone.
func (s *Stack) LoseControlPlane() (string, error) {
	if s.opts.Crossplane != "" {
		return "", errors.New("a stack with Crossplane cannot be rebuilt: run the provider directly (no Options.Crossplane)")
	}
	s.opts.Log("losing the control plane: the provider, kube-controller-manager, kube-apiserver and etcd with its data")
	for _, p := range []*exec.Cmd{s.provider, s.kcm} {
		if p != nil && p.Process != nil {
			_ = p.Process.Signal(syscall.SIGKILL)
			_, _ = p.Process.Wait()
		}
		s.procs = slices.DeleteFunc(s.procs, func(c *exec.Cmd) bool { return c == p })
	}
	s.provider, s.kcm = nil, nil
	data := s.env.ControlPlane.Etcd.DataDir
	// envtest made the data directory and removes it when it stops etcd.
	if err := s.env.Stop(); err != nil {
		return data, fmt.Errorf("cannot stop the control plane: %w", err)
	}
	s.env, s.Config = nil, nil
	return data, nil
}

// RebuildControlPlane starts a fresh control plane in place of a lost one, as an administrator rebuilding a
// cluster does before applying the repository again: etcd and kube-apiserver (new certificates, new port, the
// provider's CRDs installed), kube-controller-manager, and what `make dev` sets up in a new cluster — the
// crossplane-system namespace and the provider's service account, Vault's Kubernetes auth aimed at the new
// kube-apiserver (the same mount and role), the gcp-key Secret (the same key, restored). Start the provider with
// StartProvider; the new logs are named with suffix (provider-<suffix>.log, ...).
func (s *Stack) RebuildControlPlane(ctx context.Context, suffix string) error {
	if s.env != nil {
		return errors.New("the control plane is running: lose it first")
	}
	s.logSuffix = "-" + suffix
	if err := s.startControlPlane(); err != nil {
		return err
	}
	return s.setUpCluster(ctx)
}

// AnotherCluster starts a second, independent control plane against the same clouds — a second live cluster —
// with its own kube-controller-manager, crossplane-system namespace, gcp-key Secret and provider process
// (providerArgs instead of the stack's), its kubeconfig and logs in dir. Vault's Kubernetes auth stays with the
// stack's own cluster: it trusts one kube-apiserver. Its Stop stops only what it started.
func (s *Stack) AnotherCluster(ctx context.Context, dir string, providerArgs []string) (_ *Stack, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	o := s.opts
	o.Dir, o.ProviderArgs, o.Record, o.Crossplane = dir, providerArgs, false, ""
	c := &Stack{opts: o, Kubectl: s.Kubectl, MotoURL: s.MotoURL, StrictMotoURL: s.StrictMotoURL, gcpKey: s.gcpKey}
	defer func() {
		if err != nil {
			c.Stop()
		}
	}()
	if err := c.startControlPlane(); err != nil {
		return nil, err
	}
	if err := c.setUpCluster(ctx); err != nil {
		return nil, err
	}
	if err := c.StartProvider(); err != nil {
		return nil, err
	}
	return c, nil
}
