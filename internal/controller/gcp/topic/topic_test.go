package topic

import (
	"context"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/stateful-dev/provider-stateful/apis/gcp/pubsub/v1alpha1"
	pubsubclient "github.com/stateful-dev/provider-stateful/internal/clients/gcp/pubsub"
	"github.com/stateful-dev/provider-stateful/internal/clients/gcp/pubsub/fake"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind/kindtest"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

func newTopic(mutate ...func(*v1alpha1.Topic)) *v1alpha1.Topic {
	tp := &v1alpha1.Topic{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "orders", UID: "uid-1",
		Annotations: map[string]string{"crossplane.io/external-name": "orders"}}}
	for _, m := range mutate {
		m(tp)
	}
	return tp
}

func ext(f *fake.Topics) *external {
	return &external{Conn: kindtest.Conn(Kind(), pubsubclient.TopicAPI(f), &credentials.GCPAccount{ProjectID: "p", DefaultLabels: map[string]string{"managed-by": "ps"}, IgnoreLabelPrefixes: []string{"goog-"}})}
}

func TestCreate(t *testing.T) {
	var created *pubsubpb.Topic
	f := &fake.Topics{MockCreateTopic: func(tp *pubsubpb.Topic) (*pubsubpb.Topic, error) {
		created = tp
		return tp, nil
	}}
	cr := newTopic(func(tp *v1alpha1.Topic) { tp.Spec.ForProvider.MessageRetentionDuration = ptr.To("1h") })
	if _, err := ext(f).Create(context.Background(), cr); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"managed-by": "ps", "stateful-dev_namespace": "team-a", "stateful-dev_name": "orders", "stateful-dev_uid": "uid-1", "stateful-dev_installation": "default"}
	if diff := cmp.Diff(want, created.GetLabels()); diff != "" {
		t.Errorf("the create carries the default and ownership labels, in one call: -want, +got:\n%s", diff)
	}
	if created.GetName() != "projects/p/topics/orders" || created.GetMessageRetentionDuration().AsDuration() != time.Hour {
		t.Errorf("created %v", created)
	}

	f = &fake.Topics{MockCreateTopic: func(*pubsubpb.Topic) (*pubsubpb.Topic, error) {
		return nil, status.Error(codes.AlreadyExists, "Topic already exists")
	}}
	if _, err := ext(f).Create(context.Background(), newTopic()); err == nil || !strings.Contains(err.Error(), "set spec.adoptExisting") {
		t.Errorf("a name taken by another topic: %v", err)
	}
}

func TestObserveAndUpdate(t *testing.T) {
	cr := newTopic(func(tp *v1alpha1.Topic) { tp.Spec.ForProvider.MessageRetentionDuration = ptr.To("24h") })
	own := managedkind.GCPLabels.Tags(cr)
	labels := map[string]string{"managed-by": "ps", "goog-dataplex": "x", "other": "kept"}
	for k, v := range own {
		labels[k] = v
	}
	cases := map[string]struct {
		reason    string
		topic     *pubsubpb.Topic
		getErr    error
		exists    bool
		upToDate  bool
		wantPaths []string
		errHas    string
	}{
		"Missing":    {reason: "NotFound is the only way to not exist.", getErr: status.Error(codes.NotFound, "no topic")},
		"Outage":     {reason: "Any other error is an error, cleaned.", getErr: status.Error(codes.Unavailable, "connection refused"), errHas: "Unavailable: connection refused"},
		"InSync":     {reason: "Labels of other tools and Google's kept; retention the same.", topic: &pubsubpb.Topic{Name: "projects/p/topics/orders", Labels: labels, MessageRetentionDuration: durationpb.New(24 * time.Hour)}, exists: true, upToDate: true},
		"Drifted":    {reason: "A different retention is one change with its mask path.", topic: &pubsubpb.Topic{Name: "projects/p/topics/orders", Labels: labels, MessageRetentionDuration: durationpb.New(48 * time.Hour)}, exists: true, wantPaths: []string{"message_retention_duration"}},
		"Another":    {reason: "A topic labelled for another Topic is refused.", topic: &pubsubpb.Topic{Name: "projects/p/topics/orders", Labels: map[string]string{"stateful-dev_namespace": "team-b", "stateful-dev_name": "orders"}}, errHas: "belongs to Topic team-b/orders"},
		"Unlabelled": {reason: "An unlabelled topic is not taken without adoptExisting.", topic: &pubsubpb.Topic{Name: "projects/p/topics/orders"}, errHas: "set spec.adoptExisting"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var updated *pubsubpb.UpdateTopicRequest
			e := ext(&fake.Topics{
				MockGetTopic: func(*pubsubpb.GetTopicRequest) (*pubsubpb.Topic, error) { return tc.topic, tc.getErr },
				MockUpdateTopic: func(r *pubsubpb.UpdateTopicRequest) (*pubsubpb.Topic, error) {
					updated = r
					return r.GetTopic(), nil
				},
			})
			o, err := e.Observe(context.Background(), cr.DeepCopy())
			if tc.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errHas) {
					t.Fatalf("%s\nwant an error with %q, got %v", tc.reason, tc.errHas, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if o.ResourceExists != tc.exists || o.ResourceUpToDate != tc.upToDate {
				t.Fatalf("%s\nexists %t up to date %t", tc.reason, o.ResourceExists, o.ResourceUpToDate)
			}
			if !tc.exists || tc.upToDate {
				return
			}
			if _, err := e.Update(context.Background(), cr.DeepCopy()); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.wantPaths, updated.GetUpdateMask().GetPaths()); diff != "" {
				t.Errorf("%s\nmask: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
