package definitions

import (
	"errors"
	"fmt"
)

// Limits on a definition's YAML source. The parser's memory grows with the
// square of the nesting depth (20,000 open brackets take 640 MB) and by about
// a kilobyte a token, so both are bounded before it sees the bytes; the
// decoder then bounds what aliases expand to (source.go).
const (
	// MaxDefinitionBytes is the largest definition accepted, checked first;
	// an HTTP handler may cap request bodies at the same size.
	MaxDefinitionBytes = 2 << 20
	// maxDepth is how deeply collections may nest. The deepest part of a
	// real definition, a form schema, needs about 2 levels an object.
	maxDepth = 64
	// maxNodes bounds the YAML values of a definition, after aliases are
	// expanded, and (roughly, as tokens) what the parser is given.
	maxNodes = 100_000
	// maxOpen backs up the depth scan: brackets are counted here even inside
	// quotes and comments, so a misread quote cannot hide deep nesting from
	// the parser. No real definition holds a thousand unclosed brackets.
	maxOpen = 1000
)

// checkBounds looks at the raw bytes before anything parses them: their size,
// how deeply they nest and how many tokens they hold. It gives the first limit
// exceeded, or nil.
// ErrTooLarge is the Cause of the problem of a definition over
// MaxDefinitionBytes.
var ErrTooLarge = errors.New("a definition over 2 MiB")

func checkBounds(src []byte) *Problem {
	if len(src) > MaxDefinitionBytes {
		return &Problem{Line: 1, Column: 1, Cause: ErrTooLarge, Message: fmt.Sprintf(
			"the definition is %d bytes: at most %d (2 MiB) are allowed", len(src), MaxDefinitionBytes)}
	}
	sc := depthScan{stack: make([]int, 0, 16), pending: -1, owner: -1, blockParent: -1}
	for line, start := 1, 0; start <= len(src); line++ {
		end := start
		for end < len(src) && src[end] != '\n' {
			end++
		}
		if p := sc.line(src[start:end], line); p != nil {
			return p
		}
		start = end + 1
	}
	return nil
}

// depthScan reads YAML line by line well enough to count nesting: block
// collections by indentation (and each `- ` or `? ` that opens one inside a
// line), flow collections by brackets, skipping quoted scalars, comments and
// block scalars (| and >), which the parser reads as text. It may count a
// level more than the parser builds (a scalar after `- `), never fewer
// except for odd uses of quotes, which maxOpen and the decoder's own depth
// check catch.
type depthScan struct {
	stack []int // columns (0-based) of the open block collections
	// pending is the indentation of this line, where a block collection
	// opens once a `- ` or a `key:` shows the line holds one (-1: none).
	pending int
	flow    int  // open [ and {
	quote   byte // the quote of a quoted scalar going on to the next line
	// plain says a plain scalar ended the last line; a line indented beyond
	// owner, the column of the collection around the one holding it, may go
	// on with it, and there a quote or a bracket is text.
	plain bool
	owner int
	// A block scalar being skipped: its lines are indented beyond
	// blockParent, by at least blockIndent once known (-1: not yet).
	inBlock                  bool
	blockParent, blockIndent int
	blockDigit               int // explicit indentation indicator, 0 if none
	open                     int // brackets open, counted everywhere
	tokens                   int
}

func (s *depthScan) line(b []byte, line int) *Problem {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	if p := s.structure(b, line); p != nil {
		return p
	}
	return s.raw(b, line)
}

func (s *depthScan) structure(b []byte, line int) *Problem {
	s.pending = -1
	indent := 0
	for indent < len(b) && b[indent] == ' ' {
		indent++
	}
	blank := indent == len(b)
	i := 0
	if s.quote != 0 {
		j, closed := skipQuoted(b, 0, s.quote)
		if !closed {
			return nil
		}
		s.quote, i = 0, j
		return s.rest(b, i, line, false)
	}
	if s.inBlock {
		if blank {
			return nil
		}
		if s.blockIndent < 0 && indent > s.blockParent {
			s.blockIndent = max(indent, s.blockParent+s.blockDigit)
		}
		if s.blockIndent >= 0 && indent >= s.blockIndent {
			return nil
		}
		s.inBlock = false
	}
	if blank {
		return nil
	}
	if b[indent] == '#' {
		s.plain = false
		return nil
	}
	if line == 1 && len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		i = 3 // byte order mark
	}
	if b[0] == '%' {
		return nil // a directive
	}
	if isDocumentMarker(b) {
		s.stack, s.flow, s.plain = s.stack[:0], 0, false
		return s.rest(b, 3, line, true)
	}
	if s.flow > 0 {
		return s.rest(b, indent, line, !s.plain)
	}
	if s.plain && indent > s.owner {
		return s.rest(b, indent, line, false) // a plain scalar goes on
	}
	s.plain = false
	for s.top(0) >= indent {
		s.stack = s.stack[:len(s.stack)-1]
	}
	s.pending = indent
	return s.rest(b, max(i, indent), line, true)
}

// rest scans a line from i; node says a value may start there.
func (s *depthScan) rest(b []byte, i, line int, node bool) *Problem {
	for i < len(b) {
		c := b[i]
		switch {
		case c == ' ' || c == '\t':
			i++
			continue
		case c == '#' && (i == 0 || b[i-1] == ' ' || b[i-1] == '\t'):
			return nil
		case node && (c == '\'' || c == '"'):
			j, closed := skipQuoted(b, i+1, c)
			if !closed {
				s.quote = c
				return nil
			}
			i, node, s.plain = j, false, false
			// `"key": value` and {"key":value}: a value may follow the colon.
			if i < len(b) && b[i] == ':' {
				if p := s.key(line); p != nil {
					return p
				}
				i, node = i+1, true
			}
			continue
		case c == '[' || c == '{':
			if s.flow == 0 && !node {
				break // text inside a plain scalar
			}
			s.flow++
			if p := s.check(line, i); p != nil {
				return p
			}
			i, node, s.plain = i+1, true, false
			continue
		case (c == ']' || c == '}') && s.flow > 0:
			s.flow--
			i, node, s.plain = i+1, false, false
			continue
		case c == ',' && s.flow > 0:
			i, node, s.plain = i+1, true, false
			continue
		case (c == '-' || c == '?') && node && s.flow == 0 && spaceAt(b, i+1):
			// A block sequence entry or complex key: what follows on this
			// line is one level deeper.
			j := i + 1
			for j < len(b) && b[j] == ' ' {
				j++
			}
			if p := s.key(line); p != nil {
				return p
			}
			if p := s.push(j, line); p != nil {
				return p
			}
			i = j
			continue
		case c == ':' && (spaceAt(b, i+1) || s.flow > 0):
			if p := s.key(line); p != nil {
				return p
			}
			i, node, s.plain = i+1, true, false
			continue
		case (c == '|' || c == '>') && node && s.flow == 0:
			if digit, ok := blockHeader(b[i+1:]); ok {
				// Its lines are indented beyond the key, or the dash of `- |`.
				s.inBlock, s.blockIndent, s.blockDigit = true, -1, digit
				s.blockParent = s.top(0)
				if s.blockParent == i {
					s.blockParent = s.top(1)
				}
				return nil
			}
		case (c == '&' || c == '!') && node:
			// An anchor or a tag: the node follows it.
			for i < len(b) && b[i] != ' ' {
				i++
			}
			continue
		}
		// Text of a plain scalar (or an alias).
		if node {
			s.plain, s.owner = true, s.top(1)
		}
		node = false
		i++
	}
	return nil
}

// top is the column of the block collection n levels below the innermost,
// or -1.
func (s *depthScan) top(n int) int {
	if len(s.stack) <= n {
		return -1
	}
	return s.stack[len(s.stack)-1-n]
}

// key opens the block collection the line's indentation stands for, once
// the line shows it holds one.
func (s *depthScan) key(line int) *Problem {
	if s.flow > 0 || s.pending < 0 {
		return nil
	}
	col := s.pending
	s.pending = -1
	return s.push(col, line)
}

// push opens a block collection at column col of line.
func (s *depthScan) push(col, line int) *Problem {
	if s.top(0) >= col {
		return nil
	}
	s.stack = append(s.stack, col)
	return s.check(line, col)
}

func (s *depthScan) check(line, col int) *Problem {
	if len(s.stack)+s.flow > maxDepth {
		return &Problem{Line: line, Column: col + 1, Message: fmt.Sprintf(
			"the YAML nests deeper than %d levels here", maxDepth)}
	}
	return nil
}

// raw counts, on every byte whatever it means, brackets still open and
// punctuation that becomes a token, so the parser is never handed work that
// grows without bound even where the depth scan misreads the text.
func (s *depthScan) raw(b []byte, line int) *Problem {
	s.tokens++ // a line holds a scalar, a comment or nothing
	dashes := 0
	for i, c := range b {
		switch c {
		case '[', '{':
			s.open++
		case ']', '}':
			s.open = max(s.open-1, 0)
		case ',':
		case '-', '?', ':':
			if !spaceAt(b, i+1) {
				continue
			}
			if c != ':' && (i == 0 || b[i-1] == ' ') {
				dashes++
			}
		default:
			continue
		}
		s.tokens++
		if s.open+dashes > maxOpen {
			return &Problem{Line: line, Column: i + 1, Message: fmt.Sprintf(
				"the YAML nests too deeply: more than %d brackets and dashes are open here, counting those inside strings", maxOpen)}
		}
		if s.tokens > maxNodes {
			return &Problem{Line: line, Column: i + 1, Message: fmt.Sprintf(
				"the definition is too large: more than %d YAML tokens (keys, values, brackets, commas)", maxNodes)}
		}
	}
	return nil
}

// skipQuoted finds the end of a quoted scalar whose text starts at b[i]: the
// index after its closing quote, or false when it goes on past the line.
func skipQuoted(b []byte, i int, q byte) (int, bool) {
	for i < len(b) {
		switch {
		case q == '"' && b[i] == '\\':
			i += 2
		case b[i] == q && q == '\'' && i+1 < len(b) && b[i+1] == '\'':
			i += 2 // '' is a quote inside single quotes
		case b[i] == q:
			return i + 1, true
		default:
			i++
		}
	}
	return i, false
}

// blockHeader reads what follows | or >: indentation and chomping indicators,
// then nothing but a comment. It gives the explicit indentation, if any.
func blockHeader(b []byte) (digit int, ok bool) {
	i := 0
	for i < len(b) && i < 2 && (b[i] == '+' || b[i] == '-' || b[i] >= '1' && b[i] <= '9') {
		if b[i] >= '1' && b[i] <= '9' {
			digit = int(b[i] - '0')
		}
		i++
	}
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	return digit, i == len(b) || (b[i] == '#' && i > 0 && b[i-1] == ' ')
}

func spaceAt(b []byte, i int) bool { return i >= len(b) || b[i] == ' ' || b[i] == '\t' }

func isDocumentMarker(b []byte) bool {
	if len(b) < 3 || (string(b[:3]) != "---" && string(b[:3]) != "...") {
		return false
	}
	return spaceAt(b, 3)
}
