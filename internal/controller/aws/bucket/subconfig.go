package bucket

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
	awsclient "github.com/stateful-dev/provider-stateful/internal/clients/aws"
	"github.com/stateful-dev/provider-stateful/internal/clients/aws/policy"
	s3client "github.com/stateful-dev/provider-stateful/internal/clients/aws/s3"
)

// readConfig reads each sub-configuration the spec manages, and only those: a Bucket that sets only tags costs
// two reads per poll. An unset sub-configuration reads as its zero value.
func (e *external) readConfig(ctx context.Context, name string, p v1alpha1.BucketParameters) (observed, error) {
	var o observed
	b := aws.String(name)
	read := func(group string, err error) error {
		if err == nil || s3client.IsNotConfigured(err) {
			return nil
		}
		return errors.Wrapf(awsclient.Clean(err), "cannot read %s", group)
	}
	if p.Versioning != nil {
		out, err := e.s3.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b})
		if err := read(groupVersioning, err); err != nil {
			return o, err
		}
		if out != nil {
			o.versioning = string(out.Status)
		}
	}
	if p.ServerSideEncryption != nil {
		out, err := e.s3.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b})
		if err := read(groupSSE, err); err != nil {
			return o, err
		}
		if out != nil {
			o.sse = sseFromSDK(out.ServerSideEncryptionConfiguration)
		}
	}
	if p.PublicAccessBlock != nil {
		out, err := e.s3.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b})
		if err := read(groupPAB, err); err != nil {
			return o, err
		}
		if out != nil {
			o.pab = pabFromSDK(out.PublicAccessBlockConfiguration)
		}
	}
	if p.ObjectOwnership != nil {
		out, err := e.s3.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: b})
		if err := read(groupOwnership, err); err != nil {
			return o, err
		}
		if out != nil && out.OwnershipControls != nil && len(out.OwnershipControls.Rules) > 0 {
			o.ownership = string(out.OwnershipControls.Rules[0].ObjectOwnership)
		}
	}
	if p.Lifecycle != nil {
		out, err := e.s3.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b})
		if err := read(groupLifecycle, err); err != nil {
			return o, err
		}
		if out != nil {
			o.lifecycle = lifecycleFromSDK(out.Rules)
		}
	}
	if p.CORS != nil {
		out, err := e.s3.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: b})
		if err := read(groupCORS, err); err != nil {
			return o, err
		}
		if out != nil {
			o.cors = corsFromSDK(out.CORSRules)
		}
	}
	if p.Policy != nil {
		out, err := e.s3.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b})
		if err := read(groupPolicy, err); err != nil {
			return o, err
		}
		if out != nil {
			if o.policy, err = policy.Normalize(aws.ToString(out.Policy)); err != nil {
				return o, errors.Wrap(err, "cannot parse the bucket policy S3 returned")
			}
		}
	}
	return o, nil
}

// managedGroups lists the sub-configurations the spec sets, in apply order: ownership and the public access
// block before the policy (a public policy is refused while BlockPublicPolicy is on, and allowed once it is off).
func managedGroups(p v1alpha1.BucketParameters) []string {
	var g []string
	for _, c := range []struct {
		set   bool
		group string
	}{
		{p.ObjectOwnership != nil, groupOwnership},
		{p.PublicAccessBlock != nil, groupPAB},
		{p.Versioning != nil, groupVersioning},
		{p.ServerSideEncryption != nil, groupSSE},
		{p.Lifecycle != nil, groupLifecycle},
		{p.CORS != nil, groupCORS},
		{p.Policy != nil, groupPolicy},
	} {
		if c.set {
			g = append(g, c.group)
		}
	}
	return g
}

// applyConfig writes the named sub-configurations from the spec, in the order given.
func (e *external) applyConfig(ctx context.Context, name string, p v1alpha1.BucketParameters, groups []string) error {
	b := aws.String(name)
	for _, g := range groups {
		var err error
		switch g {
		case groupOwnership:
			_, err = e.s3.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: b, OwnershipControls: &types.OwnershipControls{
				Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnership(*p.ObjectOwnership)}},
			}})
		case groupPAB:
			_, err = e.s3.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b, PublicAccessBlockConfiguration: pabToSDK(*p.PublicAccessBlock)})
		case groupVersioning:
			_, err = e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &types.VersioningConfiguration{
				Status: types.BucketVersioningStatus(*p.Versioning),
			}})
		case groupSSE:
			_, err = e.s3.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: b, ServerSideEncryptionConfiguration: sseToSDK(*p.ServerSideEncryption)})
		case groupLifecycle:
			if len(p.Lifecycle.Rules) == 0 {
				_, err = e.s3.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{Bucket: b})
				break
			}
			_, err = e.s3.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: b, LifecycleConfiguration: &types.BucketLifecycleConfiguration{
				Rules: lifecycleToSDK(p.Lifecycle.Rules),
			}})
		case groupCORS:
			if len(p.CORS.Rules) == 0 {
				_, err = e.s3.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: b})
				break
			}
			_, err = e.s3.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: b, CORSConfiguration: &types.CORSConfiguration{CORSRules: corsToSDK(p.CORS.Rules)}})
		case groupPolicy:
			if *p.Policy == "" {
				_, err = e.s3.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: b})
				break
			}
			_, err = e.s3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b, Policy: p.Policy})
		}
		if err != nil && !(s3client.IsNotConfigured(err) && isDelete(g, p)) {
			return errors.Wrapf(awsclient.Clean(err), "cannot set %s", g)
		}
	}
	return nil
}

// isDelete reports whether applying group g removes it, which is already done when S3 says it is not set.
func isDelete(g string, p v1alpha1.BucketParameters) bool {
	switch g {
	case groupLifecycle:
		return len(p.Lifecycle.Rules) == 0
	case groupCORS:
		return len(p.CORS.Rules) == 0
	case groupPolicy:
		return *p.Policy == ""
	}
	return false
}

// empty deletes every object version and delete marker in the bucket, a page (up to 1,000) at a time. A huge
// bucket may take several reconciles: each one makes progress, and the next resumes from what is left.
func (e *external) empty(ctx context.Context, name string) error {
	in := &s3.ListObjectVersionsInput{Bucket: aws.String(name)}
	for {
		out, err := e.s3.ListObjectVersions(ctx, in)
		if err != nil {
			return errors.Wrap(awsclient.Clean(err), "cannot list object versions")
		}
		ids := make([]types.ObjectIdentifier, 0, len(out.Versions)+len(out.DeleteMarkers))
		for _, v := range out.Versions {
			ids = append(ids, types.ObjectIdentifier{Key: v.Key, VersionId: v.VersionId})
		}
		for _, m := range out.DeleteMarkers {
			ids = append(ids, types.ObjectIdentifier{Key: m.Key, VersionId: m.VersionId})
		}
		if len(ids) > 0 {
			res, err := e.s3.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(name), Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)}})
			if err != nil {
				return errors.Wrap(awsclient.Clean(err), "cannot delete objects")
			}
			if len(res.Errors) > 0 {
				return errors.Errorf("cannot delete %d objects, first %q: %s", len(res.Errors), aws.ToString(res.Errors[0].Key), aws.ToString(res.Errors[0].Code))
			}
		}
		if !aws.ToBool(out.IsTruncated) {
			return nil
		}
		in.KeyMarker, in.VersionIdMarker = out.NextKeyMarker, out.NextVersionIdMarker
	}
}
