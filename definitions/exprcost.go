package definitions

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"time"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"
)

// Expressions run inside workflow code, where one that runs long stalls the
// worker (Temporal's deadlock detector fires after a second) and one that
// allocates without bound kills it. So every expression is refused at
// publish time unless a static bound of its cost fits a budget. The bound
// walks the checked tree, estimating for every value an upper bound of its
// size and for every node the steps its evaluation takes; iteration
// multiplies. Only builtins and operators with a known bound are allowed.
const (
	// maxExprBytes bounds an expression's source. expr's parser recurses
	// before it counts nodes (`!!!!x`), so length comes first.
	maxExprBytes = 8 << 10
	// maxExprNodes is expr's own node budget (expr.MaxNodes).
	maxExprNodes = 1000
	// maxSteps is the budget of one evaluation: about a VM instruction
	// each, a few milliseconds in all.
	maxSteps = 100_000
	// bytesPerStep is what copying costs against a step.
	bytesPerStep = 64
	// maxStringBytes caps any string an expression builds. Input strings
	// without maxLength count as big as the data limit, so this leaves room
	// to join a few of them.
	maxStringBytes = 256 << 10
	// maxRange is the most elements a range (1..n) may have; its bounds
	// must be written as numbers.
	maxRange = 1000
	// runMemoryBudget is expr's own run-time budget (vm.VM.MemoryBudget):
	// elements of the arrays and maps one evaluation makes.
	runMemoryBudget = 100_000
)

var durationType = reflect.TypeFor[time.Duration]()

// refusedBuiltins are expr's builtins an expression may not call, and why.
var refusedBuiltins = map[string]string{
	"repeat":   "it builds strings of any size",
	"toJSON":   "it turns values of any size into text",
	"fromJSON": "it builds values of any shape from text",
	"flatten":  "the size of what it makes cannot be bounded before it runs",
	"timezone": "it reads the time zone database at every evaluation, and workers may hold different ones",
	"now":      "now is a value, the process's current time: write now, not now()",
}

// est bounds a value and what evaluating it costs.
type est struct {
	steps float64 // to evaluate it once
	bytes float64 // its size: a string's bytes, or all a collection holds
	items float64 // a collection's elements (0 for a scalar)
	elem  *est    // one element of a built collection
	// schema is the JSON Schema of a value from data, vars, client or
	// process, which bounds its members.
	schema map[string]any
	// unbounded says an input string without maxLength went into it.
	unbounded bool
	// fixed says it is a number, boolean, time or duration: small, and
	// never a string or collection whatever the checker could tell.
	fixed bool
}

// element bounds one element of e.
func (e est) element() est {
	if e.elem != nil {
		elem := *e.elem
		elem.steps = 0
		return elem
	}
	if items, ok := e.schema["items"].(map[string]any); ok {
		return fromSchema(items, e.bytes)
	}
	return fromSchema(nil, e.bytes)
}

// member bounds e.name.
func (e est) member(name string) est {
	if props, ok := e.schema["properties"].(map[string]any); ok {
		if sub, ok := props[name].(map[string]any); ok {
			return fromSchema(sub, e.bytes)
		}
	}
	return e.element()
}

// fromSchema bounds an input value of schema within bound bytes: the data
// limit bounds every string and the array and object limit (maxDataItems,
// checked by CheckData and CheckVars) every collection, unless the schema
// bounds it more.
func fromSchema(schema map[string]any, bound float64) est {
	e := est{bytes: bound, schema: schema, items: min(maxDataItems, bound/2+1)}
	switch schema["type"] {
	case "string":
		e.items = 0
		if n, ok := number(schema["maxLength"]); ok {
			e.bytes = min(bound, 4*n) // UTF-8: up to 4 bytes a character
		}
		e.unbounded = e.bytes == bound
		if schema["format"] == "date-time" {
			e.bytes, e.unbounded, e.fixed = 8, false, true
		}
	case "integer", "number", "boolean":
		e.bytes, e.items, e.fixed = 8, 0, true
	case "array":
		if n, ok := number(schema["maxItems"]); ok {
			e.items = min(e.items, n)
		}
	case "object":
		if n, ok := number(schema["maxProperties"]); ok {
			e.items = min(e.items, n)
		}
	default:
		e.unbounded = true
	}
	return e
}

func number(v any) (float64, bool) {
	switch v := v.(type) {
	case interface{ Float64() (float64, error) }: // json.Number
		f, err := v.Float64()
		return f, err == nil
	case float64:
		return v, true
	case int:
		return float64(v), true
	}
	return 0, false
}

// join bounds a value that is either a or b.
func join(a, b est) est {
	out := est{
		steps: max(a.steps, b.steps), bytes: max(a.bytes, b.bytes), items: max(a.items, b.items),
		unbounded: a.unbounded || b.unbounded, fixed: a.fixed && b.fixed,
	}
	if a.elem != nil || b.elem != nil {
		e := join(a.element(), b.element())
		out.elem = &e
	} else if reflect.ValueOf(a.schema).UnsafePointer() == reflect.ValueOf(b.schema).UnsafePointer() {
		out.schema = a.schema
	} else {
		e := join(a.element(), b.element())
		out.elem = &e
	}
	return out
}

// errTooExpensive marks a refusal for what an expression may cost, as
// opposed to what it uses.
var errTooExpensive = errors.New("expression is too expensive")

// costWalker computes the bounds. A refusal panics with a *file.Error at
// the node, which checkCost recovers: refusals come from deep in the walk.
type costWalker struct {
	roots map[string]est
	vars  []namedEst // let declarations in scope
	preds []est      // # of the enclosing predicates, innermost last
	accs  []est      // #acc of the enclosing reduce
}

type namedEst struct {
	name string
	est
}

// checkCost bounds the checked tree of an expression; roots bounds the
// names of its environment.
func checkCost(tree *parser.Tree, roots map[string]est) (err error) {
	defer func() {
		if r := recover(); r != nil {
			ferr, ok := r.(*file.Error)
			if !ok {
				panic(r)
			}
			err = ferr.Bind(tree.Source)
		}
	}()
	w := &costWalker{roots: roots}
	w.walk(tree.Node)
	return nil
}

func (w *costWalker) refuse(n ast.Node, format string, args ...any) {
	panic(&file.Error{Location: n.Location(), Message: fmt.Sprintf(format, args...)})
}

func (w *costWalker) tooExpensive(n ast.Node, format string, args ...any) {
	ferr := &file.Error{Location: n.Location(), Message: fmt.Sprintf(format, args...)}
	ferr.Wrap(errTooExpensive)
	panic(ferr)
}

// walk bounds n and checks the step budget there, so a refusal points at
// the smallest part that is too expensive.
func (w *costWalker) walk(n ast.Node) est {
	e := w.node(n)
	e.steps++
	if e.steps > maxSteps {
		w.tooExpensive(n, "it may take about %.0f steps; at most %d are allowed", e.steps, maxSteps)
	}
	return e
}

// built checks a string n makes of e.bytes and counts copying it.
func (w *costWalker) built(n ast.Node, e est) est {
	if e.bytes > maxStringBytes {
		hint := ""
		if e.unbounded {
			hint = fmt.Sprintf(" (a string without maxLength counts as %s)", kib(float64(MaxDataBytes)))
		}
		w.tooExpensive(n, "it may build a string of up to %s; at most %s are allowed%s", kib(e.bytes), kib(maxStringBytes), hint)
	}
	e.steps += e.bytes / bytesPerStep
	return e
}

func kib(b float64) string { return fmt.Sprintf("%.0f KiB", math.Ceil(b/1024)) }

func scalar(steps float64) est { return est{steps: steps, bytes: 8, fixed: true} }

func (w *costWalker) node(n ast.Node) est {
	switch n := n.(type) {
	case *ast.NilNode, *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode:
		return scalar(0)
	case *ast.StringNode:
		return est{bytes: float64(len(n.Value))}
	case *ast.BytesNode:
		return est{bytes: float64(len(n.Value))}
	case *ast.ConstantNode:
		return constant(reflect.ValueOf(n.Value))
	case *ast.IdentifierNode:
		for i := len(w.vars) - 1; i >= 0; i-- {
			if w.vars[i].name == n.Value {
				e := w.vars[i].est
				e.steps = 0
				return e
			}
		}
		if e, ok := w.roots[n.Value]; ok {
			return e
		}
		w.refuse(n, "unknown name %s", n.Value)
	case *ast.UnaryNode:
		return scalar(w.walk(n.Node).steps)
	case *ast.BinaryNode:
		return w.binary(n)
	case *ast.ChainNode:
		return w.walk(n.Node)
	case *ast.MemberNode:
		base := w.walk(n.Node)
		var e est
		if name, ok := n.Property.(*ast.StringNode); ok {
			e = base.member(name.Value)
		} else {
			e = base.element()
			e.steps = w.walk(n.Property).steps
		}
		e.steps += base.steps
		return e
	case *ast.SliceNode:
		// Slices share what they slice.
		e := w.walk(n.Node)
		for _, bound := range []ast.Node{n.From, n.To} {
			if bound != nil {
				e.steps += w.walk(bound).steps
			}
		}
		return e
	case *ast.CallNode:
		return w.call(n)
	case *ast.BuiltinNode:
		return w.builtin(n)
	case *ast.PointerNode:
		return w.pointer(n)
	case *ast.VariableDeclaratorNode:
		v := w.walk(n.Value)
		w.vars = append(w.vars, namedEst{n.Name, v})
		e := w.walk(n.Expr)
		w.vars = w.vars[:len(w.vars)-1]
		e.steps += v.steps
		return e
	case *ast.SequenceNode:
		var e est
		steps := 0.0
		for _, item := range n.Nodes {
			e = w.walk(item)
			steps += e.steps
		}
		e.steps = steps
		return e
	case *ast.ConditionalNode:
		cond := w.walk(n.Cond)
		e := join(w.walk(n.Exp1), w.walk(n.Exp2))
		e.steps += cond.steps
		return e
	case *ast.ArrayNode:
		var e est
		var elem *est
		for _, item := range n.Nodes {
			x := w.walk(item)
			e.steps += x.steps + 1
			e.bytes += x.bytes
			e.unbounded = e.unbounded || x.unbounded
			if elem == nil {
				elem = &x
			} else {
				j := join(*elem, x)
				elem = &j
			}
		}
		if elem == nil {
			elem = &est{}
		}
		e.items, e.elem = float64(len(n.Nodes)), elem
		return e
	case *ast.MapNode:
		var e est
		var elem *est
		for _, pair := range n.Pairs {
			p := pair.(*ast.PairNode)
			k, v := w.walk(p.Key), w.walk(p.Value)
			e.steps += k.steps + v.steps + 1
			e.bytes += k.bytes + v.bytes
			if elem == nil {
				elem = &v
			} else {
				j := join(*elem, v)
				elem = &j
			}
		}
		if elem == nil {
			elem = &est{}
		}
		e.items, e.elem = float64(len(n.Pairs)), elem
		return e
	}
	w.refuse(n, "%T is not allowed", n)
	return est{}
}

// constant bounds a value the checker folded.
func constant(v reflect.Value) est {
	switch v.Kind() {
	case reflect.String:
		return est{bytes: float64(v.Len())}
	case reflect.Slice, reflect.Array, reflect.Map:
		return est{bytes: float64(v.Len()) * 8, items: float64(v.Len()), elem: &est{bytes: 8, fixed: true}}
	}
	return scalar(0)
}

func (w *costWalker) pointer(n *ast.PointerNode) est {
	switch {
	case n.Name == "index":
		return scalar(0)
	case n.Name == "acc" && len(w.accs) > 0:
		e := w.accs[len(w.accs)-1]
		e.steps = 0
		return e
	case n.Name == "" && len(w.preds) > 0:
		e := w.preds[len(w.preds)-1]
		e.steps = 0
		return e
	}
	w.refuse(n, "#%s outside of a predicate", n.Name)
	return est{}
}

func (w *costWalker) binary(n *ast.BinaryNode) est {
	if n.Operator == ".." {
		return w.rangeOf(n)
	}
	l, r := w.walk(n.Left), w.walk(n.Right)
	steps := l.steps + r.steps
	compare := (l.bytes + r.bytes) / bytesPerStep
	switch n.Operator {
	case "+":
		// A string only if both sides may be: a number or a time on either
		// side adds, or fails.
		if isStringish(n) && !l.fixed && !r.fixed {
			e := est{steps: steps, bytes: l.bytes + r.bytes, unbounded: l.unbounded || r.unbounded}
			return w.built(n, e)
		}
		return scalar(steps)
	case "-", "*", "/", "%", "**", "^":
		return scalar(steps)
	case "and", "&&", "or", "||", "not":
		return scalar(steps)
	case "??":
		e := join(l, r)
		e.steps = steps
		return e
	case "==", "!=", "<", ">", "<=", ">=", "contains", "startsWith", "endsWith":
		return scalar(steps + compare)
	case "matches":
		pattern, ok := n.Right.(*ast.StringNode)
		if !ok {
			w.refuse(n, "matches needs its pattern written in the expression, as a quoted string")
		}
		// Go's regexp runs in time of the text times the pattern.
		return scalar(steps + l.bytes*float64(len(pattern.Value)+1)/bytesPerStep)
	case "in":
		per := 1 + (l.bytes+r.element().bytes)/bytesPerStep
		if r.items > 0 && r.schema["properties"] == nil {
			return scalar(steps + r.items*per)
		}
		return scalar(steps + per)
	}
	w.refuse(n, "the operator %s is not allowed", n.Operator)
	return est{}
}

// isStringish says n may give a string: `+` on values typed only at run
// time may concatenate.
func isStringish(n ast.Node) bool {
	t := n.Type()
	return t == nil || t.Kind() == reflect.String || t.Kind() == reflect.Interface
}

// rangeOf allows a..b only for numbers written in the expression, and only
// up to maxRange elements: a range from data could be of any length.
func (w *costWalker) rangeOf(n *ast.BinaryNode) est {
	from, ok1 := intLiteral(n.Left)
	to, ok2 := intLiteral(n.Right)
	if !ok1 || !ok2 {
		w.refuse(n, "a range needs whole numbers written in the expression as its bounds, like 1..10")
	}
	count := max(float64(to)-float64(from)+1, 0)
	if count > maxRange {
		w.refuse(n, "the range %d..%d has %.0f elements; a range may have at most %d", from, to, count, maxRange)
	}
	return est{steps: count, bytes: 8 * count, items: count, elem: &est{bytes: 8, fixed: true}}
}

func intLiteral(n ast.Node) (int, bool) {
	switch n := n.(type) {
	case *ast.IntegerNode:
		return n.Value, true
	case *ast.UnaryNode:
		if v, ok := intLiteral(n.Node); ok && (n.Operator == "-" || n.Operator == "+") {
			if n.Operator == "-" {
				return -v, true
			}
			return v, true
		}
	}
	return 0, false
}

// call allows the methods of times and durations (now.Add(...),
// data.at.Format("...")): all run in time of their arguments, and a
// formatted time grows with its layout only.
func (w *costWalker) call(n *ast.CallNode) est {
	member, ok := n.Callee.(*ast.MemberNode)
	if !ok || !member.Method {
		w.refuse(n, "only methods of times and durations may be called")
	}
	if t := member.Node.Type(); t == nil || (t != timeType && t != durationType) {
		w.refuse(n, "only methods of times and durations may be called")
	}
	steps, argBytes := w.walk(member.Node).steps, 0.0
	for _, arg := range n.Arguments {
		a := w.walk(arg)
		steps += a.steps
		argBytes += a.bytes
	}
	if isString(n) {
		return w.built(n, est{steps: steps, bytes: 64 + 16*argBytes})
	}
	return scalar(steps + argBytes/bytesPerStep)
}

func isString(n ast.Node) bool {
	t := n.Type()
	return t != nil && t.Kind() == reflect.String
}
