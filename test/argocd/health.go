// Package argocd runs the Argo CD health checks shipped in cluster/argocd the way Argo CD does: in gopher-lua, the
// Lua interpreter Argo CD itself uses. The unit tests and the e2e test (on live objects) use it.
package argocd

import (
	"fmt"
	"os"
	"path/filepath"

	lua "github.com/yuin/gopher-lua"

	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
)

// Health is what Argo CD reads from a health script.
type Health struct{ Status, Message string }

// Script is cluster/argocd/health.lua.
func Script() (string, error) {
	b, err := os.ReadFile(filepath.Join(harness.RepoRoot(), "cluster", "argocd", "health.lua"))
	return string(b), err
}

func toLua(ls *lua.LState, v any) lua.LValue {
	switch x := v.(type) {
	case map[string]any:
		t := ls.NewTable()
		for k, e := range x {
			t.RawSetString(k, toLua(ls, e))
		}
		return t
	case []any:
		t := ls.NewTable()
		for _, e := range x {
			t.Append(toLua(ls, e))
		}
		return t
	case string:
		return lua.LString(x)
	case bool:
		return lua.LBool(x)
	case float64:
		return lua.LNumber(x)
	default:
		return lua.LNil
	}
}

// Eval evaluates script for obj (decoded from JSON) the way Argo CD does: obj is a global, the script returns a
// table.
func Eval(script string, obj map[string]any) (Health, error) {
	ls := lua.NewState()
	defer ls.Close()
	ls.SetGlobal("obj", toLua(ls, obj))
	if err := ls.DoString(script); err != nil {
		return Health{}, fmt.Errorf("the health script fails: %w", err)
	}
	ret, ok := ls.Get(-1).(*lua.LTable)
	if !ok {
		return Health{}, fmt.Errorf("the health script returns %v, not a table", ls.Get(-1))
	}
	return Health{Status: ret.RawGetString("status").String(), Message: ret.RawGetString("message").String()}, nil
}
