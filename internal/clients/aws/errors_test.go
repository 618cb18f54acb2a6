package aws

import (
	"errors"
	"net"
	"os"
	"syscall"
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
		"Refused": {
			reason: "A refused connection is a fixed text: no resolved address, no retry chatter.",
			err: &smithy.OperationError{ServiceID: "S3", OperationName: "HeadBucket", Err: errors.Join(errors.New("exceeded maximum number of attempts, 3"),
				&net.OpError{Op: "dial", Net: "tcp", Addr: &net.TCPAddr{IP: net.IPv4(10, 0, 0, 7), Port: 443}, Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)})},
			want: "HeadBucket: the AWS endpoint refused the connection",
		},
		"Timeout": {
			reason: "A timeout is a fixed text.",
			err: &smithy.OperationError{ServiceID: "SQS", OperationName: "GetQueueUrl", Err: &net.OpError{Op: "read", Net: "tcp",
				Addr: &net.TCPAddr{IP: net.IPv4(10, 0, 0, 7), Port: 443}, Err: timeoutErr{}}},
			want: "GetQueueUrl: the AWS endpoint did not answer in time",
		},
		"DNS": {
			reason: "A DNS failure does not name the resolver's address.",
			err: &smithy.OperationError{ServiceID: "RDS", OperationName: "DescribeDBInstances", Err: &net.OpError{Op: "dial", Net: "tcp",
				Err: &net.DNSError{Err: "no such host", Name: "rds.example.com", Server: "10.0.0.2:53"}}},
			want: "DescribeDBInstances: cannot resolve the AWS endpoint's host name",
		},
		"SignatureQuotesCanonicalRequest": {
			reason: "A signature error's text can quote the canonical request with the session token: a fixed text instead.",
			err:    awstest.APIError("GetQueueUrl", 403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.\n\nThe Canonical String for this request should have been\n'POST\n/\n\nx-amz-security-token:canary-session-token\n'"),
			want:   "GetQueueUrl: SignatureDoesNotMatch: AWS refused the request signature: the secret access key does not belong to the access key ID",
		},
		"UnknownKey": {
			reason: "An unknown key is a fixed text; AWS's message can echo the key material.",
			err:    awstest.APIError("DescribeTable", 400, "UnrecognizedClientException", "The security token included in the request is invalid: canary"),
			want:   "DescribeTable: UnrecognizedClientException: AWS does not know the access key ID or session token: it was deleted, deactivated, or belongs to another partition",
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
	if !IsInvalidInput(awstest.APIError("CreateBucket", 400, "InvalidArgument", "x")) || !IsInvalidInput(awstest.APIError("UpdateTable", 400, "ValidationException", "x")) {
		t.Errorf("invalid input is classified by its code")
	}
	for _, code := range []string{"SlowDown", "ThrottlingException", "InternalError", "InvalidDBInstanceState", "ResourceInUseException", "OperationAborted"} {
		if IsInvalidInput(awstest.APIError("Op", 400, code, "x")) {
			t.Errorf("%s must stay retryable", code)
		}
	}
	for _, code := range []string{"InvalidAccessKeyId", "InvalidClientTokenId", "ExpiredToken", "ExpiredTokenException", "UnrecognizedClientException"} {
		if err := awstest.APIError("Op", 403, code, "x"); !IsRefusedCredentials(err) || !IsAuthFailure(err) {
			t.Errorf("%s: refused credentials are an authentication failure too (both %t, %t)", code, IsRefusedCredentials(err), IsAuthFailure(err))
		}
	}
	if ErrorCode(errors.New("x")) != "" || HTTPStatus(errors.New("x")) != 0 {
		t.Errorf("a non-AWS error has no code or status")
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout on 10.0.0.7:443" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }
