package services_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/store"
)

func TestCharacteristicValuesAreTypeChecked(t *testing.T) {
	svc, ctx, user := orgServices(t)
	root, ivan := user("root"), user("ivan")
	for _, c := range []store.Characteristic{
		{ID: "tier", Name: "Tier", Type: store.CharEnum, Values: []string{"gold", "silver"}},
		{ID: "size", Name: "Size", Type: store.CharNumber},
		{ID: "since", Name: "Since", Type: store.CharDate},
		{ID: "note", Name: "Note", Type: store.CharString},
	} {
		_, err := svc.CreateCharacteristic(ctx, root, c)
		require.NoError(t, err)
	}
	long := `"` + string(bytes.Repeat([]byte("я"), 1001)) + `"`
	for _, tt := range []struct {
		char, in, want string
		wantError      string
	}{
		{char: "size", in: `42`, want: `42`},
		{char: "size", in: ` -1.5e3 `, want: `-1.5e3`},
		{char: "size", in: `"42"`, wantError: "must be a JSON number, not a string"},
		{char: "size", in: `1e999`, wantError: "out of range"},
		{char: "size", in: `null`, wantError: "a value is required"},
		{char: "size", in: ``, wantError: "a value is required"},
		{char: "since", in: `"2024-02-29"`, want: `"2024-02-29"`},
		{char: "since", in: `"2023-02-29"`, wantError: `"2023-02-29" is not a date "YYYY-MM-DD"`},
		{char: "since", in: `"29.02.2024"`, wantError: `is not a date "YYYY-MM-DD"`},
		{char: "since", in: `20240229`, wantError: "not a number (20240229)"},
		{char: "tier", in: `"gold"`, want: `"gold"`},
		{char: "tier", in: `"bronze"`, wantError: `"bronze" is not one of "gold", "silver"`},
		{char: "tier", in: `["gold"]`, wantError: "not an array"},
		{char: "note", in: `"anything"`, want: `"anything"`},
		{char: "note", in: `true`, wantError: "must be a string, not a boolean"},
		{char: "note", in: long, wantError: "must be at most 1000 characters, got 1001"},
	} {
		before, err := svc.CharacteristicValues(ctx, ivan, "acme")
		require.NoError(t, err)
		got, err := svc.SetCharacteristicValue(ctx, ivan, "acme", tt.char, json.RawMessage(tt.in))
		if tt.wantError != "" {
			require.ErrorIs(t, err, refusal.ErrInvalid, tt.in)
			fields := refusal.Fields(err)
			require.Len(t, fields, 1, tt.in)
			require.Equal(t, "/value", fields[0].Path)
			require.Contains(t, fields[0].Message, tt.wantError, tt.in)
			after, err := svc.CharacteristicValues(ctx, ivan, "acme")
			require.NoError(t, err)
			require.Equal(t, before, after, "a refused value changes nothing: %s", tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		require.Equal(t, tt.want, string(got))
		values, err := svc.CharacteristicValues(ctx, ivan, "acme")
		require.NoError(t, err)
		require.JSONEq(t, tt.want, string(values[tt.char]), "stored as returned")
	}
}
