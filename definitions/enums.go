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
	enum, _ := schema["enum"].([]any)
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
