package definitions

import (
	"fmt"
	"slices"
	"strings"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
)

// enumSlip is a string literal compared with a field whose schema lists its
// values, and that is not one of them: `data.result == "intrested"` type
// checks, but the transition could never be taken.
type enumSlip struct {
	offset int // rune offset of the literal in the expression
	msg    string
}

// enumSlips finds such comparisons (==, != and in) on data.* and vars.*
// in an expression that compiles. It reads the parsed expression, not the
// compiled program, whose optimiser folds `in [...]` into a set.
func enumSlips(src string, form, vars map[string]any) []enumSlip {
	tree, err := parser.Parse(src)
	if err != nil {
		return nil
	}
	v := &enumVisitor{roots: map[string]map[string]any{"data": form, "vars": vars}}
	ast.Walk(&tree.Node, v)
	return v.slips
}

type enumVisitor struct {
	roots map[string]map[string]any
	slips []enumSlip
}

func (v *enumVisitor) Visit(node *ast.Node) {
	b, ok := (*node).(*ast.BinaryNode)
	if !ok {
		return
	}
	switch b.Operator {
	case "==", "!=":
		v.compare(b.Left, b.Right)
		v.compare(b.Right, b.Left)
	case "in":
		if arr, ok := b.Right.(*ast.ArrayNode); ok {
			for _, item := range arr.Nodes {
				v.compare(b.Left, item)
			}
		}
	}
}

// compare reports lit when field is a data or vars field with an enum that
// lacks it.
func (v *enumVisitor) compare(field, lit ast.Node) {
	s, ok := lit.(*ast.StringNode)
	if !ok {
		return
	}
	path, schema := v.resolve(field)
	enum := choiceValues(schema)
	if len(enum) == 0 || slices.Contains(enum, any(s.Value)) {
		return
	}
	values := make([]string, len(enum))
	for i, e := range enum {
		values[i] = fmt.Sprint(e)
	}
	v.slips = append(v.slips, enumSlip{offset: s.Location().From, msg: fmt.Sprintf(
		"%q is not one of the values of %s (%s): this comparison never holds", s.Value, path, strings.Join(values, ", "))})
}

// resolve follows a member chain such as data.a.b to its property schema.
func (v *enumVisitor) resolve(n ast.Node) (string, map[string]any) {
	var names []string
	for {
		switch m := n.(type) {
		case *ast.MemberNode:
			prop, ok := m.Property.(*ast.StringNode)
			if !ok {
				return "", nil
			}
			names = append([]string{prop.Value}, names...)
			n = m.Node
			continue
		case *ast.IdentifierNode:
			schema := v.roots[m.Value]
			for _, name := range names {
				props, _ := schema["properties"].(map[string]any)
				schema, _ = props[name].(map[string]any)
			}
			return strings.Join(append([]string{m.Value}, names...), "."), schema
		}
		return "", nil
	}
}

// choiceValues are the values a property may take when it lists them: its
// enum, or the consts of a oneOf/anyOf of labelled choices.
func choiceValues(schema map[string]any) []any {
	if enum, ok := schema["enum"].([]any); ok {
		return enum
	}
	for _, k := range []string{"oneOf", "anyOf"} {
		list, ok := schema[k].([]any)
		if !ok || len(list) == 0 {
			continue
		}
		values := make([]any, 0, len(list))
		for _, x := range list {
			c, _ := x.(map[string]any)
			v, has := c["const"]
			if !has {
				return nil
			}
			values = append(values, v)
		}
		return values
	}
	return nil
}

// optionalReads finds the data fields a transition's condition reads
// that the form does not always require: the top-level ones neither in
// `required` nor in any `then` of its conditions. Missing, such a field
// reads as its type's zero (0, "", false), and a guard such as
// `data.amount > 0` quietly sends a deal elsewhere.
func optionalReads(src string, form map[string]any) []enumSlip {
	tree, err := parser.Parse(src)
	if err != nil || form == nil {
		return nil
	}
	required := map[string]bool{}
	addRequired := func(s map[string]any) {
		list, _ := s["required"].([]any)
		for _, r := range list {
			if name, ok := r.(string); ok {
				required[name] = true
			}
		}
	}
	addRequired(form)
	conds := []any{form}
	if all, ok := form["allOf"].([]any); ok {
		conds = append(conds, all...)
	}
	for _, c := range conds {
		m, _ := c.(map[string]any)
		if then, ok := m["then"].(map[string]any); ok {
			addRequired(then)
		}
	}
	if dep, ok := form["dependentRequired"].(map[string]any); ok {
		for _, list := range dep {
			names, _ := list.([]any)
			for _, n := range names {
				if name, ok := n.(string); ok {
					required[name] = true
				}
			}
		}
	}
	props, _ := form["properties"].(map[string]any)
	v := &readVisitor{props: props, required: required, seen: map[string]bool{}}
	ast.Walk(&tree.Node, v)
	return v.reads
}

type readVisitor struct {
	props    map[string]any
	required map[string]bool
	seen     map[string]bool
	reads    []enumSlip
}

func (v *readVisitor) Visit(node *ast.Node) {
	m, ok := (*node).(*ast.MemberNode)
	if !ok {
		return
	}
	root, ok := m.Node.(*ast.IdentifierNode)
	prop, isName := m.Property.(*ast.StringNode)
	if !ok || !isName || root.Value != "data" || v.seen[prop.Value] {
		return
	}
	if _, declared := v.props[prop.Value]; !declared || v.required[prop.Value] {
		return
	}
	v.seen[prop.Value] = true
	v.reads = append(v.reads, enumSlip{offset: prop.Location().From, msg: fmt.Sprintf(
		"data.%s is optional in the form: when it is left out, this reads it as empty (0, \"\" or false); "+
			"require it (required, or if/then for the results that need it)", prop.Value)})
}
