package definitions

import (
	"fmt"
	"math"
	"reflect"

	"github.com/expr-lang/expr/ast"
)

// builtinCost bounds a call of an allowed builtin; args are its arguments'
// bounds, walked in order (a predicate's with # bound to an element).
type builtinCost func(w *costWalker, n *ast.BuiltinNode, args []est) est

// allowedBuiltins are the builtins expressions may call, each with what it
// costs. A builtin neither here nor in refusedBuiltins (one a later expr
// adds) is refused until it is given a bound.
var allowedBuiltins = map[string]builtinCost{}

func init() {
	for _, name := range []string{"all", "none", "any", "one", "count", "sum", "findIndex", "findLastIndex"} {
		allowedBuiltins[name] = func(w *costWalker, n *ast.BuiltinNode, args []est) est {
			if len(args) == 1 {
				return scalar(args[0].items) // count(list) and sum(list) go through it too
			}
			return scalar(0)
		}
	}
	for _, name := range []string{"find", "findLast", "first", "last", "get"} {
		allowedBuiltins[name] = func(w *costWalker, n *ast.BuiltinNode, args []est) est { return args[0].element() }
	}
	// Collections made of the elements of the first: they share them.
	for _, name := range []string{"filter", "take", "reverse", "uniq", "sort", "sortBy"} {
		allowedBuiltins[name] = func(w *costWalker, n *ast.BuiltinNode, args []est) est {
			e, elem := args[0], args[0].element()
			e.steps, e.elem, e.schema = e.items*math.Log2(e.items+2), &elem, nil
			return e
		}
	}
	allowedBuiltins["map"] = func(w *costWalker, n *ast.BuiltinNode, args []est) est {
		each := args[1]
		each.steps = 0
		return est{steps: args[0].items, items: args[0].items, bytes: args[0].items * each.bytes, elem: &each, unbounded: each.unbounded}
	}
	allowedBuiltins["groupBy"] = func(w *costWalker, n *ast.BuiltinNode, args []est) est {
		group := args[0]
		elem := group.element()
		group.elem, group.schema, group.steps = &elem, nil, 0
		return est{steps: group.items, items: group.items, bytes: group.bytes + group.items*args[1].bytes, elem: &group}
	}
	allowedBuiltins["reduce"] = func(w *costWalker, n *ast.BuiltinNode, args []est) est {
		// Its accumulator may grow with every item (#acc + #acc doubles a
		// string), so only numbers, booleans and times may be reduced to.
		if !isNumberOrBool(n) && !args[1].fixed {
			w.refuse(n, "reduce may only compute a number, true or false, or a time: a string or list it builds can double with every item")
		}
		return scalar(0)
	}
	for _, name := range []string{"len", "type", "abs", "ceil", "floor", "round", "int", "float",
		"indexOf", "lastIndexOf", "hasPrefix", "hasSuffix", "duration", "bitand", "bitor", "bitxor",
		"bitnand", "bitshl", "bitshr", "bitushr", "bitnot"} {
		allowedBuiltins[name] = func(w *costWalker, n *ast.BuiltinNode, args []est) est {
			return scalar(sumBytes(args) / bytesPerStep)
		}
	}
	for _, name := range []string{"max", "min", "mean", "median"} {
		allowedBuiltins[name] = func(w *costWalker, n *ast.BuiltinNode, args []est) est {
			steps := 0.0
			for _, a := range args {
				steps += a.items * math.Log2(a.items+2)
			}
			return scalar(steps)
		}
	}
	allowedBuiltins["date"] = func(w *costWalker, n *ast.BuiltinNode, args []est) est {
		if len(args) > 2 {
			w.refuse(n, "date with a time zone is not allowed in expressions: %s", refusedBuiltins["timezone"])
		}
		return scalar(sumBytes(args) / bytesPerStep)
	}
	allowedBuiltins["string"] = func(w *costWalker, n *ast.BuiltinNode, args []est) est {
		a := args[0]
		if !isString(n.Arguments[0]) {
			// fmt prints a collection with a few bytes around each element.
			a = est{bytes: 64 + 2*a.bytes + 8*a.items, unbounded: a.unbounded}
		}
		a.steps, a.items, a.elem, a.schema = 0, 0, nil, nil
		return w.built(n, a)
	}
	for _, name := range []string{"trim", "trimPrefix", "trimSuffix", "fromBase64"} {
		allowedBuiltins[name] = func(w *costWalker, n *ast.BuiltinNode, args []est) est {
			return est{steps: sumBytes(args) / bytesPerStep, bytes: args[0].bytes, unbounded: args[0].unbounded}
		}
	}
	for _, name := range []string{"upper", "lower"} {
		// Changing case may turn 2 bytes of UTF-8 into 3.
		allowedBuiltins[name] = func(w *costWalker, n *ast.BuiltinNode, args []est) est {
			return w.built(n, est{bytes: 1.5 * args[0].bytes, unbounded: args[0].unbounded})
		}
	}
	allowedBuiltins["toBase64"] = func(w *costWalker, n *ast.BuiltinNode, args []est) est {
		return w.built(n, est{bytes: args[0].bytes*4/3 + 4, unbounded: args[0].unbounded})
	}
	for _, name := range []string{"split", "splitAfter"} {
		allowedBuiltins[name] = func(w *costWalker, n *ast.BuiltinNode, args []est) est {
			s := args[0]
			items := s.bytes + 1 // an empty separator splits every character
			if sep, ok := n.Arguments[1].(*ast.StringNode); ok && sep.Value != "" {
				items = s.bytes/float64(len(sep.Value)) + 1
			}
			if len(n.Arguments) > 2 {
				if k, ok := intLiteral(n.Arguments[2]); ok && k > 0 {
					items = min(items, float64(k))
				}
			}
			part := est{bytes: s.bytes, unbounded: s.unbounded}
			return est{steps: items + s.bytes/bytesPerStep, bytes: s.bytes, items: items, elem: &part, unbounded: s.unbounded}
		}
	}
	allowedBuiltins["replace"] = func(w *costWalker, n *ast.BuiltinNode, args []est) est {
		s, repl := args[0], args[2]
		times := s.bytes + 1 // an empty old string matches between characters
		if old, ok := n.Arguments[1].(*ast.StringNode); ok && old.Value != "" {
			times = s.bytes / float64(len(old.Value))
		}
		return w.built(n, est{bytes: s.bytes + times*repl.bytes, unbounded: s.unbounded || repl.unbounded})
	}
	allowedBuiltins["join"] = func(w *costWalker, n *ast.BuiltinNode, args []est) est {
		sep := 0.0
		if len(args) > 1 {
			sep = args[1].bytes
		}
		e := est{steps: args[0].items, bytes: args[0].bytes + args[0].items*sep, unbounded: args[0].unbounded}
		return w.built(n, e)
	}
	for _, name := range []string{"keys", "values"} {
		allowedBuiltins[name] = func(w *costWalker, n *ast.BuiltinNode, args []est) est {
			m := args[0]
			part := est{bytes: m.bytes, unbounded: m.unbounded}
			return est{steps: m.items, bytes: m.bytes, items: m.items, elem: &part}
		}
	}
	allowedBuiltins["toPairs"] = func(w *costWalker, n *ast.BuiltinNode, args []est) est {
		m := args[0]
		part := est{bytes: m.bytes, unbounded: m.unbounded}
		pair := est{bytes: m.bytes, items: 2, elem: &part}
		return est{steps: m.items, bytes: m.bytes + 32*m.items, items: m.items, elem: &pair}
	}
	allowedBuiltins["fromPairs"] = func(w *costWalker, n *ast.BuiltinNode, args []est) est {
		l := args[0]
		part := est{bytes: l.bytes, unbounded: l.unbounded}
		return est{steps: l.items, bytes: l.bytes, items: l.items, elem: &part}
	}
	allowedBuiltins["concat"] = func(w *costWalker, n *ast.BuiltinNode, args []est) est {
		var e est
		for i, a := range args {
			elem := a.element()
			if i > 0 {
				elem = join(*e.elem, elem)
			}
			e.elem = &elem
			e.steps += a.items
			e.items += a.items
			e.bytes += a.bytes
		}
		return e
	}
}

// builtin bounds a call of a builtin: its arguments, then what it does
// with them; a predicate runs once for every element of the first.
func (w *costWalker) builtin(n *ast.BuiltinNode) est {
	if why, ok := refusedBuiltins[n.Name]; ok {
		if n.Name == "now" {
			w.refuse(n, "%s", why)
		}
		w.refuse(n, "%s is not allowed in expressions: %s", n.Name, why)
	}
	cost, ok := allowedBuiltins[n.Name]
	if !ok {
		w.refuse(n, "%s is not allowed in expressions", n.Name)
	}
	// Arguments first, then predicates, which run once for every element
	// of the first argument.
	args := make([]est, len(n.Arguments))
	steps := 0.0
	for i, arg := range n.Arguments {
		if _, isPred := arg.(*ast.PredicateNode); !isPred {
			args[i] = w.walk(arg)
			steps += args[i].steps
		}
	}
	for i, arg := range n.Arguments {
		pred, isPred := arg.(*ast.PredicateNode)
		if !isPred {
			continue
		}
		coll := args[0]
		each := w.predicate(n, pred, coll, args, 1)
		args[i] = each
		total := coll.items * (each.steps + 1)
		if elem := coll.element(); elem.bytes > 0 && len(w.preds) < 3 {
			// The elements share the collection's bytes: only so many can be
			// as big as one may be. Costs grow with an element's size, at
			// least linearly, so the most they sum to is that many big ones
			// and the rest empty.
			big := min(coll.items, coll.bytes/elem.bytes)
			empty := w.predicate(n, pred, coll, args, 0)
			total = min(total, big*(each.steps+1)+coll.items*(empty.steps+1))
		}
		if steps+total > maxSteps {
			hint := ""
			if coll.schema != nil && coll.schema["maxItems"] == nil {
				hint = fmt.Sprintf("; a list without maxItems counts as %d items", maxDataItems)
			}
			w.tooExpensive(n, "%s goes through up to %.0f items: about %.0f steps in all, and at most %d are allowed%s",
				n.Name, coll.items, steps+total, maxSteps, hint)
		}
		steps += total
	}
	e := cost(w, n, args)
	e.steps += steps
	return e
}

// predicate bounds one run of pred over an element of coll, scaled by
// size (1: as big as an element may be; 0: empty).
func (w *costWalker) predicate(n *ast.BuiltinNode, pred *ast.PredicateNode, coll est, args []est, size float64) est {
	elem := coll.element()
	if size == 0 {
		elem = est{schema: elem.schema}
	}
	w.preds = append(w.preds, elem)
	defer func() { w.preds = w.preds[:len(w.preds)-1] }()
	if n.Name == "reduce" {
		acc := elem
		if len(args) > 2 {
			acc = join(acc, args[2])
		}
		w.accs = append(w.accs, acc)
		defer func() { w.accs = w.accs[:len(w.accs)-1] }()
	}
	return w.walk(pred.Node)
}

func sumBytes(args []est) float64 {
	b := 0.0
	for _, a := range args {
		b += a.bytes
	}
	return b
}

func isNumberOrBool(n ast.Node) bool {
	t := n.Type()
	if t == nil {
		return false
	}
	k := t.Kind()
	return k == reflect.Bool || k >= reflect.Int && k <= reflect.Float64
}
