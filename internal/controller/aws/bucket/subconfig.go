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
		out, err := e.API.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b})
		if err := read(groupVersioning, err); err != nil {
			return o, err
		}
		if out != nil {
			o.versioning = string(out.Status)
		}
	}
	if p.ServerSideEncryption != nil {
		out, err := e.API.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b})
		if err := read(groupSSE, err); err != nil {
			return o, err
		}
		if out != nil {
			o.sse = sseFromSDK(out.ServerSideEncryptionConfiguration)
		}
	}
	if p.PublicAccessBlock != nil {
		out, err := e.API.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b})
		if err := read(groupPAB, err); err != nil {
			return o, err
		}
		if out != nil {
			o.pab = pabFromSDK(out.PublicAccessBlockConfiguration)
		}
	}
	if p.ObjectOwnership != nil {
		out, err := e.API.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: b})
		if err := read(groupOwnership, err); err != nil {
			return o, err
		}
		if out != nil && out.OwnershipControls != nil && len(out.OwnershipControls.Rules) > 0 {
			o.ownership = string(out.OwnershipControls.Rules[0].ObjectOwnership)
		}
	}
	if p.Lifecycle != nil {
		out, err := e.API.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b})
		if err := read(groupLifecycle, err); err != nil {
			return o, err
		}
		if out != nil {
			o.lifecycle = lifecycleFromSDK(out.Rules)
		}
	}
	if p.CORS != nil {
		out, err := e.API.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: b})
		if err := read(groupCORS, err); err != nil {
			return o, err
		}
		if out != nil {
			o.cors = corsFromSDK(out.CORSRules)
		}
	}
	if p.Policy != nil {
		out, err := e.API.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b})
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

// applyConfig sends the changes, in order.
func (e *external) applyConfig(ctx context.Context, cs changes) error {
	for _, c := range cs {
		var err error
		switch r := c.Request; {
		case r.Ownership != nil:
			_, err = e.API.PutBucketOwnershipControls(ctx, r.Ownership)
		case r.PAB != nil:
			_, err = e.API.PutPublicAccessBlock(ctx, r.PAB)
		case r.Versioning != nil:
			_, err = e.API.PutBucketVersioning(ctx, r.Versioning)
		case r.SSE != nil:
			_, err = e.API.PutBucketEncryption(ctx, r.SSE)
		case r.Lifecycle != nil:
			_, err = e.API.PutBucketLifecycleConfiguration(ctx, r.Lifecycle)
		case r.DeleteLifecycle != nil:
			_, err = e.API.DeleteBucketLifecycle(ctx, r.DeleteLifecycle)
		case r.CORS != nil:
			_, err = e.API.PutBucketCors(ctx, r.CORS)
		case r.DeleteCORS != nil:
			_, err = e.API.DeleteBucketCors(ctx, r.DeleteCORS)
		case r.Policy != nil:
			_, err = e.API.PutBucketPolicy(ctx, r.Policy)
		case r.DeletePolicy != nil:
			_, err = e.API.DeleteBucketPolicy(ctx, r.DeletePolicy)
		}
		// Deleting a configuration the bucket does not have is already done.
		alreadyGone := c.Request.isDelete() && s3client.IsNotConfigured(err)
		if err != nil && !alreadyGone {
			return errors.Wrapf(awsclient.Clean(err), "cannot set %s", c.Field)
		}
	}
	return nil
}

// empty deletes every object version and delete marker in the bucket, a page (up to 1,000) at a time. A huge
// bucket may take several reconciles: each one makes progress, and the next resumes from what is left.
func (e *external) empty(ctx context.Context, name string) error {
	in := &s3.ListObjectVersionsInput{Bucket: aws.String(name)}
	for {
		out, err := e.API.ListObjectVersions(ctx, in)
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
			res, err := e.API.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(name), Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)}})
			if err != nil {
				return errors.Wrap(awsclient.Clean(err), "cannot delete objects")
			}
			if len(res.Errors) > 0 {
				first := res.Errors[0]
				return errors.Errorf("cannot delete %d objects, first %q: %s", len(res.Errors), aws.ToString(first.Key), aws.ToString(first.Code))
			}
		}
		if !aws.ToBool(out.IsTruncated) {
			return nil
		}
		in.KeyMarker, in.VersionIdMarker = out.NextKeyMarker, out.NextVersionIdMarker
	}
}
