// Package aws builds AWS SDK configurations for the provider and classifies and cleans AWS errors.
package aws

import (
	"errors"
	"fmt"
	"net"
	"net/http"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/stateful-dev/provider-stateful/internal/clients/cleanerr"
)

// Clean returns err without request IDs, host IDs or retry chatter, so that the condition message it ends up in is
// stable from one poll to the next (a changing message is a status write per poll) and readable. An API error
// becomes "<operation>: <code>: <message>"; any other error keeps its text.
func Clean(err error) error {
	if err == nil {
		return nil
	}
	op := ""
	var oe *smithy.OperationError
	if errors.As(err, &oe) {
		op = oe.Operation() + ": "
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		msg := ae.ErrorMessage()
		if msg == "" {
			msg = http.StatusText(HTTPStatus(err))
		}
		return cleanerr.New(fmt.Sprintf("%s%s: %s", op, ae.ErrorCode(), msg), err)
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return cleanerr.New(fmt.Sprintf("%sHTTP %d", op, re.HTTPStatusCode()), err)
	}
	if oe != nil {
		return cleanerr.New(op+transportError(oe.Err).Error(), err)
	}
	return err
}

// transportError finds, under the SDK's retry and send wrappers, the net.OpError of a refused connection or a
// timeout ("dial tcp 127.0.0.1:5000: connect: connection refused"). Any other error (a credentials provider's,
// already clean) is kept whole.
func transportError(err error) error {
	var ne *net.OpError
	if errors.As(err, &ne) {
		return ne
	}
	return err
}

// ErrorCode returns the AWS error code of err ("NoSuchBucket"), or "" when err is not an API error.
func ErrorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// HTTPStatus returns the HTTP status of the response that caused err, or 0 when there was none.
func HTTPStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}
