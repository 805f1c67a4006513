package definitions

import (
	"maps"
	"slices"
	"strconv"
)

// Limits on the properties schemas declare: each becomes a field that
// expressions are checked against, and the definition editor lists them.
const (
	maxProperties      = 200  // in one object schema
	maxTotalProperties = 1000 // in all the schemas of a definition
)

// closeForm is a form schema as CheckData applies it: an object schema that
// does not say additionalProperties takes no property it does not declare,
// so a field misspelt by a client is refused at its path, not dropped. A
// schema combined with others (allOf, anyOf, oneOf, $ref, if...) is left
// open, with the schemas inside it: declarations spread over several
// schemas would each refuse the others' properties.
func closeForm(schema map[string]any) map[string]any {
	for _, k := range []string{"allOf", "anyOf", "oneOf", "not", "$ref", "$dynamicRef", "if", "dependentSchemas", "unevaluatedProperties"} {
		if _, combined := schema[k]; combined {
			return schema
		}
	}
	out := maps.Clone(schema)
	_, hasProps := schema["properties"]
	if _, said := schema["additionalProperties"]; !said && (hasProps || schema["type"] == "object") {
		out["additionalProperties"] = false
	}
	for _, k := range []string{"properties", "patternProperties"} {
		if props, ok := schema[k].(map[string]any); ok {
			closed := make(map[string]any, len(props))
			for name, sub := range props {
				closed[name] = closeSub(sub)
			}
			out[k] = closed
		}
	}
	for _, k := range []string{"items", "additionalProperties", "contains"} {
		if _, ok := schema[k].(map[string]any); ok {
			out[k] = closeSub(schema[k])
		}
	}
	if list, ok := schema["prefixItems"].([]any); ok {
		closed := make([]any, len(list))
		for i, sub := range list {
			closed[i] = closeSub(sub)
		}
		out["prefixItems"] = closed
	}
	return out
}

func closeSub(v any) any {
	if m, ok := v.(map[string]any); ok {
		return closeForm(m)
	}
	return v
}

// checkProperties refuses a schema at ptr that declares too many
// properties, in one object or with the definition's other schemas.
func (c *checker) checkProperties(ptr string, schema map[string]any) {
	if props, ok := schema["properties"].(map[string]any); ok {
		c.properties += len(props)
		at := ptr + "/properties"
		switch {
		case len(props) > maxProperties:
			c.add(at, c.s.keyAt(at), "%d properties: a schema may declare at most %d in one object", len(props), maxProperties)
		case c.properties > maxTotalProperties:
			c.add(at, c.s.keyAt(at), "the definition's schemas declare more than %d properties", maxTotalProperties)
		}
	}
	eachSubschema(schema, func(key string, sub map[string]any) {
		c.checkProperties(ptr+"/"+key, sub)
	})
}

// eachSubschema calls fn with every schema directly inside schema and its
// pointer below it, in a stable order.
func eachSubschema(schema map[string]any, fn func(key string, sub map[string]any)) {
	for _, k := range slices.Sorted(maps.Keys(schema)) {
		switch v := schema[k].(type) {
		case map[string]any:
			switch k {
			case "properties", "patternProperties", "$defs", "definitions", "dependentSchemas":
				for _, name := range slices.Sorted(maps.Keys(v)) {
					if sub, ok := v[name].(map[string]any); ok {
						fn(k+"/"+escapePointer(name), sub)
					}
				}
			case "items", "additionalProperties", "contains", "not", "if", "then", "else",
				"propertyNames", "unevaluatedItems", "unevaluatedProperties", "additionalItems", "contentSchema":
				fn(k, v)
			}
		case []any:
			switch k {
			case "allOf", "anyOf", "oneOf", "prefixItems", "items":
				for i, x := range v {
					if sub, ok := x.(map[string]any); ok {
						fn(k+"/"+strconv.Itoa(i), sub)
					}
				}
			}
		}
	}
}
