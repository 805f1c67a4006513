package identifiers

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestOGRN(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr string
	}{
		{name: "Sberbank's OGRN is valid", in: "1027700132195"},
		{name: "Yandex's OGRN is valid", in: "1027700229193"},
		{name: "a well-known fifteen-digit OGRNIP is valid", in: "304500116000157"},
		{name: "the largest possible OGRNIP does not overflow", in: "999999999999998"},
		{name: "a wrong OGRN check digit is reported with the expected one", in: "1027700132194", wantErr: `OGRN "1027700132194": check digit is 4, expected 5`},
		{name: "a wrong OGRNIP check digit is reported with the expected one", in: "304500116000158", wantErr: `OGRNIP "304500116000158": check digit is 8, expected 7`},
		{name: "an empty OGRN is rejected", in: "", wantErr: `OGRN is empty`},
		{name: "a twelve-digit OGRN is too short", in: "102770013219", wantErr: `OGRN "102770013219": must be 13 digits (OGRN of a legal entity) or 15 digits (OGRNIP of an individual entrepreneur), got 12`},
		{name: "a fourteen-digit value is neither kind", in: "10277001321950", wantErr: `OGRN "10277001321950": must be 13 digits (OGRN of a legal entity) or 15 digits (OGRNIP of an individual entrepreneur), got 14`},
		{name: "a sixteen-digit value is too long", in: "3045001160001570", wantErr: `OGRN "3045001160001570": must be 13 digits (OGRN of a legal entity) or 15 digits (OGRNIP of an individual entrepreneur), got 16`},
		{name: "a letter is reported with its position", in: "10277001321x5", wantErr: `OGRN "10277001321x5": must contain only digits, found 'x' at position 12`},
		{name: "a fifteen-character value is reported as OGRNIP", in: "30450011600015 ", wantErr: `OGRNIP "30450011600015 ": must contain only digits, found ' ' at position 15`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := OGRN(tt.in)
			if tt.wantErr == "" {
				require.NoError(t, err)
				require.True(t, refOGRN(tt.in), "reference implementation disagrees")
				return
			}
			require.EqualError(t, err, tt.wantErr)
			require.False(t, refOGRN(tt.in), "reference implementation disagrees")
		})
	}
}

func TestOGRNRejectsEveryWrongCheckDigit(t *testing.T) {
	for _, valid := range []string{"1027700132195", "1027700229193", "304500116000157"} {
		t.Run(valid+" with any other check digit is rejected", func(t *testing.T) {
			require.NoError(t, OGRN(valid))
			kind := map[int]string{13: "OGRN", 15: "OGRNIP"}[len(valid)]
			last := len(valid) - 1
			correct := int(valid[last] - '0')
			for d := range 10 {
				if d == correct {
					continue
				}
				in := withDigit(valid, last, d)
				require.EqualError(t, OGRN(in), fmt.Sprintf("%s %q: check digit is %d, expected %d", kind, in, d, correct))
			}
		})
	}
}

func TestOGRNCheckDigitTenBecomesZero(t *testing.T) {
	// Find a 12-digit body whose remainder mod 11 is 10: the check digit
	// must then be 0, not 10.
	body := "100000000000" // 10^11 mod 11 == 10 (since 10 == -1 mod 11, odd power)
	require.NoError(t, OGRN(body+"0"))
	require.EqualError(t, OGRN(body+"1"), `OGRN "1000000000001": check digit is 1, expected 0`)
}
