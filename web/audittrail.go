package web

import (
	"encoding/json"
	"github.com/conveyorhq/conveyor/services"
	"reflect"
	"sort"
	"strings"
)

// auditWhat tells in a line what an audit entry changed: the fields
// added, the fields changed from → to, or the fields removed.
func auditWhat(e services.AuditEntry) string {
	var before, after map[string]any
	_ = json.Unmarshal(e.Before, &before)
	_ = json.Unmarshal(e.After, &after)
	keys := map[string]bool{}
	for k := range before {
		keys[k] = true
	}
	for k := range after {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		switch k {
		case "id", "client_id", "created_at", "updated_at", "uploaded_at", "uploaded_by":
			continue
		}
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	var parts []string
	for _, k := range sorted {
		b, bok := before[k]
		a, aok := after[k]
		switch {
		case bok && aok:
			if !reflect.DeepEqual(a, b) {
				parts = append(parts, k+": "+shortValue(b)+" → "+shortValue(a))
			}
		case aok:
			if a != nil && a != "" {
				parts = append(parts, k+": "+shortValue(a))
			}
		case b != nil && b != "":
			parts = append(parts, k+": "+shortValue(b))
		}
	}
	return strings.Join(parts, "; ")
}

func shortValue(v any) string {
	var s string
	switch v := v.(type) {
	case nil:
		return "—"
	case string:
		s = v
	default:
		b, _ := json.Marshal(v)
		s = string(b)
	}
	if r := []rune(s); len(r) > 80 {
		s = string(r[:80]) + "…"
	}
	return s
}
