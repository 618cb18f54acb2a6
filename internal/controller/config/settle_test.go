package config

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/stateful-dev/provider-stateful/apis"
	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
)

func TestSettle(t *testing.T) {
	sch := runtime.NewScheme()
	if err := apis.AddToScheme(sch); err != nil {
		t.Fatal(err)
	}
	now := metav1.Now()
	live := &v1alpha1.ClusterProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: "live"}}
	deleting := &v1alpha1.ClusterProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: "deleting", DeletionTimestamp: &now, Finalizers: []string{"f"}}}
	kube := fake.NewClientBuilder().WithScheme(sch).WithObjects(live, deleting).Build()
	newObj := func() (client.Object, *v1alpha1.ProviderConfigSpec, *v1alpha1.ProviderConfigStatus) {
		pc := &v1alpha1.ClusterProviderConfig{}
		return pc, &pc.Spec, &pc.Status
	}
	s := newSettle(10 * time.Second)
	clock := time.Unix(1000, 0)
	s.now = func() time.Time { return clock }
	req := func(n string) reconcile.Request {
		return reconcile.Request{NamespacedName: types.NamespacedName{Name: n}}
	}
	var got []time.Duration
	urgent := false
	isUrgent := func(*v1alpha1.ProviderConfigSpec, *v1alpha1.ProviderConfigStatus) bool { return urgent }
	step := func(name string, advance time.Duration) {
		clock = clock.Add(advance)
		got = append(got, s.wait(context.Background(), kube, req(name), newObj, isUrgent))
	}
	step("live", 0)             // first reconcile runs
	step("live", 3*time.Second) // a usage changed 3 s later: wait the rest
	step("live", 7*time.Second) // the interval has passed: runs
	step("live", time.Second)   // a usage changed again: waits
	bump := &v1alpha1.ClusterProviderConfig{}
	if err := kube.Get(context.Background(), types.NamespacedName{Name: "live"}, bump); err != nil {
		t.Fatal(err)
	}
	bump.Generation++
	if err := kube.Update(context.Background(), bump); err != nil {
		t.Fatal(err)
	}
	step("live", time.Second) // the spec changed (a new generation): runs at once
	urgent = true
	step("live", time.Second) // what it holds in Vault changed (credentials issued): runs at once
	urgent = false
	step("live", time.Second)     // a usage changed again: waits
	step("deleting", 0)           // a deletion is never held back
	step("deleting", time.Second) // ... twice in a row
	step("gone", 0)               // nor a config that is gone
	want := []time.Duration{0, 7 * time.Second, 0, 9 * time.Second, 0, 0, 9 * time.Second, 0, 0, 0}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("a live config is reconciled at most once per interval; spec changes, Vault changes and deletions at once: -want +got:\n%s", diff)
	}
}
