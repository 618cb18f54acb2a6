package bucket

import (
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"k8s.io/utils/ptr"

	"github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/clients/aws/policy"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
)

// Names of the sub-configurations, as they appear in diffs and events (the spec's field names).
const (
	groupVersioning = "versioning"
	groupSSE        = "serverSideEncryption"
	groupPAB        = "publicAccessBlock"
	groupOwnership  = "objectOwnership"
	groupLifecycle  = "lifecycle"
	groupCORS       = "cors"
	groupPolicy     = "policy"
)

// observed is what Observe read of the sub-configurations the spec manages. A zero value means "not set" in
// the cloud (S3 answers a read of an unset sub-configuration with an error, mapped to zero).
type observed struct {
	versioning string
	sse        *v1alpha1.ServerSideEncryptionObservation
	pab        *v1alpha1.PublicAccessBlock
	ownership  string
	lifecycle  []v1alpha1.LifecycleRule
	cors       []v1alpha1.CORSRule
	policy     string // canonical form
}

// A request is what one sub-configuration's change sends: exactly one field is set. "None" (an empty rule list,
// policy "") is a delete.
type request struct {
	Ownership       *s3.PutBucketOwnershipControlsInput
	PAB             *s3.PutPublicAccessBlockInput
	Versioning      *s3.PutBucketVersioningInput
	SSE             *s3.PutBucketEncryptionInput
	Lifecycle       *s3.PutBucketLifecycleConfigurationInput
	DeleteLifecycle *s3.DeleteBucketLifecycleInput
	CORS            *s3.PutBucketCorsInput
	DeleteCORS      *s3.DeleteBucketCorsInput
	Policy          *s3.PutBucketPolicyInput
	DeletePolicy    *s3.DeleteBucketPolicyInput
}

// isDelete reports whether the request removes a sub-configuration, which is already done when S3 says it is not
// set.
func (r request) isDelete() bool {
	return r.DeleteLifecycle != nil || r.DeleteCORS != nil || r.DeletePolicy != nil
}

// changes is the Bucket's change list.
type changes = managedkind.Changes[request]

// configDiff lists the managed sub-configurations whose observed state differs from the spec, in apply order.
// Unset spec fields are not managed and never differ. An invalid desired policy is an error.
func configDiff(name string, p v1alpha1.BucketParameters, o observed) (changes, error) {
	var out changes
	for _, c := range configChanges(name, p) {
		d, err := differs(c.Field, p, o)
		if err != nil {
			return nil, err
		}
		if d {
			out = append(out, c)
		}
	}
	return out, nil
}

// differs compares one sub-configuration the spec sets with what S3 reports.
func differs(group string, p v1alpha1.BucketParameters, o observed) (bool, error) {
	switch group {
	case groupOwnership:
		return *p.ObjectOwnership != o.ownership, nil
	case groupPAB:
		return !samePAB(*p.PublicAccessBlock, o.pab), nil
	case groupVersioning:
		return !versioningUpToDate(*p.Versioning, o.versioning), nil
	case groupSSE:
		return !sseUpToDate(*p.ServerSideEncryption, o.sse), nil
	case groupLifecycle:
		return !lifecycleUpToDate(p.Lifecycle.Rules, o.lifecycle), nil
	case groupCORS:
		return !corsUpToDate(p.CORS.Rules, o.cors), nil
	default: // groupPolicy
		same, err := policy.Equal(*p.Policy, o.policy)
		return !same, err
	}
}

// configChanges lists the sub-configurations the spec sets, in apply order, each with the request that applies it:
// ownership and the public access block before the policy (a public policy is refused while BlockPublicPolicy is
// on, and allowed once it is off). A new bucket is sent all of them.
func configChanges(name string, p v1alpha1.BucketParameters) changes {
	b := aws.String(name)
	var cs changes
	add := func(set bool, group string, r func() request) {
		if set {
			cs.Add(group, r())
		}
	}
	add(p.ObjectOwnership != nil, groupOwnership, func() request {
		return request{Ownership: &s3.PutBucketOwnershipControlsInput{Bucket: b, OwnershipControls: &types.OwnershipControls{
			Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnership(ptr.Deref(p.ObjectOwnership, ""))}},
		}}}
	})
	add(p.PublicAccessBlock != nil, groupPAB, func() request {
		return request{PAB: &s3.PutPublicAccessBlockInput{Bucket: b, PublicAccessBlockConfiguration: pabToSDK(*p.PublicAccessBlock)}}
	})
	add(p.Versioning != nil, groupVersioning, func() request {
		return request{Versioning: &s3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &types.VersioningConfiguration{
			Status: types.BucketVersioningStatus(*p.Versioning),
		}}}
	})
	add(p.ServerSideEncryption != nil, groupSSE, func() request {
		return request{SSE: &s3.PutBucketEncryptionInput{Bucket: b, ServerSideEncryptionConfiguration: sseToSDK(*p.ServerSideEncryption)}}
	})
	add(p.Lifecycle != nil, groupLifecycle, func() request {
		if len(p.Lifecycle.Rules) == 0 {
			return request{DeleteLifecycle: &s3.DeleteBucketLifecycleInput{Bucket: b}}
		}
		return request{Lifecycle: &s3.PutBucketLifecycleConfigurationInput{Bucket: b, LifecycleConfiguration: &types.BucketLifecycleConfiguration{
			Rules: lifecycleToSDK(p.Lifecycle.Rules),
		}}}
	})
	add(p.CORS != nil, groupCORS, func() request {
		if len(p.CORS.Rules) == 0 {
			return request{DeleteCORS: &s3.DeleteBucketCorsInput{Bucket: b}}
		}
		return request{CORS: &s3.PutBucketCorsInput{Bucket: b, CORSConfiguration: &types.CORSConfiguration{CORSRules: corsToSDK(p.CORS.Rules)}}}
	})
	add(p.Policy != nil, groupPolicy, func() request {
		if *p.Policy == "" {
			return request{DeletePolicy: &s3.DeleteBucketPolicyInput{Bucket: b}}
		}
		return request{Policy: &s3.PutBucketPolicyInput{Bucket: b, Policy: p.Policy}}
	})
	return cs
}

// versioningUpToDate treats a bucket that was never versioned ("") as Suspended: S3 cannot return to "never".
func versioningUpToDate(desired, observed string) bool {
	return desired == observed || (desired == string(types.BucketVersioningStatusSuspended) && observed == "")
}

func sseToSDK(s v1alpha1.ServerSideEncryption) *types.ServerSideEncryptionConfiguration {
	return &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{
		ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{
			SSEAlgorithm:   types.ServerSideEncryption(s.Algorithm),
			KMSMasterKeyID: s.KMSKeyID,
		},
		BucketKeyEnabled: aws.Bool(ptr.Deref(s.BucketKeyEnabled, false)),
	}}}
}

func sseFromSDK(c *types.ServerSideEncryptionConfiguration) *v1alpha1.ServerSideEncryptionObservation {
	if c == nil || len(c.Rules) == 0 || c.Rules[0].ApplyServerSideEncryptionByDefault == nil {
		return nil
	}
	r := c.Rules[0]
	return &v1alpha1.ServerSideEncryptionObservation{
		Algorithm:        string(r.ApplyServerSideEncryptionByDefault.SSEAlgorithm),
		KMSKeyID:         aws.ToString(r.ApplyServerSideEncryptionByDefault.KMSMasterKeyID),
		BucketKeyEnabled: aws.ToBool(r.BucketKeyEnabled),
	}
}

// sseUpToDate compares default encryption by the key it means, not how it is spelled (see sameKMSKey).
func sseUpToDate(d v1alpha1.ServerSideEncryption, o *v1alpha1.ServerSideEncryptionObservation) bool {
	if o == nil {
		return false
	}
	return d.Algorithm == o.Algorithm && ptr.Deref(d.BucketKeyEnabled, false) == o.BucketKeyEnabled && sameKMSKey(ptr.Deref(d.KMSKeyID, ""), o.KMSKeyID)
}

// sameKMSKey reports whether two spellings of a KMS key name the same key in the bucket's account and Region: a key
// ID and its key ARN, or an alias name ("alias/reports") and its alias ARN
// ("arn:aws:kms:eu-west-1:123456789012:alias/reports", which S3 reports for a key given by alias).
//
// NOTE: an alias and a key ARN cannot be matched without asking KMS what the alias points to, and the provider has
// no KMS client: a spec should give the key the way S3 reports it back (its ARN, or an alias S3 keeps as an alias).
func sameKMSKey(a, b string) bool {
	if a == b {
		return true
	}
	if a == "" || b == "" {
		return false
	}
	for _, x := range [2][2]string{{a, b}, {b, a}} {
		short, arn := x[0], x[1]
		if !strings.HasPrefix(arn, "arn:") || strings.HasPrefix(short, "arn:") {
			continue
		}
		if strings.HasPrefix(short, "alias/") && strings.HasSuffix(arn, ":"+short) || strings.HasSuffix(arn, ":key/"+short) {
			return true
		}
	}
	return false
}

func pabToSDK(p v1alpha1.PublicAccessBlock) *types.PublicAccessBlockConfiguration {
	// S3 sets all four flags at once: a flag the spec leaves out of a managed block is false.
	return &types.PublicAccessBlockConfiguration{
		BlockPublicAcls: aws.Bool(ptr.Deref(p.BlockPublicACLs, false)), IgnorePublicAcls: aws.Bool(ptr.Deref(p.IgnorePublicACLs, false)),
		BlockPublicPolicy: aws.Bool(ptr.Deref(p.BlockPublicPolicy, false)), RestrictPublicBuckets: aws.Bool(ptr.Deref(p.RestrictPublicBuckets, false)),
	}
}

func pabFromSDK(c *types.PublicAccessBlockConfiguration) *v1alpha1.PublicAccessBlock {
	if c == nil {
		return nil
	}
	return &v1alpha1.PublicAccessBlock{
		BlockPublicACLs: aws.Bool(aws.ToBool(c.BlockPublicAcls)), IgnorePublicACLs: aws.Bool(aws.ToBool(c.IgnorePublicAcls)),
		BlockPublicPolicy: aws.Bool(aws.ToBool(c.BlockPublicPolicy)), RestrictPublicBuckets: aws.Bool(aws.ToBool(c.RestrictPublicBuckets)),
	}
}

// samePAB compares public access blocks flag by flag, an unset flag being false.
func samePAB(d v1alpha1.PublicAccessBlock, o *v1alpha1.PublicAccessBlock) bool {
	if o == nil {
		o = &v1alpha1.PublicAccessBlock{}
	}
	f := func(b *bool) bool { return ptr.Deref(b, false) }
	return f(d.BlockPublicACLs) == f(o.BlockPublicACLs) && f(d.IgnorePublicACLs) == f(o.IgnorePublicACLs) &&
		f(d.BlockPublicPolicy) == f(o.BlockPublicPolicy) && f(d.RestrictPublicBuckets) == f(o.RestrictPublicBuckets)
}

func lifecycleToSDK(rules []v1alpha1.LifecycleRule) []types.LifecycleRule {
	out := make([]types.LifecycleRule, 0, len(rules))
	for _, r := range rules {
		lr := types.LifecycleRule{
			ID:     aws.String(r.ID),
			Status: types.ExpirationStatusEnabled,
			Filter: &types.LifecycleRuleFilter{Prefix: aws.String(ptr.Deref(r.Prefix, ""))},
		}
		if !ptr.Deref(r.Enabled, true) {
			lr.Status = types.ExpirationStatusDisabled
		}
		if r.ExpirationDays != nil || r.ExpiredObjectDeleteMarker != nil {
			lr.Expiration = &types.LifecycleExpiration{Days: r.ExpirationDays, ExpiredObjectDeleteMarker: r.ExpiredObjectDeleteMarker}
		}
		if r.NoncurrentVersionExpirationDays != nil {
			lr.NoncurrentVersionExpiration = &types.NoncurrentVersionExpiration{NoncurrentDays: r.NoncurrentVersionExpirationDays}
		}
		if r.AbortIncompleteMultipartUploadDays != nil {
			lr.AbortIncompleteMultipartUpload = &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: r.AbortIncompleteMultipartUploadDays}
		}
		for _, t := range r.Transitions {
			lr.Transitions = append(lr.Transitions, types.Transition{Days: aws.Int32(t.Days), StorageClass: types.TransitionStorageClass(t.StorageClass)})
		}
		for _, t := range r.NoncurrentVersionTransitions {
			lr.NoncurrentVersionTransitions = append(lr.NoncurrentVersionTransitions, types.NoncurrentVersionTransition{
				NoncurrentDays: aws.Int32(t.Days),
				StorageClass:   types.TransitionStorageClass(t.StorageClass),
			})
		}
		out = append(out, lr)
	}
	return out
}

// lifecycleFromSDK converts S3's rules to the spec's form, so the two compare directly. Filters the spec cannot
// express (tags, object sizes) make the rule differ from any spec rule, which is the truth.
func lifecycleFromSDK(rules []types.LifecycleRule) []v1alpha1.LifecycleRule {
	out := make([]v1alpha1.LifecycleRule, 0, len(rules))
	for _, r := range rules {
		lr := v1alpha1.LifecycleRule{ID: aws.ToString(r.ID), Enabled: aws.Bool(r.Status == types.ExpirationStatusEnabled)}
		prefix := aws.ToString(r.Prefix) //nolint:staticcheck // The deprecated top-level prefix is still returned for old rules.
		if r.Filter != nil {
			if r.Filter.Prefix != nil {
				prefix = *r.Filter.Prefix
			}
			if r.Filter.And != nil || r.Filter.Tag != nil || r.Filter.ObjectSizeGreaterThan != nil || r.Filter.ObjectSizeLessThan != nil {
				prefix = "\x00unsupported-filter"
			}
		}
		if prefix != "" {
			lr.Prefix = aws.String(prefix)
		}
		if e := r.Expiration; e != nil {
			lr.ExpirationDays = e.Days
			lr.ExpiredObjectDeleteMarker = e.ExpiredObjectDeleteMarker
		}
		if e := r.NoncurrentVersionExpiration; e != nil {
			lr.NoncurrentVersionExpirationDays = e.NoncurrentDays
		}
		if a := r.AbortIncompleteMultipartUpload; a != nil {
			lr.AbortIncompleteMultipartUploadDays = a.DaysAfterInitiation
		}
		for _, t := range r.Transitions {
			lr.Transitions = append(lr.Transitions, v1alpha1.Transition{Days: aws.ToInt32(t.Days), StorageClass: string(t.StorageClass)})
		}
		for _, t := range r.NoncurrentVersionTransitions {
			lr.NoncurrentVersionTransitions = append(lr.NoncurrentVersionTransitions,
				v1alpha1.Transition{Days: aws.ToInt32(t.NoncurrentDays), StorageClass: string(t.StorageClass)})
		}
		out = append(out, lr)
	}
	return out
}

// normalizeLifecycle puts rules in a comparable form: sorted by ID, defaults made explicit, empty values dropped
// (S3 omits zero days and false markers), transitions sorted by days.
func normalizeLifecycle(rules []v1alpha1.LifecycleRule) []v1alpha1.LifecycleRule {
	out := make([]v1alpha1.LifecycleRule, 0, len(rules))
	for _, r := range rules {
		r = *r.DeepCopy()
		r.Enabled = aws.Bool(ptr.Deref(r.Enabled, true))
		if ptr.Deref(r.Prefix, "") == "" {
			r.Prefix = nil
		}
		if !ptr.Deref(r.ExpiredObjectDeleteMarker, false) {
			r.ExpiredObjectDeleteMarker = nil
		}
		for _, d := range []**int32{&r.ExpirationDays, &r.NoncurrentVersionExpirationDays, &r.AbortIncompleteMultipartUploadDays} {
			if ptr.Deref(*d, 0) == 0 {
				*d = nil
			}
		}
		for _, ts := range [][]v1alpha1.Transition{r.Transitions, r.NoncurrentVersionTransitions} {
			sort.Slice(ts, func(i, j int) bool { return ts[i].Days < ts[j].Days })
		}
		if len(r.Transitions) == 0 {
			r.Transitions = nil
		}
		if len(r.NoncurrentVersionTransitions) == 0 {
			r.NoncurrentVersionTransitions = nil
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func lifecycleUpToDate(desired, observed []v1alpha1.LifecycleRule) bool {
	d, o := normalizeLifecycle(desired), normalizeLifecycle(observed)
	if len(d) != len(o) {
		return false
	}
	for i := range d {
		if !equalJSON(d[i], o[i]) {
			return false
		}
	}
	return true
}

func corsToSDK(rules []v1alpha1.CORSRule) []types.CORSRule {
	out := make([]types.CORSRule, 0, len(rules))
	for _, r := range rules {
		out = append(out, types.CORSRule{
			ID: r.ID, AllowedMethods: r.AllowedMethods, AllowedOrigins: r.AllowedOrigins,
			AllowedHeaders: r.AllowedHeaders, ExposeHeaders: r.ExposeHeaders, MaxAgeSeconds: r.MaxAgeSeconds,
		})
	}
	return out
}

func corsFromSDK(rules []types.CORSRule) []v1alpha1.CORSRule {
	out := make([]v1alpha1.CORSRule, 0, len(rules))
	for _, r := range rules {
		out = append(out, v1alpha1.CORSRule{
			ID: r.ID, AllowedMethods: r.AllowedMethods, AllowedOrigins: r.AllowedOrigins,
			AllowedHeaders: r.AllowedHeaders, ExposeHeaders: r.ExposeHeaders, MaxAgeSeconds: r.MaxAgeSeconds,
		})
	}
	return out
}

// corsUpToDate compares rules in order (S3 applies the first match); within a rule, lists are sets.
func corsUpToDate(desired, observed []v1alpha1.CORSRule) bool {
	if len(desired) != len(observed) {
		return false
	}
	norm := func(r v1alpha1.CORSRule) v1alpha1.CORSRule {
		r = *r.DeepCopy()
		if ptr.Deref(r.ID, "") == "" {
			r.ID = nil
		}
		if ptr.Deref(r.MaxAgeSeconds, 0) == 0 {
			r.MaxAgeSeconds = nil
		}
		for _, l := range []*[]string{&r.AllowedMethods, &r.AllowedOrigins, &r.AllowedHeaders, &r.ExposeHeaders} {
			sort.Strings(*l)
			if len(*l) == 0 {
				*l = nil
			}
		}
		return r
	}
	for i := range desired {
		if !equalJSON(norm(desired[i]), norm(observed[i])) {
			return false
		}
	}
	return true
}

// fillObservation reports the sub-configurations the spec manages in status.
func fillObservation(s *v1alpha1.BucketObservation, p v1alpha1.BucketParameters, o observed) {
	if p.Versioning != nil {
		s.Versioning = o.versioning
	}
	if p.ServerSideEncryption != nil {
		s.ServerSideEncryption = o.sse
	}
	if p.PublicAccessBlock != nil {
		s.PublicAccessBlock = o.pab
	}
	if p.ObjectOwnership != nil {
		s.ObjectOwnership = o.ownership
	}
	if p.Lifecycle != nil {
		for _, r := range o.lifecycle {
			s.LifecycleRuleIDs = append(s.LifecycleRuleIDs, r.ID)
		}
	}
	if p.CORS != nil {
		s.CORSRuleCount = int32(len(o.cors)) //nolint:gosec // At most 100 rules.
	}
	if p.Policy != nil {
		s.Policy = o.policy
	}
}
