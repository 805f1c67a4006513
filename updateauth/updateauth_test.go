package updateauth

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

type request struct {
	ItemID string          `json:"itemId"`
	Data   json.RawMessage `json:"data"`
	By     string          `json:"by"`
}

func TestASignatureHoldsOnlyForItsWorkflowUpdateAndArguments(t *testing.T) {
	key := RandomKey()
	args := []any{request{ItemID: "p.1", Data: json.RawMessage(`{"a": "<b>"}`), By: "ivan"}}
	sig, err := key.sign("p", "complete", "u1", args)
	require.NoError(t, err)

	// The worker decodes the arguments again: the same values verify.
	raw, err := json.Marshal(args[0])
	require.NoError(t, err)
	var decoded request
	require.NoError(t, json.Unmarshal(raw, &decoded))
	require.NoError(t, key.verify("p", "complete", "u1", []any{decoded}, sig))

	other := RandomKey()
	for name, check := range map[string]func() error{
		"another user": func() error {
			return key.verify("p", "complete", "u1", []any{request{ItemID: "p.1", By: "admin"}}, sig)
		},
		"another workflow": func() error { return key.verify("q", "complete", "u1", args, sig) },
		"another update":   func() error { return key.verify("p", "cancel", "u1", args, sig) },
		"another ID":       func() error { return key.verify("p", "complete", "u2", args, sig) },
		"another key":      func() error { return other.verify("p", "complete", "u1", args, sig) },
		"no signature":     func() error { return key.verify("p", "complete", "u1", args, nil) },
	} {
		require.Error(t, check(), name)
	}
}

func TestAKeyFromConfigurationMustBeLongEnough(t *testing.T) {
	_, err := NewKey("short")
	require.ErrorContains(t, err, "at least 32 bytes")
	_, err = NewKey("0123456789abcdef0123456789abcdef")
	require.NoError(t, err)
	_, err = Key{}.mac("p", "complete", "u", nil)
	require.Error(t, err, "an empty key signs nothing")
}
