package dbinstance

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"k8s.io/utils/ptr"

	"github.com/stateful-dev/provider-stateful/apis/aws/rds/v1alpha1"
)

func TestVersionSatisfied(t *testing.T) {
	cases := map[string]struct {
		engine, want, got string
		manual            bool // automatic minor upgrades turned off
		ok                bool
	}{
		"Equal":           {engine: "postgres", want: "16.4", got: "16.4", ok: true},
		"MajorPrefix":     {engine: "postgres", want: "16", got: "16.4", ok: true},
		"MinorPrefix":     {engine: "mysql", want: "8.0", got: "8.0.35", ok: true},
		"NotAtDot":        {engine: "postgres", want: "1", got: "16.4", ok: false},
		"Older":           {engine: "postgres", want: "16.4", got: "16.3", ok: false},
		"AutoUpgraded":    {engine: "postgres", want: "16.4", got: "16.8", ok: true},
		"AutoUpgradedTwo": {engine: "postgres", want: "16.4", got: "16.10", ok: true},
		"MySQLPatch":      {engine: "mysql", want: "8.0.35", got: "8.0.36", ok: true},
		"MySQLNewMajor":   {engine: "mysql", want: "8.0.35", got: "8.4.1", ok: false},
		"ManualNewer":     {engine: "postgres", want: "16.4", got: "16.8", manual: true, ok: false},
		"LongerWanted":    {engine: "postgres", want: "16.4.1", got: "16.4", ok: false},
		"OtherMajor":      {engine: "postgres", want: "15", got: "16.1", ok: false},
		"OtherMajorMinor": {engine: "postgres", want: "15.4", got: "16.1", ok: false},
		"EmptyObserved":   {engine: "postgres", want: "16", got: "", ok: false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := versionSatisfied(tc.engine, tc.want, tc.got, !tc.manual); got != tc.ok {
				t.Errorf("versionSatisfied(%q, %q, %q, auto=%t): want %t (itself, a version it prefixes at a dot, or an automatic newer minor)", tc.engine, tc.want, tc.got, !tc.manual, tc.ok)
			}
		})
	}
}

func TestDiff(t *testing.T) {
	running := types.DBInstance{
		EngineVersion: aws.String("16.4"), DBInstanceClass: aws.String("db.t4g.micro"), AllocatedStorage: aws.Int32(20),
		StorageType: aws.String("gp3"), DbInstancePort: aws.Int32(0), Endpoint: &types.Endpoint{Port: aws.Int32(5432)},
		MultiAZ: aws.Bool(false), BackupRetentionPeriod: aws.Int32(7), PreferredMaintenanceWindow: aws.String("sun:03:00-sun:04:00"),
		VpcSecurityGroups: []types.VpcSecurityGroupMembership{{VpcSecurityGroupId: aws.String("sg-2"), Status: aws.String("active")}, {VpcSecurityGroupId: aws.String("sg-1"), Status: aws.String("active")}},
		DBParameterGroups: []types.DBParameterGroupStatus{{DBParameterGroupName: aws.String("pg16")}},
	}
	base := v1alpha1.DBInstanceParameters{DBInstanceClass: "db.t4g.micro"}
	with := func(f func(*v1alpha1.DBInstanceParameters)) v1alpha1.DBInstanceParameters {
		p := base
		f(&p)
		return p
	}
	cases := map[string]struct {
		reason string
		p      v1alpha1.DBInstanceParameters
		o      types.DBInstance
		want   []string
	}{
		"InSync": {
			reason: "Everything the spec sets matches, in RDS's spelling: version prefix, window case, security groups as a set, port from the endpoint.",
			p: with(func(p *v1alpha1.DBInstanceParameters) {
				p.EngineVersion, p.AllocatedStorage, p.StorageType, p.Port = ptr.To("16"), ptr.To(int32(20)), ptr.To("gp3"), ptr.To(int32(5432))
				p.PreferredMaintenanceWindow, p.VPCSecurityGroupIDs, p.DBParameterGroupName = ptr.To("Sun:03:00-Sun:04:00"), []string{"sg-1", "sg-2"}, ptr.To("pg16")
				p.MultiAZ, p.BackupRetentionPeriod = ptr.To(false), ptr.To(int32(7))
			}),
			o: running,
		},
		"Changed": {
			reason: "Each changed field is named, in the order of the spec type.",
			p: with(func(p *v1alpha1.DBInstanceParameters) {
				p.DBInstanceClass, p.AllocatedStorage, p.VPCSecurityGroupIDs = "db.t4g.small", ptr.To(int32(50)), []string{"sg-1"}
			}),
			o: running, want: []string{"dbInstanceClass", "allocatedStorage", "vpcSecurityGroupIDs"},
		},
		"Pending": {
			reason: "A change already waiting for the maintenance window is not sent again.",
			p: with(func(p *v1alpha1.DBInstanceParameters) {
				p.DBInstanceClass, p.AllocatedStorage = "db.t4g.small", ptr.To(int32(50))
			}),
			o: func() types.DBInstance {
				o := running
				o.PendingModifiedValues = &types.PendingModifiedValues{DBInstanceClass: aws.String("db.t4g.small"), AllocatedStorage: aws.Int32(50)}
				return o
			}(),
		},
		"MajorUpgrade": {reason: "A new major version differs.", p: with(func(p *v1alpha1.DBInstanceParameters) { p.EngineVersion = ptr.To("17") }), o: running, want: []string{"engineVersion"}},
		"Unset":        {reason: "Unset fields are not managed.", p: base, o: running},
		"AutoscaledStorage": {
			reason: "Storage autoscaling grew the instance past the spec: the spec's size is a floor, not a shrink to make (RDS cannot shrink).",
			p: with(func(p *v1alpha1.DBInstanceParameters) {
				p.AllocatedStorage, p.MaxAllocatedStorage = ptr.To(int32(20)), ptr.To(int32(100))
			}),
			o: func() types.DBInstance {
				o := running
				o.AllocatedStorage, o.MaxAllocatedStorage = aws.Int32(34), aws.Int32(100)
				return o
			}(),
		},
		"ParameterGroupCase": {
			reason: "RDS stores parameter group names lower-cased: the spec's MixedCase name is the same group.",
			p:      with(func(p *v1alpha1.DBInstanceParameters) { p.DBParameterGroupName = ptr.To("Orders-PG16") }),
			o: func() types.DBInstance {
				o := running
				o.DBParameterGroups = []types.DBParameterGroupStatus{{DBParameterGroupName: aws.String("orders-pg16"), ParameterApplyStatus: aws.String("in-sync")}}
				return o
			}(),
		},
		"AutoMinorUpgraded": {
			reason: "RDS moved 16.4 to 16.8 by itself: no downgrade is asked for.",
			p:      with(func(p *v1alpha1.DBInstanceParameters) { p.Engine, p.EngineVersion = "postgres", ptr.To("16.4") }),
			o: func() types.DBInstance {
				o := running
				o.EngineVersion, o.AutoMinorVersionUpgrade = aws.String("16.8"), aws.Bool(true)
				return o
			}(),
		},
		"OlderMinor": {
			reason: "A running version below the spec's is an upgrade to make.",
			p:      with(func(p *v1alpha1.DBInstanceParameters) { p.Engine, p.EngineVersion = "postgres", ptr.To("16.8") }),
			o:      running, want: []string{"engineVersion"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, diff(tc.p, tc.o).Fields(), cmpopts.EquateEmpty()); d != "" {
				t.Errorf("%s\ndiff: -want +got:\n%s", tc.reason, d)
			}
		})
	}
}

func TestModifyInput(t *testing.T) {
	p := v1alpha1.DBInstanceParameters{Engine: "postgres", DBInstanceClass: "db.t4g.small", AllocatedStorage: ptr.To(int32(50)), MultiAZ: ptr.To(true),
		ApplyImmediately: ptr.To(true), PreferredMaintenanceWindow: ptr.To("Sun:03:00-Sun:04:00"), EngineVersion: ptr.To("17.2")}
	o := types.DBInstance{DBInstanceClass: aws.String("db.t4g.micro"), AllocatedStorage: aws.Int32(50), MultiAZ: aws.Bool(true),
		PreferredMaintenanceWindow: aws.String("mon:03:00-mon:04:00"), EngineVersion: aws.String("16.4")}
	cases := map[string]struct {
		reason   string
		password string
		o        types.DBInstance
		want     *rds.ModifyDBInstanceInput
	}{
		"ChangedFieldsOnly": {
			reason: "Only what differs is sent, in one request: the window lower-cased as RDS stores it, a major version with the permission it needs, applyImmediately as the spec says, no password.",
			o:      o,
			want: &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("db1"), ApplyImmediately: aws.Bool(true), DBInstanceClass: aws.String("db.t4g.small"),
				PreferredMaintenanceWindow: aws.String("sun:03:00-sun:04:00"), EngineVersion: aws.String("17.2"), AllowMajorVersionUpgrade: aws.Bool(true)},
		},
		"PasswordAlone": {
			reason:   "A rotation of an otherwise up-to-date instance sends the password alone.",
			password: "new",
			o: types.DBInstance{DBInstanceClass: aws.String("db.t4g.small"), AllocatedStorage: aws.Int32(50), MultiAZ: aws.Bool(true),
				PreferredMaintenanceWindow: aws.String("sun:03:00-sun:04:00"), EngineVersion: aws.String("17.2")},
			want: &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("db1"), ApplyImmediately: aws.Bool(true), MasterUserPassword: aws.String("new")},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := modifyInput("db1", p, diff(p, tc.o), tc.password)
			if d := cmp.Diff(tc.want, got, cmpopts.IgnoreUnexported(rds.ModifyDBInstanceInput{})); d != "" {
				t.Errorf("%s\n-want +got:\n%s", tc.reason, d)
			}
		})
	}
}

func TestConnectionDetails(t *testing.T) {
	cases := map[string]struct {
		reason                     string
		engine, user, pw, db, host string
		port                       int32
		want                       map[string]string
	}{
		"Postgres": {
			reason: "A URL with escaped userinfo and a libpq DSN with quoted values.", engine: "postgres", user: "app", pw: "p@ss w'rd", db: "orders", host: "db.example", port: 5432,
			want: map[string]string{
				"username": "app", "password": "p@ss w'rd", "database": "orders", "endpoint": "db.example", "port": "5432",
				"uri": "postgres://app:p%40ss%20w%27rd@db.example:5432/orders?sslmode=require",
				"dsn": `host=db.example port=5432 user=app password='p@ss w\'rd' dbname=orders sslmode=require`,
			},
		},
		"MySQL": {
			reason: "mysql:// and the Go driver's form.", engine: "mariadb", user: "app", pw: "secret", db: "shop", host: "db.example", port: 3306,
			want: map[string]string{
				"username": "app", "password": "secret", "database": "shop", "endpoint": "db.example", "port": "3306",
				"uri": "mysql://app:secret@db.example:3306/shop", "dsn": "app:secret@tcp(db.example:3306)/shop?tls=true",
			},
		},
		"NoPasswordSet": {
			reason: "A password the provider did not set (adopted, ObserveOnly) is not published: no password, URI or DSN.", engine: "postgres", user: "app", db: "d", host: "db.example", port: 5432,
			want: map[string]string{"username": "app", "database": "d", "endpoint": "db.example", "port": "5432"},
		},
		"NoEndpointYet": {
			reason: "Right after create there is no endpoint: only what is known.", engine: "postgres", user: "app", pw: "x", db: "d",
			want: map[string]string{"username": "app", "password": "x", "database": "d"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := map[string]string{}
			for k, v := range connectionDetails(tc.engine, tc.user, tc.pw, tc.db, tc.host, tc.port) {
				got[k] = string(v)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("%s\nconnectionDetails: -want +got:\n%s", tc.reason, d)
			}
		})
	}
}

func TestObservationHidesPendingPassword(t *testing.T) {
	o := observation(types.DBInstance{DBInstanceStatus: aws.String("modifying"), PendingModifiedValues: &types.PendingModifiedValues{MasterUserPassword: aws.String("****"), DBInstanceClass: aws.String("db.t4g.small")}})
	if d := cmp.Diff(map[string]string{"masterUserPassword": "pending", "dbInstanceClass": "db.t4g.small"}, o.PendingModifiedValues); d != "" {
		t.Errorf("A pending password is reported as pending, never with a value: -want +got:\n%s", d)
	}
}
