package policy

import (
	"testing"
)

func TestEqual(t *testing.T) {
	base := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":["s3:GetObject"],"Resource":"arn:aws:s3:::b/*"}]}`
	cases := map[string]struct {
		reason string
		a, b   string
		want   bool
	}{
		"Identical":  {reason: "A document equals itself.", a: base, b: base, want: true},
		"KeyOrder":   {reason: "Key order does not matter.", a: base, b: `{"Statement":[{"Resource":"arn:aws:s3:::b/*","Action":"s3:GetObject","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Effect":"Allow"}],"Version":"2012-10-17"}`, want: true},
		"Whitespace": {reason: "Whitespace does not matter.", a: base, b: "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [ {\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::123456789012:root\"}, \"Action\": \"s3:GetObject\", \"Resource\": [\"arn:aws:s3:::b/*\"]} ]\n}", want: true},
		"SingleStatementObject": {
			reason: "A single statement object equals a one-element statement array.",
			a:      base, b: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`, want: true,
		},
		"AccountID": {
			reason: "A bare account ID principal equals the root ARN AWS stores.",
			a:      base, b: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`, want: true,
		},
		"ActionOrder": {
			reason: "Action lists are sets.",
			a:      `{"Statement":[{"Effect":"Allow","Action":["s3:A","s3:B"],"Resource":"*"}]}`,
			b:      `{"Statement":[{"Effect":"Allow","Action":["s3:B","s3:A","s3:A"],"Resource":"*"}]}`, want: true,
		},
		"ConditionBool": {
			reason: "A boolean condition value equals its string form, as AWS returns it.",
			a:      `{"Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":false}}}]}`,
			b:      `{"Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`, want: true,
		},
		"StatementOrder": {
			reason: "Statement order does not change a policy's meaning.",
			a:      `{"Statement":[{"Sid":"a","Effect":"Allow","Action":"s3:A","Resource":"*"},{"Sid":"b","Effect":"Deny","Action":"s3:B","Resource":"*"}]}`,
			b:      `{"Statement":[{"Sid":"b","Effect":"Deny","Action":"s3:B","Resource":"*"},{"Sid":"a","Effect":"Allow","Action":"s3:A","Resource":"*"}]}`, want: true,
		},
		"RealChange": {
			reason: "A different action is a real change.",
			a:      base, b: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*"}]}`, want: false,
		},
		"EffectChange": {
			reason: "Allow and Deny differ.",
			a:      `{"Statement":[{"Effect":"Allow","Action":"s3:A","Resource":"*"}]}`,
			b:      `{"Statement":[{"Effect":"Deny","Action":"s3:A","Resource":"*"}]}`, want: false,
		},
		"BothEmpty": {reason: "No policy equals no policy.", a: "", b: "", want: true},
		"OneEmpty":  {reason: "No policy differs from a policy.", a: base, b: "", want: false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := Equal(tc.a, tc.b)
			if err != nil {
				t.Fatalf("%s\nEqual: %v", tc.reason, err)
			}
			if got != tc.want {
				t.Errorf("%s\nEqual: want %t, got %t", tc.reason, tc.want, got)
			}
		})
	}
}

func TestNormalizeInvalid(t *testing.T) {
	for _, doc := range []string{"not json", `["array"]`, `{"Statement":["string"]}`} {
		if _, err := Normalize(doc); err == nil {
			t.Errorf("Normalize(%q): want an error", doc)
		}
	}
}

// FuzzNormalize checks that normalizing is idempotent (a canonical document normalizes to itself) and keeps the
// meaning (a document equals its canonical form).
func FuzzNormalize(f *testing.F) {
	f.Add(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":["s3:B","s3:A"],"Resource":"*","Condition":{"Bool":{"aws:SecureTransport":false}}}}`)
	f.Add(`{"Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"},{"Effect":"Allow","NotAction":"x","Resource":["a","a"]}]}`)
	f.Add(`{}`)
	f.Fuzz(func(t *testing.T, doc string) {
		n1, err := Normalize(doc)
		if err != nil {
			return
		}
		n2, err := Normalize(n1)
		if err != nil {
			t.Fatalf("canonical form %q does not parse: %v", n1, err)
		}
		if n1 != n2 {
			t.Fatalf("Normalize is not idempotent:\n%s\n%s", n1, n2)
		}
		if same, err := Equal(doc, n1); err != nil || !same {
			t.Fatalf("a document and its canonical form must compare equal: %q vs %q (%v)", doc, n1, err)
		}
	})
}
