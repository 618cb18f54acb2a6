// Package awstest builds AWS SDK errors as the SDK returns them, for unit tests of error handling.
package awstest

import (
	"net/http"

	"github.com/crossplane/crossplane-runtime/v2/pkg/event"
	"k8s.io/apimachinery/pkg/runtime"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// APIError returns the error an SDK operation returns for an HTTP status with an AWS error code, wrapped the way
// the SDK wraps it (operation error → response error with a request ID → API error).
func APIError(op string, status int, code, msg string) error {
	return &smithy.OperationError{
		ServiceID:     "S3",
		OperationName: op,
		Err: &awshttp.ResponseError{
			RequestID: "REQ-4711-CHANGES-EVERY-CALL",
			ResponseError: &smithyhttp.ResponseError{
				Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
				Err:      &smithy.GenericAPIError{Code: code, Message: msg},
			},
		},
	}
}

// A Recorder keeps the events a controller records, for tests that assert on them.
type Recorder struct{ Events []event.Event }

// Event records e.
func (r *Recorder) Event(_ runtime.Object, e event.Event) { r.Events = append(r.Events, e) }

// WithAnnotations returns the recorder itself.
func (r *Recorder) WithAnnotations(...string) event.Recorder { return r }
