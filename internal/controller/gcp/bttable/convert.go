package bttable

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"cloud.google.com/go/bigtable/admin/apiv2/adminpb"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
	"k8s.io/utils/ptr"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"

	"github.com/stateful-dev/provider-stateful/apis/gcp/bigtable/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

// Connection detail keys.
const (
	ConnName     = "name"
	ConnProject  = "project"
	ConnInstance = "instance"
)

const modeUnion = "Union"

// A request is one step of an update: a column family modification, or the deletion protection.
type request struct {
	Family     *adminpb.ModifyColumnFamiliesRequest_Modification
	Protection *bool
}

// GCRule is the rule the spec describes; {} is no rule (every cell kept).
func GCRule(r v1alpha1.GCRule) (*adminpb.GcRule, error) {
	var parts []*adminpb.GcRule
	if r.MaxVersions != nil {
		parts = append(parts, &adminpb.GcRule{Rule: &adminpb.GcRule_MaxNumVersions{MaxNumVersions: *r.MaxVersions}})
	}
	if r.MaxAge != nil {
		d, err := time.ParseDuration(*r.MaxAge)
		if err != nil || d <= 0 || d%time.Millisecond != 0 {
			return nil, errors.Errorf("gcRule.maxAge %q: use a positive duration in whole milliseconds, e.g. 168h", *r.MaxAge)
		}
		parts = append(parts, &adminpb.GcRule{Rule: &adminpb.GcRule_MaxAge{MaxAge: durationpb.New(d)}})
	}
	switch {
	case len(parts) == 0:
		return &adminpb.GcRule{}, nil
	case len(parts) == 1:
		return parts[0], nil
	case ptr.Deref(r.Mode, "") == modeUnion:
		return &adminpb.GcRule{Rule: &adminpb.GcRule_Union_{Union: &adminpb.GcRule_Union{Rules: parts}}}, nil
	default:
		return &adminpb.GcRule{Rule: &adminpb.GcRule_Intersection_{Intersection: &adminpb.GcRule_Intersection{Rules: parts}}}, nil
	}
}

// Describe spells a rule canonically — what it means, not how it is nested or ordered: "maxVersions=1 ||
// maxAge=168h", "" for none. Operands are sorted and listed once, a union or intersection of one rule is that
// rule, a union within a union (an intersection within an intersection) is spliced into it, and an age is a
// duration, so two rules that mean the same describe the same.
func Describe(r *adminpb.GcRule) string { return canonical(r).String() }

// A term is a rule in canonical form: a bound (leaf), or a union or intersection (op) of at least two distinct
// terms none of which has the same op; the zero term is no rule.
type term struct {
	leaf  string
	op    string
	parts []term
}

func canonical(r *adminpb.GcRule) term {
	switch {
	case r.GetMaxNumVersions() != 0:
		return term{leaf: fmt.Sprintf("maxVersions=%d", r.GetMaxNumVersions())}
	case r.GetMaxAge() != nil:
		return term{leaf: "maxAge=" + r.GetMaxAge().AsDuration().String()}
	case r.GetUnion() != nil:
		return combine(r.GetUnion().GetRules(), " || ")
	case r.GetIntersection() != nil:
		return combine(r.GetIntersection().GetRules(), " && ")
	}
	return term{}
}

func combine(rules []*adminpb.GcRule, op string) term {
	var parts []term
	seen := map[string]bool{}
	add := func(t term) {
		if s := t.String(); s != "" && !seen[s] {
			seen[s] = true
			parts = append(parts, t)
		}
	}
	for _, r := range rules {
		t := canonical(r)
		if t.op != op {
			add(t)
			continue
		}
		for _, p := range t.parts {
			add(p)
		}
	}
	switch len(parts) {
	case 0:
		return term{}
	case 1:
		return parts[0]
	}
	return term{op: op, parts: parts}
}

func (t term) String() string {
	if t.op == "" {
		return t.leaf
	}
	parts := make([]string, 0, len(t.parts))
	for _, p := range t.parts {
		s := p.String()
		if p.op != "" {
			s = "(" + s + ")"
		}
		parts = append(parts, s)
	}
	slices.Sort(parts)
	return strings.Join(parts, t.op)
}

// Families are the column families to create a table with: the listed ones not to drop.
func Families(p v1alpha1.TableParameters) (map[string]*adminpb.ColumnFamily, error) {
	out := map[string]*adminpb.ColumnFamily{}
	for _, f := range p.ColumnFamilies {
		if ptr.Deref(f.Drop, false) {
			continue
		}
		cf := &adminpb.ColumnFamily{}
		if f.GCRule != nil {
			r, err := GCRule(*f.GCRule)
			if err != nil {
				return nil, errors.Wrapf(err, "spec.forProvider.columnFamilies[%s]", f.Name)
			}
			cf.GcRule = r
		}
		out[f.Name] = cf
	}
	return out, nil
}

// CreateRequest is the create of the table the spec describes, with its families, protection and split keys.
func CreateRequest(parent, id string, p v1alpha1.TableParameters) (*adminpb.CreateTableRequest, error) {
	fams, err := Families(p)
	if err != nil {
		return nil, err
	}
	req := &adminpb.CreateTableRequest{Parent: parent, TableId: id,
		Table: &adminpb.Table{ColumnFamilies: fams, DeletionProtection: ptr.Deref(p.DeletionProtection, false)}}
	for _, k := range p.SplitKeys {
		req.InitialSplits = append(req.InitialSplits, &adminpb.CreateTableRequest_Split{Key: []byte(k)})
	}
	return req, nil
}

// Changes lists what differs between the spec and the observed table: a family to create, to drop or whose rule
// differs, each a modification, and the deletion protection. Turning protection off comes first (drops need
// it off), turning it on last. A drop the protection forbids is an error naming the field to change.
func Changes(p v1alpha1.TableParameters, observed *adminpb.Table) (managedkind.Changes[request], error) {
	var fams managedkind.Changes[request]
	drops := false
	for _, f := range p.ColumnFamilies {
		got, exists := observed.GetColumnFamilies()[f.Name]
		switch {
		case ptr.Deref(f.Drop, false):
			if exists {
				drops = true
				fams.Add("columnFamilies["+f.Name+"]-", request{Family: &adminpb.ModifyColumnFamiliesRequest_Modification{
					Id: f.Name, Mod: &adminpb.ModifyColumnFamiliesRequest_Modification_Drop{Drop: true},
				}})
			}
		case !exists:
			cf := &adminpb.ColumnFamily{}
			if f.GCRule != nil {
				r, err := GCRule(*f.GCRule)
				if err != nil {
					return nil, errors.Wrapf(err, "spec.forProvider.columnFamilies[%s]", f.Name)
				}
				cf.GcRule = r
			}
			fams.Add("columnFamilies["+f.Name+"]+", request{Family: &adminpb.ModifyColumnFamiliesRequest_Modification{
				Id: f.Name, Mod: &adminpb.ModifyColumnFamiliesRequest_Modification_Create{Create: cf},
			}})
		case f.GCRule != nil:
			r, err := GCRule(*f.GCRule)
			if err != nil {
				return nil, errors.Wrapf(err, "spec.forProvider.columnFamilies[%s]", f.Name)
			}
			if Describe(r) != Describe(got.GetGcRule()) {
				fams.Add("columnFamilies["+f.Name+"].gcRule", request{Family: &adminpb.ModifyColumnFamiliesRequest_Modification{
					Id:         f.Name,
					Mod:        &adminpb.ModifyColumnFamiliesRequest_Modification_Update{Update: &adminpb.ColumnFamily{GcRule: r}},
					UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"gc_rule"}},
				}})
			}
		}
	}
	protected := ptr.Deref(p.DeletionProtection, observed.GetDeletionProtection())
	if drops && protected {
		return nil, errors.New("dropping a column family deletes its data, which deletion protection forbids: " +
			"set spec.forProvider.deletionProtection to false first")
	}
	var l managedkind.Changes[request]
	dp := p.DeletionProtection
	switch {
	case dp == nil || *dp == observed.GetDeletionProtection():
		l = fams
	case !*dp:
		l.Add("deletionProtection", request{Protection: ptr.To(false)})
		l = append(l, fams...)
	default:
		l = append(l, fams...)
		l.Add("deletionProtection", request{Protection: ptr.To(true)})
	}
	return l, nil
}

// Observation is the table as status.atProvider reports it.
func Observation(t *adminpb.Table) v1alpha1.TableObservation {
	o := v1alpha1.TableObservation{Name: t.GetName(), DeletionProtection: t.GetDeletionProtection()}
	if len(t.GetColumnFamilies()) > 0 {
		o.ColumnFamilies = make(map[string]string, len(t.GetColumnFamilies()))
		for name, f := range t.GetColumnFamilies() {
			o.ColumnFamilies[name] = Describe(f.GetGcRule())
		}
	}
	return o
}

// connectionDetails are the table's full name, its project and instance.
func connectionDetails(name, project, instance string) managed.ConnectionDetails {
	return managed.ConnectionDetails{ConnName: []byte(name), ConnProject: []byte(project), ConnInstance: []byte(instance)}
}

// References lists what the Table names that the provider does not make: its instance. Through the platform's
// identity a tenant could otherwise create tables in (and read from) any team's instance.
func References(cr *v1alpha1.Table) []credentials.Reference {
	return []credentials.Reference{{List: "bigtableInstances", Field: "spec.forProvider.instance", Value: cr.Spec.ForProvider.Instance}}
}

// deletion is what deleting the Table does (Delete): nothing while deletion protection is on, unless the spec turns
// it off, which the delete applies first.
func deletion(cr *v1alpha1.Table) managedkind.Deletion {
	return managedkind.Protected(cr.Spec.ForProvider.DeletionProtection, "table", "table and its data")
}
