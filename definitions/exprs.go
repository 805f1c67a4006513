package definitions

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"

	"github.com/expr-lang/expr"
	exprchecker "github.com/expr-lang/expr/checker"
	"github.com/expr-lang/expr/conf"
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

// compileExpr compiles src against env, refusing what it may cost or use
// (exprcost.go). `now` is a value of the environment (workflow time at run
// time), so the built-in clock function is switched off: a replayed
// workflow must see the same time.
func compileExpr(src string, env exprEnv, want exprResult) (prog *vm.Program, err error) {
	defer func() {
		// expr is not written for hostile input; a panic of its compiler
		// refuses this expression only.
		if r := recover(); r != nil {
			prog, err = nil, &file.Error{Message: fmt.Sprintf("the expression compiler failed: %v", r)}
		}
	}()
	if len(src) > maxExprBytes {
		return nil, &file.Error{Message: fmt.Sprintf("the expression is %d bytes long; at most %d are allowed", len(src), maxExprBytes)}
	}
	opts := []expr.Option{expr.Env(env.types), expr.DisableBuiltin("now"), expr.MaxNodes(maxExprNodes)}
	switch want {
	case resultBool:
		opts = append(opts, expr.AsBool())
	case resultString:
		opts = append(opts, expr.AsKind(reflect.String))
	}
	// The cost check reads the checked tree before the optimizer changes it,
	// so it sees what was written; expr.Compile then checks it once more.
	config := conf.CreateNew()
	for _, opt := range opts {
		opt(config)
	}
	for name := range config.Disabled {
		delete(config.Builtins, name)
	}
	tree, err := exprchecker.ParseCheck(src, config)
	if err != nil {
		return nil, err
	}
	if err := checkCost(tree, env.roots()); err != nil {
		return nil, err
	}
	prog, err = expr.Compile(src, opts...)
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
	prefix := "expression: "
	if errors.Is(err, errTooExpensive) {
		prefix = "expression is too expensive: "
	}
	msg := friendlyExprMessage(s, ptr, ferr.Message, ferr.Column, withData)
	pos, exact := s.within(ptr, max(ferr.Line, 1), ferr.Column+1)
	if !exact && ferr.Line > 0 {
		return s.problem(pos, ptr, "%s%s (at line %d, column %d of the expression)", prefix, msg, ferr.Line, ferr.Column+1)
	}
	return s.problem(pos, ptr, "%s%s", prefix, msg)
}

var noField = regexp.MustCompile(`^(?:type .* has no field|unknown field) (\S+)$`)

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
