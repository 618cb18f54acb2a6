package gcp

import (
	"fmt"
	"strings"
	"testing"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func withDetails(c codes.Code, msg string, details ...*errdetails.BadRequest) error {
	s := status.New(c, msg)
	for _, d := range details {
		s, _ = s.WithDetails(d)
	}
	s, _ = s.WithDetails(&errdetails.RequestInfo{RequestId: "req-4711-changes-every-call"})
	return s.Err()
}

func TestCleanKeepsTheCause(t *testing.T) {
	badField := &errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{{Field: "filter", Description: "bad"}}}
	cases := map[string]struct {
		reason      string
		err         error
		wantMsg     string
		wantCode    codes.Code
		wantInvalid bool
	}{
		"InvalidArgument": {reason: "Refused input stays refused input once cleaned and wrapped.",
			err: withDetails(codes.InvalidArgument, "Invalid filter expression."), wantMsg: "InvalidArgument: Invalid filter expression.", wantCode: codes.InvalidArgument, wantInvalid: true},
		"FailedPreconditionOnAField": {reason: "A FailedPrecondition that names the request's fields at fault is bad input.",
			err: withDetails(codes.FailedPrecondition, "bad field", badField), wantMsg: "FailedPrecondition: bad field", wantCode: codes.FailedPrecondition, wantInvalid: true},
		"FailedPreconditionOfState": {reason: "A FailedPrecondition about a state stays retryable.",
			err: withDetails(codes.FailedPrecondition, "table is protected from deletion"), wantMsg: "FailedPrecondition: table is protected from deletion", wantCode: codes.FailedPrecondition},
		"Unavailable": {reason: "An outage is retryable.", err: withDetails(codes.Unavailable, "down"), wantMsg: "Unavailable: down", wantCode: codes.Unavailable},
		"WrappedStatus": {reason: "A status a client library wrapped keeps its own message, not the wrapper's.",
			err: fmt.Errorf("rpc failed after 3 attempts to 10.0.0.7: %w", withDetails(codes.InvalidArgument, "bad")), wantMsg: "InvalidArgument: bad", wantCode: codes.InvalidArgument, wantInvalid: true},
		"NotAStatus": {reason: "A transport error is a fixed text.", err: errors.New("dial tcp 10.0.0.7:443: connection refused"), wantMsg: "the request to Google Cloud failed", wantCode: codes.Unknown},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := errors.Wrap(Clean(tc.err), "cannot create the subscription")
			if diff := cmp.Diff("cannot create the subscription: "+tc.wantMsg, got.Error()); diff != "" {
				t.Errorf("%s\nmessage: -want +got:\n%s", tc.reason, diff)
			}
			if strings.Contains(got.Error(), "req-4711") {
				t.Errorf("%s\nthe message carries the request ID: %s", tc.reason, got)
			}
			if diff := cmp.Diff([]any{tc.wantCode, tc.wantInvalid}, []any{Code(got), IsInvalidInput(got)}); diff != "" {
				t.Errorf("%s\ncode and IsInvalidInput after Clean and Wrap: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}
