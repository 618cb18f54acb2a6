package main

import (
	"context"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
)

const vaultNS = "bench-vault"

// s6 is a burst on a ClusterProviderConfig whose AWS keys Vault mints (the AWS secrets engine, IAM users in the
// strict moto, which accepts only keys that exist), with Vault and the strict moto behind counting proxies, then
// one poll of steady state: Vault and STS/IAM calls per reconcile must be 0 until a lease nears expiry.
func (b *bench) s6(ctx context.Context, f figures) error {
	vp, err := harness.StartProxy(b.stack.Vault.URL)
	if err != nil {
		return err
	}
	defer vp.Close()
	sp, err := harness.StartProxy(b.stack.StrictMotoURL)
	if err != nil {
		return err
	}
	defer sp.Close()
	if err := b.kube.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: vaultNS}}); err != nil {
		return err
	}
	pc := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "stateful.dev/v1alpha1", "kind": "ClusterProviderConfig",
		"metadata": map[string]any{"name": "vault-bench"},
		"spec": map[string]any{
			"allowedNamespaces": map[string]any{"names": []any{vaultNS}},
			"vault":             map[string]any{"address": vp.URL, "auth": map[string]any{"kubernetes": map[string]any{"role": "provider-stateful"}}},
			"aws": map[string]any{
				"credentials": map[string]any{"source": "Vault", "vault": map[string]any{"secretsEngine": map[string]any{
					"mount": "aws", "role": "iam", "credentialType": "iam_user",
				}}},
				"endpoint": map[string]any{"url": sp.URL, "s3UsePathStyle": true},
			},
		},
	}}
	if err := b.kube.Create(ctx, pc); err != nil {
		return err
	}
	m := max(b.o.n/10, 20)
	bt := names(b.o.kinds, "vault", m)
	before := b.snap(ctx)
	if err := parallel(bt, b.o.kinds, applyWorkers, func(k kind, name string) error {
		u := mr(k, vaultNS, name)
		_ = unstructured.SetNestedMap(u.Object, map[string]any{"kind": "ClusterProviderConfig", "name": "vault-bench"}, "spec", "providerConfigRef")
		return b.kube.Create(ctx, u)
	}); err != nil {
		return err
	}
	makespan, _, err := b.waitReady(ctx, vaultNS, b.o.kinds, bt.total(), before.at, b.o.timeout)
	if err != nil {
		return err
	}
	f["S6.n"] = float64(bt.total())
	f["S6.makespan_s"] = makespan.Seconds()
	f["S6.vault_calls_burst"] = float64(vp.Len())

	// Steady state: one poll after the burst has settled.
	sleepCtx(ctx, b.o.poll+b.o.jitter)
	v0, s0, mid := vp.Len(), sp.Len(), b.snap(ctx)
	sleepCtx(ctx, b.o.poll+b.o.jitter)
	end := b.snap(ctx)
	rec := end.provider.Sub(mid.provider).Sum("controller_runtime_reconcile_total", "controller=managed/*")
	f["S6.reconciles"] = rec
	if rec > 0 {
		f["S6.vault_calls_per_reconcile"] = float64(vp.Len()-v0) / rec
		sts := 0
		for _, c := range sp.Since(s0) {
			if c.Service == "sts" || c.Service == "iam" {
				sts++
			}
		}
		f["S6.sts_calls_per_reconcile"] = float64(sts) / rec
	}
	if err := b.deleteAll(ctx, vaultNS, b.o.kinds); err != nil {
		return err
	}
	_, err = b.waitGone(ctx, vaultNS, b.o.kinds, time.Now(), b.o.timeout)
	return err
}
