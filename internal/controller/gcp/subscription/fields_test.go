package subscription

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/types/known/durationpb"
	"k8s.io/utils/ptr"

	"github.com/stateful-dev/provider-stateful/apis/gcp/pubsub/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/clients/gcp/pubsub/fake"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind/kindtest"
)

// fieldsObserved is the subscription TestChanges observes.
func fieldsObserved() *pubsubpb.Subscription {
	return &pubsubpb.Subscription{
		Name: "projects/p/subscriptions/orders-worker", Topic: topicName, AckDeadlineSeconds: 10, Labels: map[string]string{"team": "a"},
		MessageRetentionDuration: dur(168 * time.Hour), ExpirationPolicy: &pubsubpb.ExpirationPolicy{Ttl: dur(31 * 24 * time.Hour)},
		DeadLetterPolicy: &pubsubpb.DeadLetterPolicy{DeadLetterTopic: "projects/p/topics/dead", MaxDeliveryAttempts: 5},
		RetryPolicy:      &pubsubpb.RetryPolicy{MinimumBackoff: dur(10 * time.Second), MaximumBackoff: dur(600 * time.Second)},
		PushConfig:       &pubsubpb.PushConfig{},
		Filter:           `attributes.region = "eu"`,
	}
}

// Every change the change list names is a field the table declares, and one the provider may send: the docs, the
// drift events and the change-impact plan read the table, so a change it cannot explain is a bug.
func TestFieldsDeclareChanges(t *testing.T) {
	if err := fields.Check(); err != nil {
		t.Fatal(err)
	}
	on := func(p v1alpha1.SubscriptionParameters) v1alpha1.SubscriptionParameters {
		p.Topic = ptr.To("orders")
		return p
	}
	type changeCase struct {
		reason    string
		p         v1alpha1.SubscriptionParameters
		labelDiff []string
		// want are the declared paths the change names fall under, in order.
		want []string
	}
	cases := map[string]changeCase{
		"Labels": {
			reason: "A label change names its keys, under labels.", p: on(v1alpha1.SubscriptionParameters{}), labelDiff: []string{"env", "team"},
			want: []string{"labels"},
		},
		"AckDeadline": {
			reason: "Another ack deadline.", p: on(v1alpha1.SubscriptionParameters{AckDeadlineSeconds: ptr.To[int32](30)}),
			want: []string{"ackDeadlineSeconds"},
		},
		"Retention": {
			reason: "Another retention.", p: on(v1alpha1.SubscriptionParameters{MessageRetentionDuration: ptr.To("1h")}),
			want: []string{"messageRetentionDuration"},
		},
		"RetainAcked": {
			reason: "Keeping acknowledged messages.", p: on(v1alpha1.SubscriptionParameters{RetainAckedMessages: ptr.To(true)}),
			want: []string{"retainAckedMessages"},
		},
		"NeverExpires": {
			reason: "never is an expiration policy without a TTL.", p: on(v1alpha1.SubscriptionParameters{ExpirationTTL: ptr.To("never")}),
			want: []string{"expirationTTL"},
		},
		"DeadLetterAttempts": {
			reason: "The attempts are part of the dead-letter policy group.",
			p:      on(v1alpha1.SubscriptionParameters{DeadLetterPolicy: &v1alpha1.DeadLetterPolicy{DeadLetterTopic: ptr.To("dead"), MaxDeliveryAttempts: ptr.To[int32](10)}}),
			want:   []string{"deadLetterPolicy"},
		},
		"NoPolicies": {
			reason: "{} removes a dead-letter or retry policy: still the policy's field.",
			p:      on(v1alpha1.SubscriptionParameters{DeadLetterPolicy: &v1alpha1.DeadLetterPolicy{}, RetryPolicy: &v1alpha1.RetryPolicy{}}),
			want:   []string{"deadLetterPolicy", "retryPolicy"},
		},
		"RetryBound": {
			reason: "One bound is part of the retry policy group.", p: on(v1alpha1.SubscriptionParameters{RetryPolicy: &v1alpha1.RetryPolicy{MaximumBackoff: ptr.To("60s")}}),
			want: []string{"retryPolicy"},
		},
		"ExactlyOnce": {
			reason: "Exactly-once delivery changes in place.", p: on(v1alpha1.SubscriptionParameters{EnableExactlyOnceDelivery: ptr.To(true)}),
			want: []string{"enableExactlyOnceDelivery"},
		},
		"Push": {
			reason: "An endpoint, its authentication and wrapper are the push config group.",
			p: on(v1alpha1.SubscriptionParameters{PushConfig: &v1alpha1.PushConfig{PushEndpoint: ptr.To("https://example.com/push"),
				OIDCToken: &v1alpha1.OIDCToken{ServiceAccountEmail: ptr.To("pusher@p.iam.gserviceaccount.com")}, Wrapper: ptr.To("None"), WriteMetadata: ptr.To(true)}}),
			want: []string{"pushConfig"},
		},
		"Everything": {
			reason: "Each differing field is one change, each declared; the unchanged topic, filter and ordering are none.",
			p: v1alpha1.SubscriptionParameters{Topic: ptr.To(topicName), AckDeadlineSeconds: ptr.To[int32](30), MessageRetentionDuration: ptr.To("1h"),
				RetainAckedMessages: ptr.To(true), ExpirationTTL: ptr.To("48h"), DeadLetterPolicy: &v1alpha1.DeadLetterPolicy{DeadLetterTopic: ptr.To("other-dead")},
				RetryPolicy: &v1alpha1.RetryPolicy{MinimumBackoff: ptr.To("1s")}, EnableExactlyOnceDelivery: ptr.To(true),
				PushConfig: &v1alpha1.PushConfig{PushEndpoint: ptr.To("https://example.com/push")}, Filter: ptr.To(`attributes.region = "eu"`), EnableMessageOrdering: ptr.To(false)},
			labelDiff: []string{"team"},
			want: []string{"labels", "ackDeadlineSeconds", "messageRetentionDuration", "retainAckedMessages", "expirationTTL", "deadLetterPolicy",
				"retryPolicy", "enableExactlyOnceDelivery", "pushConfig"},
		},
	}
	kindtest.DeclaredChanges(t, fields, cases, func(tc changeCase) kindtest.Change {
		l, err := Changes("p", tc.p, fieldsObserved(), tc.labelDiff)
		return kindtest.Change{Reason: tc.reason, Names: l.Fields(), Err: err, Want: tc.want}
	})
}

// The fields the table declares refused are exactly those Changes refuses to change, with the error it gives.
func TestFieldsRefused(t *testing.T) {
	cases := map[string]struct {
		reason string
		p      v1alpha1.SubscriptionParameters
		errHas string
	}{
		"topic": {
			reason: "The topic is set at creation.",
			p:      v1alpha1.SubscriptionParameters{Topic: ptr.To("payments")},
			errHas: "a subscription's topic is set when it is created; delete and re-create the Subscription",
		},
		"filter": {
			reason: "The filter is set at creation.",
			p:      v1alpha1.SubscriptionParameters{Topic: ptr.To("orders"), Filter: ptr.To("")},
			errHas: "the filter is set when the subscription is created; delete and re-create the Subscription",
		},
		"enableMessageOrdering": {
			reason: "Message ordering is set at creation.",
			p:      v1alpha1.SubscriptionParameters{Topic: ptr.To("orders"), EnableMessageOrdering: ptr.To(true)},
			errHas: "it is set when the subscription is created; delete and re-create the Subscription",
		},
	}
	if diff := cmp.Diff(slices.Sorted(maps.Keys(cases)), kindtest.RefusedPaths(fields)); diff != "" {
		t.Errorf("the refused fields: -refused by Changes, +declared refused:\n%s", diff)
	}
	for path, tc := range cases {
		t.Run(path, func(t *testing.T) {
			_, err := Changes("p", tc.p, fieldsObserved(), nil)
			if err == nil || !strings.Contains(err.Error(), tc.errHas) {
				t.Errorf("%s\nwant an error with %q, got %v", tc.reason, tc.errHas, err)
			}
		})
	}
}

// TestUnsetIsUnmanaged holds Observe to the table's Compare and Unset columns (kindtest.Unmanaged): a subscription
// whose every setting and label differs from the spec's and from Pub/Sub's defaults (its topic, filter and ordering
// are the spec's: they cannot change).
func TestUnsetIsUnmanaged(t *testing.T) {
	full := v1alpha1.SubscriptionParameters{
		Topic: ptr.To("orders"), Labels: map[string]string{"team": "a"}, AckDeadlineSeconds: ptr.To(int32(10)),
		MessageRetentionDuration: ptr.To("168h"), RetainAckedMessages: ptr.To(false), ExpirationTTL: ptr.To("744h"),
		DeadLetterPolicy: &v1alpha1.DeadLetterPolicy{DeadLetterTopic: ptr.To("dlq"), MaxDeliveryAttempts: ptr.To(int32(5))},
		RetryPolicy:      &v1alpha1.RetryPolicy{MinimumBackoff: ptr.To("10s")},
		Filter:           ptr.To(`attributes.kind = "order"`), EnableMessageOrdering: ptr.To(true), EnableExactlyOnceDelivery: ptr.To(false),
		PushConfig: &v1alpha1.PushConfig{},
	}
	labels := managedkind.GCPLabels.DesiredTags(newSub(), map[string]string{"team": "b"}, map[string]string{"managed-by": "ps"})
	cloud := &pubsubpb.Subscription{
		Name: "projects/p/subscriptions/orders-worker", Topic: "projects/p/topics/orders", Labels: labels, AckDeadlineSeconds: 60,
		MessageRetentionDuration: durationpb.New(time.Hour), RetainAckedMessages: true,
		ExpirationPolicy: &pubsubpb.ExpirationPolicy{Ttl: durationpb.New(48 * time.Hour)},
		DeadLetterPolicy: &pubsubpb.DeadLetterPolicy{DeadLetterTopic: "projects/p/topics/other", MaxDeliveryAttempts: 10},
		RetryPolicy:      &pubsubpb.RetryPolicy{MinimumBackoff: durationpb.New(30 * time.Second), MaximumBackoff: durationpb.New(600 * time.Second)},
		Filter:           `attributes.kind = "order"`, EnableMessageOrdering: true, EnableExactlyOnceDelivery: true,
		PushConfig: &pubsubpb.PushConfig{PushEndpoint: "https://push.example.com/orders"},
	}
	kindtest.Unmanaged(t, fields, func(p v1alpha1.SubscriptionParameters) ([]string, error) {
		cr := newSub(func(s *v1alpha1.Subscription) { s.Spec.ForProvider = p })
		f := &fake.Subscriptions{MockGetSubscription: func(*pubsubpb.GetSubscriptionRequest) (*pubsubpb.Subscription, error) { return cloud, nil }}
		o, err := ext(f, false).Observe(context.Background(), cr)
		return kindtest.DiffNames(o.Diff), err
	}, full)
}

// TestTerminalErrors holds the table's terminal errors to what the kind classifies as rejected input.
func TestTerminalErrors(t *testing.T) {
	kindtest.Terminal(t, fields, Kind().Rejects, kindtest.GRPCStatus)
}
