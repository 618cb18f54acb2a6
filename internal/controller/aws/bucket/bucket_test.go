package bucket

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/crossplane/crossplane-runtime/v2/pkg/event"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	"github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/clients/aws/awstest"
	"github.com/stateful-dev/provider-stateful/internal/clients/aws/s3/fake"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

var (
	errNotFound  = awstest.APIError("HeadBucket", 404, "NotFound", "")
	errForbidden = awstest.APIError("HeadBucket", 403, "Forbidden", "")
	errSlowDown  = awstest.APIError("HeadBucket", 503, "SlowDown", "Please reduce your request rate.")
	errNoTags    = awstest.APIError("GetBucketTagging", 404, "NoSuchTagSet", "The TagSet does not exist")
)

func acct() *credentials.AWSAccount {
	return &credentials.AWSAccount{DefaultTags: map[string]string{"managed-by": "ps"}, IgnoreTagPrefixes: []string{"aws:"}}
}

func head(region string) func(*s3.HeadBucketInput) (*s3.HeadBucketOutput, error) {
	return func(*s3.HeadBucketInput) (*s3.HeadBucketOutput, error) {
		return &s3.HeadBucketOutput{BucketRegion: aws.String(region)}, nil
	}
}

func headErr(err error) func(*s3.HeadBucketInput) (*s3.HeadBucketOutput, error) {
	return func(*s3.HeadBucketInput) (*s3.HeadBucketOutput, error) { return nil, err }
}

func tagging(tags map[string]string) func(*s3.GetBucketTaggingInput) (*s3.GetBucketTaggingOutput, error) {
	return func(*s3.GetBucketTaggingInput) (*s3.GetBucketTaggingOutput, error) {
		if tags == nil {
			return nil, errNoTags
		}
		out := &s3.GetBucketTaggingOutput{}
		for k, v := range tags {
			out.TagSet = append(out.TagSet, types.Tag{Key: aws.String(k), Value: aws.String(v)})
		}
		return out, nil
	}
}

func TestObserve(t *testing.T) {
	inSync := ownedTags(map[string]string{"managed-by": "ps"})
	type want struct {
		obs    managed.ExternalObservation
		errHas string
		status *v1alpha1.BucketObservation
	}
	cases := map[string]struct {
		reason string
		cr     *v1alpha1.Bucket
		s3     *fake.S3
		want   want
	}{
		"InvalidExternalName": {
			reason: "An external name S3 would refuse is reported without a cloud call.",
			cr: bucket(func(b *v1alpha1.Bucket) {
				b.SetAnnotations(map[string]string{"crossplane.io/external-name": "Bad_Name"})
			}),
			s3:   &fake.S3{},
			want: want{errHas: "may only hold lowercase letters"},
		},
		"NotFound": {
			reason: "S3's 404 is the only way to 'does not exist'.",
			cr:     bucket(), s3: &fake.S3{MockHeadBucket: headErr(errNotFound)},
			want: want{obs: managed.ExternalObservation{ResourceExists: false}},
		},
		"Outage": {
			reason: "A 503 is an error, never 'does not exist', and its message carries no request ID.",
			cr:     bucket(withDeletion()), s3: &fake.S3{MockHeadBucket: headErr(errSlowDown)},
			want: want{errHas: "cannot check whether the bucket exists: HeadBucket: SlowDown: Please reduce your request rate."},
		},
		"Forbidden": {
			reason: "A 403 means another account's bucket (or no permission): an error, not absence.",
			cr:     bucket(), s3: &fake.S3{MockHeadBucket: headErr(errForbidden), MockGetBucketTagging: func(*s3.GetBucketTaggingInput) (*s3.GetBucketTaggingOutput, error) {
				return nil, awstest.APIError("GetBucketTagging", 403, "AccessDenied", "Access Denied")
			}},
			want: want{errHas: "cannot be read with these credentials"},
		},
		"RefusedCredentials": {
			reason: "A 403 because the key was revoked says so (and lets the credentials cache drop the key).",
			cr:     bucket(), s3: &fake.S3{MockHeadBucket: headErr(errForbidden), MockGetBucketTagging: func(*s3.GetBucketTaggingInput) (*s3.GetBucketTaggingOutput, error) {
				return nil, awstest.APIError("GetBucketTagging", 403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
			}},
			want: want{errHas: "AWS refused the credentials: GetBucketTagging: InvalidAccessKeyId"},
		},
		"BadRequestSignature": {
			reason: "A bodyless 400 from HEAD is explained by a read with a body: a refused signature is a fixed text, not AWS's canonical request.",
			cr:     bucket(), s3: &fake.S3{MockHeadBucket: headErr(awstest.APIError("HeadBucket", 400, "BadRequest", "")), MockGetBucketTagging: func(*s3.GetBucketTaggingInput) (*s3.GetBucketTaggingOutput, error) {
				return nil, awstest.APIError("GetBucketTagging", 403, "SignatureDoesNotMatch", "canonical request: x-amz-security-token:SECRET")
			}},
			want: want{errHas: "AWS refused the credentials: GetBucketTagging: SignatureDoesNotMatch: AWS refused the request signature"},
		},
		"TagReadFails": {
			reason: "Without tags ownership is unknown: an error.",
			cr:     bucket(), s3: &fake.S3{MockHeadBucket: head("eu-west-1"), MockGetBucketTagging: func(*s3.GetBucketTaggingInput) (*s3.GetBucketTaggingOutput, error) {
				return nil, awstest.APIError("GetBucketTagging", 500, "InternalError", "We encountered an internal error.")
			}},
			want: want{errHas: "cannot read bucket tags: GetBucketTagging: InternalError"},
		},
		"OwnedByOther": {
			reason: "A bucket tagged for team-b/data is refused by team-a/data.",
			cr:     bucket(), s3: &fake.S3{MockHeadBucket: head("eu-west-1"), MockGetBucketTagging: tagging(map[string]string{managedkind.AWSTags.NamespaceKey: "team-b", managedkind.AWSTags.NameKey: "data"})},
			want: want{errHas: "belongs to Bucket team-b/data"},
		},
		"OwnedByOtherWhileDeleting": {
			reason: "A deleting Bucket lets go of another Bucket's bucket without touching it.",
			cr:     bucket(withDeletion()), s3: &fake.S3{MockHeadBucket: head("eu-west-1"), MockGetBucketTagging: tagging(map[string]string{managedkind.AWSTags.NamespaceKey: "team-b", managedkind.AWSTags.NameKey: "data"})},
			want: want{obs: managed.ExternalObservation{ResourceExists: false}},
		},
		"NotOurs": {
			reason: "An untagged bucket is not adopted without a reason.",
			cr:     bucket(), s3: &fake.S3{MockHeadBucket: head("eu-west-1"), MockGetBucketTagging: tagging(nil)},
			want: want{errHas: "set spec.adoptExisting"},
		},
		"WrongRegion": {
			reason: "A bucket in another region than the spec says is an error.",
			cr:     bucket(), s3: &fake.S3{MockHeadBucket: head("us-east-2"), MockGetBucketTagging: tagging(inSync)},
			want: want{errHas: "is in region us-east-2, not eu-west-1"},
		},
		"InSync": {
			reason: "Own bucket with the desired tags is up to date, with its observation in status.",
			cr:     bucket(), s3: &fake.S3{MockHeadBucket: head("eu-west-1"), MockGetBucketTagging: tagging(inSync)},
			want: want{
				obs:    managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ConnectionDetails: connectionDetails("eu-west-1", "data", nil)},
				status: &v1alpha1.BucketObservation{ARN: "arn:aws:s3:::data", Region: "eu-west-1", Tags: inSync},
			},
		},
		"IgnoredTagsAreNotDrift": {
			reason: "aws: tags added by AWS are not drift.",
			cr:     bucket(), s3: &fake.S3{MockHeadBucket: head("eu-west-1"), MockGetBucketTagging: tagging(ownedTags(map[string]string{"managed-by": "ps", "aws:createdBy": "x"}))},
			want: want{obs: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ConnectionDetails: connectionDetails("eu-west-1", "data", nil)}},
		},
		"Drift": {
			reason: "A changed tag makes the bucket out of date, and the diff names it.",
			cr:     bucket(withTags(map[string]string{"env": "prod"})), s3: &fake.S3{MockHeadBucket: head("eu-west-1"), MockGetBucketTagging: tagging(ownedTags(map[string]string{"managed-by": "ps", "env": "dev"}))},
			want: want{obs: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: false, ConnectionDetails: connectionDetails("eu-west-1", "data", nil), Diff: "tags[env]"}},
		},
		"CrashWindowNeedsClaim": {
			reason: "An unconfirmed create alone does not make an untagged bucket its own: only the name's claim can say the attempt was on this name (integration tests cover the claim).",
			cr:     bucket(withPending(time.Now())), s3: &fake.S3{MockHeadBucket: head("eu-west-1"), MockGetBucketTagging: tagging(nil)},
			want: want{errHas: "already exists and was not created by this Bucket"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newExternal(tc.s3, acct())
			got, err := e.Observe(context.Background(), tc.cr)
			checkErr(t, tc.reason, err, tc.want.errHas)
			if diff := cmp.Diff(tc.want.obs, got); diff != "" {
				t.Errorf("%s\nObserve(...): -want +got:\n%s", tc.reason, diff)
			}
			if tc.want.status != nil {
				if diff := cmp.Diff(*tc.want.status, tc.cr.Status.AtProvider); diff != "" {
					t.Errorf("%s\nstatus.atProvider: -want +got:\n%s", tc.reason, diff)
				}
				if tc.cr.GetCondition(xpv2.TypeReady).Status != corev1.ConditionTrue {
					t.Errorf("%s\nan existing own bucket is Available", tc.reason)
				}
			}
		})
	}
}

func TestCreate(t *testing.T) {
	var put []types.Tag
	putTags := func(in *s3.PutBucketTaggingInput) (*s3.PutBucketTaggingOutput, error) {
		put = in.Tagging.TagSet
		return &s3.PutBucketTaggingOutput{}, nil
	}
	createErr := func(err error) func(*s3.CreateBucketInput) (*s3.CreateBucketOutput, error) {
		return func(*s3.CreateBucketInput) (*s3.CreateBucketOutput, error) { return nil, err }
	}
	created := func(*s3.CreateBucketInput) (*s3.CreateBucketOutput, error) { return &s3.CreateBucketOutput{}, nil }
	want := tagsToPut(managedkind.AWSTags.DesiredTags(bucket(), nil, acct().DefaultTags), nil, nil)

	cases := map[string]struct {
		reason  string
		s3      *fake.S3
		errHas  string
		wantPut []types.Tag
	}{
		"Created": {
			reason: "A new bucket is created, then tagged as this Bucket's.",
			s3:     &fake.S3{MockCreateBucket: created, MockPutBucketTagging: putTags}, wantPut: want,
		},
		"ReplayOwnedByYouUntagged": {
			reason: "A replayed create (BucketAlreadyOwnedByYou) of an untagged bucket is this Bucket's own: tag it.",
			s3: &fake.S3{
				MockCreateBucket:     createErr(awstest.APIError("CreateBucket", 409, "BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.")),
				MockGetBucketTagging: tagging(nil), MockPutBucketTagging: putTags,
			},
			wantPut: want,
		},
		"ReplayOwnedByOther": {
			reason: "BucketAlreadyOwnedByYou of a bucket tagged for another Bucket is refused untouched.",
			s3: &fake.S3{
				MockCreateBucket:     createErr(awstest.APIError("CreateBucket", 409, "BucketAlreadyOwnedByYou", "")),
				MockGetBucketTagging: tagging(map[string]string{managedkind.AWSTags.NamespaceKey: "team-b", managedkind.AWSTags.NameKey: "data"}),
			},
			errHas: "belongs to Bucket team-b/data",
		},
		"TakenByOtherAccount": {
			reason: "Bucket names are global: another account's name is a clear error.",
			s3:     &fake.S3{MockCreateBucket: createErr(awstest.APIError("CreateBucket", 409, "BucketAlreadyExists", ""))},
			errHas: "is taken by another AWS account",
		},
		"Rejected": {
			reason: "Other failures are returned cleaned.",
			s3:     &fake.S3{MockCreateBucket: createErr(awstest.APIError("CreateBucket", 400, "InvalidLocationConstraint", "The specified location-constraint is not valid"))},
			errHas: "cannot create bucket: CreateBucket: InvalidLocationConstraint: The specified location-constraint is not valid",
		},
		"TagFails": {
			reason: "A failed tagging fails the create, so the runtime records it and the crash-window rule applies.",
			s3: &fake.S3{MockCreateBucket: created, MockPutBucketTagging: func(*s3.PutBucketTaggingInput) (*s3.PutBucketTaggingOutput, error) {
				return nil, awstest.APIError("PutBucketTagging", 500, "InternalError", "")
			}},
			errHas: "cannot set bucket tags",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			put = nil
			e := newExternal(tc.s3, acct())
			_, err := e.Create(context.Background(), bucket())
			checkErr(t, tc.reason, err, tc.errHas)
			if diff := cmp.Diff(tc.wantPut, put, cmpopts.IgnoreUnexported(types.Tag{})); diff != "" {
				t.Errorf("%s\nPutBucketTagging tags: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestUpdate(t *testing.T) {
	noTags := func(b *v1alpha1.Bucket) { b.Spec.ForProvider.Tags = map[string]string{} }
	cases := map[string]struct {
		reason     string
		cr         *v1alpha1.Bucket
		wantReason event.Reason
		wantKept   map[string]string
	}{
		"Drift": {
			reason: "The spec has not changed since the last sync: the difference is drift.",
			cr:     bucket(withSynced(1), noTags), wantReason: managedkind.ReasonDrift,
		},
		"SpecChange": {
			reason: "A newer generation than the last sync is a spec change.",
			cr:     bucket(withSynced(0), noTags), wantReason: managedkind.ReasonChange,
		},
		"UnsetTagsKeepOthers": {
			reason: "A spec without tags manages only the ownership and default tags: PutBucketTagging (which replaces the set) carries the other tools' tags over.",
			cr:     bucket(withSynced(1)), wantReason: managedkind.ReasonDrift, wantKept: map[string]string{"intruder": "1"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var put []types.Tag
			rec := &awstest.Recorder{}
			e := newExternal(&fake.S3{MockPutBucketTagging: func(in *s3.PutBucketTaggingInput) (*s3.PutBucketTaggingOutput, error) {
				put = in.Tagging.TagSet
				return &s3.PutBucketTaggingOutput{}, nil
			}}, acct())
			e.Record = rec
			e.observedTags = map[string]string{"aws:cloudformation:x": "y", "intruder": "1"}
			e.tagsDiffer = true
			e.drift = []string{"tags[intruder]"}
			if _, err := e.Update(context.Background(), tc.cr); err != nil {
				t.Fatalf("%s\nUpdate(...): %v", tc.reason, err)
			}
			if diff := cmp.Diff(tagsToPut(managedkind.AWSTags.DesiredTags(tc.cr, tc.cr.Spec.ForProvider.Tags, acct().DefaultTags), tc.wantKept, []string{""}), put, cmpopts.IgnoreUnexported(types.Tag{})); diff != "" {
				t.Errorf("%s\nPutBucketTagging: -want +got:\n%s", tc.reason, diff)
			}
			if len(rec.Events) != 1 || rec.Events[0].Reason != tc.wantReason || !strings.Contains(rec.Events[0].Message, "tags[intruder]") {
				t.Errorf("%s\nevents: want one %s naming tags[intruder], got %+v", tc.reason, tc.wantReason, rec.Events)
			}
		})
	}
}

func TestDelete(t *testing.T) {
	deletes := 0
	del := func(err error, objects int) *fake.S3 {
		return &fake.S3{
			MockDeleteBucket: func(*s3.DeleteBucketInput) (*s3.DeleteBucketOutput, error) {
				deletes++
				return &s3.DeleteBucketOutput{}, err
			},
			MockListObjectVersions: func(*s3.ListObjectVersionsInput) (*s3.ListObjectVersionsOutput, error) {
				return &s3.ListObjectVersionsOutput{Versions: make([]types.ObjectVersion, objects)}, nil
			},
		}
	}
	cases := map[string]struct {
		reason      string
		s3          *fake.S3
		errHas      string
		wantDeletes int
	}{
		"Deleted": {reason: "A delete that succeeds is done.", s3: del(nil, 0), wantDeletes: 1},
		"Gone":    {reason: "Deleting a bucket that is already gone is done (idempotent).", s3: del(awstest.APIError("DeleteBucket", 404, "NoSuchBucket", ""), 0), wantDeletes: 1},
		"NotEmpty": {
			reason: "A non-empty bucket is refused with a clear message, decided by a read: no DeleteBucket is sent.",
			s3:     del(nil, 1), errHas: `bucket "data" is not empty`,
		},
		"FilledMeanwhile": {
			reason: "Objects written between the check and the delete: S3's refusal gives the same message.",
			s3:     del(awstest.APIError("DeleteBucket", 409, "BucketNotEmpty", ""), 0), errHas: `bucket "data" is not empty`, wantDeletes: 1,
		},
		"Outage": {reason: "Other failures are returned cleaned.", s3: del(awstest.APIError("DeleteBucket", 503, "SlowDown", ""), 0), errHas: "cannot delete bucket: DeleteBucket: SlowDown", wantDeletes: 1},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			deletes = 0
			e := newExternal(tc.s3, acct())
			_, err := e.Delete(context.Background(), bucket())
			checkErr(t, tc.reason, err, tc.errHas)
			if deletes != tc.wantDeletes {
				t.Errorf("%s\nDeleteBucket calls: want %d, got %d", tc.reason, tc.wantDeletes, deletes)
			}
		})
	}
}

func checkErr(t *testing.T, reason string, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("%s\nunexpected error: %v", reason, err)
	case want != "" && err == nil:
		t.Errorf("%s\nwant an error containing %q, got none", reason, want)
	case want != "" && !strings.Contains(err.Error(), want):
		t.Errorf("%s\nerror %q does not contain %q", reason, err, want)
	case err != nil && strings.Contains(err.Error(), "REQ-4711"):
		t.Errorf("%s\nerror carries a request ID: %v", reason, err)
	}
}

func TestUpdateConfigOnly(t *testing.T) {
	var versioning string
	e := newExternal(&fake.S3{MockPutBucketVersioning: func(in *s3.PutBucketVersioningInput) (*s3.PutBucketVersioningOutput, error) {
		versioning = string(in.VersioningConfiguration.Status)
		return &s3.PutBucketVersioningOutput{}, nil
	}}, acct())
	cr := bucket(func(b *v1alpha1.Bucket) { b.Spec.ForProvider.Versioning = aws.String("Enabled") })
	e.changed = configChanges("b", cr.Spec.ForProvider)
	e.drift = e.changed.Fields()
	// The fake has no PutBucketTagging: calling it would panic, proving tags in sync are not rewritten.
	if _, err := e.Update(context.Background(), cr); err != nil {
		t.Fatalf("Update: %v", err)
	}
	if versioning != "Enabled" {
		t.Errorf("PutBucketVersioning: want Enabled, got %q", versioning)
	}
}

func TestObserveManagedConfig(t *testing.T) {
	cr := bucket(func(b *v1alpha1.Bucket) {
		b.Spec.ForProvider.Versioning = aws.String("Enabled")
		b.Spec.ForProvider.Policy = aws.String(`{"Statement":{"Effect":"Deny","Action":"s3:*","Resource":"*"}}`)
	})
	e := newExternal(&fake.S3{
		MockHeadBucket: head("eu-west-1"), MockGetBucketTagging: tagging(ownedTags(map[string]string{"managed-by": "ps"})),
		MockGetBucketVersioning: func(*s3.GetBucketVersioningInput) (*s3.GetBucketVersioningOutput, error) {
			return &s3.GetBucketVersioningOutput{Status: types.BucketVersioningStatusSuspended}, nil
		},
		MockGetBucketPolicy: func(*s3.GetBucketPolicyInput) (*s3.GetBucketPolicyOutput, error) {
			return &s3.GetBucketPolicyOutput{Policy: aws.String(`{"Statement":[{"Resource":"*","Action":["s3:*"],"Effect":"Deny"}]}`)}, nil
		},
	}, acct())
	got, err := e.Observe(context.Background(), cr)
	if err != nil {
		t.Fatal(err)
	}
	if got.ResourceUpToDate || got.Diff != "versioning" {
		t.Errorf("versioning differs and the policy (same meaning, other text) does not: got upToDate=%t diff=%q", got.ResourceUpToDate, got.Diff)
	}
	if cr.Status.AtProvider.Versioning != "Suspended" || cr.Status.AtProvider.Policy == "" {
		t.Errorf("managed sub-configurations are reported in status: %+v", cr.Status.AtProvider)
	}
}

func TestDeleteForceDestroy(t *testing.T) {
	var deleted []string
	listed := 0
	e := newExternal(&fake.S3{
		MockListObjectVersions: func(in *s3.ListObjectVersionsInput) (*s3.ListObjectVersionsOutput, error) {
			listed++
			if listed == 1 {
				return &s3.ListObjectVersionsOutput{
					Versions:    []types.ObjectVersion{{Key: aws.String("a"), VersionId: aws.String("1")}},
					IsTruncated: aws.Bool(true), NextKeyMarker: aws.String("a"), NextVersionIdMarker: aws.String("1"),
				}, nil
			}
			if aws.ToString(in.KeyMarker) != "a" {
				t.Errorf("second page must continue from the markers")
			}
			return &s3.ListObjectVersionsOutput{DeleteMarkers: []types.DeleteMarkerEntry{{Key: aws.String("b"), VersionId: aws.String("2")}}}, nil
		},
		MockDeleteObjects: func(in *s3.DeleteObjectsInput) (*s3.DeleteObjectsOutput, error) {
			for _, o := range in.Delete.Objects {
				deleted = append(deleted, aws.ToString(o.Key)+"@"+aws.ToString(o.VersionId))
			}
			return &s3.DeleteObjectsOutput{}, nil
		},
		MockDeleteBucket: func(*s3.DeleteBucketInput) (*s3.DeleteBucketOutput, error) { return &s3.DeleteBucketOutput{}, nil },
	}, acct())
	cr := bucket(func(b *v1alpha1.Bucket) { b.Spec.ForProvider.ForceDestroy = ptr.To(true) })
	if _, err := e.Delete(context.Background(), cr); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a@1", "b@2"}, deleted); diff != "" {
		t.Errorf("forceDestroy deletes every version and delete marker: -want +got:\n%s", diff)
	}
}

// TestConfirmAfterCreate: the observation that confirms a create trusts the tag set the create replaced — S3's
// tagging reads are eventually consistent, and a stale "no tags" would make the new bucket look like someone
// else's — and the one after it reads S3 again.
func TestConfirmAfterCreate(t *testing.T) {
	reads := 0
	stale := &fake.S3{
		MockCreateBucket: func(*s3.CreateBucketInput) (*s3.CreateBucketOutput, error) { return &s3.CreateBucketOutput{}, nil },
		MockPutBucketTagging: func(*s3.PutBucketTaggingInput) (*s3.PutBucketTaggingOutput, error) {
			return &s3.PutBucketTaggingOutput{}, nil
		},
		MockHeadBucket: head("eu-west-1"),
		MockGetBucketTagging: func(in *s3.GetBucketTaggingInput) (*s3.GetBucketTaggingOutput, error) {
			reads++
			return tagging(nil)(in) // the write has not reached the read path yet
		},
	}
	written := &managedkind.WrittenTags{}
	connect := func() *external {
		e := newExternal(stale, acct())
		e.written = written
		return e
	}
	cr := bucket()
	if _, err := connect().Create(context.Background(), cr); err != nil {
		t.Fatal(err)
	}
	obs, err := connect().Observe(context.Background(), cr)
	if err != nil {
		t.Fatal(err)
	}
	want := managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true}
	if diff := cmp.Diff(want, obs, cmpopts.IgnoreFields(managed.ExternalObservation{}, "ConnectionDetails")); diff != "" {
		t.Errorf("the confirming observation: -want +got:\n%s", diff)
	}
	if reads != 0 {
		t.Errorf("the confirming observation read the tags back (%d reads)", reads)
	}
	if diff := cmp.Diff(managedkind.AWSTags.DesiredTags(cr, nil, acct().DefaultTags), cr.Status.AtProvider.Tags); diff != "" {
		t.Errorf("atProvider.tags after the confirming observation: -want +got:\n%s", diff)
	}
	_, _ = connect().Observe(context.Background(), cr)
	if reads != 1 {
		t.Errorf("the observation after the confirming one must read S3's tags: %d reads", reads)
	}
}
