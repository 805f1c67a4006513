package definitions

import (
	"errors"
	"testing"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/builtin"
	"github.com/stretchr/testify/require"
)

// A builtin a later expr adds is refused until someone gives it a cost.
func TestEveryBuiltinOfExprIsAllowedWithACostOrRefusedWithAReason(t *testing.T) {
	for _, f := range builtin.Builtins {
		_, allowed := allowedBuiltins[f.Name]
		_, refused := refusedBuiltins[f.Name]
		require.True(t, allowed != refused, "builtin %s: allowed %v, refused %v", f.Name, allowed, refused)
	}
}

// The cost check should leave nothing for expr's memory budget to stop;
// this program was compiled without it.
func TestTheMemoryBudgetStopsWhatTheCostCheckMissed(t *testing.T) {
	const src = `len(map(1..1000, {1..1000})) > 0`
	prog, err := expr.Compile(src, expr.AsBool())
	require.NoError(t, err)
	r := &Runtime{
		Plan:  &Plan{Stages: map[string]StagePlan{"a": {Transitions: []TransitionPlan{{When: src, To: "b"}, {To: "b"}}}}},
		progs: map[exprKey]compiled{{"a", src}: {prog: prog}},
	}
	_, err = r.Choose("a", nil, Scope{})
	require.True(t, errors.Is(err, ErrExpression), "%v", err)
	require.Contains(t, err.Error(), "memory budget exceeded")
}
