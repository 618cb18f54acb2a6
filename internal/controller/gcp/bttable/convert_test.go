package bttable

import (
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/bigtable/admin/apiv2/adminpb"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"google.golang.org/protobuf/types/known/durationpb"
	"k8s.io/utils/ptr"

	"github.com/stateful-dev/provider-stateful/apis/gcp/bigtable/v1alpha1"
)

func versions(n int32) *adminpb.GcRule {
	return &adminpb.GcRule{Rule: &adminpb.GcRule_MaxNumVersions{MaxNumVersions: n}}
}

func age(d time.Duration) *adminpb.GcRule {
	return &adminpb.GcRule{Rule: &adminpb.GcRule_MaxAge{MaxAge: durationpb.New(d)}}
}

func union(r ...*adminpb.GcRule) *adminpb.GcRule {
	return &adminpb.GcRule{Rule: &adminpb.GcRule_Union_{Union: &adminpb.GcRule_Union{Rules: r}}}
}

func intersection(r ...*adminpb.GcRule) *adminpb.GcRule {
	return &adminpb.GcRule{Rule: &adminpb.GcRule_Intersection_{Intersection: &adminpb.GcRule_Intersection{Rules: r}}}
}

func TestDescribe(t *testing.T) {
	cases := map[string]struct {
		reason string
		rule   *adminpb.GcRule
		want   string
	}{
		"None":          {reason: "No rule keeps every cell.", rule: nil, want: ""},
		"Empty":         {reason: "An empty rule is no rule.", rule: &adminpb.GcRule{}, want: ""},
		"Versions":      {reason: "One bound.", rule: versions(3), want: "maxVersions=3"},
		"AgeSpelling":   {reason: "An age is a duration: 604800s is 168h.", rule: age(7 * 24 * time.Hour), want: "maxAge=168h0m0s"},
		"UnionOrder":    {reason: "Operand order means nothing.", rule: union(age(time.Hour), versions(1)), want: "maxAge=1h0m0s || maxVersions=1"},
		"UnionOfOne":    {reason: "A union of one rule is that rule.", rule: union(versions(2)), want: "maxVersions=2"},
		"Intersection":  {reason: "An intersection is spelled apart from a union.", rule: intersection(versions(1), age(time.Hour)), want: "maxAge=1h0m0s && maxVersions=1"},
		"Nested":        {reason: "Nested rules keep their grouping.", rule: union(intersection(versions(1), age(time.Hour)), versions(5)), want: "(maxAge=1h0m0s && maxVersions=1) || maxVersions=5"},
		"NestedReorder": {reason: "and the same meaning nested in another order describes alike.", rule: union(versions(5), intersection(age(time.Hour), versions(1))), want: "(maxAge=1h0m0s && maxVersions=1) || maxVersions=5"},
		"UnionOfUnions": {reason: "A union within a union is one union, its operands listed once (found by FuzzDescribe).",
			rule: union(union(versions(1), versions(2)), versions(1)), want: "maxVersions=1 || maxVersions=2"},
		"CollapsedOperand": {reason: "A union of one intersection, listed twice, is that intersection, spliced into the intersection around it.",
			rule: intersection(versions(5), union(intersection(versions(1), age(time.Hour)), intersection(age(time.Hour), versions(1)))), want: "maxAge=1h0m0s && maxVersions=1 && maxVersions=5"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, Describe(tc.rule)); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestGCRule(t *testing.T) {
	cases := map[string]struct {
		reason string
		in     v1alpha1.GCRule
		want   string
		errHas string
	}{
		"Keep":         {reason: "{} keeps every cell.", in: v1alpha1.GCRule{}, want: ""},
		"Union":        {reason: "Both bounds with Union.", in: v1alpha1.GCRule{MaxVersions: ptr.To[int32](1), MaxAge: ptr.To("168h"), Mode: ptr.To("Union")}, want: "maxAge=168h0m0s || maxVersions=1"},
		"Intersection": {reason: "Both bounds with Intersection.", in: v1alpha1.GCRule{MaxVersions: ptr.To[int32](1), MaxAge: ptr.To("30m"), Mode: ptr.To("Intersection")}, want: "maxAge=30m0s && maxVersions=1"},
		"Micros":       {reason: "Bigtable keeps ages in whole milliseconds.", in: v1alpha1.GCRule{MaxAge: ptr.To("1500us")}, errHas: "whole milliseconds"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r, err := GCRule(tc.in)
			if tc.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errHas) {
					t.Fatalf("%s\nwant an error with %q, got %v", tc.reason, tc.errHas, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, Describe(r)); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestChanges(t *testing.T) {
	observed := &adminpb.Table{Name: "projects/p/instances/i/tables/t", ColumnFamilies: map[string]*adminpb.ColumnFamily{
		"d":      {GcRule: union(age(7*24*time.Hour), versions(1))},
		"legacy": {GcRule: versions(3)},
	}}
	protected := &adminpb.Table{Name: observed.Name, ColumnFamilies: observed.ColumnFamilies, DeletionProtection: true}
	same := v1alpha1.ColumnFamily{Name: "d", GCRule: &v1alpha1.GCRule{MaxVersions: ptr.To[int32](1), MaxAge: ptr.To("168h"), Mode: ptr.To("Union")}}
	cases := map[string]struct {
		reason   string
		p        v1alpha1.TableParameters
		observed *adminpb.Table
		want     []string
		errHas   string
	}{
		"Unmanaged": {reason: "No families listed, protection unset: nothing is managed.", observed: observed},
		"SameMeaning": {
			reason: "The same rule spelled another way, and a family not listed: in sync, the unlisted family kept.",
			p:      v1alpha1.TableParameters{ColumnFamilies: []v1alpha1.ColumnFamily{same}}, observed: observed,
		},
		"RuleUnset": {
			reason: "A family listed without a rule: only its existence is managed.",
			p:      v1alpha1.TableParameters{ColumnFamilies: []v1alpha1.ColumnFamily{{Name: "legacy"}}}, observed: observed,
		},
		"Each": {
			reason: "A new family, a changed rule and a drop, in the spec's order.",
			p: v1alpha1.TableParameters{ColumnFamilies: []v1alpha1.ColumnFamily{
				{Name: "new", GCRule: &v1alpha1.GCRule{MaxVersions: ptr.To[int32](2)}},
				{Name: "d", GCRule: &v1alpha1.GCRule{}},
				{Name: "legacy", Drop: ptr.To(true)},
				{Name: "gone-already", Drop: ptr.To(true)},
			}}, observed: observed,
			want: []string{"columnFamilies[new]+", "columnFamilies[d].gcRule", "columnFamilies[legacy]-"},
		},
		"UnprotectThenDrop": {
			reason: "Turning protection off comes before the drop it allows.",
			p:      v1alpha1.TableParameters{DeletionProtection: ptr.To(false), ColumnFamilies: []v1alpha1.ColumnFamily{{Name: "legacy", Drop: ptr.To(true)}}}, observed: protected,
			want: []string{"deletionProtection", "columnFamilies[legacy]-"},
		},
		"ProtectLast": {
			reason: "Turning protection on comes after the families.",
			p:      v1alpha1.TableParameters{DeletionProtection: ptr.To(true), ColumnFamilies: []v1alpha1.ColumnFamily{{Name: "new"}}}, observed: observed,
			want: []string{"columnFamilies[new]+", "deletionProtection"},
		},
		"DropWhileProtected": {
			reason: "A drop the protection forbids says which field to change, before any call.",
			p:      v1alpha1.TableParameters{ColumnFamilies: []v1alpha1.ColumnFamily{{Name: "legacy", Drop: ptr.To(true)}}}, observed: protected,
			errHas: "set spec.forProvider.deletionProtection to false first",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			l, err := Changes(tc.p, tc.observed)
			if tc.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errHas) {
					t.Fatalf("%s\nwant an error with %q, got %v", tc.reason, tc.errHas, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, l.Fields(), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestCreateRequest(t *testing.T) {
	p := v1alpha1.TableParameters{DeletionProtection: ptr.To(true), SplitKeys: []string{"m", "t"}, ColumnFamilies: []v1alpha1.ColumnFamily{
		{Name: "d", GCRule: &v1alpha1.GCRule{MaxVersions: ptr.To[int32](1)}}, {Name: "raw"}, {Name: "old", Drop: ptr.To(true)},
	}}
	req, err := CreateRequest("projects/p/instances/i", "t", p)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for name, f := range req.GetTable().GetColumnFamilies() {
		got[name] = Describe(f.GetGcRule())
	}
	if diff := cmp.Diff(map[string]string{"d": "maxVersions=1", "raw": ""}, got); diff != "" {
		t.Errorf("the families to keep, with their rules (a family to drop is not made): -want, +got:\n%s", diff)
	}
	if !req.GetTable().GetDeletionProtection() || len(req.GetInitialSplits()) != 2 || string(req.GetInitialSplits()[1].GetKey()) != "t" {
		t.Errorf("protection and split keys at create: %v", req)
	}
}
