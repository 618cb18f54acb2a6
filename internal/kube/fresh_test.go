package kube

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
)

// lagging is a cache that still answers with the copy it held before: a watch that has not delivered the writes.
type lagging struct {
	client.Client
	held *corev1.Pod
}

func (l *lagging) Get(_ context.Context, _ client.ObjectKey, obj client.Object, _ ...client.GetOption) error {
	if l.held == nil {
		return kerrors.NewNotFound(corev1.Resource("pods"), "p")
	}
	l.held.DeepCopyInto(obj.(*corev1.Pod))
	return nil
}

func TestReadsFollowOwnWrites(t *testing.T) {
	type step func(t *testing.T, c client.Client, api client.Client, cache *lagging, clock *time.Time)
	key := client.ObjectKey{Namespace: "ns", Name: "p"}
	// edit reads the pod through r and writes it back through w, changed by fn: in status when status is set.
	edit := func(t *testing.T, r client.Reader, w client.Client, status bool, fn func(*corev1.Pod)) {
		t.Helper()
		p := &corev1.Pod{}
		if err := r.Get(context.Background(), key, p); err != nil {
			t.Fatal(err)
		}
		fn(p)
		var err error
		if status {
			err = w.Status().Update(context.Background(), p)
		} else {
			err = w.Update(context.Background(), p)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	write := func(t *testing.T, c client.Client, _ client.Client, _ *lagging, _ *time.Time) {
		edit(t, c, c, false, func(p *corev1.Pod) {
			p.Annotations = map[string]string{"crossplane.io/external-create-succeeded": "now"}
		})
	}
	writeStatus := func(t *testing.T, c client.Client, _ client.Client, _ *lagging, _ *time.Time) {
		edit(t, c, c, true, func(p *corev1.Pod) { p.Status.Message = "written" })
	}
	otherWrites := func(t *testing.T, _ client.Client, api client.Client, _ *lagging, _ *time.Time) {
		edit(t, api, api, false, func(p *corev1.Pod) { p.Labels = map[string]string{"by": "someone-else"} })
	}
	catchUp := func(t *testing.T, _ client.Client, api client.Client, cache *lagging, _ *time.Time) {
		t.Helper()
		p := &corev1.Pod{}
		if err := api.Get(context.Background(), key, p); err != nil {
			t.Fatal(err)
		}
		cache.held = p
	}
	later := func(_ *testing.T, _ client.Client, _ client.Client, _ *lagging, clock *time.Time) {
		*clock = clock.Add(2 * lag)
	}
	deleted := func(t *testing.T, _ client.Client, api client.Client, _ *lagging, _ *time.Time) {
		t.Helper()
		if err := api.Delete(context.Background(), &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "p"}}); err != nil {
			t.Fatal(err)
		}
	}

	cases := map[string]struct {
		reason    string
		steps     []step
		reads     int
		wantLive  int
		wantNote  string
		wantMsg   string
		wantLabel string
		wantError bool
	}{
		"NoWriteReadsTheCache": {
			reason: "Without a write through this client the cache's copy is used, however old.",
			steps:  []step{otherWrites}, reads: 1,
		},
		"AfterOwnUpdate": {
			reason: "A cache that has not seen the provider's own update is read past: the API server's copy is returned.",
			steps:  []step{write}, reads: 1,
			wantLive: 1, wantNote: "now",
		},
		"AfterOwnStatusUpdate": {
			reason: "A status update counts as a write.",
			steps:  []step{writeStatus}, reads: 1,
			wantLive: 1, wantMsg: "written",
		},
		"CacheCaughtUp": {
			reason: "Once the cache shows the write, it is used again.",
			steps:  []step{write, catchUp}, reads: 1,
			wantNote: "now",
		},
		"StillLagging": {
			reason: "Each read goes live until the cache shows the write.",
			steps:  []step{write}, reads: 3,
			wantLive: 3, wantNote: "now",
		},
		"NewerWriteByOthers": {
			reason: "Someone else's later write, once seen live, is what the cache must catch up to.",
			steps:  []step{write, otherWrites}, reads: 2,
			wantLive: 2, wantNote: "now", wantLabel: "someone-else",
		},
		"CaughtUpPastOwnWrite": {
			reason: "A cache that already shows a later write than the provider's is current: one live read tells, then the cache is used.",
			steps:  []step{write, otherWrites, catchUp}, reads: 3,
			wantLive: 1, wantNote: "now", wantLabel: "someone-else",
		},
		"Forgotten": {
			reason: "A write long past is forgotten: the cache is used.",
			steps:  []step{write, later}, reads: 1,
		},
		"GoneLive": {
			reason: "An object the cache still holds but the API server no longer has is reported gone.",
			steps:  []step{write, deleted}, reads: 1,
			wantLive: 1, wantError: true,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "p", UID: "u1"}}
			api := fake.NewClientBuilder().WithObjects(pod).WithStatusSubresource(pod).Build()
			held := &corev1.Pod{}
			if err := api.Get(context.Background(), client.ObjectKeyFromObject(pod), held); err != nil {
				t.Fatal(err)
			}
			cache := &lagging{Client: api, held: held}
			live := 0
			liveReader := interceptor.NewClient(api, interceptor.Funcs{
				Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
					live++
					return c.Get(ctx, key, obj, opts...)
				},
			})
			clock := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
			c := ReadOwnWrites(cache, liveReader)
			c.(*reading).written.now = func() time.Time { return clock }
			for _, s := range tc.steps {
				s(t, c, api, cache, &clock)
			}
			live = 0
			got := &corev1.Pod{}
			var err error
			for range tc.reads {
				got = &corev1.Pod{}
				err = c.Get(context.Background(), client.ObjectKeyFromObject(pod), got)
			}
			if diff := cmp.Diff(tc.wantError, kerrors.IsNotFound(err)); diff != "" {
				t.Errorf("%s\nnot found: -want +got:\n%s (%v)", tc.reason, diff, err)
			}
			if diff := cmp.Diff(tc.wantLive, live); diff != "" {
				t.Errorf("%s\nlive reads: -want +got:\n%s", tc.reason, diff)
			}
			if tc.wantError {
				return
			}
			gotState := []string{got.Annotations["crossplane.io/external-create-succeeded"], got.Status.Message, got.Labels["by"]}
			if diff := cmp.Diff([]string{tc.wantNote, tc.wantMsg, tc.wantLabel}, gotState); diff != "" {
				t.Errorf("%s\nobject read (annotation, status message, label): -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestWrittenForgetsOldWrites(t *testing.T) {
	clock := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
	w := &written{at: map[types.UID]write{}, now: func() time.Time { return clock }}
	for _, uid := range []types.UID{"gone-1", "gone-2", "gone-3"} {
		w.record(&corev1.Pod{ObjectMeta: metav1.ObjectMeta{UID: uid, ResourceVersion: "1"}})
	}
	// Objects written and never read again (deleted) must not be remembered for ever: a write after lag has
	// passed sweeps them.
	clock = clock.Add(lag + time.Second)
	w.record(&corev1.Pod{ObjectMeta: metav1.ObjectMeta{UID: "new", ResourceVersion: "7"}})
	if diff := cmp.Diff(map[types.UID]write{"new": {rv: "7", at: clock}}, w.at, cmp.AllowUnexported(write{})); diff != "" {
		t.Errorf("writes remembered after a sweep: -want +got:\n%s", diff)
	}
}
