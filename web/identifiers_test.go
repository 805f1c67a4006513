package web

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/identifiers"
)

// An identifier's refusal reads in the user's language; in English it is
// the package's own message.
func TestIdentifierRefusalsAreWordedInTheUsersLanguage(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		ru   string
	}{
		{"a wrong INN check digit", identifiers.INN("7707083894"), `ИНН "7707083894": контрольная цифра — 4, а должна быть 3`},
		{"a KPP of the wrong length", identifiers.KPP("7707"), `КПП "7707": должен состоять из 9 символов: 4 цифры, 2 цифры или заглавные латинские буквы, 3 цифры, а символов 4`},
		{"a KPP with a letter in the office code", identifiers.KPP("77A701001"), `КПП "77A701001": символы 1–4 (код налогового органа) должны быть цифрами, а в позиции 3 стоит 'A'`},
		{"an account with a bad BIK", identifiers.Account("12", "40702810938000000000"), `счёт "40702810938000000000": неверный банк: БИК "12": должен состоять из 9 цифр, а не из 2`},
		{"an empty OGRN", identifiers.OGRN(""), `ОГРН не указан`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e *identifiers.Error
			require.True(t, errors.As(tc.err, &e), "%v", tc.err)
			require.Equal(t, tc.ru, identifierText("ru", e))
			require.Equal(t, tc.err.Error(), identifierText("en", e))
		})
	}
}
