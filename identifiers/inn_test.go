package identifiers

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestINN(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr string // empty means valid
	}{
		{name: "Sberbank's ten-digit INN is valid", in: "7707083893"},
		{name: "Yandex's ten-digit INN is valid", in: "7736207543"},
		{name: "a well-known twelve-digit individual INN is valid", in: "500100732259"},
		{name: "a wrong company check digit is reported with the expected one", in: "7707083894", wantErr: `INN "7707083894": check digit is 4, expected 3`},
		{name: "a wrong first individual check digit is reported", in: "500100732269", wantErr: `INN "500100732269": first check digit (11th digit) is 6, expected 5`},
		{name: "a wrong second individual check digit is reported", in: "500100732258", wantErr: `INN "500100732258": second check digit (12th digit) is 8, expected 9`},
		{name: "an empty INN is rejected", in: "", wantErr: `INN is empty`},
		{name: "a nine-digit INN is too short", in: "770708389", wantErr: `INN "770708389": must be 10 digits (legal entity) or 12 digits (individual or individual entrepreneur), got 9`},
		{name: "an eleven-digit INN is neither kind", in: "77070838930", wantErr: `INN "77070838930": must be 10 digits (legal entity) or 12 digits (individual or individual entrepreneur), got 11`},
		{name: "a thirteen-digit INN is too long", in: "5001007322590", wantErr: `INN "5001007322590": must be 10 digits (legal entity) or 12 digits (individual or individual entrepreneur), got 13`},
		{name: "a letter is reported with its position", in: "77O7083893", wantErr: `INN "77O7083893": must contain only digits, found 'O' at position 3`},
		{name: "spaces are not stripped automatically", in: "7707 083 893", wantErr: `INN "7707 083 893": must contain only digits, found ' ' at position 5`},
		{name: "a leading minus sign is not a digit", in: "-7707083893", wantErr: `INN "-7707083893": must contain only digits, found '-' at position 1`},
		{name: "non-ASCII digits are rejected", in: "٧707083893", wantErr: `INN "٧707083893": must contain only digits, found '٧' at position 1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := INN(tt.in)
			if tt.wantErr == "" {
				require.NoError(t, err)
				require.True(t, refINN(tt.in), "reference implementation disagrees")
				return
			}
			require.EqualError(t, err, tt.wantErr)
			require.False(t, refINN(tt.in), "reference implementation disagrees")
		})
	}
}

func TestINNRejectsEveryWrongCheckDigit(t *testing.T) {
	tests := []struct {
		name  string
		valid string
		index int
		label string
	}{
		{"company INN with a wrong check digit", "7707083893", 9, "check digit"},
		{"individual INN with a wrong first check digit", "500100732259", 10, "first check digit (11th digit)"},
		{"individual INN with a wrong second check digit", "500100732259", 11, "second check digit (12th digit)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NoError(t, INN(tt.valid))
			correct := int(tt.valid[tt.index] - '0')
			for d := range 10 {
				if d == correct {
					continue
				}
				in := withDigit(tt.valid, tt.index, d)
				want := fmt.Sprintf("INN %q: %s is %d, expected %d", in, tt.label, d, correct)
				require.EqualError(t, INN(in), want)
			}
		})
	}
}

func TestINNAgreesWithReferenceOnEveryLastDigit(t *testing.T) {
	for _, prefix := range []string{"770708389", "773620754", "50010073225", "00000000000", "99999999999"} {
		for d := range 10 {
			in := fmt.Sprintf("%s%d", prefix, d)
			require.Equal(t, refINN(in), INN(in) == nil, in)
		}
	}
}
