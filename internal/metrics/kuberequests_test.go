package metrics

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestKubeRequest(t *testing.T) {
	cases := map[string]struct {
		reason       string
		method, path string
		verb, res    string
	}{
		"StatusUpdate": {
			reason: "A status write of a namespaced managed resource names its group and the subresource.",
			method: http.MethodPut, path: "/apis/s3.aws.stateful.dev/v1alpha1/namespaces/demo/buckets/b1/status",
			verb: "update", res: "buckets.s3.aws.stateful.dev/status",
		},
		"SecretGet": {
			reason: "A core resource has no group.",
			method: http.MethodGet, path: "/api/v1/namespaces/crossplane-system/secrets/aws-creds",
			verb: "get", res: "secrets",
		},
		"List": {
			reason: "A GET without a name is a list.",
			method: http.MethodGet, path: "/apis/sqs.aws.stateful.dev/v1alpha1/queues?limit=500",
			verb: "list", res: "queues.sqs.aws.stateful.dev",
		},
		"Watch": {
			reason: "A GET with watch=true is a watch.",
			method: http.MethodGet, path: "/api/v1/namespaces/demo/events?watch=true",
			verb: "watch", res: "events",
		},
		"EventCreate": {
			method: http.MethodPost, path: "/api/v1/namespaces/demo/events",
			verb: "create", res: "events",
		},
		"ClusterScoped": {
			reason: "A cluster-scoped object with a status subresource.",
			method: http.MethodPatch, path: "/apis/stateful.dev/v1alpha1/clusterproviderconfigs/default/status",
			verb: "patch", res: "clusterproviderconfigs.stateful.dev/status",
		},
		"Namespace": {
			reason: "namespaces/<name> alone is the Namespace, not a namespaced path.",
			method: http.MethodGet, path: "/api/v1/namespaces/demo",
			verb: "get", res: "namespaces",
		},
		"DeleteCollection": {
			method: http.MethodDelete, path: "/apis/coordination.k8s.io/v1/namespaces/x/leases",
			verb: "deletecollection", res: "leases.coordination.k8s.io",
		},
		"Discovery": {
			reason: "Discovery paths name no resource.",
			method: http.MethodGet, path: "/apis/s3.aws.stateful.dev/v1alpha1",
			verb: "get", res: "discovery",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			u, err := url.Parse(tc.path)
			if err != nil {
				t.Fatal(err)
			}
			verb, res := KubeRequest(tc.method, u)
			if diff := cmp.Diff(tc.verb+" "+tc.res, verb+" "+res); diff != "" {
				t.Errorf("%s\nKubeRequest(%s %s): -want +got:\n%s", tc.reason, tc.method, tc.path, diff)
			}
		})
	}
}
