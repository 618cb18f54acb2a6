//go:build integration

package integration

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	s3v1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
	sqsv1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/sqs/v1alpha1"
	pubsubv1alpha1 "github.com/stateful-dev/provider-stateful/apis/gcp/pubsub/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/clients/readonly"
	"github.com/stateful-dev/provider-stateful/internal/controller"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
	"github.com/stateful-dev/provider-stateful/internal/plan"
)

// kubeWrites counts the requests that could write to the API server: every method but GET (LISTs, WATCHes and
// discovery are GETs).
type kubeWrites struct {
	mu   sync.Mutex
	seen []string
}

func (k *kubeWrites) wrap(next http.RoundTripper) http.RoundTripper {
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			k.mu.Lock()
			k.seen = append(k.seen, r.Method+" "+r.URL.Path)
			k.mu.Unlock()
		}
		return next.RoundTrip(r)
	})
}

// TestPlanRefresh runs plan --live --refresh's code path against the suite's cluster, provider, moto behind the
// recording proxy and pstest behind its forwarder. A Bucket (tags), a Queue (visibilityTimeout) and a Topic
// (labels) are made and in sync, paused so that the provider's own reconciles stay out of the count, and then
// changed in the cloud behind the provider's back. Manifests changing the Queue's visibilityTimeout and leaving the
// Bucket and the Topic as they are (and unpausing the Queue and the Topic) plan: each drifted field with the
// cloud's value now (status.atProvider, which the provider last wrote in sync, says otherwise), the Queue's
// reverted by the merge, the Topic's by the provider's next poll, the Bucket's by nothing while it stays paused.
// The refresh read each resource (read calls on the wire), sent no mutating call — a write asked of its clients on
// purpose is refused — and wrote nothing to Kubernetes: no request but GETs, and every resourceVersion as it was.
func TestPlanRefresh(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ns := namespace(t)
	id := suffix()
	bName, qName, tName := "refresh-b-"+id, "refresh-q-"+id, "refresh-t-"+id
	paused := map[string]string{"crossplane.io/paused": "true"}

	create(t, bucket(ns, bName, withTags(map[string]string{"team": "a"})))
	create(t, queue(ns, qName, func(q *sqsv1alpha1.Queue) { q.Spec.ForProvider.VisibilityTimeout = ptr.To(int32(30)) }))
	create(t, topic(ns, tName, func(tp *pubsubv1alpha1.Topic) { tp.Spec.ForProvider.Labels = map[string]string{"team": "a"} }))
	objs := []struct {
		name   string
		newObj func() managedObj
	}{
		{bName, func() managedObj { return &s3v1alpha1.Bucket{} }},
		{qName, func() managedObj { return &sqsv1alpha1.Queue{} }},
		{tName, func() managedObj { return &pubsubv1alpha1.Topic{} }},
	}
	for _, o := range objs {
		waitMR(t, ns, o.name, "Ready", o.newObj, readySynced[managedObj])
		updateMR(t, ns, o.name, o.newObj, func(mg managedObj) {
			a := mg.GetAnnotations()
			if a == nil {
				a = map[string]string{}
			}
			for k, v := range paused {
				a[k] = v
			}
			mg.SetAnnotations(a)
		})
		waitMR(t, ns, o.name, "paused", o.newObj, func(mg managedObj) (bool, string) {
			c := mg.GetCondition(xpv2.TypeSynced)
			return c.Reason == xpv2.ReasonReconcilePaused, string(c.Reason)
		})
	}

	// Behind the provider's back, uncounted: the bucket's team tag, the queue's timeout, the topic's team label.
	tags := cloudTags(t, bName)
	tags["team"] = "b"
	cloudPutTags(t, bName, tags)
	q, err := directSQS().GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(qName)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := directSQS().SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: q.QueueUrl, Attributes: map[string]string{"VisibilityTimeout": "99"}}); err != nil {
		t.Fatal(err)
	}
	labels := cloudTopic(t, tName).GetLabels()
	labels["team"] = "b"
	if _, err := directTopics.UpdateTopic(ctx, &pubsubpb.UpdateTopicRequest{
		Topic: &pubsubpb.Topic{Name: topicName(tName), Labels: labels}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"labels"}},
	}); err != nil {
		t.Fatal(err)
	}

	versions := func() []string {
		var out []string
		for _, o := range objs {
			mg := o.newObj()
			if err := kube.Get(ctx, client.ObjectKey{Namespace: ns, Name: o.name}, mg); err != nil {
				t.Fatal(err)
			}
			out = append(out, o.name+"@"+mg.GetResourceVersion())
		}
		return out
	}
	before := versions()
	pubsubProxy.Watch(topicName(tName))
	awsMark, gcpMark := proxy.Len(), time.Now()

	writes := &kubeWrites{}
	cfg := rest.CopyConfig(restCfg)
	cfg.UserAgent = "provider-stateful-plan"
	cfg.Wrap(writes.wrap)
	lister, err := plan.NewLister(cfg)
	if err != nil {
		t.Fatal(err)
	}
	allowed, err := credentials.ParseEndpointPattern(allowedEndpoint)
	if err != nil {
		t.Fatal(err)
	}
	env, closeEnv, err := plan.NewRefreshEnv(cfg, []credentials.EndpointPattern{allowed})
	if err != nil {
		t.Fatal(err)
	}
	manifests := writeManifests(t,
		fmt.Sprintf("---\napiVersion: s3.aws.stateful.dev/v1alpha1\nkind: Bucket\nmetadata: {namespace: %s, name: %s}\nspec:\n  forProvider: {region: eu-west-1, tags: {team: a}}\n", ns, bName),
		// Unpaused by the merge: the Queue's new timeout and the Topic's labels are the provider's to write again.
		fmt.Sprintf("---\napiVersion: sqs.aws.stateful.dev/v1alpha1\nkind: Queue\nmetadata: {namespace: %s, name: %s, annotations: {crossplane.io/paused: \"false\"}}\n"+
			"spec:\n  forProvider: {region: eu-west-1, visibilityTimeout: 60}\n", ns, qName),
		fmt.Sprintf("---\napiVersion: pubsub.gcp.stateful.dev/v1alpha1\nkind: Topic\nmetadata: {namespace: %s, name: %s, annotations: {crossplane.io/paused: \"false\"}}\n"+
			"spec:\n  forProvider: {labels: {team: a}}\n", ns, tName),
	)
	start := time.Now()
	r, err := plan.ComputeLive(ctx, lister, plan.KindsOf(controller.Kinds()), manifests, plan.LiveOptions{Scope: plan.Scope{Namespace: ns}, Refresh: env})
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	// The env's clients are the guarded ones: a write through them, asked for on purpose, is refused before it
	// leaves the process (the proxy's count below would see it otherwise).
	live := &sqsv1alpha1.Queue{}
	if err := kube.Get(ctx, client.ObjectKey{Namespace: ns, Name: qName}, live); err != nil {
		t.Fatal(err)
	}
	acct, err := env.Creds.AWS(ctx, live)
	if err != nil {
		t.Fatal(err)
	}
	_, err = sqs.NewFromConfig(acct.Config, func(o *sqs.Options) { o.Region = "eu-west-1" }).SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{
		QueueUrl: q.QueueUrl, Attributes: map[string]string{"VisibilityTimeout": "1"},
	})
	var refused *readonly.RefusedError
	if !errors.As(err, &refused) {
		t.Errorf("a write through the refresh's clients: want it refused, got %v", err)
	}
	closeEnv(ctx)
	logText(t, fmt.Sprintf("plan --live --refresh (%s)", took.Round(time.Millisecond)), r)

	type row struct {
		Name         string
		Action       plan.Action
		Drift        []plan.Drift
		RefreshError string
	}
	var got []row
	for _, res := range r.Resources {
		got = append(got, row{Name: res.Name, Action: res.Action, Drift: res.Drift, RefreshError: res.RefreshError})
	}
	want := []row{
		// Still paused after the merge: nothing reverts the drift.
		{Name: bName, Action: plan.Unchanged, Drift: []plan.Drift{{Field: "spec.forProvider.tags[team]", Spec: "a", Cloud: "b", Reverted: plan.RevertedPaused}}},
		{Name: qName, Action: plan.Change, Drift: []plan.Drift{{Field: "spec.forProvider.visibilityTimeout", Spec: "30", Cloud: "99", Reverted: plan.RevertedByMerge}}},
		{Name: tName, Action: plan.Unchanged, Drift: []plan.Drift{{Field: "spec.forProvider.labels[team]", Spec: "a", Cloud: "b", Reverted: plan.RevertedByProvider}}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the drift read now: -want, +got:\n%s", diff)
	}
	for _, res := range r.Resources {
		if res.Name == qName {
			if diff := cmp.Diff([]plan.FieldChange{{Field: "spec.forProvider.visibilityTimeout", Current: "30", Desired: "60", Effect: "in place", When: "now",
				Cloud: "99", Drift: true, Note: res.Changes[0].Note, Source: res.Changes[0].Source}}, res.Changes); diff != "" {
				t.Errorf("the Queue's change says the cloud's value now (atProvider says 30): -want, +got:\n%s", diff)
			}
		}
	}

	// On the wire: reads of each resource, and not one mutating call.
	reads := map[string]int{}
	for _, c := range proxy.Since(awsMark) {
		if c.Bucket != bName && c.Bucket != qName {
			continue
		}
		if harness.IsMutating(c.Operation) {
			t.Errorf("the refresh sent %s on %s", c.Operation, c.Bucket)
		}
		reads[c.Bucket]++
	}
	for _, c := range pubsubProxy.Calls(func(c harness.Call) bool { return c.Bucket == topicName(tName) && !c.At.Before(gcpMark) }) {
		if harness.IsMutating(c.Operation) {
			t.Errorf("the refresh sent %s on the topic", c.Operation)
		}
		reads[tName]++
	}
	for _, n := range []string{bName, qName, tName} {
		if reads[n] == 0 {
			t.Errorf("the refresh read nothing of %s from the cloud: %v", n, reads)
		}
	}
	t.Logf("cloud reads during the refresh: %v", reads)

	// And nothing written to Kubernetes.
	if diff := cmp.Diff(before, versions()); diff != "" {
		t.Errorf("resourceVersions changed during the refresh: -before, +after:\n%s", diff)
	}
	writes.mu.Lock()
	defer writes.mu.Unlock()
	if len(writes.seen) > 0 {
		t.Errorf("the refresh sent to the API server: %v", writes.seen)
	}
}
