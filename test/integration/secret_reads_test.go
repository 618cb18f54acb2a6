//go:build integration

package integration

import (
	"context"
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
)

// secretGets counts the provider's GETs of one Secret in the API server's audit log.
func secretGets(t *testing.T, ns, name string) int {
	t.Helper()
	events, err := harness.ReadAudit(auditLog(), providerAgent)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range events {
		if e.Verb == "get" && e.ObjectRef.Resource == "secrets" && e.ObjectRef.Namespace == ns && e.ObjectRef.Name == name {
			n++
		}
	}
	return n
}

// A reconcile reads no credentials Secret from the API server: the provider watches the Secret's metadata and
// reads it again only when its resourceVersion changes — and then it does, within a poll, and uses the new key.
func TestCredentialsSecretReadOnlyWhenChanged(t *testing.T) {
	ns, key1, key2 := namespace(t), "AKIAROTA"+suffix(), "AKIAROTB"+suffix()
	b := bucket(ns, "rotate-"+suffix())
	b.Spec.ProviderConfigReference = tenantConfig(t, ns, key1)
	create(t, b)
	waitReady(t, ns, b.Name)

	polls := func(key string) int {
		return len(proxy.Calls(func(c harness.Call) bool {
			return c.Bucket == b.Name && c.Operation == "HeadBucket" && c.AccessKey == key
		}))
	}
	before, p0 := secretGets(t, ns, "creds"), polls(key1)
	eventually(t, "three more polls of the bucket", func() (bool, string) {
		n := polls(key1) - p0
		return n >= 3, fmt.Sprintf("%d polls", n)
	})
	if got := secretGets(t, ns, "creds") - before; got != 0 {
		t.Errorf("the provider read its credentials Secret %d times over three polls of an unchanged Secret: want 0", got)
	}

	s := &corev1.Secret{}
	if err := kube.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "creds"}, s); err != nil {
		t.Fatal(err)
	}
	s.Data["access_key_id"] = []byte(key2)
	if err := kube.Update(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a poll signed with the rotated key", func() (bool, string) {
		return polls(key2) > 0, fmt.Sprintf("%d polls with the new key", polls(key2))
	})
	if got := secretGets(t, ns, "creds") - before; got < 1 {
		t.Errorf("the rotated Secret was used without being read: %d reads", got)
	}
}
