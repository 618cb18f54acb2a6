//go:build integration

package integration

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	authorizationv1 "k8s.io/api/authorization/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
)

// applyFile creates every object of a multi-document YAML file.
func applyFile(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	d := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(b), 4096)
	for {
		u := &unstructured.Unstructured{}
		if err := d.Decode(&u.Object); errors.Is(err, io.EOF) {
			return
		} else if err != nil {
			t.Fatal(err)
		}
		if len(u.Object) == 0 {
			continue
		}
		if err := kube.Create(context.Background(), u); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
}

// The shipped RBAC, applied to the real API server and asked with SubjectAccessReviews: the provider's service
// account may do what the provider does beyond Crossplane's grants (TokenRequest, service account reads,
// TokenReview, namespace watches), and a tenant bound to the example tenant role in its namespace may manage the
// namespaced kinds and ProviderConfigs there — and never ClusterProviderConfigs, nor the provider's claims.
func TestShippedRBAC(t *testing.T) {
	dir := filepath.Join(harness.RepoRoot(), "cluster", "rbac")
	applyFile(t, filepath.Join(dir, "provider.yaml"))
	applyFile(t, filepath.Join(dir, "tenant.yaml"))
	tenantNS := namespace(t)
	applyObject(t, map[string]any{
		"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
		"metadata": map[string]any{"namespace": tenantNS, "name": "team"},
		"roleRef":  map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "provider-stateful:tenant-edit"},
		"subjects": []any{map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "alice"}},
	})

	provider := subject{user: "system:serviceaccount:crossplane-system:provider-stateful", groups: []string{"system:serviceaccounts", "system:serviceaccounts:crossplane-system"}}
	alice := subject{user: "alice"}
	for _, c := range []struct {
		who     subject
		attr    authorizationv1.ResourceAttributes
		allowed bool
	}{
		{provider, authorizationv1.ResourceAttributes{Namespace: tenantNS, Verb: "create", Resource: "serviceaccounts", Subresource: "token"}, true},
		{provider, authorizationv1.ResourceAttributes{Namespace: tenantNS, Verb: "get", Resource: "serviceaccounts"}, true},
		{provider, authorizationv1.ResourceAttributes{Verb: "create", Group: "authentication.k8s.io", Resource: "tokenreviews"}, true},
		{provider, authorizationv1.ResourceAttributes{Verb: "watch", Resource: "namespaces"}, true},
		{provider, authorizationv1.ResourceAttributes{Verb: "delete", Resource: "namespaces"}, false},
		{alice, authorizationv1.ResourceAttributes{Namespace: tenantNS, Verb: "create", Group: "s3.aws.stateful.dev", Resource: "buckets"}, true},
		{alice, authorizationv1.ResourceAttributes{Namespace: tenantNS, Verb: "update", Group: "rds.aws.stateful.dev", Resource: "dbinstances"}, true},
		{alice, authorizationv1.ResourceAttributes{Namespace: tenantNS, Verb: "create", Group: "stateful.dev", Resource: "providerconfigs"}, true},
		{alice, authorizationv1.ResourceAttributes{Namespace: "other", Verb: "create", Group: "s3.aws.stateful.dev", Resource: "buckets"}, false},
		{alice, authorizationv1.ResourceAttributes{Verb: "create", Group: "stateful.dev", Resource: "clusterproviderconfigs"}, false},
		{alice, authorizationv1.ResourceAttributes{Verb: "update", Group: "stateful.dev", Resource: "clusterproviderconfigs"}, false},
		{alice, authorizationv1.ResourceAttributes{Namespace: "crossplane-system", Verb: "update", Group: "coordination.k8s.io", Resource: "leases"}, false},
		{alice, authorizationv1.ResourceAttributes{Namespace: tenantNS, Verb: "create", Group: "stateful.dev", Resource: "providerconfigusages"}, false},
	} {
		sar := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{User: c.who.user, Groups: c.who.groups, ResourceAttributes: &c.attr}}
		if err := kube.Create(context.Background(), sar); err != nil {
			t.Fatal(err)
		}
		if sar.Status.Allowed != c.allowed {
			t.Errorf("%s %s %s/%s in %q: allowed=%t, want %t", c.who.user, c.attr.Verb, c.attr.Resource, c.attr.Subresource, c.attr.Namespace, sar.Status.Allowed, c.allowed)
		}
	}

	// The runtime config names the service account the binding is for, and turns leader election on.
	b, err := os.ReadFile(filepath.Join(harness.RepoRoot(), "cluster", "runtime", "deploymentruntimeconfig.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var drc struct {
		Spec struct {
			ServiceAccountTemplate struct {
				Metadata struct{ Name string }
			} `json:"serviceAccountTemplate"`
			DeploymentTemplate struct {
				Spec struct {
					Template struct {
						Spec struct {
							Containers []struct{ Args []string }
						}
					}
				}
			} `json:"deploymentTemplate"`
		}
	}
	if err := yaml.Unmarshal(b, &drc); err != nil {
		t.Fatal(err)
	}
	if drc.Spec.ServiceAccountTemplate.Metadata.Name != "provider-stateful" {
		t.Errorf("the runtime config's service account: %q, want provider-stateful (what the binding names)", drc.Spec.ServiceAccountTemplate.Metadata.Name)
	}
	args := drc.Spec.DeploymentTemplate.Spec.Template.Spec.Containers[0].Args
	for _, want := range []string{"--leader-election", "--service-account=crossplane-system/provider-stateful"} {
		if !slices.Contains(args, want) {
			t.Errorf("the runtime config's args lack %s: %v", want, args)
		}
	}
}

type subject struct {
	user   string
	groups []string
}

func applyObject(t *testing.T, obj map[string]any) {
	t.Helper()
	if err := kube.Create(context.Background(), &unstructured.Unstructured{Object: obj}); err != nil {
		t.Fatal(err)
	}
}
