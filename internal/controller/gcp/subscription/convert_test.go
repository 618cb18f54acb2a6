package subscription

import (
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/durationpb"
	"k8s.io/utils/ptr"

	"github.com/stateful-dev/provider-stateful/apis/gcp/pubsub/v1alpha1"
)

const topicName = "projects/p/topics/orders"

func dur(d time.Duration) *durationpb.Duration { return durationpb.New(d) }

func TestChanges(t *testing.T) {
	observed := &pubsubpb.Subscription{
		Name: "projects/p/subscriptions/orders-worker", Topic: topicName, AckDeadlineSeconds: 10,
		MessageRetentionDuration: dur(168 * time.Hour), ExpirationPolicy: &pubsubpb.ExpirationPolicy{Ttl: dur(31 * 24 * time.Hour)},
		DeadLetterPolicy: &pubsubpb.DeadLetterPolicy{DeadLetterTopic: "projects/p/topics/dead", MaxDeliveryAttempts: 5},
		RetryPolicy:      &pubsubpb.RetryPolicy{MinimumBackoff: dur(10 * time.Second), MaximumBackoff: dur(600 * time.Second)},
		PushConfig:       &pubsubpb.PushConfig{},
		Filter:           `attributes.region = "eu"`,
	}
	cases := map[string]struct {
		reason string
		p      v1alpha1.SubscriptionParameters
		want   []string
		errHas string
	}{
		"NothingSet": {
			reason: "A spec that sets nothing but the topic manages nothing else.",
			p:      v1alpha1.SubscriptionParameters{Topic: ptr.To("orders")},
		},
		"SameMeaning": {
			reason: "The topic as an ID in the project, durations spelled differently, the dead-letter topic as an ID, a bound of the retry policy: all in sync.",
			p: v1alpha1.SubscriptionParameters{Topic: ptr.To("orders"), AckDeadlineSeconds: ptr.To[int32](10), MessageRetentionDuration: ptr.To("10080m"),
				ExpirationTTL: ptr.To("744h"), DeadLetterPolicy: &v1alpha1.DeadLetterPolicy{DeadLetterTopic: ptr.To("dead")},
				RetryPolicy: &v1alpha1.RetryPolicy{MinimumBackoff: ptr.To("10s")}, PushConfig: &v1alpha1.PushConfig{}, Filter: ptr.To(`attributes.region = "eu"`)},
		},
		"EachDiffers": {
			reason: "Each differing field is one change with its mask path, in a fixed order.",
			p: v1alpha1.SubscriptionParameters{Topic: ptr.To(topicName), AckDeadlineSeconds: ptr.To[int32](30), MessageRetentionDuration: ptr.To("1h"),
				RetainAckedMessages: ptr.To(true), ExpirationTTL: ptr.To("never"), DeadLetterPolicy: &v1alpha1.DeadLetterPolicy{DeadLetterTopic: ptr.To("dead"), MaxDeliveryAttempts: ptr.To[int32](10)},
				RetryPolicy: &v1alpha1.RetryPolicy{MaximumBackoff: ptr.To("60s")}, EnableExactlyOnceDelivery: ptr.To(true), PushConfig: &v1alpha1.PushConfig{PushEndpoint: ptr.To("https://example.com/push")}},
			want: []string{pathAckDeadline, pathRetention, pathRetainAcked, pathExpiration, pathDeadLetter, pathRetry, pathExactlyOnce, pathPush},
		},
		"NoneSaidExplicitly": {
			reason: "{} removes a dead-letter or retry policy that exists.",
			p:      v1alpha1.SubscriptionParameters{Topic: ptr.To("orders"), DeadLetterPolicy: &v1alpha1.DeadLetterPolicy{}, RetryPolicy: &v1alpha1.RetryPolicy{}},
			want:   []string{pathDeadLetter, pathRetry},
		},
		"OtherTopic": {
			reason: "The topic is set at creation: another one is an error, not an update.",
			p:      v1alpha1.SubscriptionParameters{Topic: ptr.To("payments")}, errHas: "delete and re-create",
		},
		"OtherFilter": {
			reason: "The filter is set at creation.",
			p:      v1alpha1.SubscriptionParameters{Topic: ptr.To("orders"), Filter: ptr.To("")}, errHas: "filter is set when",
		},
		"OrderingChanged": {
			reason: "Message ordering is set at creation.",
			p:      v1alpha1.SubscriptionParameters{Topic: ptr.To("orders"), EnableMessageOrdering: ptr.To(true)}, errHas: "message ordering",
		},
		"RetentionOutOfBounds": {
			reason: "A retention Pub/Sub refuses for a subscription is refused before any call.",
			p:      v1alpha1.SubscriptionParameters{Topic: ptr.To("orders"), MessageRetentionDuration: ptr.To("200h")}, errHas: "from 10m to 168h",
		},
		"ShortTTL": {
			reason: "An expiration under a day is refused.",
			p:      v1alpha1.SubscriptionParameters{Topic: ptr.To("orders"), ExpirationTTL: ptr.To("1h")}, errHas: "at least 24h",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			l, err := Changes("p", tc.p, observed, nil)
			if tc.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errHas) {
					t.Fatalf("%s\nwant an error with %q, got %v", tc.reason, tc.errHas, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, l.Requests(), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\nmask paths: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestChangesTopicDeleted(t *testing.T) {
	s := &pubsubpb.Subscription{Topic: deletedTopic}
	if _, err := Changes("p", v1alpha1.SubscriptionParameters{Topic: ptr.To("orders")}, s, nil); err != nil {
		t.Errorf("a deleted topic is reported as unusable, not as a topic change: %v", err)
	}
	if Unusable(s) == "" {
		t.Error("a subscription whose topic was deleted is not usable")
	}
}

func TestDesiredKeepsUnmanagedParts(t *testing.T) {
	observed := &pubsubpb.Subscription{
		DeadLetterPolicy: &pubsubpb.DeadLetterPolicy{DeadLetterTopic: "projects/p/topics/old", MaxDeliveryAttempts: 12},
		RetryPolicy:      &pubsubpb.RetryPolicy{MinimumBackoff: dur(5 * time.Second), MaximumBackoff: dur(300 * time.Second)},
		PushConfig: &pubsubpb.PushConfig{PushEndpoint: "https://old.example.com", Attributes: map[string]string{"x-goog-version": "v1"},
			AuthenticationMethod: &pubsubpb.PushConfig_OidcToken_{OidcToken: &pubsubpb.PushConfig_OidcToken{ServiceAccountEmail: "pusher@p.iam.gserviceaccount.com", Audience: "aud"}}},
	}
	p := v1alpha1.SubscriptionParameters{Topic: ptr.To("orders"),
		DeadLetterPolicy: &v1alpha1.DeadLetterPolicy{DeadLetterTopic: ptr.To("dead")},
		RetryPolicy:      &v1alpha1.RetryPolicy{MaximumBackoff: ptr.To("60s")},
		PushConfig:       &v1alpha1.PushConfig{PushEndpoint: ptr.To("https://new.example.com")}}
	got, err := Desired("projects/p/subscriptions/s", "p", p, nil, observed)
	if err != nil {
		t.Fatal(err)
	}
	want := &pubsubpb.Subscription{Name: "projects/p/subscriptions/s", Topic: topicName,
		DeadLetterPolicy: &pubsubpb.DeadLetterPolicy{DeadLetterTopic: "projects/p/topics/dead", MaxDeliveryAttempts: 12},
		RetryPolicy:      &pubsubpb.RetryPolicy{MinimumBackoff: dur(5 * time.Second), MaximumBackoff: dur(60 * time.Second)},
		PushConfig: &pubsubpb.PushConfig{PushEndpoint: "https://new.example.com", Attributes: map[string]string{"x-goog-version": "v1"},
			AuthenticationMethod: &pubsubpb.PushConfig_OidcToken_{OidcToken: &pubsubpb.PushConfig_OidcToken{ServiceAccountEmail: "pusher@p.iam.gserviceaccount.com", Audience: "aud"}}},
	}
	if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
		t.Errorf("Pub/Sub replaces a policy whole: what the spec leaves unset inside one is sent as observed: -want, +got:\n%s", diff)
	}
}

func TestDesiredPush(t *testing.T) {
	cases := map[string]struct {
		reason string
		pc     v1alpha1.PushConfig
		want   *pubsubpb.PushConfig
	}{
		"Pull": {reason: "No endpoint is pull delivery: an empty push config.", pc: v1alpha1.PushConfig{}, want: &pubsubpb.PushConfig{}},
		"UnauthenticatedRaw": {
			reason: "oidcToken {} drops authentication; wrapper None sends the raw body.",
			pc:     v1alpha1.PushConfig{PushEndpoint: ptr.To("https://e"), OIDCToken: &v1alpha1.OIDCToken{}, Wrapper: ptr.To("None"), WriteMetadata: ptr.To(true)},
			want:   &pubsubpb.PushConfig{PushEndpoint: "https://e", Wrapper: &pubsubpb.PushConfig_NoWrapper_{NoWrapper: &pubsubpb.PushConfig_NoWrapper{WriteMetadata: true}}},
		},
	}
	observed := &pubsubpb.PushConfig{PushEndpoint: "https://e", AuthenticationMethod: &pubsubpb.PushConfig_OidcToken_{OidcToken: &pubsubpb.PushConfig_OidcToken{ServiceAccountEmail: "a@p.iam.gserviceaccount.com"}}}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, desiredPush(tc.pc, observed), protocmp.Transform()); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
			if !pushInSync(tc.pc, tc.want) {
				t.Errorf("%s\nwhat is sent is in sync with the spec", tc.reason)
			}
		})
	}
}

func TestAdmitSpec(t *testing.T) {
	oidc := v1alpha1.SubscriptionParameters{PushConfig: &v1alpha1.PushConfig{PushEndpoint: ptr.To("https://e"), OIDCToken: &v1alpha1.OIDCToken{ServiceAccountEmail: ptr.To("a@p.iam.gserviceaccount.com")}}}
	if err := AdmitSpec(true, oidc); err == nil {
		t.Error("through a shared identity, pushes signed as a service account are refused")
	}
	if err := AdmitSpec(false, oidc); err != nil {
		t.Errorf("a namespaced config's own credentials decide: %v", err)
	}
	none := v1alpha1.SubscriptionParameters{PushConfig: &v1alpha1.PushConfig{PushEndpoint: ptr.To("https://e"), OIDCToken: &v1alpha1.OIDCToken{}}}
	if err := AdmitSpec(true, none); err != nil {
		t.Errorf("unauthenticated pushes borrow no identity: %v", err)
	}
}

func TestObservation(t *testing.T) {
	got := Observation(&pubsubpb.Subscription{Name: "projects/p/subscriptions/s", Topic: topicName, AckDeadlineSeconds: 20,
		ExpirationPolicy: &pubsubpb.ExpirationPolicy{}, State: pubsubpb.Subscription_ACTIVE, MessageRetentionDuration: dur(time.Hour)})
	want := v1alpha1.SubscriptionObservation{Name: "projects/p/subscriptions/s", Topic: topicName, AckDeadlineSeconds: 20,
		ExpirationTTL: "never", State: "ACTIVE", MessageRetentionDuration: "3600s"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("-want, +got:\n%s", diff)
	}
}
