package managedkind

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxShown is how much of a value a message or a plan prints: a policy document is named, not reproduced.
const maxShown = 80

// Show prints a value compactly for a message or a plan: a string as it is, anything else as JSON, cut at 80
// characters; "(unset)" for none.
func Show(v any) string {
	if v == nil {
		return "(unset)"
	}
	s, ok := v.(string)
	if !ok {
		b, _ := json.Marshal(v)
		s = string(b)
	}
	if utf8.RuneCountInString(s) > maxShown {
		r := []rune(s)
		s = string(r[:maxShown-1]) + "…"
	}
	return s
}

// ValueAt is the value under m at a field table's dotted path, then at the rest of a change's name as
// Changes spell it: "[team]" a key of a map ("[env,team]" several), or the element of a list named so (any of
// its string fields: a column family's name, an index's) or at that index; ".gcRule" a field.
func ValueAt(m map[string]any, path, rest string) (any, bool) {
	var cur any = m
	for _, k := range strings.Split(path, ".") {
		if cur = field(cur, k); cur == nil {
			return nil, false
		}
	}
	for rest != "" && cur != nil {
		switch rest[0] {
		case '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, false
			}
			cur, rest = element(cur, rest[1:end]), rest[end+1:]
		case '.':
			end := strings.IndexAny(rest[1:], ".[")
			if end < 0 {
				end = len(rest) - 1
			}
			cur, rest = field(cur, rest[1:end+1]), rest[end+1:]
		default:
			return nil, false
		}
	}
	return cur, cur != nil
}

func field(v any, k string) any {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	return m[k]
}

// element is a map's key (or keys, comma-separated), or a list's element named key or at index key.
func element(v any, key string) any {
	switch t := v.(type) {
	case map[string]any:
		if !strings.Contains(key, ",") {
			return t[key]
		}
		out := map[string]any{}
		for _, k := range strings.Split(key, ",") {
			if e, ok := t[k]; ok {
				out[k] = e
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case []any:
		for _, e := range t {
			if m, ok := e.(map[string]any); ok {
				for _, f := range m {
					if s, ok := f.(string); ok && s == key {
						return e
					}
				}
			}
		}
		if i, err := strconv.Atoi(key); err == nil && i >= 0 && i < len(t) {
			return t[i]
		}
	}
	return nil
}

// Cloud is the cloud's value of the field in status.atProvider (observed), rest being what a change's name adds
// after the field's path (a key, an index, a sub-field): at the table's Observed path, else the field's own. Some
// keyed values are reported whole (a column family's rule as text): the key's value then.
func (f Field) Cloud(observed map[string]any, rest string) (any, bool) {
	at := f.Observed
	if at == "" {
		at = f.Path
	}
	v, ok := ValueAt(observed, at, rest)
	if i := strings.IndexByte(rest, ']'); !ok && i > 0 {
		v, ok = ValueAt(observed, at, rest[:i+1])
	}
	return v, ok
}
