package main

import (
	"context"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// mixedKinds are every kind the provider serves that the local stack can answer, with minimal specs. No floor is
// measured for them: the mixed burst shows how the kinds share the provider, per kind.
var mixedKinds = []kind{
	bucketKind, queueKind,
	{name: "table", gvk: schema.GroupVersionKind{Group: "dynamodb.aws.stateful.dev", Version: "v1alpha1", Kind: "Table"},
		spec: func(string) map[string]any {
			return map[string]any{"region": region, "hashKey": "pk", "tags": benchTags,
				"attributeDefinitions": []any{map[string]any{"name": "pk", "type": "S"}}}
		}},
	{name: "dbinstance", gvk: schema.GroupVersionKind{Group: "rds.aws.stateful.dev", Version: "v1alpha1", Kind: "DBInstance"},
		spec: func(name string) map[string]any {
			return map[string]any{"region": region, "engine": "postgres", "dbInstanceClass": "db.t4g.micro", "masterUsername": "app",
				"tags": benchTags, "finalSnapshot": map[string]any{"skip": true},
				"masterPasswordSecretRef": map[string]any{"name": name + "-master", "generate": true}}
		}},
	gcsBucketKind,
	{name: "topic", gvk: schema.GroupVersionKind{Group: "pubsub.gcp.stateful.dev", Version: "v1alpha1", Kind: "Topic"},
		spec: func(string) map[string]any { return map[string]any{"labels": benchTags} }},
}

// gcsBucketKind is Cloud Storage's Bucket (the mixed burst's, and the hostile tenant's of SH).
var gcsBucketKind = kind{name: "gcsbucket", gvk: schema.GroupVersionKind{Group: "storage.gcp.stateful.dev", Version: "v1alpha1", Kind: "Bucket"},
	spec: func(string) map[string]any { return map[string]any{"location": "EU", "labels": benchTags} }}

const mixedNS = "bench-mixed"

// mixed is a burst of every kind at once, N/40 of each (at least 10).
func (b *bench) mixed(ctx context.Context, f figures) error {
	per := max(b.o.n/40, 10)
	bt := batch{}
	for _, k := range mixedKinds {
		for i := 0; i < per; i++ {
			bt[k.name] = append(bt[k.name], fmt.Sprintf("mixed-%s-%05d", k.name, i))
		}
	}
	before := b.snap(ctx)
	if err := parallel(bt, mixedKinds, applyWorkers, func(k kind, name string) error {
		return b.kube.Create(ctx, mr(k, mixedNS, name))
	}); err != nil {
		return err
	}
	makespan, ttr, err := b.waitReady(ctx, mixedNS, mixedKinds, bt.total(), before.at, b.o.timeout)
	if err != nil {
		return err
	}
	b.keepTTR("mixed", ttr)
	after := b.snap(ctx)
	n := float64(bt.total())
	f["mixed.n"] = n
	f["mixed.makespan_s"] = makespan.Seconds()
	// Per kind: time to Ready p50 and cloud calls per MR (AWS from the proxy, by resource name; GCP from the
	// provider's own metric, which the GCP integration tests check against their proxies).
	calls := callsByKind(b.proxy.Since(before.calls)[:after.calls-before.calls], "mixed", bt)
	d := after.provider.Sub(before.provider)
	calls["gcsbucket"] = d.Sum("stateful_cloud_requests_total", "cloud=gcp", "service=storage") / float64(per)
	calls["topic"] = d.Sum("stateful_cloud_requests_total", "cloud=gcp", "service=pubsub") / float64(per)
	for _, k := range mixedKinds {
		f["mixed."+k.name+".ttr_p50_s"] = quantile(ttr[k.name], 0.5)
		f["mixed."+k.name+".cloud_calls_per_mr"] = calls[k.name]
	}
	b.kubeFigures(f, "mixed", mixedKinds, before, after, n, n)
	if err := b.deleteAll(ctx, mixedNS, mixedKinds); err != nil {
		return err
	}
	_, err = b.waitGone(ctx, mixedNS, mixedKinds, time.Now(), b.o.timeout)
	return err
}
