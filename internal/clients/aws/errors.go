// Package aws builds AWS SDK configurations for the provider and classifies and cleans AWS errors.
package aws

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"syscall"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/stateful-dev/provider-stateful/internal/clients/bounded"
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
	switch {
	case bounded.IsTooLarge(err):
		// Before the API error: the SDK reports a body it could not read whole with whatever it had parsed.
		var tl *bounded.TooLargeError
		errors.As(err, &tl)
		return cleanerr.New(op+"the AWS endpoint's answer is larger than the provider reads ("+tl.Error()+")", err)
	case errors.As(err, new(bounded.RedirectError)):
		return cleanerr.New(op+"the AWS endpoint redirected the request to another scheme or host: not followed", err)
	case errors.Is(err, context.DeadlineExceeded) && !cleanerr.Is(err):
		// The call's own deadline (bounded.CallTimeout) or the reconcile's: the SDK reports it as HTTP 0.
		return cleanerr.New(op+"the AWS endpoint did not answer in time", err)
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		if fixed, ok := authMessages[ae.ErrorCode()]; ok {
			// AWS's own text for these can quote the canonical request and string to sign, which carry the
			// session token and the signed headers: never copied.
			return cleanerr.New(fmt.Sprintf("%s%s: %s", op, ae.ErrorCode(), fixed), err)
		}
		// The code and message are the server's own words: an endpoint a tenant chose may say anything.
		msg := cleanerr.Text(ae.ErrorMessage())
		if msg == "" {
			msg = http.StatusText(HTTPStatus(err))
		}
		return cleanerr.New(fmt.Sprintf("%s%s: %s", op, cleanerr.Text(ae.ErrorCode()), msg), err)
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		msg := fmt.Sprintf("%sHTTP %d", op, re.HTTPStatusCode())
		if re.HTTPStatusCode() == http.StatusForbidden {
			msg += ": AWS refused the request: the credentials are not valid, or lack the permission"
		}
		return cleanerr.New(msg, err)
	}
	if oe != nil {
		return cleanerr.New(op+transportError(oe.Err).Error(), err)
	}
	return err
}

// authMessages are the fixed texts of authentication and signature failures, by error code. A message a user can
// act on, and the same on every poll.
var authMessages = map[string]string{ //nolint:gosec // AWS error codes and their explanations, not credentials.
	"SignatureDoesNotMatch":               "AWS refused the request signature: the secret access key does not belong to the access key ID",
	"InvalidSignatureException":           "AWS refused the request signature: the secret access key does not belong to the access key ID",
	"IncompleteSignature":                 "AWS refused the request signature as incomplete",
	"IncompleteSignatureException":        "AWS refused the request signature as incomplete",
	"InvalidAccessKeyId":                  "AWS does not know the access key ID: it was deleted, deactivated, or belongs to another partition",
	"InvalidClientTokenId":                "AWS does not know the access key ID or session token: it was deleted, deactivated, or belongs to another partition",
	"UnrecognizedClientException":         "AWS does not know the access key ID or session token: it was deleted, deactivated, or belongs to another partition",
	"InvalidToken":                        "AWS refused the session token as malformed or invalid",
	"ExpiredToken":                        "the session token has expired",
	"ExpiredTokenException":               "the session token has expired",
	"TokenRefreshRequired":                "the session token has expired",
	"RequestExpired":                      "AWS refused the request as expired: check the clock of the provider's host",
	"RequestTimeTooSkewed":                "AWS refused the request as expired: check the clock of the provider's host",
	"MissingAuthenticationToken":          "the request was not signed: the config supplies no credentials",
	"MissingAuthenticationTokenException": "the request was not signed: the config supplies no credentials",
	"AuthFailure":                         "AWS refused the credentials",
}

// invalidInput are the error codes with which AWS APIs refuse a request's content as invalid: sending it again
// cannot succeed until the spec changes. Throttling, 5xx, timeouts, conflicts and states (InvalidDBInstanceState,
// ResourceInUseException) are not here: they pass.
var invalidInput = map[string]bool{
	// Shared by the query-protocol services (RDS, SQS's old protocol, STS) and many JSON ones.
	"ValidationError": true, "ValidationException": true, "InvalidParameterValue": true, "InvalidParameterCombination": true,
	"InvalidParameterValueException": true, "MissingParameter": true, "MalformedPolicyDocument": true,
	// S3.
	"InvalidBucketName": true, "MalformedPolicy": true, "MalformedXML": true, "InvalidArgument": true, "InvalidRequest": true,
	"InvalidLocationConstraint": true, "IllegalLocationConstraintException": true, "InvalidTag": true, "InvalidStorageClass": true,
	// SQS.
	"InvalidAttributeName": true, "InvalidAttributeValue": true, "InvalidAttributeValueException": true, "InvalidAddress": true,
	// RDS.
	"StorageTypeNotSupported": true, "StorageTypeNotSupportedFault": true, "InvalidStorageType": true,
}

// IsInvalidInput reports whether AWS refused the request's content as invalid (see invalidInput).
func IsInvalidInput(err error) bool {
	return invalidInput[ErrorCode(err)]
}

// IsAuthFailure reports whether err says AWS refused the request's credentials or signature (every code
// IsRefusedCredentials knows, and the signature and token-format ones).
func IsAuthFailure(err error) bool {
	_, ok := authMessages[ErrorCode(err)]
	return ok
}

// transportError turns a failure to reach the endpoint into a fixed text. The net package's own text names the
// resolved address and the DNS server ("dial tcp 10.0.0.7:443: ...", "lookup x on 10.0.0.2:53: ..."): never
// copied. Any other error (a credentials provider's, already clean) is kept whole.
func transportError(err error) error {
	var dns *net.DNSError
	var ne *net.OpError
	var tlsErr *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	switch {
	case cleanerr.Is(err):
		// A credentials provider's error (Vault's), already clean and more precise than anything said here.
		return err
	case errors.As(err, &dns):
		return errors.New("cannot resolve the AWS endpoint's host name")
	case errors.As(err, &tlsErr), errors.As(err, &unknownCA), errors.As(err, &hostErr):
		return errors.New("the AWS endpoint's TLS certificate is not trusted")
	case errors.As(err, &ne) && ne.Timeout():
		return errors.New("the AWS endpoint did not answer in time")
	case errors.As(err, &ne) && errors.Is(err, syscall.ECONNREFUSED):
		return errors.New("the AWS endpoint refused the connection")
	case errors.As(err, &ne):
		return errors.New("cannot reach the AWS endpoint: " + ne.Op + " failed")
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

// IsRefused reports whether AWS answered the request itself with a refusal that sending it again cannot change:
// invalid input (IsInvalidInput), or no permission (HTTP 403, but for a request refused as expired, which a later
// attempt of the same call can meet after an earlier one went through). Such an answer proves a create made
// nothing; a timeout, a 5xx or throttling does not — the SDK retries those, and an earlier attempt may have been
// carried out with its answer lost.
func IsRefused(err error) bool {
	if IsInvalidInput(err) {
		return true
	}
	switch ErrorCode(err) {
	case "RequestExpired", "RequestTimeTooSkewed", "ExpiredToken", "ExpiredTokenException", "TokenRefreshRequired":
		return false
	}
	return HTTPStatus(err) == http.StatusForbidden
}
