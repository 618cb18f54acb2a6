package bttable

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"cloud.google.com/go/bigtable/admin/apiv2/adminpb"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/stateful-dev/provider-stateful/apis/gcp/bigtable/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/fuzzpick"
)

// fuzzSpec is a Table spec the CRD admits — families cf0 to cf3, each unset, dropped, or with a rule — with ages
// the provider refuses among them. Every choice is made whether it is used or not, so that each byte of b always
// decides the same thing.
func fuzzSpec(b []byte) v1alpha1.TableParameters {
	p := fuzzpick.New(b)
	s := v1alpha1.TableParameters{Instance: "main-instance", DeletionProtection: fuzzpick.Ptr(p, false, true)}
	for _, name := range []string{"cf0", "cf1", "cf2", "cf3"} {
		kind := p.Intn(4)
		versions, age := fuzzpick.Ptr[int32](p, 1, 3), fuzzpick.Ptr(p, "168h", "1h30m", "1500ms", "0s")
		mode := fuzzpick.One(p, modeUnion, "Intersection")
		switch kind {
		case 1:
			s.ColumnFamilies = append(s.ColumnFamilies, v1alpha1.ColumnFamily{Name: name})
		case 2:
			s.ColumnFamilies = append(s.ColumnFamilies, v1alpha1.ColumnFamily{Name: name, Drop: fuzzpick.Ptr(p, true, false)})
		case 3:
			r := &v1alpha1.GCRule{MaxVersions: versions, MaxAge: age}
			if versions != nil && age != nil {
				r.Mode = &mode
			}
			s.ColumnFamilies = append(s.ColumnFamilies, v1alpha1.ColumnFamily{Name: name, GCRule: r})
		}
	}
	return s
}

// stored is a rule as Bigtable reports it: the operands of a union or intersection in another order, an empty
// rule as none.
func stored(r *adminpb.GcRule) *adminpb.GcRule {
	if r.GetRule() == nil {
		return nil
	}
	r = proto.Clone(r).(*adminpb.GcRule)
	slices.Reverse(r.GetUnion().GetRules())
	slices.Reverse(r.GetIntersection().GetRules())
	return r
}

// asBigtable is the table Bigtable reports after the create.
func asBigtable(req *adminpb.CreateTableRequest) *adminpb.Table {
	t := &adminpb.Table{Name: req.GetParent() + "/tables/" + req.GetTableId(), DeletionProtection: req.GetTable().GetDeletionProtection(),
		ColumnFamilies: map[string]*adminpb.ColumnFamily{}}
	for name, f := range req.GetTable().GetColumnFamilies() {
		t.ColumnFamilies[name] = &adminpb.ColumnFamily{GcRule: stored(f.GetGcRule())}
	}
	return t
}

// apply does what Bigtable does with the update's requests, in order, and fails the test on what it refuses: a
// drop under deletion protection, a family created twice, a change to a family that is not there.
func apply(t *testing.T, tb *adminpb.Table, l []request) {
	t.Helper()
	if tb.ColumnFamilies == nil {
		tb.ColumnFamilies = map[string]*adminpb.ColumnFamily{}
	}
	for _, r := range l {
		if r.Protection != nil {
			tb.DeletionProtection = *r.Protection
			continue
		}
		m := r.Family
		_, exists := tb.ColumnFamilies[m.GetId()]
		switch {
		case m.GetDrop() && tb.GetDeletionProtection():
			t.Fatalf("Bigtable refuses dropping %s under deletion protection", m.GetId())
		case m.GetDrop() && !exists, m.GetUpdate() != nil && !exists:
			t.Fatalf("Bigtable refuses changing %s: NotFound", m.GetId())
		case m.GetCreate() != nil && exists:
			t.Fatalf("Bigtable refuses creating %s: AlreadyExists", m.GetId())
		case m.GetDrop():
			delete(tb.ColumnFamilies, m.GetId())
		case m.GetCreate() != nil:
			tb.ColumnFamilies[m.GetId()] = &adminpb.ColumnFamily{GcRule: stored(m.GetCreate().GetGcRule())}
		default:
			tb.ColumnFamilies[m.GetId()] = &adminpb.ColumnFamily{GcRule: stored(m.GetUpdate().GetGcRule())}
		}
	}
}

// FuzzConverges: a spec's table, created and read back as Bigtable reports it, has nothing left to change; from a
// table made from any other spec the update Changes asks for is one Bigtable accepts — no drop while deletion
// protection is on — and leaves nothing to change, unless it is refused up front for that very reason. Families
// the spec does not list are left as they were.
func FuzzConverges(f *testing.F) {
	f.Add([]byte{}, []byte{})
	f.Add(bytes.Repeat([]byte{3}, 20), bytes.Repeat([]byte{1}, 20))
	f.Add([]byte{2, 2, 0, 0, 0, 3, 1, 2, 0, 2, 0, 0, 0, 1, 1, 1, 0}, []byte{1, 3, 1, 1, 0, 3, 2, 3, 1, 1, 0, 0, 0, 3, 2, 2, 1})
	f.Add([]byte{1, 2, 0, 0, 0, 1, 2, 0, 0, 0, 1}, []byte{2, 3, 1, 1, 0, 3, 2, 2, 1, 3, 1, 1, 1})
	f.Fuzz(func(t *testing.T, wantSpec, otherSpec []byte) {
		want, other := fuzzSpec(wantSpec), fuzzSpec(otherSpec)
		create, err := CreateRequest("projects/p/instances/main-instance", "events", want)
		if _, ferr := Families(want); (err != nil) != (ferr != nil) {
			t.Fatalf("CreateRequest: %v, for families that convert with %v", err, ferr)
		}
		if err != nil {
			return
		}
		if cs, err := Changes(want, asBigtable(create)); err != nil || len(cs) != 0 {
			t.Fatalf("created and read back, the table still differs in %v (%v)", cs.Fields(), err)
		}

		otherCreate, err := CreateRequest("projects/p/instances/main-instance", "events", other)
		if err != nil {
			return
		}
		before := asBigtable(otherCreate)
		cs, err := Changes(want, before)
		if err != nil {
			drop := slices.ContainsFunc(want.ColumnFamilies, func(f v1alpha1.ColumnFamily) bool {
				_, exists := before.GetColumnFamilies()[f.Name]
				return f.Drop != nil && *f.Drop && exists
			})
			if drop && (want.DeletionProtection == nil && before.GetDeletionProtection() || want.DeletionProtection != nil && *want.DeletionProtection) {
				return // a drop the protection forbids: refused, as it must be
			}
			t.Fatalf("from another table: %v", err)
		}
		after := proto.Clone(before).(*adminpb.Table)
		apply(t, after, cs.Requests())
		if cs, err := Changes(want, after); err != nil || len(cs) != 0 {
			t.Fatalf("after the update the table still differs in %v (%v)", cs.Fields(), err)
		}
		for name, f := range before.GetColumnFamilies() {
			listed := slices.ContainsFunc(want.ColumnFamilies, func(c v1alpha1.ColumnFamily) bool { return c.Name == name })
			if !listed && !proto.Equal(f, after.GetColumnFamilies()[name]) {
				t.Errorf("family %s is not listed, yet the update changed it", name)
			}
		}
		if want.DeletionProtection == nil && before.GetDeletionProtection() != after.GetDeletionProtection() {
			t.Errorf("deletionProtection is unset, yet the update changed it")
		}
	})
}

// fuzzRule is any rule Bigtable could hold, nested up to depth deep.
func fuzzRule(p *fuzzpick.Bytes, depth int) *adminpb.GcRule {
	kind := p.Intn(5)
	if depth == 0 {
		kind %= 3
	}
	switch kind {
	case 0:
		return &adminpb.GcRule{}
	case 1:
		return &adminpb.GcRule{Rule: &adminpb.GcRule_MaxNumVersions{MaxNumVersions: int32(1 + p.Intn(3))}}
	case 2:
		return &adminpb.GcRule{Rule: &adminpb.GcRule_MaxAge{MaxAge: durationpb.New(time.Duration(1+p.Intn(3)) * time.Hour)}}
	}
	var rules []*adminpb.GcRule
	for range p.Intn(4) {
		rules = append(rules, fuzzRule(p, depth-1))
	}
	if kind == 3 {
		return &adminpb.GcRule{Rule: &adminpb.GcRule_Union_{Union: &adminpb.GcRule_Union{Rules: rules}}}
	}
	return &adminpb.GcRule{Rule: &adminpb.GcRule_Intersection_{Intersection: &adminpb.GcRule_Intersection{Rules: rules}}}
}

// respelt is r spelt otherwise with the same meaning: operands in another order, one listed twice, a rule wrapped
// in a union or an intersection of itself alone, an operand of the same kind as its parent spliced into it.
func respelt(p *fuzzpick.Bytes, r *adminpb.GcRule) *adminpb.GcRule {
	var rules []*adminpb.GcRule
	union := r.GetUnion() != nil
	switch {
	case union:
		rules = r.GetUnion().GetRules()
	case r.GetIntersection() != nil:
		rules = r.GetIntersection().GetRules()
	default:
		return alone(p, r)
	}
	var out []*adminpb.GcRule
	for _, c := range rules {
		c = respelt(p, c)
		if cu, ci := c.GetUnion(), c.GetIntersection(); p.Bool() && (union && cu != nil || !union && ci != nil) {
			out = append(out, append(cu.GetRules(), ci.GetRules()...)...)
			continue
		}
		out = append(out, c)
		if p.Intn(4) == 0 {
			out = append(out, c)
		}
	}
	slices.Reverse(out)
	if union {
		return alone(p, &adminpb.GcRule{Rule: &adminpb.GcRule_Union_{Union: &adminpb.GcRule_Union{Rules: out}}})
	}
	return alone(p, &adminpb.GcRule{Rule: &adminpb.GcRule_Intersection_{Intersection: &adminpb.GcRule_Intersection{Rules: out}}})
}

// alone is r, or a union or intersection of r alone.
func alone(p *fuzzpick.Bytes, r *adminpb.GcRule) *adminpb.GcRule {
	switch p.Intn(3) {
	case 1:
		return &adminpb.GcRule{Rule: &adminpb.GcRule_Union_{Union: &adminpb.GcRule_Union{Rules: []*adminpb.GcRule{r}}}}
	case 2:
		return &adminpb.GcRule{Rule: &adminpb.GcRule_Intersection_{Intersection: &adminpb.GcRule_Intersection{Rules: []*adminpb.GcRule{r}}}}
	}
	return r
}

// FuzzDescribe: Describe spells what a rule means, not how it is written — any rule, however nested, describes
// the same as itself respelt — and never panics.
func FuzzDescribe(f *testing.F) {
	f.Add([]byte{}, []byte{})
	f.Add([]byte{3, 2, 1, 1, 2, 1}, []byte{1, 1, 1})
	f.Add([]byte{4, 3, 3, 2, 1, 0, 1, 2, 2, 2, 1, 1}, []byte{1, 0, 1, 1, 0})
	f.Fuzz(func(t *testing.T, rule, spelling []byte) {
		r := fuzzRule(fuzzpick.New(rule), 3)
		if a, b := Describe(r), Describe(respelt(fuzzpick.New(spelling), r)); a != b {
			t.Fatalf("one rule, two descriptions: %q and %q", a, b)
		}
	})
}
