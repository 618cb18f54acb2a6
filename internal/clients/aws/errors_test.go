package aws

import (
	"errors"
	"net"
	"testing"

	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/stateful-dev/provider-stateful/internal/clients/aws/awstest"
)

func TestClean(t *testing.T) {
	cases := map[string]struct {
		reason string
		err    error
		want   string
	}{
		"Nil": {reason: "No error stays no error."},
		"APIError": {
			reason: "An API error keeps operation, code and message, and loses the request ID.",
			err:    awstest.APIError("CreateBucket", 400, "InvalidBucketName", "The specified bucket is not valid."),
			want:   "CreateBucket: InvalidBucketName: The specified bucket is not valid.",
		},
		"NoMessage": {
			reason: "An API error without a message (HeadBucket has no body) says the HTTP status text.",
			err:    awstest.APIError("HeadBucket", 503, "ServiceUnavailable", ""),
			want:   "HeadBucket: ServiceUnavailable: Service Unavailable",
		},
		"Transport": {
			reason: "A transport failure keeps the network error and loses the retry chatter.",
			err: &smithy.OperationError{ServiceID: "S3", OperationName: "HeadBucket", Err: errors.Join(errors.New("exceeded maximum number of attempts, 3"),
				&net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")})},
			want: "HeadBucket: dial tcp: connect: connection refused",
		},
		"Credentials": {
			reason: "A credentials provider's error keeps its own (clean) message.",
			err:    &smithy.OperationError{ServiceID: "S3", OperationName: "HeadBucket", Err: errors.New("failed to refresh cached credentials, Vault answered HTTP 403: permission denied")},
			want:   "HeadBucket: failed to refresh cached credentials, Vault answered HTTP 403: permission denied",
		},
		"Other": {reason: "Any other error is unchanged.", err: errors.New("boom"), want: "boom"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := Clean(tc.err)
			msg := ""
			if got != nil {
				msg = got.Error()
			}
			if diff := cmp.Diff(tc.want, msg); diff != "" {
				t.Errorf("%s\nClean(...): -want +got:\n%s", tc.reason, diff)
			}
			if tc.err != nil && !errors.Is(got, tc.err) {
				t.Errorf("%s\nClean(...) does not wrap the original error", tc.reason)
			}
		})
	}
}

func TestErrorClassification(t *testing.T) {
	err := awstest.APIError("DeleteBucket", 409, "BucketNotEmpty", "The bucket you tried to delete is not empty")
	if got := ErrorCode(err); got != "BucketNotEmpty" {
		t.Errorf("ErrorCode: got %q", got)
	}
	if got := HTTPStatus(err); got != 409 {
		t.Errorf("HTTPStatus: got %d", got)
	}
	if ErrorCode(errors.New("x")) != "" || HTTPStatus(errors.New("x")) != 0 {
		t.Errorf("a non-AWS error has no code or status")
	}
}
