package subscription

import (
	"fmt"
	"time"

	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"google.golang.org/protobuf/types/known/durationpb"
	"k8s.io/utils/ptr"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"

	"github.com/stateful-dev/provider-stateful/apis/gcp/pubsub/v1alpha1"
	pubsubclient "github.com/stateful-dev/provider-stateful/internal/clients/gcp/pubsub"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
)

// Connection detail keys: the subscription's and its topic's full names.
const (
	ConnName  = "name"
	ConnTopic = "topic"
)

// Update mask paths of the fields a Subscription manages.
const (
	pathLabels       = "labels"
	pathAckDeadline  = "ack_deadline_seconds"
	pathRetention    = "message_retention_duration"
	pathRetainAcked  = "retain_acked_messages"
	pathExpiration   = "expiration_policy"
	pathDeadLetter   = "dead_letter_policy"
	pathRetry        = "retry_policy"
	pathExactlyOnce  = "enable_exactly_once_delivery"
	pathPush         = "push_config"
	deletedTopic     = "_deleted-topic_"
	wrapperNone      = "None"
	expirationNever  = "never"
	minExpirationTTL = 24 * time.Hour
)

// Pub/Sub's bounds.
const (
	minRetention = 10 * time.Minute
	maxRetention = 7 * 24 * time.Hour
	maxBackoff   = 600 * time.Second
)

// Topic is the full name of the topic the spec names (an ID means the config's project); "" when unresolved.
func Topic(project string, p v1alpha1.SubscriptionParameters) string {
	if p.Topic == nil {
		return ""
	}
	return pubsubclient.QualifiedTopic(project, *p.Topic)
}

// DeadLetterTopic is the full name of the spec's dead-letter topic; "" when the spec names none.
func DeadLetterTopic(project string, p v1alpha1.SubscriptionParameters) string {
	if p.DeadLetterPolicy == nil || p.DeadLetterPolicy.DeadLetterTopic == nil {
		return ""
	}
	return pubsubclient.QualifiedTopic(project, *p.DeadLetterPolicy.DeadLetterTopic)
}

// AdmitSpec refuses what a resource may not ask for through a shared (ClusterProviderConfig) identity: pushes
// signed as a service account — the platform's identity may act as accounts no tenant should borrow.
func AdmitSpec(shared bool, p v1alpha1.SubscriptionParameters) error {
	if shared && p.PushConfig != nil && p.PushConfig.OIDCToken != nil && p.PushConfig.OIDCToken.ServiceAccountEmail != nil {
		return errors.New("spec.forProvider.pushConfig.oidcToken.serviceAccountEmail needs a namespaced ProviderConfig: " +
			"through a ClusterProviderConfig pushes would be signed with the platform's right to act as that service account")
	}
	return nil
}

// durations are the spec's durations, parsed and bounded once.
type durations struct {
	retention, ttl, minBackoff, maxBackoff *durationpb.Duration
}

func parse(p v1alpha1.SubscriptionParameters) (durations, error) {
	var d durations
	var err error
	if d.retention, err = pubsubclient.Duration("messageRetentionDuration", p.MessageRetentionDuration, minRetention, maxRetention); err != nil {
		return d, err
	}
	if p.ExpirationTTL != nil && *p.ExpirationTTL != expirationNever {
		ttl, err := time.ParseDuration(*p.ExpirationTTL)
		if err != nil || ttl < minExpirationTTL {
			return d, errors.Errorf("spec.forProvider.expirationTTL %q: use a duration of at least 24h, or never", *p.ExpirationTTL)
		}
		d.ttl = durationpb.New(ttl)
	}
	if r := p.RetryPolicy; r != nil {
		if d.minBackoff, err = pubsubclient.Duration("retryPolicy.minimumBackoff", r.MinimumBackoff, 0, maxBackoff); err != nil {
			return d, err
		}
		if d.maxBackoff, err = pubsubclient.Duration("retryPolicy.maximumBackoff", r.MaximumBackoff, 0, maxBackoff); err != nil {
			return d, err
		}
	}
	return d, nil
}

// Desired is the subscription the spec describes. At create observed is nil; in an update it fills what the spec
// leaves unset inside a policy it sets (a dead-letter policy's attempts, a retry policy's other bound, the push
// audience), because Pub/Sub replaces a policy as a whole.
func Desired(
	name, project string,
	p v1alpha1.SubscriptionParameters,
	labels map[string]string,
	observed *pubsubpb.Subscription,
) (*pubsubpb.Subscription, error) {
	d, err := parse(p)
	if err != nil {
		return nil, err
	}
	s := &pubsubpb.Subscription{
		Name: name, Topic: Topic(project, p), Labels: labels,
		AckDeadlineSeconds: ptr.Deref(p.AckDeadlineSeconds, 0), MessageRetentionDuration: d.retention,
		RetainAckedMessages: ptr.Deref(p.RetainAckedMessages, false), Filter: ptr.Deref(p.Filter, ""),
		EnableMessageOrdering: ptr.Deref(p.EnableMessageOrdering, false), EnableExactlyOnceDelivery: ptr.Deref(p.EnableExactlyOnceDelivery, false),
	}
	if p.ExpirationTTL != nil {
		s.ExpirationPolicy = &pubsubpb.ExpirationPolicy{Ttl: d.ttl}
	}
	if dl := p.DeadLetterPolicy; dl != nil && dl.DeadLetterTopic != nil {
		s.DeadLetterPolicy = &pubsubpb.DeadLetterPolicy{
			DeadLetterTopic:     DeadLetterTopic(project, p),
			MaxDeliveryAttempts: ptr.Deref(dl.MaxDeliveryAttempts, observed.GetDeadLetterPolicy().GetMaxDeliveryAttempts()),
		}
	}
	if r := p.RetryPolicy; r != nil && (d.minBackoff != nil || d.maxBackoff != nil) {
		s.RetryPolicy = &pubsubpb.RetryPolicy{
			MinimumBackoff: or(d.minBackoff, observed.GetRetryPolicy().GetMinimumBackoff()),
			MaximumBackoff: or(d.maxBackoff, observed.GetRetryPolicy().GetMaximumBackoff()),
		}
	}
	if pc := p.PushConfig; pc != nil {
		s.PushConfig = desiredPush(*pc, observed.GetPushConfig())
	}
	return s, nil
}

func or(d, fallback *durationpb.Duration) *durationpb.Duration {
	if d != nil {
		return d
	}
	return fallback
}

// desiredPush is the push config to send: the spec's fields, the observed ones where the spec is silent. No
// endpoint is pull delivery (an empty push config).
func desiredPush(pc v1alpha1.PushConfig, observed *pubsubpb.PushConfig) *pubsubpb.PushConfig {
	if pc.PushEndpoint == nil {
		return &pubsubpb.PushConfig{}
	}
	out := &pubsubpb.PushConfig{PushEndpoint: *pc.PushEndpoint, Attributes: observed.GetAttributes()}
	switch t := pc.OIDCToken; {
	case t == nil:
		out.AuthenticationMethod = observed.GetAuthenticationMethod()
	case t.ServiceAccountEmail != nil:
		out.AuthenticationMethod = &pubsubpb.PushConfig_OidcToken_{OidcToken: &pubsubpb.PushConfig_OidcToken{
			ServiceAccountEmail: *t.ServiceAccountEmail, Audience: ptr.Deref(t.Audience, observed.GetOidcToken().GetAudience()),
		}}
	}
	switch {
	case pc.Wrapper == nil:
		out.Wrapper = observed.GetWrapper()
	case *pc.Wrapper == wrapperNone:
		out.Wrapper = &pubsubpb.PushConfig_NoWrapper_{NoWrapper: &pubsubpb.PushConfig_NoWrapper{
			WriteMetadata: ptr.Deref(pc.WriteMetadata, observed.GetNoWrapper().GetWriteMetadata()),
		}}
	default:
		out.Wrapper = &pubsubpb.PushConfig_PubsubWrapper_{PubsubWrapper: &pubsubpb.PushConfig_PubsubWrapper{}}
	}
	return out
}

// Changes lists what differs between the spec and the observed subscription, each with the update mask path that
// fixes it; unset fields are not compared. labelDiff are the label keys that differ (see managedkind.TagDiff). A different
// topic, filter or ordering is an error: Pub/Sub sets them at creation only.
func Changes(project string, p v1alpha1.SubscriptionParameters, observed *pubsubpb.Subscription, labelDiff []string) (managedkind.Changes[string], error) {
	if t := Topic(project, p); t != "" && observed.GetTopic() != deletedTopic && t != observed.GetTopic() {
		return nil, errors.Errorf("the subscription receives from %q, not spec.forProvider.topic %q: "+
			"a subscription's topic is set when it is created; delete and re-create the Subscription to change it", observed.GetTopic(), t)
	}
	if p.Filter != nil && *p.Filter != observed.GetFilter() {
		return nil, errors.Errorf("the subscription's filter is %q, not spec.forProvider.filter %q: "+
			"the filter is set when the subscription is created; delete and re-create the Subscription to change it", observed.GetFilter(), *p.Filter)
	}
	if p.EnableMessageOrdering != nil && *p.EnableMessageOrdering != observed.GetEnableMessageOrdering() {
		return nil, errors.Errorf("the subscription's message ordering is %t, not spec.forProvider.enableMessageOrdering %t: "+
			"it is set when the subscription is created; delete and re-create the Subscription to change it",
			observed.GetEnableMessageOrdering(), *p.EnableMessageOrdering)
	}
	d, err := parse(p)
	if err != nil {
		return nil, err
	}
	var l managedkind.Changes[string]
	path := func(s string) func() string { return func() string { return s } }
	l.AddIf(len(labelDiff) > 0, managedkind.LabelField(labelDiff), path(pathLabels))
	l.AddIf(p.AckDeadlineSeconds != nil && *p.AckDeadlineSeconds != observed.GetAckDeadlineSeconds(), "ackDeadlineSeconds", path(pathAckDeadline))
	l.AddIf(d.retention != nil && !sameDuration(d.retention, observed.GetMessageRetentionDuration()), "messageRetentionDuration", path(pathRetention))
	l.AddIf(p.RetainAckedMessages != nil && *p.RetainAckedMessages != observed.GetRetainAckedMessages(), "retainAckedMessages", path(pathRetainAcked))
	l.AddIf(p.ExpirationTTL != nil && !sameDuration(d.ttl, observed.GetExpirationPolicy().GetTtl()), "expirationTTL", path(pathExpiration))
	l.AddIf(p.DeadLetterPolicy != nil && !deadLetterInSync(project, p, observed.GetDeadLetterPolicy()), "deadLetterPolicy", path(pathDeadLetter))
	l.AddIf(p.RetryPolicy != nil && !retryInSync(d, observed.GetRetryPolicy()), "retryPolicy", path(pathRetry))
	l.AddIf(p.EnableExactlyOnceDelivery != nil && *p.EnableExactlyOnceDelivery != observed.GetEnableExactlyOnceDelivery(),
		"enableExactlyOnceDelivery", path(pathExactlyOnce))
	l.AddIf(p.PushConfig != nil && !pushInSync(*p.PushConfig, observed.GetPushConfig()), "pushConfig", path(pathPush))
	return l, nil
}

// sameDuration compares two durations; nil is "none" (never expires, no retention set).
func sameDuration(a, b *durationpb.Duration) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.AsDuration() == b.AsDuration()
}

// deadLetterInSync: {} wants no policy; otherwise the topic, and the attempts when the spec sets them.
func deadLetterInSync(project string, p v1alpha1.SubscriptionParameters, got *pubsubpb.DeadLetterPolicy) bool {
	want := DeadLetterTopic(project, p)
	if want == "" {
		return got.GetDeadLetterTopic() == ""
	}
	m := p.DeadLetterPolicy.MaxDeliveryAttempts
	return want == got.GetDeadLetterTopic() && (m == nil || *m == got.GetMaxDeliveryAttempts())
}

// retryInSync: {} wants no policy; otherwise each bound the spec sets.
func retryInSync(d durations, got *pubsubpb.RetryPolicy) bool {
	if d.minBackoff == nil && d.maxBackoff == nil {
		return got == nil
	}
	return (d.minBackoff == nil || sameDuration(d.minBackoff, got.GetMinimumBackoff())) &&
		(d.maxBackoff == nil || sameDuration(d.maxBackoff, got.GetMaximumBackoff()))
}

// pushInSync: no endpoint wants pull delivery; otherwise the endpoint, and authentication and wrapper when set.
func pushInSync(want v1alpha1.PushConfig, got *pubsubpb.PushConfig) bool {
	if want.PushEndpoint == nil {
		return got.GetPushEndpoint() == ""
	}
	if *want.PushEndpoint != got.GetPushEndpoint() {
		return false
	}
	if t := want.OIDCToken; t != nil {
		email := ptr.Deref(t.ServiceAccountEmail, "")
		if email != got.GetOidcToken().GetServiceAccountEmail() || (t.Audience != nil && *t.Audience != got.GetOidcToken().GetAudience()) {
			return false
		}
	}
	if w := want.Wrapper; w != nil {
		if (*w == wrapperNone) != (got.GetNoWrapper() != nil) {
			return false
		}
		if m := want.WriteMetadata; m != nil && *m != got.GetNoWrapper().GetWriteMetadata() {
			return false
		}
	}
	return true
}

// Unusable says why an existing subscription delivers nothing, or "" when it is usable.
func Unusable(s *pubsubpb.Subscription) string {
	switch {
	case s.GetTopic() == deletedTopic:
		return "its topic was deleted: the subscription receives nothing more; delete and re-create the Subscription"
	case s.GetDetached():
		return "it was detached from its topic: it receives nothing more; delete and re-create the Subscription"
	case s.GetState() == pubsubpb.Subscription_RESOURCE_ERROR:
		return "Pub/Sub reports RESOURCE_ERROR: it cannot deliver to its destination (check the push endpoint or export target and its permissions)"
	}
	return ""
}

// Observation is the subscription as status.atProvider reports it.
func Observation(s *pubsubpb.Subscription) v1alpha1.SubscriptionObservation {
	o := v1alpha1.SubscriptionObservation{
		Name: s.GetName(), Topic: s.GetTopic(), Labels: s.GetLabels(), AckDeadlineSeconds: s.GetAckDeadlineSeconds(),
		MessageRetentionDuration: seconds(s.GetMessageRetentionDuration()), RetainAckedMessages: s.GetRetainAckedMessages(),
		DeadLetterTopic: s.GetDeadLetterPolicy().GetDeadLetterTopic(), MaxDeliveryAttempts: s.GetDeadLetterPolicy().GetMaxDeliveryAttempts(),
		MinimumBackoff: seconds(s.GetRetryPolicy().GetMinimumBackoff()), MaximumBackoff: seconds(s.GetRetryPolicy().GetMaximumBackoff()),
		Filter: s.GetFilter(), EnableMessageOrdering: s.GetEnableMessageOrdering(), EnableExactlyOnceDelivery: s.GetEnableExactlyOnceDelivery(),
		PushEndpoint: s.GetPushConfig().GetPushEndpoint(), PushServiceAccountEmail: s.GetPushConfig().GetOidcToken().GetServiceAccountEmail(),
		TopicMessageRetentionDuration: seconds(s.GetTopicMessageRetentionDuration()), Detached: s.GetDetached(),
	}
	if e := s.GetExpirationPolicy(); e != nil {
		o.ExpirationTTL = expirationNever
		if e.GetTtl() != nil {
			o.ExpirationTTL = seconds(e.GetTtl())
		}
	}
	if s.GetState() != pubsubpb.Subscription_STATE_UNSPECIFIED {
		o.State = s.GetState().String()
	}
	return o
}

// seconds spells a duration as Pub/Sub's JSON does, e.g. "600s"; "" for none.
func seconds(d *durationpb.Duration) string {
	if d == nil {
		return ""
	}
	return fmt.Sprintf("%ds", int64(d.AsDuration().Seconds()))
}

// connectionDetails are the subscription's and its topic's full names.
func connectionDetails(s *pubsubpb.Subscription) managed.ConnectionDetails {
	return managed.ConnectionDetails{ConnName: []byte(s.GetName()), ConnTopic: []byte(s.GetTopic())}
}

// deletion is what deleting the Subscription does.
func deletion(*v1alpha1.Subscription) managedkind.Deletion {
	return managedkind.Deletion{Deletes: true, What: "deletes the subscription and the messages it has not delivered"}
}
