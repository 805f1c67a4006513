package definitions

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"
)

// exprResult is what an expression must evaluate to, by its place in the DSL.
type exprResult int

const (
	resultBool   exprResult = iota // transition `when`
	resultTime                     // `plannedStart`
	resultString                   // `{expr}` assignee: a login
)

func (r exprResult) String() string {
	return [...]string{"true or false", "a time", "a login (string)"}[r]
}

// compileExpr compiles src against an environment of type env. `now` is a
// value of the environment (workflow time at run time), so the built-in
// clock function is switched off: a replayed workflow must see the same time.
func compileExpr(src string, env reflect.Type, want exprResult) (*vm.Program, error) {
	opts := []expr.Option{expr.Env(reflect.New(env).Elem().Interface()), expr.DisableBuiltin("now")}
	switch want {
	case resultBool:
		opts = append(opts, expr.AsBool())
	case resultString:
		opts = append(opts, expr.AsKind(reflect.String))
	}
	prog, err := expr.Compile(src, opts...)
	if err != nil {
		return nil, err
	}
	if want == resultTime {
		if t := prog.Node().Type(); t != nil && t != timeType && t != anyType {
			return nil, fmt.Errorf("got %s", t)
		}
	}
	return prog, nil
}

// exprProblem turns a compile error into a problem at the expression's place.
func exprProblem(s *source, ptr string, err error, want exprResult, withData bool) Problem {
	var ferr *file.Error
	if !errors.As(err, &ferr) {
		// Result-type errors come without a location: they are about the whole.
		return s.problem(s.at(ptr), ptr, "expression: must give %s: %v", want, err)
	}
	msg := friendlyExprMessage(s, ptr, ferr.Message, ferr.Column, withData)
	pos, exact := s.within(ptr, ferr.Line, ferr.Column+1)
	if !exact && ferr.Line > 0 {
		return s.problem(pos, ptr, "expression: %s (at line %d, column %d of the expression)", msg, ferr.Line, ferr.Column+1)
	}
	return s.problem(pos, ptr, "expression: %s", msg)
}

var noField = regexp.MustCompile(`^type .* has no field (\S+)$`)

// friendlyExprMessage rewrites expr's messages that name the generated Go
// types, or that a newcomer to the DSL would misread, into the DSL's terms.
func friendlyExprMessage(s *source, ptr, msg string, col int, withData bool) string {
	src, _ := s.stringAt(ptr)
	switch {
	case noField.MatchString(msg):
		owner := ownerBefore(src, col)
		if owner == "" {
			owner = "this value"
		}
		return `unknown field "` + noField.FindStringSubmatch(msg)[1] + `" in ` + owner
	case msg == "unknown name data" && !withData:
		return "unknown name data: only a transition's expressions see the completion data; " +
			"this one is evaluated when the stage is entered"
	case strings.HasSuffix(msg, "is not callable") && strings.Contains(src, "now("):
		return "now is a value, the process's current time: write now, not now()"
	}
	return msg
}

// ownerBefore reads the member chain ending just before column col
// ("data.result" for the field after "data.result.").
func ownerBefore(src string, col int) string {
	r := []rune(src)
	end := min(col, len(r))
	if end > 0 && r[end-1] == '.' {
		end--
	}
	start := end
	for start > 0 && (r[start-1] == '.' || r[start-1] == '_' || isAlnum(r[start-1])) {
		start--
	}
	return string(r[start:end])
}

func isAlnum(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}
