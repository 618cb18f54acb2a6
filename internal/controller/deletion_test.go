package controller

import (
	"strings"
	"testing"
)

// TestDeletions: every kind says what deleting a resource does to its cloud resource (the plan prints it), and
// the kinds whose deletion the spec can hold back say when it does.
func TestDeletions(t *testing.T) {
	cases := map[string]struct {
		reason      string
		kind        string
		forProvider map[string]any
		spec        map[string]any
		deletes     bool
		whatHas     string
	}{
		"S3Empty":        {reason: "S3 deletes only an empty bucket.", kind: "Bucket.s3.aws.stateful.dev", deletes: true, whatHas: "refused and stays until it is emptied"},
		"S3Force":        {reason: "forceDestroy empties it first.", kind: "Bucket.s3.aws.stateful.dev", forProvider: map[string]any{"forceDestroy": true}, deletes: true, whatHas: "every object version"},
		"GCSEmpty":       {reason: "Cloud Storage deletes only an empty bucket.", kind: "Bucket.storage.gcp.stateful.dev", deletes: true, whatHas: "refused and stays until it is emptied"},
		"GCSForce":       {reason: "spec.forceDestroy empties it first.", kind: "Bucket.storage.gcp.stateful.dev", spec: map[string]any{"forceDestroy": true}, deletes: true, whatHas: "every object generation"},
		"RDSUndecided":   {reason: "No final-snapshot decision: nothing is deleted.", kind: "DBInstance.rds.aws.stateful.dev", whatHas: "refused until spec.forProvider.finalSnapshot"},
		"RDSSkip":        {reason: "skip: no snapshot.", kind: "DBInstance.rds.aws.stateful.dev", forProvider: map[string]any{"finalSnapshot": map[string]any{"skip": true}}, deletes: true, whatHas: "with no final snapshot"},
		"RDSSnapshot":    {reason: "A named final snapshot first.", kind: "DBInstance.rds.aws.stateful.dev", forProvider: map[string]any{"finalSnapshot": map[string]any{"identifier": "last"}}, deletes: true, whatHas: "after a final snapshot named last"},
		"RDSProtected":   {reason: "Protection the spec keeps on holds the delete.", kind: "DBInstance.rds.aws.stateful.dev", forProvider: map[string]any{"finalSnapshot": map[string]any{"skip": true}, "deletionProtection": true}, whatHas: "refused while spec.forProvider.deletionProtection is true"},
		"RDSUnprotected": {reason: "Protection the spec turns off goes first.", kind: "DBInstance.rds.aws.stateful.dev", forProvider: map[string]any{"finalSnapshot": map[string]any{"skip": true}, "deletionProtection": false}, deletes: true, whatHas: "turns the instance's deletion protection off"},
		"DynamoDB":       {reason: "Unset protection: the table's own decides.", kind: "Table.dynamodb.aws.stateful.dev", deletes: true, whatHas: "table and its items; refused while the table's own deletion protection is on"},
		"DynamoDBOn":     {reason: "Protection on in the spec holds it.", kind: "Table.dynamodb.aws.stateful.dev", forProvider: map[string]any{"deletionProtection": true}, whatHas: "the table stays"},
		"BigtableOff":    {reason: "Protection off in the spec goes first.", kind: "Table.bigtable.gcp.stateful.dev", forProvider: map[string]any{"deletionProtection": false}, deletes: true, whatHas: "turns the table's deletion protection off"},
		"Queue":          {reason: "A queue goes with its messages.", kind: "Queue.sqs.aws.stateful.dev", deletes: true, whatHas: "messages"},
		"Topic":          {reason: "A topic's subscriptions stay.", kind: "Topic.pubsub.gcp.stateful.dev", deletes: true, whatHas: "subscriptions stay"},
		"Subscription":   {reason: "Undelivered messages go.", kind: "Subscription.pubsub.gcp.stateful.dev", deletes: true, whatHas: "not delivered"},
	}
	kinds := map[string]bool{}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			for _, k := range Kinds() {
				if k.GroupVersionKind().GroupKind().String() != tc.kind {
					continue
				}
				kinds[tc.kind] = true
				spec := map[string]any{"forProvider": tc.forProvider}
				for k, v := range tc.spec {
					spec[k] = v
				}
				d, ok, err := k.DeletionOf(map[string]any{"spec": spec})
				if err != nil || !ok {
					t.Fatalf("%s\nDeletionOf: declared %t, %v", tc.reason, ok, err)
				}
				if d.Deletes != tc.deletes || !strings.Contains(d.What, tc.whatHas) {
					t.Errorf("%s\nwant deletes=%t and %q in it, got %+v", tc.reason, tc.deletes, tc.whatHas, d)
				}
				return
			}
			t.Fatalf("no kind %s", tc.kind)
		})
	}
	for _, k := range Kinds() {
		if gk := k.GroupVersionKind().GroupKind().String(); !kinds[gk] {
			t.Errorf("%s: no case says what deleting one does", gk)
		}
	}
}
