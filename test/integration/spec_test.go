//go:build integration

package integration

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"
)

// The spec is the user's, byte for byte: a manifest that writes fields with their zero values (false, 0) and
// explicit empty values ("none": tags: {}, empty index and rule lists) is stored as applied after the provider created the resource and wrote its annotations —
// what `kubectl diff` and Argo CD compare — and its generation does not move.
func TestSpecSurvivesProviderWrites(t *testing.T) {
	ns := namespace(t)
	manifests := map[string]string{
		"Bucket": `apiVersion: s3.aws.stateful.dev/v1alpha1
kind: Bucket
metadata: {name: zero-%[1]s}
spec:
  adoptExisting: false
  forProvider:
    region: eu-west-1
    forceDestroy: false
    tags: {}
    publicAccessBlock: {blockPublicAcls: true, ignorePublicAcls: false, blockPublicPolicy: false, restrictPublicBuckets: false}
    serverSideEncryption: {algorithm: AES256, bucketKeyEnabled: false}
    lifecycle: {rules: [{id: tmp, expirationDays: 7, transitions: [], noncurrentVersionTransitions: []}]}
    cors: {rules: []}`,
		"Queue": `apiVersion: sqs.aws.stateful.dev/v1alpha1
kind: Queue
metadata: {name: zero-q-%[1]s}
spec:
  adoptExisting: false
  forProvider: {region: eu-west-1, tags: {}, delaySeconds: 0}`,
		"DBInstance": `apiVersion: rds.aws.stateful.dev/v1alpha1
kind: DBInstance
metadata: {name: zero-db-%[1]s}
spec:
  adoptExisting: false
  forProvider:
    region: eu-west-1
    engine: postgres
    dbInstanceClass: db.t4g.micro
    allocatedStorage: 20
    masterUsername: app
    masterPasswordSecretRef: {name: zero-db-%[1]s-master, key: password, generate: true}
    multiAZ: false
    tags: {}
    finalSnapshot: {skip: true}`,
		"Table": `apiVersion: dynamodb.aws.stateful.dev/v1alpha1
kind: Table
metadata: {name: zero-t-%[1]s}
spec:
  adoptExisting: false
  forProvider:
    region: eu-west-1
    hashKey: pk
    attributeDefinitions: [{name: pk, type: S}]
    globalSecondaryIndexes: []
    localSecondaryIndexes: []
    tags: {}`,
		"Topic": `apiVersion: pubsub.gcp.stateful.dev/v1alpha1
kind: Topic
metadata: {name: zero-topic-%[1]s}
spec:
  adoptExisting: false
  forProvider: {labels: {}}`,
		"Subscription": `apiVersion: pubsub.gcp.stateful.dev/v1alpha1
kind: Subscription
metadata: {name: zero-sub-%[1]s}
spec:
  adoptExisting: false
  forProvider:
    topic: %[2]s
    labels: {}
    retainAckedMessages: false
    enableExactlyOnceDelivery: false
    deadLetterPolicy: {}
    retryPolicy: {}
    pushConfig: {}`,
		"GCSBucket": `apiVersion: storage.gcp.stateful.dev/v1alpha1
kind: Bucket
metadata: {name: zero-gcs-%[1]s}
spec:
  adoptExisting: false
  forceDestroy: false
  forProvider:
    location: EU
    labels: {}
    versioning: false
    requesterPays: false
    defaultKMSKeyName: ""
    logging: {}
    lifecycleRules: []
    cors: []
    retentionPolicy: {}`,
		"BigtableTable": `apiVersion: bigtable.gcp.stateful.dev/v1alpha1
kind: Table
metadata: {name: zero-bt-%[1]s}
spec:
  adoptExisting: false
  forProvider:
    instance: ` + btInstance + `
    deletionProtection: false
    columnFamilies: [{name: d, gcRule: {}}, {name: e, drop: false}]`,
	}
	for kind, m := range manifests {
		t.Run(kind, func(t *testing.T) {
			u := &unstructured.Unstructured{}
			if err := yaml.Unmarshal([]byte(fmt.Sprintf(m, suffix(), ensureTopic("zero-"+suffix(), ns))), &u.Object); err != nil {
				t.Fatal(err)
			}
			u.SetNamespace(ns)
			applied := u.DeepCopy()
			if err := kube.Create(context.Background(), u); err != nil {
				t.Fatal(err)
			}
			var got *unstructured.Unstructured
			eventually(t, kind+" Ready", func() (bool, string) {
				got = &unstructured.Unstructured{}
				got.SetGroupVersionKind(applied.GroupVersionKind())
				if err := kube.Get(context.Background(), client.ObjectKeyFromObject(u), got); err != nil {
					return false, err.Error()
				}
				conds, _, _ := unstructured.NestedSlice(got.Object, "status", "conditions")
				for _, c := range conds {
					if m, ok := c.(map[string]any); ok && m["type"] == "Ready" && m["status"] == "True" {
						return true, ""
					}
				}
				return false, fmt.Sprint(conds)
			})
			if missing := notIn(t, applied.Object["spec"], got.Object["spec"], "spec"); len(missing) > 0 {
				t.Errorf("the stored %s lost what was applied: %v", kind, missing)
			}
			if g := got.GetGeneration(); g != 1 {
				t.Errorf("the %s's generation moved to %d: the provider changed its spec", kind, g)
			}
		})
	}
}

// notIn lists the paths of want that got does not hold with the same value.
func notIn(t *testing.T, want, got any, path string) []string {
	t.Helper()
	if ws, ok := want.([]any); ok {
		gs, ok := got.([]any)
		if !ok || len(gs) != len(ws) {
			return []string{fmt.Sprintf("%s: applied %v, stored %v", path, want, got)}
		}
		var out []string
		for i := range ws {
			out = append(out, notIn(t, ws[i], gs[i], fmt.Sprintf("%s[%d]", path, i))...)
		}
		return out
	}
	wm, ok := want.(map[string]any)
	if !ok {
		// Numbers decode as float64 from the manifest and int64 from the API server: compare their text.
		if reflect.TypeOf(want) != reflect.TypeOf(got) && fmt.Sprint(want) == fmt.Sprint(got) {
			return nil
		}
		if !reflect.DeepEqual(want, got) {
			return []string{fmt.Sprintf("%s: applied %v, stored %v", path, want, got)}
		}
		return nil
	}
	gm, isMap := got.(map[string]any)
	if !isMap {
		// An applied empty object ({}: "none") must be stored too, not dropped.
		return []string{fmt.Sprintf("%s: applied %v, stored %v", path, want, got)}
	}
	var out []string
	for k, v := range wm {
		g, ok := gm[k]
		if !ok {
			out = append(out, path+"."+k+": dropped")
			continue
		}
		out = append(out, notIn(t, v, g, path+"."+k)...)
	}
	return out
}
