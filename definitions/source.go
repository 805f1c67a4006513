package definitions

import (
	"encoding/json"
	"errors"
	"fmt"
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
	file, err := parser.ParseBytes(src, 0, parser.AllowDuplicateMapKey())
	if err != nil {
		return nil, Problems{syntaxProblem(err)}
	}
	s := &source{values: map[string]Pos{}, keys: map[string]Pos{}, strings: map[string]*token.Token{}}
	d := decoder{src: s, anchors: map[string]any{}}
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
		s.root = d.value(docs[0], "")
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
	return Problem{Line: pos.Line, Column: pos.Column, Path: ptr, Message: fmt.Sprintf(format, args...)}
}

type decoder struct {
	src     *source
	anchors map[string]any
}

func (d *decoder) value(n ast.Node, ptr string) any {
	d.src.values[ptr] = posOf(n)
	switch n := n.(type) {
	case *ast.MappingNode:
		return d.mapping(n.Values, ptr)
	case *ast.MappingValueNode:
		return d.mapping([]*ast.MappingValueNode{n}, ptr)
	case *ast.SequenceNode:
		items := make([]any, len(n.Values))
		for i, item := range n.Values {
			items[i] = d.value(item, ptr+"/"+strconv.Itoa(i))
		}
		return items
	case *ast.AnchorNode:
		v := d.value(n.Value, ptr)
		d.anchors[n.Name.GetToken().Value] = v
		return v
	case *ast.AliasNode:
		name := n.Value.GetToken().Value
		v, ok := d.anchors[name]
		if !ok {
			d.src.problems = append(d.src.problems, d.src.problem(posOf(n), ptr, "unknown alias *%s", name))
		}
		return v
	case *ast.TagNode:
		return d.value(n.Value, ptr)
	case *ast.StringNode:
		d.src.strings[ptr] = n.Token
		return n.Value
	case *ast.LiteralNode:
		return n.Value.Value
	case *ast.IntegerNode:
		return json.Number(fmt.Sprint(n.Value))
	case *ast.FloatNode:
		return json.Number(strconv.FormatFloat(n.Value, 'g', -1, 64))
	case *ast.BoolNode:
		return n.Value
	case *ast.NullNode:
		return nil
	default:
		// Infinity, NaN, merge keys: no JSON value matches them.
		d.src.problems = append(d.src.problems, d.src.problem(posOf(n), ptr, "unsupported YAML value %q", n.String()))
		return nil
	}
}

func (d *decoder) mapping(pairs []*ast.MappingValueNode, ptr string) map[string]any {
	obj := make(map[string]any, len(pairs))
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
		obj[key] = d.value(pair.Value, child)
	}
	return obj
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
	if tok.Type == token.StringType || !strings.ContainsAny(tok.Origin, `\'`) {
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
