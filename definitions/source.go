package definitions

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// Pos is a 1-based line and column in the YAML source.
type Pos struct{ Line, Column int }

// source is a YAML document turned into JSON-like values (map[string]any,
// []any, string, json.Number, bool, nil) that JSON Schema can check, with the
// position of every value and key kept aside by JSON pointer. Later checks work
// on plain values and ask the source where a pointer stood.
type source struct {
	root   any
	values map[string]Pos // pointer -> where the value starts
	keys   map[string]Pos // pointer -> where the key naming it starts
	// strings keeps the token of each string scalar, so a position inside an
	// expression can be mapped to its line and column in the file.
	strings map[string]*token.Token
	// problems found while decoding: duplicate keys, non-string keys.
	problems Problems
}

// parseSource reads YAML. A syntax error stops parsing (nothing after it can be
// trusted), so it comes back as the only problem.
func parseSource(src []byte) (*source, Problems) {
	if p := checkBounds(src); p != nil {
		return nil, Problems{*p}
	}
	file, err := parser.ParseBytes(src, 0, parser.AllowDuplicateMapKey())
	if err != nil {
		return nil, Problems{syntaxProblem(err)}
	}
	s := &source{values: map[string]Pos{}, keys: map[string]Pos{}, strings: map[string]*token.Token{}}
	d := decoder{src: s, anchors: map[string]anchored{}}
	var docs []ast.Node
	for _, doc := range file.Docs {
		if doc.Body != nil {
			docs = append(docs, doc.Body)
		}
	}
	switch len(docs) {
	case 0:
		return nil, Problems{{Line: 1, Column: 1, Path: "", Message: "the definition is empty"}}
	case 1:
		s.root, _ = d.value(docs[0], "", 0)
	default:
		p := posOf(docs[1])
		return nil, Problems{{Line: p.Line, Column: p.Column, Message: "a file holds one definition: found a second YAML document"}}
	}
	return s, s.problems
}

func syntaxProblem(err error) Problem {
	var yerr yaml.Error
	if errors.As(err, &yerr) && yerr.GetToken() != nil {
		p := yerr.GetToken().Position
		return Problem{Line: p.Line, Column: p.Column, Message: "YAML syntax: " + yerr.GetMessage()}
	}
	return Problem{Line: 1, Column: 1, Message: "YAML syntax: " + err.Error()}
}

// at is where the value at ptr stands, or its nearest ancestor that has a
// position (a missing key is reported at the object that lacks it).
func (s *source) at(ptr string) Pos {
	for {
		if p, ok := s.values[ptr]; ok {
			return p
		}
		if ptr == "" {
			return Pos{1, 1}
		}
		ptr = ptr[:strings.LastIndexByte(ptr, '/')]
	}
}

// keyAt is where the key naming ptr stands; for array items and the root it
// is the value's position.
func (s *source) keyAt(ptr string) Pos {
	if p, ok := s.keys[ptr]; ok {
		return p
	}
	return s.at(ptr)
}

func (s *source) problem(pos Pos, ptr, format string, args ...any) Problem {
	p := Problem{Line: pos.Line, Column: pos.Column, Path: ptr, Message: fmt.Sprintf(format, args...)}
	if ru := russian.Sprintf(format, args...); ru != p.Message {
		p.Translations = map[string]string{"ru": ru}
	}
	return p
}

// decoder turns the YAML tree into plain values. The parser keeps an alias
// as a reference, but the values it gives share the anchored value, so every
// later step (the schema check, the plan's JSON) walks it once per alias: ten
// levels of ten aliases are 10^10 values from 750 bytes. So the decoder counts
// what aliases expand to against maxNodes, and their depth against maxDepth.
type decoder struct {
	src     *source
	anchors map[string]anchored
	nodes   int  // values decoded so far, aliases counted expanded
	full    bool // maxNodes reached: the rest is not decoded
}

type anchored struct {
	v      any
	nodes  int // values in v
	height int // collections nested in v, itself included
}

// value decodes n, which depth collections enclose, and gives its height.
func (d *decoder) value(n ast.Node, ptr string, depth int) (any, int) {
	if d.full {
		return nil, 0
	}
	d.src.values[ptr] = posOf(n)
	switch n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode, *ast.SequenceNode:
		if depth+1 > maxDepth {
			d.refuse(n, ptr, "the YAML nests deeper than %d levels here", maxDepth)
			return nil, 0
		}
	}
	if d.nodes++; d.nodes > maxNodes {
		d.refuse(n, ptr, "the definition holds more than %d YAML values", maxNodes)
		return nil, 0
	}
	switch n := n.(type) {
	case *ast.MappingNode:
		return d.mapping(n.Values, ptr, depth)
	case *ast.MappingValueNode:
		return d.mapping([]*ast.MappingValueNode{n}, ptr, depth)
	case *ast.SequenceNode:
		items, height := make([]any, len(n.Values)), 0
		for i, item := range n.Values {
			var h int
			items[i], h = d.value(item, ptr+"/"+strconv.Itoa(i), depth+1)
			height = max(height, h)
		}
		return items, height + 1
	case *ast.AnchorNode:
		d.nodes-- // the anchor itself is no value
		before := d.nodes
		v, height := d.value(n.Value, ptr, depth)
		d.anchors[n.Name.GetToken().Value] = anchored{v: v, nodes: d.nodes - before, height: height}
		return v, height
	case *ast.AliasNode:
		d.nodes--
		name := n.Value.GetToken().Value
		a, ok := d.anchors[name]
		switch {
		case !ok:
			d.src.problems = append(d.src.problems, d.src.problem(posOf(n), ptr, "unknown alias *%s", name))
		case depth+a.height > maxDepth:
			d.refuse(n, ptr, "alias *%s nests the definition deeper than %d levels", name, maxDepth)
		case d.nodes+a.nodes > maxNodes:
			d.refuse(n, ptr, "alias *%s expands the definition beyond %d YAML values", name, maxNodes)
		default:
			d.nodes += a.nodes
			return a.v, a.height
		}
		return nil, 0
	case *ast.TagNode:
		d.nodes--
		return d.value(n.Value, ptr, depth)
	case *ast.StringNode:
		d.src.strings[ptr] = n.Token
		return n.Value, 0
	case *ast.LiteralNode:
		return n.Value.Value, 0
	case *ast.IntegerNode:
		return json.Number(fmt.Sprint(n.Value)), 0
	case *ast.FloatNode:
		if math.IsInf(n.Value, 0) || math.IsNaN(n.Value) {
			break // 1e999: no JSON number holds it
		}
		return json.Number(strconv.FormatFloat(n.Value, 'g', -1, 64)), 0
	case *ast.BoolNode:
		return n.Value, 0
	case *ast.NullNode:
		return nil, 0
	}
	// Infinity, NaN, merge keys: no JSON value matches them.
	d.src.problems = append(d.src.problems, d.src.problem(posOf(n), ptr, "unsupported YAML value %q", n.String()))
	return nil, 0
}

// refuse reports a limit reached and stops decoding: what follows would only
// repeat it.
func (d *decoder) refuse(n ast.Node, ptr, format string, args ...any) {
	d.src.problems = append(d.src.problems, d.src.problem(posOf(n), ptr, format, args...))
	d.full = true
}

func (d *decoder) mapping(pairs []*ast.MappingValueNode, ptr string, depth int) (map[string]any, int) {
	obj, height := make(map[string]any, len(pairs)), 0
	for _, pair := range pairs {
		key, ok := scalarKey(pair.Key)
		kpos := posOf(pair.Key)
		if !ok {
			d.src.problems = append(d.src.problems, d.src.problem(kpos, ptr, "a key must be a plain string, not %s", pair.Key.String()))
			continue
		}
		child := ptr + "/" + escapePointer(key)
		if _, dup := obj[key]; dup {
			first := d.src.keys[child]
			d.src.problems = append(d.src.problems, d.src.problem(kpos, child,
				"duplicate key %q (first at line %d, column %d)", key, first.Line, first.Column))
			continue
		}
		d.src.keys[child] = kpos
		var h int
		obj[key], h = d.value(pair.Value, child, depth+1)
		height = max(height, h)
	}
	return obj, height + 1
}

func scalarKey(k ast.MapKeyNode) (string, bool) {
	switch k := k.(type) {
	case *ast.StringNode:
		return k.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode:
		return k.GetToken().Value, true
	}
	return "", false
}

func posOf(n ast.Node) Pos {
	tok := n.GetToken()
	// Collections report their first inner token; a key-value pair its ':'.
	switch n := n.(type) {
	case *ast.MappingValueNode:
		tok = n.Key.GetToken()
	case *ast.MappingNode:
		if n.IsFlowStyle {
			tok = n.Start
		} else if len(n.Values) > 0 {
			tok = n.Values[0].Key.GetToken()
		}
	case *ast.SequenceNode:
		tok = n.Start
	}
	if tok == nil {
		return Pos{1, 1}
	}
	return tokenPos(tok)
}

func tokenPos(t *token.Token) Pos { return Pos{t.Position.Line, t.Position.Column} }

// escapePointer escapes one JSON pointer token (RFC 6901).
func escapePointer(s string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}

// within is the position of the character at (line, col) of the string value
// at ptr, both 1-based within the string. It is exact for strings written on
// one line, plain or quoted; for other forms it falls back to where the value
// starts, and the caller says where inside it.
func (s *source) within(ptr string, line, col int) (Pos, bool) {
	tok := s.strings[ptr]
	if tok == nil || line != 1 || strings.ContainsRune(strings.TrimSpace(tok.Origin), '\n') {
		return s.at(ptr), false
	}
	p := tokenPos(tok)
	switch tok.Type {
	case token.DoubleQuoteType, token.SingleQuoteType:
		p.Column++ // the opening quote
	case token.StringType:
	default:
		return s.at(ptr), false
	}
	// Escapes make the source longer than the string: \" in double quotes,
	// '' in single ones.
	inner := strings.TrimSpace(tok.Origin)
	if len(inner) >= 2 && tok.Type != token.StringType {
		inner = inner[1 : len(inner)-1]
	}
	escaped := tok.Type == token.DoubleQuoteType && strings.Contains(inner, `\`) ||
		tok.Type == token.SingleQuoteType && strings.Contains(inner, "''")
	if !escaped {
		p.Column += col - 1
		return p, true
	}
	return s.at(ptr), false
}

func (s *source) stringAt(ptr string) (string, bool) {
	tok := s.strings[ptr]
	if tok == nil {
		return "", false
	}
	return tok.Value, true
}

// Locate is where the value at ptr stands in src, a definition that
// compiles, for a problem found outside this package (its id taken
// already); 1:1 when src does not parse.
func Locate(src []byte, ptr string) Pos {
	s, _ := parseSource(src)
	if s == nil {
		return Pos{1, 1}
	}
	return s.at(ptr)
}
