package web

import (
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/definitions"
)

// A completion the stage's form refuses reads in the user's language
// beside its field: the refusal carries its Russian wording from the
// validator, across the workflow.
func TestAFormsRefusalReadsInTheUsersLanguage(t *testing.T) {
	src, err := os.ReadFile("../examples/sales-conveyor.yaml")
	require.NoError(t, err)
	plan, err := definitions.Compile(src)
	require.NoError(t, err)
	rt, err := definitions.NewRuntime(plan)
	require.NoError(t, err)
	err = rt.CheckData("deal", json.RawMessage(`{"result":"lost","amount":-5}`))
	var de definitions.DataError
	require.True(t, errors.As(err, &de), "%v", err)
	require.Len(t, de, 1)
	require.Equal(t, "/amount", de[0].Path)
	require.Equal(t, "-5 is too little: at least 0", fieldText("en", de[0]))
	require.Equal(t, "-5 — слишком мало: не меньше 0", fieldText("ru", de[0]))

	err = rt.CheckData("deal", json.RawMessage(`{}`))
	require.True(t, errors.As(err, &de))
	require.Equal(t, "не заполнено поле 'result'", fieldText("ru", de[0]))
}
