package identifiers

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestKPP(t *testing.T) {
	const format = "must be 9 characters: 4 digits, 2 digits or capital Latin letters, 3 digits"
	tests := []struct {
		name    string
		in      string
		wantErr string
	}{
		{name: "Sberbank's KPP is valid", in: "773601001"},
		{name: "a KPP with a letter reason code is valid", in: "7707AB001"},
		{name: "a KPP mixing a digit and a letter in the reason code is valid", in: "77070Z001"},
		{name: "an empty KPP is rejected", in: "", wantErr: `KPP is empty`},
		{name: "an eight-character KPP is too short", in: "77360100", wantErr: `KPP "77360100": ` + format + `; got 8 characters`},
		{name: "a ten-character KPP is too long", in: "7736010011", wantErr: `KPP "7736010011": ` + format + `; got 10 characters`},
		{name: "a letter in the tax office code is rejected", in: "77A601001", wantErr: `KPP "77A601001": characters 1-4 (tax office code) must be digits, found 'A' at position 3`},
		{name: "a lower-case letter in the reason code is rejected", in: "7736ab001", wantErr: `KPP "7736ab001": characters 5-6 (reason code) must be digits or capital Latin letters A-Z, found 'a' at position 5`},
		{name: "a Cyrillic letter in the reason code is rejected", in: "77360А001", wantErr: `KPP "77360А001": characters 5-6 (reason code) must be digits or capital Latin letters A-Z, found 'А' at position 6`},
		{name: "a letter in the serial number is rejected", in: "7736010O1", wantErr: `KPP "7736010O1": characters 7-9 (serial number) must be digits, found 'O' at position 8`},
		{name: "a space is rejected", in: "7736 01 001", wantErr: `KPP "7736 01 001": characters 5-6 (reason code) must be digits or capital Latin letters A-Z, found ' ' at position 5`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := KPP(tt.in)
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.EqualError(t, err, tt.wantErr)
		})
	}
}
