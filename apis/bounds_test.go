package apis

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsinstall "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/install"
	extv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	crdvalidation "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation"
	"k8s.io/apimachinery/pkg/runtime"
)

// Issue 23 §2 (size): whatever a tenant writes, a managed resource's or a ProviderConfig's spec stays small. Every
// string of a spec has a maxLength (or an enum), every list a maxItems, every map a maxProperties and a CEL rule
// bounding its keys — declared in the schema, or, for the fields of types we do not own (crossplane's
// managementPolicies, providerConfigRef, writeConnectionSecretToRef, references and selectors), by a CEL rule on
// the object that holds them, in one of the forms bounds.read reads.

// specBudget is the most bytes the spec of a managed resource or of a ProviderConfig may take at its worst: every
// bounded field set, every string and list at its bound, every character at its longest JSON encoding (see
// bytesPerChar). A ClusterProviderConfig, which only cluster administrators write, is not held to it.
//
// The stored object must fit etcd's 1.5 MiB request limit with its status, which mirrors much of the spec (the
// observed tags, labels and policy: as much again), and its metadata, whose annotations alone may take 256 KiB
// (kubectl apply's last-applied-configuration repeats the spec there). A third of the limit for the spec leaves
// that room. The clouds' own limits set the floor: an S3 bucket's or SQS queue's policy (20 KB) and 40 AWS tags of
// 128 + 256 characters are 35,840 characters, which JSON-encode to 210 KiB at worst; a DynamoDB table's 20 global
// and 5 local indexes, 100 projected attributes and 40 key attributes (names of 255 characters) and its tags, to
// 431 KiB. Issue 23 hoped for "tens of KiB": that holds for typical specs, and in ASCII (the figure logged beside
// the worst case) every kind stays within 110 KiB.
const specBudget = 512 << 10

// bytesPerChar is the most bytes one character (a code point: what maxLength and CEL's size() count) takes once
// the API server has stored it: encoding/json writes '<', '>', '&', U+2028, U+2029 and the control characters as
// \uXXXX (6 bytes); any other code point is at most 4 bytes of UTF-8.
const bytesPerChar = 6

// A bound is what the schema and the CEL rules say about one field.
type bound struct {
	maxLength, maxItems, maxProperties, keyLength *int64
	absent                                        bool // a rule forbids the field
}

// A pool bounds the items of several lists together: at most n items in all of them (DynamoDB's 100
// nonKeyAttributes across a table's indexes).
type pool struct {
	lists []string
	n     int64
}

// bounds are what the CEL rules of one CRD say, by field path: ".spec.a.b", "[]" for a list's items, "{}" for a
// map's values.
type bounds struct {
	fields map[string]*bound
	pools  []pool
}

func (b *bounds) at(path string) *bound {
	if b.fields[path] == nil {
		b.fields[path] = &bound{}
	}
	return b.fields[path]
}

var (
	boundGuard = regexp.MustCompile(`^!has\(self\.([\w.]+)\)$`)
	boundSize  = regexp.MustCompile(`^size\(self\.([\w.]+)\) <= (\d+)$`)
	boundAll   = regexp.MustCompile(`^self(\.[\w.]+)?\.all\((\w+), size\((\w+)\) <= (\d+)(?: && size\(self(\.[\w.]+)?\[(\w+)\]\) <= (\d+))?\)$`)
	boundSum   = regexp.MustCompile(`^self(\.[\w.]+)?\.map\((\w+), has\((\w+)\.([\w.]+)\) \? size\((\w+)\.([\w.]+)\) : 0\)\.sum\(\)$`)
	boundHas   = regexp.MustCompile(`^has\(self\.([\w.]+)\) \? (.*) : 0$`)
)

// split splits s at sep where no parenthesis is open.
func split(s, sep string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
		}
		if depth == 0 && strings.HasPrefix(s[i:], sep) {
			out = append(out, s[start:i])
			start = i + len(sep)
			i += len(sep) - 1
		}
	}
	return append(out, s[start:])
}

// unwrap removes parentheses around the whole of s.
func unwrap(s string) string {
	for strings.HasPrefix(s, "(") {
		depth := 0
		for i := 0; i < len(s); i++ {
			switch s[i] {
			case '(':
				depth++
			case ')':
				depth--
			}
			if depth == 0 && i < len(s)-1 {
				return s // the first parenthesis closes before the end
			}
		}
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	return s
}

// prefixOf says whether the field path q is p or holds it.
func prefixOf(q, p string) bool { return q == p || strings.HasPrefix(p, q+".") }

func num(s string) *int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return &n
}

// join appends the relative field path p ("" for the object itself) to path.
func join(path, p string) string {
	switch {
	case p == "":
		return path
	case strings.HasPrefix(p, "{}"), strings.HasPrefix(p, "[]"):
		return path + p
	}
	return path + "." + p
}

// read reads the bounds a rule on the object at path sets on the fields below it. A rule is a conjunction
// (" && ") of terms; a term that is not of these forms bounds nothing and is skipped (the other terms still hold):
//
//	size(self.p) <= N                                   the string p has at most N characters, the list or map p N entries
//	!has(self.p)                                        p is forbidden
//	self.p.all(k, size(k) <= N)                         the keys of the map p have at most N characters
//	self.p.all(k, size(k) <= N && size(self.p[k]) <= M) ... and its values at most M
//
// each optionally behind guards "!has(self.q) || ", where q is p or holds it (an absent field needs no bound),
// which may be followed by a parenthesized conjunction of such bounds. self.all(...) applies to the object
// itself. A whole rule may also be a pool:
//
//	(has(self.l) ? self.l.map(x, has(x.p) ? size(x.p) : 0).sum() : 0) + ... <= N
//
// at most N items in all the lists p of the items of the lists l (self.map(...) for the list the rule is on).
func (b *bounds) read(path, rule string) {
	if b.readPool(path, rule) {
		return
	}
	for _, term := range split(rule, " && ") {
		parts := split(unwrap(strings.TrimSpace(term)), " || ")
		for _, core := range split(unwrap(strings.TrimSpace(parts[len(parts)-1])), " && ") {
			target, apply, ok := boundCore(strings.TrimSpace(core))
			if !ok {
				continue
			}
			for _, g := range parts[:len(parts)-1] {
				gm := boundGuard.FindStringSubmatch(strings.TrimSpace(g))
				if gm == nil || target == "" || !prefixOf(gm[1], target) {
					ok = false
				}
			}
			if ok {
				apply(func(p string) *bound { return b.at(join(path, p)) }, target)
			}
		}
	}
}

// boundCore reads one bound: the field it bounds (relative, "" for the object itself) and how.
func boundCore(core string) (string, func(at func(string) *bound, target string), bool) {
	if m := boundSize.FindStringSubmatch(core); m != nil {
		return m[1], func(at func(string) *bound, target string) {
			n := num(m[2])
			f := at(target)
			f.maxLength, f.maxItems, f.maxProperties = n, n, n
		}, true
	}
	if m := boundGuard.FindStringSubmatch(core); m != nil {
		return m[1], func(at func(string) *bound, target string) { at(target).absent = true }, true
	}
	m := boundAll.FindStringSubmatch(core)
	if m == nil {
		return "", nil, false
	}
	if m[2] != m[3] || (m[7] != "" && (m[5] != m[1] || m[6] != m[2])) {
		return "", nil, false
	}
	return strings.TrimPrefix(m[1], "."), func(at func(string) *bound, target string) {
		at(target).keyLength = num(m[4])
		if m[7] != "" {
			at(target + "{}").maxLength = num(m[7])
		}
	}, true
}

// readPool reads a pool rule, if rule is one.
func (b *bounds) readPool(path, rule string) bool {
	sides := split(rule, " <= ")
	if len(sides) != 2 || strconv.FormatInt(*num(sides[1]), 10) != sides[1] {
		return false
	}
	p := pool{n: *num(sides[1])}
	for _, term := range split(strings.TrimSpace(sides[0]), " + ") {
		term = unwrap(strings.TrimSpace(term))
		guard := ""
		if m := boundHas.FindStringSubmatch(term); m != nil {
			guard, term = m[1], m[2]
		}
		m := boundSum.FindStringSubmatch(term)
		if m == nil {
			return false
		}
		if m[2] != m[3] || m[2] != m[5] || m[4] != m[6] || (guard != "" && "."+guard != m[1]) {
			return false
		}
		p.lists = append(p.lists, join(path, strings.TrimPrefix(m[1], ".")+"[]."+m[4]))
	}
	b.pools = append(b.pools, p)
	return true
}

// collect reads every rule of the schema at path and below.
func (b *bounds) collect(path string, s extv1.JSONSchemaProps) {
	for _, r := range s.XValidations {
		b.read(path, r.Rule)
	}
	for name, p := range s.Properties {
		b.collect(path+"."+name, p)
	}
	if s.Items != nil && s.Items.Schema != nil {
		b.collect(path+"[]", *s.Items.Schema)
	}
	if s.AdditionalProperties != nil && s.AdditionalProperties.Schema != nil {
		b.collect(path+"{}", *s.AdditionalProperties.Schema)
	}
}

func minBound(a, b *int64) *int64 {
	switch {
	case a == nil:
		return b
	case b == nil || *a <= *b:
		return a
	}
	return b
}

// A sizer bounds the size of a schema's JSON, at perChar bytes a character.
type sizer struct {
	*bounds
	perChar int64
	pooled  map[string]*int64 // the largest item of each pooled list, by the list's path
}

// size is the most bytes the JSON of the schema s at path can take, and the fields without a bound.
func (z *sizer) size(path string, s extv1.JSONSchemaProps) (int64, []string) {
	b := z.fields[path]
	if b == nil {
		b = &bound{}
	}
	if b.absent {
		return 0, nil
	}
	str := func(n int64) int64 { return n*z.perChar + 2 }
	switch {
	case s.XIntOrString || (s.XPreserveUnknownFields != nil && *s.XPreserveUnknownFields):
		return 0, []string{path + " (any value)"}
	case s.Type == "string":
		if len(s.Enum) > 0 {
			longest := int64(0)
			for _, e := range s.Enum {
				longest = max(longest, int64(len(e.Raw)))
			}
			return longest, nil
		}
		if s.Format == "date-time" {
			return str(35), nil
		}
		n := minBound(s.MaxLength, b.maxLength)
		if n == nil {
			return 0, []string{path + " (string without maxLength)"}
		}
		return str(*n), nil
	case s.Type == "integer", s.Type == "number":
		return 24, nil
	case s.Type == "boolean":
		return 5, nil
	case s.Type == "array":
		var item int64
		var miss []string
		if s.Items != nil && s.Items.Schema != nil {
			item, miss = z.size(path+"[]", *s.Items.Schema)
		}
		n := minBound(s.MaxItems, b.maxItems)
		if n == nil {
			return 0, append(miss, path+" (list without maxItems)")
		}
		if largest, ok := z.pooled[path]; ok {
			*largest = max(*largest, item)
			return 2, miss // its items are counted with their pool's
		}
		return 2 + *n*(item+1), miss
	case s.Type == "object" && s.AdditionalProperties != nil && s.AdditionalProperties.Schema != nil:
		value, miss := z.size(path+"{}", *s.AdditionalProperties.Schema)
		n := minBound(s.MaxProperties, b.maxProperties)
		if n == nil {
			miss = append(miss, path+" (map without maxProperties)")
		}
		if b.keyLength == nil {
			miss = append(miss, path+" (map keys without a rule self.all(k, size(k) <= N))")
		}
		if len(miss) > 0 {
			return 0, miss
		}
		return 2 + *n*(str(*b.keyLength)+1+value+1), nil
	case s.Type == "object":
		total := int64(2)
		var miss []string
		for name, p := range s.Properties {
			n, m := z.size(path+"."+name, p)
			miss = append(miss, m...)
			if n > 0 {
				total += int64(len(name)) + 3 + n + 1
			}
		}
		return total, miss
	}
	return 0, []string{fmt.Sprintf("%s (type %q)", path, s.Type)}
}

// specSize bounds the size of the JSON of the spec of a version's schema, at perChar bytes a character.
func specSize(root extv1.JSONSchemaProps, perChar int64) (int64, []string) {
	b := &bounds{fields: map[string]*bound{}}
	b.collect("", root)
	z := &sizer{bounds: b, perChar: perChar, pooled: map[string]*int64{}}
	for _, p := range b.pools {
		for _, l := range p.lists {
			z.pooled[l] = new(int64)
		}
	}
	total, miss := z.size(".spec", root.Properties["spec"])
	for _, p := range b.pools {
		largest := int64(0)
		for _, l := range p.lists {
			largest = max(largest, *z.pooled[l])
		}
		total += p.n * (largest + 1)
	}
	return total, miss
}

type specBound struct {
	kind, version      string
	worst, utf8, ascii int64
	unbounded          []string
	budget             int64 // 0: not held to one
}

func specBounds(t *testing.T) []specBound {
	t.Helper()
	var out []specBound
	for _, crd := range readCRDs(t) {
		for _, v := range crd.Spec.Versions {
			root := *v.Schema.OpenAPIV3Schema
			if _, ok := root.Properties["spec"]; !ok {
				continue // ProviderConfigUsage: no spec, and only the provider writes it.
			}
			sb := specBound{kind: crd.Spec.Group + "/" + crd.Spec.Names.Kind, version: v.Name, budget: specBudget}
			if crd.Spec.Names.Kind == "ClusterProviderConfig" {
				sb.budget = 0
			}
			sb.worst, sb.unbounded = specSize(root, bytesPerChar)
			sb.utf8, _ = specSize(root, 4)
			sb.ascii, _ = specSize(root, 1)
			sort.Strings(sb.unbounded)
			out = append(out, sb)
		}
	}
	return out
}

// Every spec field has a bound, so that a new field without one fails here rather than in a tenant's hands.
func TestSpecFieldsAreBounded(t *testing.T) {
	kinds := 0
	for _, sb := range specBounds(t) {
		kinds++
		for _, u := range sb.unbounded {
			t.Errorf("%s %s: %s", sb.kind, sb.version, u)
		}
	}
	if kinds < 10 {
		t.Errorf("read the specs of %d kinds, want the 8 managed kinds and both config kinds", kinds)
	}
}

// The bounds add up to a spec that stays within its budget, whatever a tenant writes.
func TestSpecSizeBudget(t *testing.T) {
	for _, sb := range specBounds(t) {
		if len(sb.unbounded) > 0 {
			t.Errorf("%s: unbounded fields (see TestSpecFieldsAreBounded)", sb.kind)
			continue
		}
		budget := "only cluster administrators write it: no budget"
		if sb.budget > 0 {
			budget = fmt.Sprintf("budget %d KiB", sb.budget>>10)
		}
		t.Logf("%-44s spec at most %8d bytes (%5d KiB); %8d at 4 bytes a character (%5d KiB); %7d in ASCII (%4d KiB); %s",
			sb.kind, sb.worst, sb.worst>>10, sb.utf8, sb.utf8>>10, sb.ascii, sb.ascii>>10, budget)
		if sb.budget > 0 && sb.worst > sb.budget {
			t.Errorf("%s: a spec can take %d bytes, over its budget of %d", sb.kind, sb.worst, sb.budget)
		}
	}
}

// The bound-reading rules read what they should: a rule that does not bound its field does not count.
func TestBoundRules(t *testing.T) {
	i := func(n int64) *int64 { return &n }
	size := func(n int64) bound { return bound{maxLength: i(n), maxItems: i(n), maxProperties: i(n)} }
	cases := map[string]struct {
		rule  string
		want  map[string]bound
		pools []pool
	}{
		"Size":           {rule: "size(self.a.b) <= 5", want: map[string]bound{".x.a.b": size(5)}},
		"Guarded":        {rule: "!has(self.a) || size(self.a.b) <= 5", want: map[string]bound{".x.a.b": size(5)}},
		"ForeignGuard":   {rule: "!has(self.c) || size(self.a.b) <= 5", want: map[string]bound{}},
		"Terms":          {rule: "(!has(self.a) || !has(self.a.b)) && !k.startsWith('x') && (!has(self.c) || size(self.c) <= 2)", want: map[string]bound{".x.a.b": {absent: true}, ".x.c": size(2)}},
		"Disjunction":    {rule: "size(self.a) <= 5 || size(self.b) <= 5", want: map[string]bound{}},
		"GuardedAnd":     {rule: "!has(self.a) || (size(self.a.b) <= 5 && size(self.a.c) <= 6 && self.a.d != 'x')", want: map[string]bound{".x.a.b": size(5), ".x.a.c": size(6)}},
		"Keys":           {rule: "self.all(k, size(k) <= 128 && size(self[k]) <= 256)", want: map[string]bound{".x": {keyLength: i(128)}, ".x{}": {maxLength: i(256)}}},
		"NestedKeys":     {rule: "!has(self.m) || self.m.all(k, size(k) <= 3 && size(self.m[k]) <= 4)", want: map[string]bound{".x.m": {keyLength: i(3)}, ".x.m{}": {maxLength: i(4)}}},
		"OtherMapValues": {rule: "self.m.all(k, size(k) <= 3 && size(self.n[k]) <= 4)", want: map[string]bound{}},
		"KeysAndMore":    {rule: "self.all(k, size(k) <= 3 && k != 'x')", want: map[string]bound{}},
		"Pool": {
			rule:  "(has(self.a) ? self.a.map(i, has(i.p.q) ? size(i.p.q) : 0).sum() : 0) + (has(self.b) ? self.b.map(i, has(i.p.q) ? size(i.p.q) : 0).sum() : 0) <= 100",
			want:  map[string]bound{},
			pools: []pool{{lists: []string{".x.a[].p.q", ".x.b[].p.q"}, n: 100}},
		},
		"PoolOfItsList": {
			rule: "self.map(r, has(r.p) ? size(r.p) : 0).sum() + self.map(r, has(r.s) ? size(r.s) : 0).sum() <= 50", want: map[string]bound{},
			pools: []pool{{lists: []string{".x[].p", ".x[].s"}, n: 50}},
		},
		"PoolOfAnotherField": {rule: "self.a.map(i, has(i.p) ? size(i.q) : 0).sum() <= 100", want: map[string]bound{}},
		"PoolGuardOfAnother": {rule: "(has(self.b) ? self.a.map(i, has(i.p) ? size(i.p) : 0).sum() : 0) <= 100", want: map[string]bound{}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			b := &bounds{fields: map[string]*bound{}}
			b.read(".x", tc.rule)
			got := map[string]bound{}
			for k, v := range b.fields {
				got[k] = *v
			}
			gotJSON, _ := json.Marshal(got)
			wantJSON, _ := json.Marshal(tc.want)
			if string(gotJSON) != string(wantJSON) {
				t.Errorf("%s\ngot  %s\nwant %s", tc.rule, gotJSON, wantJSON)
			}
			if fmt.Sprint(b.pools) != fmt.Sprint(tc.pools) {
				t.Errorf("%s\npools: got %v, want %v", tc.rule, b.pools, tc.pools)
			}
		})
	}
}

// The API server accepts every CRD: structural schemas, and CEL rules within its cost budgets (per rule and per
// CRD), checked as it checks them on create and update.
func TestCRDsPassAPIServerValidation(t *testing.T) {
	scheme := runtime.NewScheme()
	apiextensionsinstall.Install(scheme)
	for _, crd := range readCRDs(t) {
		scheme.Default(&crd)
		var internal apiextensions.CustomResourceDefinition
		if err := scheme.Convert(&crd, &internal, nil); err != nil {
			t.Fatal(err)
		}
		if errs := crdvalidation.ValidateCustomResourceDefinition(context.Background(), &internal); len(errs) > 0 {
			for _, e := range errs {
				t.Errorf("%s: %v", crd.Name, e)
			}
		}
	}
}
