package pubsub

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// resourceID is what Pub/Sub accepts as a topic or subscription ID.
var resourceID = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9._~+%-]{2,254}$`)

// ValidateID checks a topic or subscription ID (noun) before any call: Pub/Sub's rules, on the name actually used
// (the external-name annotation, which the CRD cannot read).
func ValidateID(noun, id string) error {
	if !resourceID.MatchString(id) || strings.HasPrefix(strings.ToLower(id), "goog") {
		return errors.Errorf("%q is not a valid %s ID: 3 to 255 letters, digits and . _ ~ + %% -, starting with a letter, not with goog", id, noun)
	}
	return nil
}

// TopicName is a topic's resource name.
func TopicName(project, id string) string { return fmt.Sprintf("projects/%s/topics/%s", project, id) }

// SubscriptionName is a subscription's resource name.
func SubscriptionName(project, id string) string {
	return fmt.Sprintf("projects/%s/subscriptions/%s", project, id)
}

// QualifiedTopic is the full name of a topic given as a full name or as an ID in project.
func QualifiedTopic(project, topic string) string {
	if strings.HasPrefix(topic, "projects/") {
		return topic
	}
	return TopicName(project, topic)
}

// Duration parses a spec duration (field names it in the error) and checks Pub/Sub's bounds; nil stays nil.
func Duration(field string, s *string, lo, hi time.Duration) (*durationpb.Duration, error) {
	if s == nil {
		return nil, nil
	}
	d, err := time.ParseDuration(*s)
	if err != nil || d < lo || d > hi {
		return nil, errors.Errorf("spec.forProvider.%s %q: use a duration from %s to %s", field, *s, short(lo), short(hi))
	}
	return durationpb.New(d), nil
}

// short spells a bound as a user writes it: 0s, 10m, 744h.
func short(d time.Duration) string {
	switch {
	case d == 0:
		return "0s"
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return fmt.Sprintf("%ds", d/time.Second)
}
