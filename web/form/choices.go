package form

import (
	"slices"
	"strings"
)

// When says that a field is required when Field holds Value, or, with
// Value "", any value (dependentRequired).
type When struct {
	Field string `json:"field"`
	Value string `json:"value,omitempty"`
}

// choices are a property's labelled choices, written as JSON Schema has
// them: oneOf (or anyOf) of schemas that each have a const, and a title
// for the person choosing ({const: call_back, title: Call back}). Anything
// else is nil.
func choices(s map[string]any) []map[string]any {
	for _, k := range []string{"oneOf", "anyOf"} {
		list, ok := s[k].([]any)
		if !ok || len(list) == 0 {
			continue
		}
		out := make([]map[string]any, 0, len(list))
		for _, x := range list {
			c, ok := x.(map[string]any)
			if !ok {
				return nil
			}
			if v, has := c["const"]; !has || v == nil {
				return nil
			}
			out = append(out, c)
		}
		return out
	}
	return nil
}

// choiceLabel is what a choice says: its schema's title, or the value
// humanised when it is a string.
func choiceLabel(v any, c map[string]any, lang string) string {
	if t := titleIn(c, lang); strings.TrimSpace(t) != "" {
		return t
	}
	if s, ok := v.(string); ok {
		return Humanize(s)
	}
	return optionText(v)
}

// titleIn is a schema's title in lang: from x-titles when the definition
// wrote it in several languages, else its title.
func titleIn(s map[string]any, lang string) string {
	if by, ok := s["x-titles"].(map[string]any); ok {
		if t, ok := by[lang].(string); ok {
			return t
		}
	}
	t, _ := s["title"].(string)
	return t
}

// ChoiceLabel is what value says as a choice of f (its label when f is a
// select), for pages that show data.
func (f Field) ChoiceLabel(value string) string {
	if i := slices.Index(f.Options, value); i >= 0 && i < len(f.Labels) {
		return f.Labels[i]
	}
	return value
}

// conditions reads when each property becomes required, from the shapes
// of conditional requirement a page can follow: `if` a property is a const
// (or one of an enum) `then` others are required, at the top of the form
// or in its allOf; and dependentRequired. Other conditions are left to the
// schema's check of the data.
func conditions(root map[string]any) map[string][]When {
	out := map[string][]When{}
	add := func(cond map[string]any) {
		ifs, _ := cond["if"].(map[string]any)
		then, _ := cond["then"].(map[string]any)
		props, _ := ifs["properties"].(map[string]any)
		if len(props) != 1 || then == nil {
			return
		}
		for field, p := range props {
			ps, _ := p.(map[string]any)
			var values []any
			if c, ok := ps["const"]; ok {
				values = []any{c}
			} else if e, ok := ps["enum"].([]any); ok {
				values = e
			}
			req, _ := then["required"].([]any)
			for _, r := range req {
				name, _ := r.(string)
				for _, v := range values {
					if v != nil && name != "" {
						out[name] = append(out[name], When{Field: field, Value: optionText(v)})
					}
				}
			}
		}
	}
	add(root)
	if all, ok := root["allOf"].([]any); ok {
		for _, x := range all {
			if m, ok := x.(map[string]any); ok {
				add(m)
			}
		}
	}
	if dep, ok := root["dependentRequired"].(map[string]any); ok {
		for field, list := range dep {
			names, _ := list.([]any)
			for _, n := range names {
				if name, ok := n.(string); ok {
					out[name] = append(out[name], When{Field: field})
				}
			}
		}
	}
	return out
}

// RequiredWhenAttr is RequiredWhen as the page's script reads it from the
// input: field=value pairs (field= for any value) separated by "|".
func (f Field) RequiredWhenAttr() string {
	parts := make([]string, len(f.RequiredWhen))
	for i, w := range f.RequiredWhen {
		parts[i] = w.Field + "=" + w.Value
	}
	return strings.Join(parts, "|")
}

// InputType is the type attribute of f's <input>: dates and times are text
// in the app's format (see dateTimeLayout), whole numbers numbers.
func (f Field) InputType() string {
	switch f.Kind {
	case KindInteger:
		return "number"
	case KindDateTimeLocal, KindDate:
		return "text"
	}
	return f.Kind
}

// Placeholder shows the format a date or time is typed in; "" for others.
func (f Field) Placeholder() string {
	switch f.Kind {
	case KindDateTimeLocal:
		return "31.12.2026 18:00"
	case KindDate:
		return "31.12.2026"
	}
	return ""
}
