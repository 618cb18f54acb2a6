package subscription

import (
	"context"
	"strings"
	"testing"

	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/stateful-dev/provider-stateful/apis/gcp/pubsub/v1alpha1"
	pubsubclient "github.com/stateful-dev/provider-stateful/internal/clients/gcp/pubsub"
	"github.com/stateful-dev/provider-stateful/internal/clients/gcp/pubsub/fake"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind/kindtest"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

func newSub(mutate ...func(*v1alpha1.Subscription)) *v1alpha1.Subscription {
	s := &v1alpha1.Subscription{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "orders-worker", UID: "uid-1",
		Annotations: map[string]string{"crossplane.io/external-name": "orders-worker"}}}
	s.Spec.ForProvider.Topic = ptr.To("orders")
	for _, m := range mutate {
		m(s)
	}
	return s
}

func ext(f *fake.Subscriptions, shared bool) *external {
	return &external{Conn: kindtest.Conn(Kind(), pubsubclient.SubscriptionAPI(f), &credentials.GCPAccount{
		ProjectID: "p", Shared: shared, DefaultLabels: map[string]string{"managed-by": "ps"}, IgnoreLabelPrefixes: []string{"goog-"},
	})}
}

// topicOf is a topic a Topic of namespace ns made.
func topicOf(name, ns string) *pubsubpb.Topic {
	return &pubsubpb.Topic{Name: name, Labels: managedkind.GCPLabels.Tags(&metav1.ObjectMeta{Namespace: ns, Name: "t", UID: "u"})}
}

// getTopic answers GetTopic as Pub/Sub does from topics, by full name (NotFound when absent), counting the reads in
// reads.
func getTopic(topics map[string]*pubsubpb.Topic, reads *int) func(*pubsubpb.GetTopicRequest) (*pubsubpb.Topic, error) {
	return func(r *pubsubpb.GetTopicRequest) (*pubsubpb.Topic, error) {
		*reads++
		t, ok := topics[r.GetTopic()]
		if !ok {
			return nil, status.Errorf(codes.NotFound, "Resource not found (resource=%s).", r.GetTopic())
		}
		return t, nil
	}
}

func TestCreateAdmitsTopics(t *testing.T) {
	withDeadLetter := func(s *v1alpha1.Subscription) {
		s.Spec.ForProvider.DeadLetterPolicy = &v1alpha1.DeadLetterPolicy{DeadLetterTopic: ptr.To("projects/p/topics/dead")}
	}
	cases := map[string]struct {
		reason     string
		shared     bool
		topics     map[string]*pubsubpb.Topic
		mods       []func(*v1alpha1.Subscription)
		errHas     string
		wantReads  int
		wantCreate bool
	}{
		"NamespacedConfig": {
			reason:     "With a namespaced config the tenant's credentials decide: no topic is read.",
			wantCreate: true,
		},
		"SharedOwnNamespace": {
			reason: "Through a shared config, topics of the resource's namespace are admitted.",
			shared: true, mods: []func(*v1alpha1.Subscription){withDeadLetter},
			topics:    map[string]*pubsubpb.Topic{topicName: topicOf(topicName, "team-a"), "projects/p/topics/dead": topicOf("projects/p/topics/dead", "team-a")},
			wantReads: 2, wantCreate: true,
		},
		"SharedOtherNamespace": {
			reason: "Through a shared config, another namespace's topic is refused before the create.",
			shared: true, topics: map[string]*pubsubpb.Topic{topicName: topicOf(topicName, "team-b")},
			errHas: "is not a Topic of namespace team-a", wantReads: 1,
		},
		"SharedUnlabelledTopic": {
			reason: "Through a shared config, a topic no Topic made (the platform's own) is refused.",
			shared: true, topics: map[string]*pubsubpb.Topic{topicName: {Name: topicName}},
			errHas: "is not a Topic of namespace team-a", wantReads: 1,
		},
		"SharedOtherDeadLetter": {
			reason: "The dead-letter topic is checked like the topic: dead letters would be written into another's topic.",
			shared: true, mods: []func(*v1alpha1.Subscription){withDeadLetter},
			topics: map[string]*pubsubpb.Topic{topicName: topicOf(topicName, "team-a"), "projects/p/topics/dead": topicOf("projects/p/topics/dead", "team-b")},
			errHas: `topic "projects/p/topics/dead" is not a Topic`, wantReads: 2,
		},
		"SharedMissingTopic": {
			reason: "A topic that does not exist says so.",
			shared: true, errHas: "does not exist", wantReads: 1,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var reads int
			var created *pubsubpb.Subscription
			f := &fake.Subscriptions{
				MockGetTopic: getTopic(tc.topics, &reads),
				MockCreateSubscription: func(s *pubsubpb.Subscription) (*pubsubpb.Subscription, error) {
					created = s
					return s, nil
				},
			}
			_, err := ext(f, tc.shared).Create(context.Background(), newSub(tc.mods...))
			if tc.errHas != "" && (err == nil || !strings.Contains(err.Error(), tc.errHas)) {
				t.Errorf("%s\nwant an error with %q, got %v", tc.reason, tc.errHas, err)
			}
			if tc.errHas == "" && err != nil {
				t.Errorf("%s\n%v", tc.reason, err)
			}
			if diff := cmp.Diff(tc.wantReads, reads); diff != "" {
				t.Errorf("%s\ntopic reads: -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.wantCreate, created != nil); diff != "" {
				t.Errorf("%s\ncreated: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestCreateCarriesLabels(t *testing.T) {
	var created *pubsubpb.Subscription
	f := &fake.Subscriptions{MockCreateSubscription: func(s *pubsubpb.Subscription) (*pubsubpb.Subscription, error) {
		created = s
		return s, nil
	}}
	if _, err := ext(f, false).Create(context.Background(), newSub()); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"managed-by": "ps", "stateful-dev_namespace": "team-a", "stateful-dev_name": "orders-worker", "stateful-dev_uid": "uid-1", "stateful-dev_installation": "default"}
	if diff := cmp.Diff(want, created.GetLabels()); diff != "" {
		t.Errorf("the create carries the default and ownership labels, in one call: -want, +got:\n%s", diff)
	}
	if created.GetName() != "projects/p/subscriptions/orders-worker" || created.GetTopic() != topicName {
		t.Errorf("created %v", created)
	}
	f = &fake.Subscriptions{MockCreateSubscription: func(*pubsubpb.Subscription) (*pubsubpb.Subscription, error) {
		return nil, status.Error(codes.AlreadyExists, "exists")
	}}
	if _, err := ext(f, false).Create(context.Background(), newSub()); err == nil || !strings.Contains(err.Error(), "set spec.adoptExisting") {
		t.Errorf("a name taken by another subscription: %v", err)
	}
}

func TestObserveAndUpdate(t *testing.T) {
	cr := newSub(func(s *v1alpha1.Subscription) { s.Spec.ForProvider.AckDeadlineSeconds = ptr.To[int32](30) })
	labels := map[string]string{"managed-by": "ps", "goog-x": "kept"}
	for k, v := range managedkind.GCPLabels.Tags(cr) {
		labels[k] = v
	}
	dl := newSub(func(s *v1alpha1.Subscription) {
		s.Spec.ForProvider.DeadLetterPolicy = &v1alpha1.DeadLetterPolicy{DeadLetterTopic: ptr.To("dead")}
	})
	cases := map[string]struct {
		reason    string
		cr        *v1alpha1.Subscription
		sub       *pubsubpb.Subscription
		shared    bool
		topics    map[string]*pubsubpb.Topic
		upToDate  bool
		ready     xpv2.ConditionReason
		wantPaths []string
		updateErr string
	}{
		"InSync": {
			reason: "The same ack deadline, Google's labels kept: nothing to send.",
			cr:     cr, sub: &pubsubpb.Subscription{Name: "projects/p/subscriptions/orders-worker", Topic: topicName, Labels: labels, AckDeadlineSeconds: 30},
			upToDate: true, ready: xpv2.ReasonAvailable,
		},
		"Drifted": {
			reason: "A different ack deadline is one change with its mask path.",
			cr:     cr, sub: &pubsubpb.Subscription{Name: "projects/p/subscriptions/orders-worker", Topic: topicName, Labels: labels, AckDeadlineSeconds: 10},
			ready: xpv2.ReasonAvailable, wantPaths: []string{pathAckDeadline},
		},
		"TopicDeleted": {
			reason: "A subscription whose topic was deleted exists but is not usable: Ready is False with a reason to act on.",
			cr:     cr, sub: &pubsubpb.Subscription{Name: "projects/p/subscriptions/orders-worker", Topic: deletedTopic, Labels: labels, AckDeadlineSeconds: 30},
			upToDate: true, ready: xpv2.ReasonUnavailable,
		},
		"NewDeadLetterOfAnotherNamespace": {
			reason: "Through a shared config, a dead-letter topic added by an update is admitted like one at create.",
			cr:     dl, shared: true, sub: &pubsubpb.Subscription{Name: "projects/p/subscriptions/orders-worker", Topic: topicName, Labels: labels},
			topics: map[string]*pubsubpb.Topic{topicName: topicOf(topicName, "team-a"), "projects/p/topics/dead": topicOf("projects/p/topics/dead", "team-b")},
			ready:  xpv2.ReasonAvailable, updateErr: `topic "projects/p/topics/dead" is not a Topic of namespace team-a`,
		},
		"TopicOfAnotherNamespace": {
			reason: "Through a shared config, the subscription's own topic is admitted on every update, not only at create: " +
				"a subscription of another's topic (adopted, or its topic changed hands) is not changed.",
			cr: newSub(func(s *v1alpha1.Subscription) {
				s.Spec.ForProvider.Topic = ptr.To("platform")
				s.Spec.ForProvider.AckDeadlineSeconds = ptr.To[int32](30)
			}),
			shared: true, sub: &pubsubpb.Subscription{Name: "projects/p/subscriptions/orders-worker", Topic: "projects/p/topics/platform", Labels: labels, AckDeadlineSeconds: 10},
			topics: map[string]*pubsubpb.Topic{"projects/p/topics/platform": {Name: "projects/p/topics/platform"}},
			ready:  xpv2.ReasonAvailable, updateErr: `topic "projects/p/topics/platform" is not a Topic of namespace team-a`,
		},
		"UnchangedDeadLetterOfAnotherNamespace": {
			reason: "Through a shared config, the dead-letter topic is admitted on every update, even when another field changes.",
			cr: newSub(func(s *v1alpha1.Subscription) {
				s.Spec.ForProvider.AckDeadlineSeconds = ptr.To[int32](30)
				s.Spec.ForProvider.DeadLetterPolicy = &v1alpha1.DeadLetterPolicy{DeadLetterTopic: ptr.To("dead")}
			}),
			shared: true, sub: &pubsubpb.Subscription{Name: "projects/p/subscriptions/orders-worker", Topic: topicName, Labels: labels, AckDeadlineSeconds: 10,
				DeadLetterPolicy: &pubsubpb.DeadLetterPolicy{DeadLetterTopic: "projects/p/topics/dead", MaxDeliveryAttempts: 5}},
			topics: map[string]*pubsubpb.Topic{topicName: topicOf(topicName, "team-a"), "projects/p/topics/dead": topicOf("projects/p/topics/dead", "team-b")},
			ready:  xpv2.ReasonAvailable, updateErr: `topic "projects/p/topics/dead" is not a Topic of namespace team-a`,
		},
		"SharedOwnTopics": {
			reason: "Through a shared config, an update of a subscription of the namespace's own topic goes through.",
			cr:     cr, shared: true, sub: &pubsubpb.Subscription{Name: "projects/p/subscriptions/orders-worker", Topic: topicName, Labels: labels, AckDeadlineSeconds: 10},
			topics: map[string]*pubsubpb.Topic{topicName: topicOf(topicName, "team-a")},
			ready:  xpv2.ReasonAvailable, wantPaths: []string{pathAckDeadline},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var reads int
			var updated *pubsubpb.UpdateSubscriptionRequest
			e := ext(&fake.Subscriptions{
				MockGetSubscription: func(*pubsubpb.GetSubscriptionRequest) (*pubsubpb.Subscription, error) { return tc.sub, nil },
				MockGetTopic:        getTopic(tc.topics, &reads),
				MockUpdateSubscription: func(r *pubsubpb.UpdateSubscriptionRequest) (*pubsubpb.Subscription, error) {
					updated = r
					return r.GetSubscription(), nil
				},
			}, tc.shared)
			cr := tc.cr.DeepCopy()
			o, err := e.Observe(context.Background(), cr)
			if err != nil {
				t.Fatal(err)
			}
			if !o.ResourceExists || o.ResourceUpToDate != tc.upToDate {
				t.Fatalf("%s\nexists %t up to date %t", tc.reason, o.ResourceExists, o.ResourceUpToDate)
			}
			if diff := cmp.Diff(tc.ready, cr.GetCondition(xpv2.TypeReady).Reason); diff != "" {
				t.Errorf("%s\nReady: -want, +got:\n%s", tc.reason, diff)
			}
			if tc.upToDate {
				return
			}
			_, err = e.Update(context.Background(), cr)
			if tc.updateErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.updateErr) || updated != nil {
					t.Errorf("%s\nwant an error with %q and no update, got %v (updated: %v)", tc.reason, tc.updateErr, err, updated)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.wantPaths, updated.GetUpdateMask().GetPaths()); diff != "" {
				t.Errorf("%s\nmask: -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(labels, updated.GetSubscription().GetLabels()); diff != "" {
				t.Errorf("%s\nthe labels sent back are the observed ones: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestObserveRefusesSignedPushThroughSharedConfig(t *testing.T) {
	cr := newSub(func(s *v1alpha1.Subscription) {
		s.Spec.ForProvider.PushConfig = &v1alpha1.PushConfig{PushEndpoint: ptr.To("https://e"), OIDCToken: &v1alpha1.OIDCToken{ServiceAccountEmail: ptr.To("a@p.iam.gserviceaccount.com")}}
	})
	sub := &pubsubpb.Subscription{Name: "projects/p/subscriptions/orders-worker", Topic: topicName, Labels: managedkind.GCPLabels.Tags(cr)}
	f := &fake.Subscriptions{MockGetSubscription: func(*pubsubpb.GetSubscriptionRequest) (*pubsubpb.Subscription, error) { return sub, nil }}
	if _, err := ext(f, true).Observe(context.Background(), cr); err == nil || !strings.Contains(err.Error(), "needs a namespaced ProviderConfig") {
		t.Errorf("want the refusal, got %v", err)
	}
	// Being deleted, the same spec does not hold up the deletion.
	now := metav1.Now()
	cr.SetDeletionTimestamp(&now)
	if o, err := ext(f, true).Observe(context.Background(), cr); err != nil || !o.ResourceExists {
		t.Errorf("a deleting Subscription is not refused for its spec: %+v %v", o, err)
	}
}
