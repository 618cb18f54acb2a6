// Package policy compares IAM-style policy documents (bucket, queue and key policies) by meaning rather than by
// text. AWS rewrites documents it stores — it reorders keys, turns one-element arrays into strings, turns booleans
// in conditions into strings, and expands account IDs into root ARNs — so a text comparison would see drift on
// every poll and update forever.
package policy

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
)

// listKeys are statement keys whose value is a set of strings that AWS may return as a single string.
var listKeys = map[string]bool{"Action": true, "NotAction": true, "Resource": true, "NotResource": true}

var accountID = regexp.MustCompile(`^\d{12}$`)

// Normalize returns the canonical form of a policy document: statements as a sorted array, string sets sorted and
// de-duplicated, condition values as sorted string lists, 12-digit AWS principals as root ARNs, and JSON with
// sorted keys and no whitespace. Normalizing a canonical document returns it unchanged. The empty document is "".
func Normalize(doc string) (string, error) {
	if doc == "" {
		return "", nil
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		return "", fmt.Errorf("policy is not a JSON object: %w", err)
	}
	if st, ok := v["Statement"]; ok {
		stmts, ok := st.([]any)
		if !ok {
			stmts = []any{st}
		}
		out := make([]any, 0, len(stmts))
		keyed := map[string]any{}
		for _, s := range stmts {
			m, ok := s.(map[string]any)
			if !ok {
				return "", fmt.Errorf("policy statement is not a JSON object")
			}
			c := statement(m)
			b, _ := json.Marshal(c)
			keyed[string(b)] = c
		}
		keys := make([]string, 0, len(keyed))
		for k := range keyed {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = append(out, keyed[k])
		}
		v["Statement"] = out
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// Equal reports whether two documents mean the same. An invalid document is an error.
func Equal(a, b string) (bool, error) {
	na, err := Normalize(a)
	if err != nil {
		return false, err
	}
	nb, err := Normalize(b)
	if err != nil {
		return false, err
	}
	return na == nb, nil
}

func statement(s map[string]any) map[string]any {
	out := make(map[string]any, len(s))
	for k, v := range s {
		switch {
		case listKeys[k]:
			out[k] = stringSet(v, false)
		case k == "Principal" || k == "NotPrincipal":
			out[k] = principal(v)
		case k == "Condition":
			out[k] = condition(v)
		default:
			out[k] = v
		}
	}
	return out
}

// principal canonicalizes {"AWS": ...} maps; the wildcard "*" stays a string.
func principal(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	out := make(map[string]any, len(m))
	for k, pv := range m {
		out[k] = stringSet(pv, k == "AWS")
	}
	return out
}

// condition canonicalizes {"operator": {"key": value}}: every value becomes a sorted list of strings.
func condition(v any) any {
	ops, ok := v.(map[string]any)
	if !ok {
		return v
	}
	out := make(map[string]any, len(ops))
	for op, kv := range ops {
		m, ok := kv.(map[string]any)
		if !ok {
			out[op] = kv
			continue
		}
		cm := make(map[string]any, len(m))
		for k, cv := range m {
			cm[k] = stringSet(cv, false)
		}
		out[op] = cm
	}
	return out
}

// stringSet turns a string, number, boolean or list of them into a sorted, de-duplicated list of strings. With
// accounts, bare 12-digit account IDs become the root ARN AWS stores them as.
func stringSet(v any, accounts bool) any {
	var items []any
	switch t := v.(type) {
	case []any:
		items = t
	default:
		items = []any{t}
	}
	set := map[string]bool{}
	for _, it := range items {
		var s string
		switch x := it.(type) {
		case string:
			s = x
		case bool:
			s = strconv.FormatBool(x)
		case float64:
			s = strconv.FormatFloat(x, 'f', -1, 64)
		default:
			return v // Not a set of scalars: leave it as written.
		}
		if accounts && accountID.MatchString(s) {
			s = "arn:aws:iam::" + s + ":root"
		}
		set[s] = true
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	res := make([]any, len(out))
	for i, s := range out {
		res[i] = s
	}
	return res
}
