//go:build integration

package integration

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"

	pubsubv1alpha1 "github.com/stateful-dev/provider-stateful/apis/gcp/pubsub/v1alpha1"
)

func subscriptionName(name string) string { return "projects/" + gcpProject + "/subscriptions/" + name }

// subTopic is the topic the contract's Subscription of that name subscribes to.
func subTopic(name string) string { return "t-" + name }

// ensureTopic makes a topic in pstest behind the provider's back, labelled as a Topic of ns made it (unlabelled for
// ""). An unlabelled topic that exists (the platform's, made by a contract row's full) is labelled so, as when a
// Topic of ns has adopted it: through the shared config a Subscription may only read its namespace's topics, on
// every update, adopted or not. It panics on any other error: contract rows have no *testing.T where they build
// objects.
func ensureTopic(id, ns string) string {
	t := &pubsubpb.Topic{Name: topicName(id)}
	if ns != "" {
		t.Labels = gcpMarker.Tags(&metav1.ObjectMeta{Namespace: ns, Name: id, UID: "made-by-the-test"})
	}
	_, err := directTopics.CreateTopic(context.Background(), t)
	switch {
	case err == nil:
	case status.Code(err) != codes.AlreadyExists:
		panic(fmt.Sprintf("creating topic %s: %v", id, err))
	case ns != "":
		got, err := directTopics.GetTopic(context.Background(), &pubsubpb.GetTopicRequest{Topic: t.Name})
		if err != nil {
			panic(fmt.Sprintf("reading topic %s: %v", id, err))
		}
		if len(got.GetLabels()) == 0 {
			if _, err := directTopics.UpdateTopic(context.Background(), &pubsubpb.UpdateTopicRequest{Topic: t, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"labels"}}}); err != nil {
				panic(fmt.Sprintf("labelling topic %s: %v", id, err))
			}
		}
	}
	return t.Name
}

func subscription(ns, name string, mutate ...func(*pubsubv1alpha1.Subscription)) *pubsubv1alpha1.Subscription {
	s := &pubsubv1alpha1.Subscription{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	for _, m := range mutate {
		m(s)
	}
	return s
}

// cloudSub reads the subscription from pstest directly.
func cloudSub(t *testing.T, name string) *pubsubpb.Subscription {
	t.Helper()
	s, err := directSubs.GetSubscription(context.Background(), &pubsubpb.GetSubscriptionRequest{Subscription: subscriptionName(name)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The Subscription's row of the contract every kind keeps (contract_test.go), against pstest through the counting
// gRPC forwarder. The default config is a ClusterProviderConfig, so each Subscription names a topic labelled for
// its namespace (admitted through the shared identity).
var subscriptionContract = kindContract{
	kind: "Subscription", newObj: func() managedObj { return &pubsubv1alpha1.Subscription{} },
	minimal: func(ns, name string) managedObj {
		return subscription(ns, name, func(s *pubsubv1alpha1.Subscription) {
			s.Spec.ForProvider.Topic = ptr.To(ensureTopic(subTopic(name), ns))
		})
	},
	rich: func(_ *testing.T, ns, name string) managedObj {
		return subscription(ns, name, func(s *pubsubv1alpha1.Subscription) {
			dead := ensureTopic("dl-"+name, ns)
			s.Spec.ForProvider = pubsubv1alpha1.SubscriptionParameters{
				// The topic by its ID in the config's project; the dead-letter topic by its full name.
				Topic:  ptr.To(subTopic(name)),
				Labels: map[string]string{"team": "a"}, AckDeadlineSeconds: ptr.To[int32](30),
				MessageRetentionDuration: ptr.To("90m"), RetainAckedMessages: ptr.To(true), ExpirationTTL: ptr.To("48h"),
				DeadLetterPolicy: &pubsubv1alpha1.DeadLetterPolicy{DeadLetterTopic: ptr.To(dead), MaxDeliveryAttempts: ptr.To[int32](7)},
				RetryPolicy:      &pubsubv1alpha1.RetryPolicy{MinimumBackoff: ptr.To("10s"), MaximumBackoff: ptr.To("1m")},
				Filter:           ptr.To(`attributes.kind = "order"`), EnableMessageOrdering: ptr.To(true), EnableExactlyOnceDelivery: ptr.To(true),
				PushConfig: &pubsubv1alpha1.PushConfig{PushEndpoint: ptr.To("https://push.example.com/orders"), Wrapper: ptr.To("None"), WriteMetadata: ptr.To(true)},
			}
			ensureTopic(subTopic(name), ns)
		})
	},
	poll: "GetSubscription", tagWrites: []string{"UpdateSubscription"},
	tags: func(t *testing.T, name string) map[string]string { return cloudSub(t, name).GetLabels() },
	full: func(t *testing.T, name string) {
		ensureTopic(subTopic(name), "")
		dead := ensureTopic("dl-"+name, "")
		_, err := directSubs.CreateSubscription(context.Background(), &pubsubpb.Subscription{
			Name: subscriptionName(name), Topic: topicName(subTopic(name)), Labels: map[string]string{"team": "legacy"},
			AckDeadlineSeconds: 45, MessageRetentionDuration: durationpb.New(2 * time.Hour), RetainAckedMessages: true,
			ExpirationPolicy: &pubsubpb.ExpirationPolicy{Ttl: durationpb.New(72 * time.Hour)},
			DeadLetterPolicy: &pubsubpb.DeadLetterPolicy{DeadLetterTopic: dead, MaxDeliveryAttempts: 9},
			RetryPolicy:      &pubsubpb.RetryPolicy{MinimumBackoff: durationpb.New(20 * time.Second), MaximumBackoff: durationpb.New(5 * time.Minute)},
			Filter:           `attributes.legacy = "yes"`, EnableMessageOrdering: true, EnableExactlyOnceDelivery: true,
			PushConfig: &pubsubpb.PushConfig{PushEndpoint: "https://legacy.example.com/push",
				AuthenticationMethod: &pubsubpb.PushConfig_OidcToken_{OidcToken: &pubsubpb.PushConfig_OidcToken{ServiceAccountEmail: "pusher@" + gcpProject + ".iam.gserviceaccount.com", Audience: "legacy"}}},
		})
		if err != nil {
			t.Fatal(err)
		}
	},
	config: func(t *testing.T, name string) string {
		s := proto.Clone(cloudSub(t, name)).(*pubsubpb.Subscription)
		s.Labels = nil
		return protojson.Format(s)
	},
	withDriftField: func(mg managedObj) {
		mg.(*pubsubv1alpha1.Subscription).Spec.ForProvider.AckDeadlineSeconds = ptr.To[int32](20)
	},
	drift: func(t *testing.T, name string) {
		if _, err := directSubs.UpdateSubscription(context.Background(), &pubsubpb.UpdateSubscriptionRequest{
			Subscription: &pubsubpb.Subscription{Name: subscriptionName(name), AckDeadlineSeconds: 60},
			UpdateMask:   &fieldmaskpb.FieldMask{Paths: []string{"ack_deadline_seconds"}},
		}); err != nil {
			t.Fatal(err)
		}
	},
	reverted: func(t *testing.T, name string) (bool, string) {
		a := cloudSub(t, name).GetAckDeadlineSeconds()
		return a == 20, fmt.Sprint(a)
	},
	driftField: "ackDeadlineSeconds",
	updateOp:   "UpdateSubscription", ignoreUpdate: answerOK("UpdateSubscription"),
	wire:   func() wireCounter { return pubsubProxy },
	key:    subscriptionName,
	marker: &gcpMarker,
}

func init() { contracts = append(contracts, subscriptionContract) }

// Through the shared default config (a ClusterProviderConfig), a Subscription may not reach beyond its namespace:
// another namespace's topic, an unlabelled topic (the platform's own) and a push signed as a service account are
// refused before any write, with a message that says why. A Topic of its own namespace, by reference, is taken.
func TestSubscriptionTenancy(t *testing.T) {
	t.Parallel()
	a, b := namespace(t), namespace(t)
	theirs := ensureTopic("theirs-"+suffix(), a)
	platform := ensureTopic("platform-"+suffix(), "")
	cases := map[string]struct {
		sub    func(name string) *pubsubv1alpha1.Subscription
		errHas string
	}{
		"AnotherNamespacesTopic": {
			sub: func(name string) *pubsubv1alpha1.Subscription {
				return subscription(b, name, func(s *pubsubv1alpha1.Subscription) { s.Spec.ForProvider.Topic = ptr.To(theirs) })
			},
			errHas: "is not a Topic of namespace " + b,
		},
		"PlatformTopic": {
			sub: func(name string) *pubsubv1alpha1.Subscription {
				return subscription(b, name, func(s *pubsubv1alpha1.Subscription) { s.Spec.ForProvider.Topic = ptr.To(platform) })
			},
			errHas: "is not a Topic of namespace " + b,
		},
		"AnotherNamespacesDeadLetterTopic": {
			sub: func(name string) *pubsubv1alpha1.Subscription {
				return subscription(b, name, func(s *pubsubv1alpha1.Subscription) {
					s.Spec.ForProvider.Topic = ptr.To(ensureTopic("own-"+name, b))
					s.Spec.ForProvider.DeadLetterPolicy = &pubsubv1alpha1.DeadLetterPolicy{DeadLetterTopic: ptr.To(theirs)}
				})
			},
			errHas: "is not a Topic of namespace " + b,
		},
		"SignedPush": {
			sub: func(name string) *pubsubv1alpha1.Subscription {
				return subscription(b, name, func(s *pubsubv1alpha1.Subscription) {
					s.Spec.ForProvider.Topic = ptr.To(ensureTopic("own-"+name, b))
					s.Spec.ForProvider.PushConfig = &pubsubv1alpha1.PushConfig{PushEndpoint: ptr.To("https://push.example.com"),
						OIDCToken: &pubsubv1alpha1.OIDCToken{ServiceAccountEmail: ptr.To("platform-admin@" + gcpProject + ".iam.gserviceaccount.com")}}
				})
			},
			errHas: "needs a namespaced ProviderConfig",
		},
	}
	for cn, tc := range cases {
		t.Run(cn, func(t *testing.T) {
			t.Parallel()
			name := "refused-" + suffix()
			at := subscriptionName(name)
			pubsubProxy.Watch(at)
			create(t, tc.sub(name))
			waitMR(t, b, name, "refused", func() managedObj { return &pubsubv1alpha1.Subscription{} }, func(mg managedObj) (bool, string) {
				return syncError(tc.errHas)(mg.GetCondition(xpv2.TypeSynced))
			})
			if n := pubsubProxy.Count("CreateSubscription", at); n != 0 {
				t.Errorf("a refused Subscription reached CreateSubscription %d times", n)
			}
		})
	}

	t.Run("OwnTopicByReference", func(t *testing.T) {
		t.Parallel()
		topicMR, name := "orders-"+suffix(), "worker-"+suffix()
		create(t, topic(b, topicMR))
		create(t, subscription(b, name, func(s *pubsubv1alpha1.Subscription) {
			s.Spec.ForProvider.TopicRef = &xpv2.NamespacedReference{Name: topicMR}
		}))
		waitMR(t, b, name, "Ready", func() managedObj { return &pubsubv1alpha1.Subscription{} }, readySynced[managedObj])
		if got := cloudSub(t, name).GetTopic(); got != topicName(topicMR) {
			t.Errorf("subscribed to %q, want the referenced Topic's %q", got, topicName(topicMR))
		}
	})
}

// Invalid subscriptions are refused by the CRD, with a message that says why; what Pub/Sub sets at creation cannot
// be edited.
func TestSubscriptionCRDValidation(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	withTopic := func(m func(*pubsubv1alpha1.Subscription)) func(*pubsubv1alpha1.Subscription) {
		return func(s *pubsubv1alpha1.Subscription) {
			s.Spec.ForProvider.Topic = ptr.To("orders")
			m(s)
		}
	}
	for _, tc := range []struct {
		name, want string
		s          *pubsubv1alpha1.Subscription
	}{
		{"NoTopic", "set topic, topicRef or topicSelector", subscription(ns, "notopic-"+suffix())},
		{"TopicRefIntoAnotherNamespace", "namespace must be omitted: a reference resolves in the resource's own namespace", subscription(ns, "xref-"+suffix(), func(s *pubsubv1alpha1.Subscription) {
			s.Spec.ForProvider.TopicRef = &xpv2.NamespacedReference{Name: "orders", Namespace: "other"}
		})},
		{"DeadLetterSelectorIntoAnotherNamespace", "namespace must be omitted: a selector resolves in the resource's own namespace", subscription(ns, "xsel-"+suffix(), withTopic(func(s *pubsubv1alpha1.Subscription) {
			s.Spec.ForProvider.DeadLetterPolicy = &pubsubv1alpha1.DeadLetterPolicy{DeadLetterTopicSelector: &xpv2.NamespacedSelector{Namespace: "other"}}
		}))},
		{"AttemptsWithoutTopic", "maxDeliveryAttempts needs a dead-letter topic", subscription(ns, "dl-"+suffix(), withTopic(func(s *pubsubv1alpha1.Subscription) {
			s.Spec.ForProvider.DeadLetterPolicy = &pubsubv1alpha1.DeadLetterPolicy{MaxDeliveryAttempts: ptr.To[int32](5)}
		}))},
		{"MetadataWithWrapper", "writeMetadata needs wrapper None", subscription(ns, "wm-"+suffix(), withTopic(func(s *pubsubv1alpha1.Subscription) {
			s.Spec.ForProvider.PushConfig = &pubsubv1alpha1.PushConfig{PushEndpoint: ptr.To("https://e.example.com"), WriteMetadata: ptr.To(true)}
		}))},
		{"AuthWithoutEndpoint", "oidcToken, wrapper and writeMetadata need a pushEndpoint", subscription(ns, "auth-"+suffix(), withTopic(func(s *pubsubv1alpha1.Subscription) {
			s.Spec.ForProvider.PushConfig = &pubsubv1alpha1.PushConfig{OIDCToken: &pubsubv1alpha1.OIDCToken{}}
		}))},
		{"PlainHTTPPush", "spec.forProvider.pushConfig.pushEndpoint", subscription(ns, "http-"+suffix(), withTopic(func(s *pubsubv1alpha1.Subscription) {
			s.Spec.ForProvider.PushConfig = &pubsubv1alpha1.PushConfig{PushEndpoint: ptr.To("http://e.example.com")}
		}))},
		{"AckDeadline", "spec.forProvider.ackDeadlineSeconds", subscription(ns, "ack-"+suffix(), withTopic(func(s *pubsubv1alpha1.Subscription) {
			s.Spec.ForProvider.AckDeadlineSeconds = ptr.To[int32](5)
		}))},
		{"GoogName", "metadata.name is the subscription ID", subscription(ns, "goog-"+suffix(), withTopic(func(*pubsubv1alpha1.Subscription) {}))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := kube.Create(context.Background(), tc.s)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("want a refusal containing %q, got %v", tc.want, err)
			}
		})
	}
	name := "immutable-" + suffix()
	create(t, subscription(ns, name, withTopic(func(s *pubsubv1alpha1.Subscription) { s.Spec.ForProvider.Filter = ptr.To(`attributes.a = "b"`) })))
	for field, edit := range map[string]func(*pubsubv1alpha1.Subscription){
		"topic is immutable":  func(s *pubsubv1alpha1.Subscription) { s.Spec.ForProvider.Topic = ptr.To("payments") },
		"filter is immutable": func(s *pubsubv1alpha1.Subscription) { s.Spec.ForProvider.Filter = ptr.To("") },
	} {
		err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
			s := getMR(t, ns, name, &pubsubv1alpha1.Subscription{})
			edit(s)
			return kube.Update(context.Background(), s)
		})
		if err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("want %q, got %v", field, err)
		}
	}
}
