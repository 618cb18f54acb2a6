//go:build integration

package integration

import (
	"context"
	"os"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"
)

// The rules on metadata.name run when an object is created, not on its later writes (the name cannot change). An
// object whose name a rule refuses — made before a provider version added the rule — still takes status writes,
// so the provider can report on it and finalize it; a new object with such a name is still refused. The Bucket
// CRD's own rules are served under a group of the test's, first without its root rules, then with them.
func TestNameRulesOnlyOnCreate(t *testing.T) {
	ctx := context.Background()
	b, err := os.ReadFile("../../package/crds/s3.aws.stateful.dev_buckets.yaml")
	if err != nil {
		t.Fatal(err)
	}
	crd := &unstructured.Unstructured{}
	if err := yaml.Unmarshal(b, &crd.Object); err != nil {
		t.Fatal(err)
	}
	// A group of its own per run: deleting a CRD takes a while (its objects go first), and a second run must not
	// meet the first one's copy.
	group := "namerules-" + suffix() + ".test.stateful.dev"
	crd.SetName("buckets." + group)
	crd.SetResourceVersion("")
	_ = unstructured.SetNestedField(crd.Object, group, "spec", "group")
	versions, _, _ := unstructured.NestedSlice(crd.Object, "spec", "versions")
	v := versions[0].(map[string]any)
	root := v["schema"].(map[string]any)["openAPIV3Schema"].(map[string]any)
	rules := root["x-kubernetes-validations"]
	delete(root, "x-kubernetes-validations")
	_ = unstructured.SetNestedSlice(crd.Object, versions, "spec", "versions")
	if err := kube.Create(ctx, crd); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = kube.Delete(context.Background(), crd) })

	ns := namespace(t)
	obj := func(name string) *unstructured.Unstructured {
		u := &unstructured.Unstructured{Object: map[string]any{
			"spec": map[string]any{"forProvider": map[string]any{"region": "eu-west-1"}, "managementPolicies": []any{"Observe"}},
		}}
		u.SetGroupVersionKind(schema.GroupVersionKind{Group: group, Version: "v1alpha1", Kind: "Bucket"})
		u.SetNamespace(ns)
		u.SetName(name)
		return u
	}
	// "ab" is too short for a bucket name: accepted while the CRD has no rule on names.
	old := obj("ab")
	eventually(t, "the CRD without name rules to serve", func() (bool, string) {
		err := kube.Create(ctx, old)
		return err == nil, errString(err)
	})

	// The CRD gains its rules on names, as a provider upgrade would bring them.
	if err := kube.Get(ctx, client.ObjectKeyFromObject(crd), crd); err != nil {
		t.Fatal(err)
	}
	versions, _, _ = unstructured.NestedSlice(crd.Object, "spec", "versions")
	versions[0].(map[string]any)["schema"].(map[string]any)["openAPIV3Schema"].(map[string]any)["x-kubernetes-validations"] = rules
	_ = unstructured.SetNestedSlice(crd.Object, versions, "spec", "versions")
	if err := kube.Update(ctx, crd); err != nil {
		t.Fatal(err)
	}
	// The API server serves the new schema a moment after the update: an object it still accepts is deleted, so
	// that the next attempt is a create again, not an AlreadyExists.
	eventually(t, "a new object named cd to be refused", func() (bool, string) {
		cd := obj("cd")
		err := kube.Create(ctx, cd)
		if err == nil {
			_ = kube.Delete(ctx, cd)
		}
		return err != nil && strings.Contains(err.Error(), "3 to 63 characters"), errString(err)
	})

	// The object from before the rules still takes a status write (and an update, as a finalizer removal is).
	if err := kube.Get(ctx, client.ObjectKeyFromObject(old), old); err != nil {
		t.Fatal(err)
	}
	_ = unstructured.SetNestedSlice(old.Object, []any{map[string]any{
		"type": "Synced", "status": "False", "reason": "ReconcileError", "lastTransitionTime": "2026-01-01T00:00:00Z",
	}}, "status", "conditions")
	if err := kube.Status().Update(ctx, old); err != nil {
		t.Errorf("a status write of an object made before the name rules must be accepted: %v", err)
	}
	if err := kube.Get(ctx, client.ObjectKeyFromObject(old), old); err != nil {
		t.Fatal(err)
	}
	old.SetLabels(map[string]string{"touched": "true"})
	if err := kube.Update(ctx, old); err != nil {
		t.Errorf("an update of an object made before the name rules must be accepted: %v", err)
	}
}

func errString(err error) string {
	if err == nil {
		return "no error"
	}
	return err.Error()
}
