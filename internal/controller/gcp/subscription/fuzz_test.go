package subscription

import (
	"bytes"
	"testing"
	"time"

	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"google.golang.org/protobuf/proto"
	"k8s.io/utils/ptr"

	"github.com/stateful-dev/provider-stateful/apis/gcp/pubsub/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/clients/gcp/pubsub/fake"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/fuzzpick"
)

// fuzzSpec is a Subscription spec the CRD admits, with durations Pub/Sub refuses among them. The topic is always
// the same one, by ID or by full name: a subscription's topic is set at creation. Every choice is made whether it
// is used or not, so that each byte of b always decides the same field and a mutation changes one thing.
func fuzzSpec(b []byte) v1alpha1.SubscriptionParameters {
	p := fuzzpick.New(b)
	s := v1alpha1.SubscriptionParameters{
		Topic:                     ptr.To(fuzzpick.One(p, "orders", "projects/p/topics/orders")),
		AckDeadlineSeconds:        fuzzpick.Ptr[int32](p, 10, 60, 600),
		MessageRetentionDuration:  fuzzpick.Ptr(p, "10m", "1h", "168h", "5m", "169h"),
		RetainAckedMessages:       fuzzpick.Ptr(p, false, true),
		ExpirationTTL:             fuzzpick.Ptr(p, "never", "24h", "720h", "23h"),
		Filter:                    fuzzpick.Ptr(p, `attributes.kind = "order"`),
		EnableMessageOrdering:     fuzzpick.Ptr(p, false, true),
		EnableExactlyOnceDelivery: fuzzpick.Ptr(p, false, true),
	}
	labels, team, env, goog := p.Bool(), fuzzpick.Ptr(p, "a", "b"), fuzzpick.Ptr(p, "a", "b"), fuzzpick.Ptr(p, "a", "b")
	if labels {
		s.Labels = map[string]string{}
		for k, v := range map[string]*string{"team": team, "env": env, "goog-managed": goog} {
			if v != nil {
				s.Labels[k] = *v
			}
		}
	}
	deadLetter, deadTopic, attempts := p.Intn(3), fuzzpick.Ptr(p, "dead", "projects/p/topics/dead", "projects/q/topics/dead"), fuzzpick.Ptr[int32](p, 5, 100)
	switch deadLetter {
	case 1:
		s.DeadLetterPolicy = &v1alpha1.DeadLetterPolicy{}
	case 2:
		s.DeadLetterPolicy = &v1alpha1.DeadLetterPolicy{DeadLetterTopic: deadTopic}
		if deadTopic != nil {
			s.DeadLetterPolicy.MaxDeliveryAttempts = attempts
		}
	}
	retry, minBackoff, maxBackoff := p.Bool(), fuzzpick.Ptr(p, "0s", "10s", "1m"), fuzzpick.Ptr(p, "600s", "10m", "60s", "11m")
	if retry {
		s.RetryPolicy = &v1alpha1.RetryPolicy{MinimumBackoff: minBackoff, MaximumBackoff: maxBackoff}
	}
	push, endpoint, oidc := p.Intn(3), fuzzpick.Ptr(p, "https://a.example.com/push", "https://b.example.com"), p.Intn(3)
	email, audience := fuzzpick.Ptr(p, "pusher@p.iam.gserviceaccount.com", "other@p.iam.gserviceaccount.com"), fuzzpick.Ptr(p, "aud-1", "aud-2")
	wrapper, writeMetadata := fuzzpick.Ptr(p, "PubSub", wrapperNone), fuzzpick.Ptr(p, false, true)
	switch {
	case push == 1 || push == 2 && endpoint == nil:
		s.PushConfig = &v1alpha1.PushConfig{} // pull
	case push == 2:
		pc := &v1alpha1.PushConfig{PushEndpoint: endpoint, Wrapper: wrapper}
		switch {
		case oidc == 1 || oidc == 2 && email == nil:
			pc.OIDCToken = &v1alpha1.OIDCToken{}
		case oidc == 2:
			pc.OIDCToken = &v1alpha1.OIDCToken{ServiceAccountEmail: email, Audience: audience}
		}
		if wrapper != nil && *wrapper == wrapperNone {
			pc.WriteMetadata = writeMetadata
		}
		s.PushConfig = pc
	}
	return s
}

// asPubSub is a subscription as Pub/Sub reports it after storing s: its defaults where nothing was sent.
func asPubSub(s *pubsubpb.Subscription) *pubsubpb.Subscription {
	s = proto.Clone(s).(*pubsubpb.Subscription)
	if s.AckDeadlineSeconds == 0 {
		s.AckDeadlineSeconds = 10
	}
	if s.MessageRetentionDuration == nil {
		s.MessageRetentionDuration = dur(7 * 24 * time.Hour)
	}
	if s.ExpirationPolicy == nil {
		s.ExpirationPolicy = &pubsubpb.ExpirationPolicy{Ttl: dur(31 * 24 * time.Hour)}
	}
	if d := s.DeadLetterPolicy; d != nil && d.MaxDeliveryAttempts == 0 {
		d.MaxDeliveryAttempts = 5
	}
	if r := s.RetryPolicy; r != nil {
		if r.MinimumBackoff == nil {
			r.MinimumBackoff = dur(10 * time.Second)
		}
		if r.MaximumBackoff == nil {
			r.MaximumBackoff = dur(600 * time.Second)
		}
	}
	if s.PushConfig == nil {
		s.PushConfig = &pubsubpb.PushConfig{}
	}
	s.State = pubsubpb.Subscription_ACTIVE
	return s
}

// FuzzConverges: a spec's subscription, created and read back as Pub/Sub reports it (its defaults filled in), has
// nothing left to change; from a subscription made from any other spec the one update Changes asks for (its mask
// applied as Pub/Sub applies it) leaves nothing to change, and changes nothing the spec leaves unset — not even
// inside a policy it sets.
func FuzzConverges(f *testing.F) {
	// Every policy set, in one way and another (see fuzzSpec: a byte per choice).
	f.Add([]byte{}, []byte{})
	f.Add(bytes.Repeat([]byte{1}, 30), bytes.Repeat([]byte{2}, 30))
	f.Add(bytes.Repeat([]byte{2}, 30), bytes.Repeat([]byte{3}, 30))
	f.Add(bytes.Repeat([]byte{5}, 30), bytes.Repeat([]byte{1}, 30))
	f.Fuzz(func(t *testing.T, wantSpec, otherSpec []byte) {
		want, other := fuzzSpec(wantSpec), fuzzSpec(otherSpec)
		defaults := map[string]string{"managed-by": "ps"}
		labels := desiredLabels(newSub(func(s *v1alpha1.Subscription) { s.Spec.ForProvider = want }), defaults)
		ignore := managedkind.IgnoredPrefixes(want.Labels, []string{"goog-"})
		const name = "projects/p/subscriptions/orders-worker"

		created, err := Desired(name, "p", want, labels, nil)
		if _, perr := parse(want); (err != nil) != (perr != nil) {
			t.Fatalf("Desired: %v, for durations that parse with %v", err, perr)
		}
		if err != nil {
			return
		}
		got := asPubSub(created)
		if cs, err := Changes("p", want, got, managedkind.TagDiff(labels, got.GetLabels(), ignore)); err != nil || len(cs) != 0 {
			t.Fatalf("created and read back, the subscription still differs in %v (%v)", cs.Fields(), err)
		}

		before, err := Desired(name, "p", other, desiredLabels(newSub(func(s *v1alpha1.Subscription) { s.Spec.ForProvider = other }), defaults), nil)
		if err != nil {
			return
		}
		before = asPubSub(before)
		cs, err := Changes("p", want, before, managedkind.TagDiff(labels, before.GetLabels(), ignore))
		if err != nil {
			if want.Filter != nil && *want.Filter != before.GetFilter() || want.EnableMessageOrdering != nil && *want.EnableMessageOrdering != before.GetEnableMessageOrdering() {
				return // set at creation: refused, as it must be
			}
			t.Fatalf("from another subscription: %v", err)
		}
		set, remove := managedkind.TagChanges(labels, before.GetLabels(), ignore)
		update, err := Desired(before.GetName(), "p", want, managedkind.ReplacedSet(before.GetLabels(), set, remove), before)
		if err != nil {
			t.Fatal(err)
		}
		after, err := fake.Masked(before, update, cs.Requests())
		if err != nil {
			t.Fatal(err)
		}
		after = asPubSub(after)
		if cs, err := Changes("p", want, after, managedkind.TagDiff(labels, after.GetLabels(), ignore)); err != nil || len(cs) != 0 {
			t.Fatalf("after the update %v the subscription still differs in %v (%v)", cs.Requests(), cs.Fields(), err)
		}
		unmanaged(t, want, before, after)
	})
}

// unmanaged fails when the update changed what the spec leaves unset.
func unmanaged(t *testing.T, want v1alpha1.SubscriptionParameters, before, after *pubsubpb.Subscription) {
	t.Helper()
	kept := func(field string, unset bool, b, a proto.Message) {
		if unset && !proto.Equal(b, a) {
			t.Errorf("%s is unset, yet the update changed it: from %v to %v", field, b, a)
		}
	}
	kept("ackDeadlineSeconds", want.AckDeadlineSeconds == nil, &pubsubpb.Subscription{AckDeadlineSeconds: before.GetAckDeadlineSeconds()}, &pubsubpb.Subscription{AckDeadlineSeconds: after.GetAckDeadlineSeconds()})
	kept("messageRetentionDuration", want.MessageRetentionDuration == nil, before.GetMessageRetentionDuration(), after.GetMessageRetentionDuration())
	kept("retainAckedMessages", want.RetainAckedMessages == nil, &pubsubpb.Subscription{RetainAckedMessages: before.GetRetainAckedMessages()}, &pubsubpb.Subscription{RetainAckedMessages: after.GetRetainAckedMessages()})
	kept("expirationTTL", want.ExpirationTTL == nil, before.GetExpirationPolicy(), after.GetExpirationPolicy())
	kept("enableExactlyOnceDelivery", want.EnableExactlyOnceDelivery == nil,
		&pubsubpb.Subscription{EnableExactlyOnceDelivery: before.GetEnableExactlyOnceDelivery()}, &pubsubpb.Subscription{EnableExactlyOnceDelivery: after.GetEnableExactlyOnceDelivery()})
	kept("deadLetterPolicy", want.DeadLetterPolicy == nil, before.GetDeadLetterPolicy(), after.GetDeadLetterPolicy())
	kept("retryPolicy", want.RetryPolicy == nil, before.GetRetryPolicy(), after.GetRetryPolicy())
	kept("pushConfig", want.PushConfig == nil, before.GetPushConfig(), after.GetPushConfig())
	if d := want.DeadLetterPolicy; d != nil && d.DeadLetterTopic != nil && before.GetDeadLetterPolicy() != nil {
		kept("deadLetterPolicy.maxDeliveryAttempts", d.MaxDeliveryAttempts == nil,
			&pubsubpb.DeadLetterPolicy{MaxDeliveryAttempts: before.GetDeadLetterPolicy().GetMaxDeliveryAttempts()}, &pubsubpb.DeadLetterPolicy{MaxDeliveryAttempts: after.GetDeadLetterPolicy().GetMaxDeliveryAttempts()})
	}
	if r := want.RetryPolicy; r != nil && (r.MinimumBackoff != nil || r.MaximumBackoff != nil) && before.GetRetryPolicy() != nil {
		kept("retryPolicy.minimumBackoff", r.MinimumBackoff == nil, before.GetRetryPolicy().GetMinimumBackoff(), after.GetRetryPolicy().GetMinimumBackoff())
		kept("retryPolicy.maximumBackoff", r.MaximumBackoff == nil, before.GetRetryPolicy().GetMaximumBackoff(), after.GetRetryPolicy().GetMaximumBackoff())
	}
	if pc := want.PushConfig; pc != nil && pc.PushEndpoint != nil {
		b, a := before.GetPushConfig(), after.GetPushConfig()
		kept("pushConfig.attributes", true, &pubsubpb.PushConfig{Attributes: b.GetAttributes()}, &pubsubpb.PushConfig{Attributes: a.GetAttributes()})
		kept("pushConfig.oidcToken", pc.OIDCToken == nil, b.GetOidcToken(), a.GetOidcToken())
		if t := pc.OIDCToken; t != nil && t.ServiceAccountEmail != nil && b.GetOidcToken() != nil {
			kept("pushConfig.oidcToken.audience", t.Audience == nil, &pubsubpb.PushConfig_OidcToken{Audience: b.GetOidcToken().GetAudience()}, &pubsubpb.PushConfig_OidcToken{Audience: a.GetOidcToken().GetAudience()})
		}
		kept("pushConfig.wrapper", pc.Wrapper == nil, &pubsubpb.PushConfig{Wrapper: b.GetWrapper()}, &pubsubpb.PushConfig{Wrapper: a.GetWrapper()})
		if pc.Wrapper != nil && *pc.Wrapper == wrapperNone && b.GetNoWrapper() != nil {
			kept("pushConfig.writeMetadata", pc.WriteMetadata == nil, b.GetNoWrapper(), a.GetNoWrapper())
		}
	}
}
