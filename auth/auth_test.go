package auth_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/auth"
)

func TestAHashedPasswordChecksOnlyWithThatPassword(t *testing.T) {
	encoded, err := auth.HashPassword("correct horse")
	require.NoError(t, err)
	require.Regexp(t, `^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`, encoded)
	require.True(t, auth.CheckPassword(encoded, "correct horse"))
	require.False(t, auth.CheckPassword(encoded, "correct horse "))
	require.False(t, auth.CheckPassword(encoded, ""))
}

func TestTwoHashesOfOnePasswordDiffer(t *testing.T) {
	a, err := auth.HashPassword("secret")
	require.NoError(t, err)
	b, err := auth.HashPassword("secret")
	require.NoError(t, err)
	require.NotEqual(t, a, b)
	require.True(t, auth.CheckPassword(a, "secret"))
	require.True(t, auth.CheckPassword(b, "secret"))
}

// Parameters come from the hash, so hashes made with other settings (older or
// newer) keep working. This is a reference-implementation vector
// (m=64 KiB, t=2, p=2, salt "somesalt", a 24-byte hash) from x/crypto's tests.
func TestAHashWithOtherParametersStillChecks(t *testing.T) {
	const other = "$argon2id$v=19$m=64,t=2,p=2$c29tZXNhbHQ$NQrDciL0Nsy1wJcvHr079rlYvyBxhBNi"
	require.True(t, auth.CheckPassword(other, "password"))
	require.False(t, auth.CheckPassword(other, "Password"))
}

func TestMalformedHashesNeverMatch(t *testing.T) {
	good, err := auth.HashPassword("pw")
	require.NoError(t, err)
	parts := strings.Split(good, "$") // "", argon2id, v=19, params, salt, hash
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	for _, tc := range []struct{ name, encoded string }{
		{"an empty string", ""},
		{"a bare password", "pw"},
		{"a truncated hash", good[:len(good)-10]},
		{"a trailing field", good + "$x"},
		{"another algorithm", with(1, "argon2i")},
		{"another version", with(2, "v=16")},
		{"missing parameters", with(3, "m=19456,t=2")},
		{"parameters out of order", with(3, "t=2,m=19456,p=1")},
		{"zero passes", with(3, "m=19456,t=0,p=1")},
		{"zero lanes", with(3, "m=19456,t=2,p=0")},
		{"absurd memory", with(3, "m=99999999,t=2,p=1")},
		{"a negative parameter", with(3, "m=-1,t=2,p=1")},
		{"a salt that is not base64", with(4, "!!!!")},
		{"a short salt", with(4, "YWI")},
		{"a hash that is not base64", with(5, "%%%")},
		{"an empty hash", with(5, "")},
		{"padded base64", with(5, parts[5]+"=")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.False(t, auth.CheckPassword(tc.encoded, "pw"))
		})
	}
}

func TestTokensAreUniqueAndTheirHashIsStable(t *testing.T) {
	tok1, hash1, err := auth.NewToken()
	require.NoError(t, err)
	tok2, hash2, err := auth.NewToken()
	require.NoError(t, err)

	require.Regexp(t, `^cvy_[A-Za-z0-9_-]{43}$`, tok1)
	require.NotEqual(t, tok1, tok2)
	require.NotEqual(t, hash1, hash2)
	require.Len(t, hash1, 32)
	require.Equal(t, hash1, auth.HashToken(tok1))
	require.Equal(t, auth.HashToken(tok1), auth.HashToken(tok1))
	require.NotEqual(t, hash1, auth.HashToken(tok1+"x"))
}

func TestANewPasswordIsLongAndNotTheLogin(t *testing.T) {
	require.Nil(t, auth.CheckNewPassword("/password", "ivan", "correct horse"))
	require.Equal(t, "must be at least 10 characters", auth.CheckNewPassword("/password", "ivan", "demo").Message())
	require.Equal(t, "required", auth.CheckNewPassword("/password", "ivan", "").Message())
	v := auth.CheckNewPassword("/password", "longlogin01", "LongLogin01")
	require.Equal(t, "/password: must differ from the login", v.Error())
}

// The decoy an unknown login is checked against costs what a real hash
// costs (the same parameters), and no password matches it.
func TestTheDecoyHashIsARealHashOfNoKnownPassword(t *testing.T) {
	real, err := auth.HashPassword("demo")
	require.NoError(t, err)
	params := func(h string) string { return strings.Join(strings.Split(h, "$")[:4], "$") }
	require.Equal(t, params(real), params(auth.DecoyHash()))
	require.Equal(t, auth.DecoyHash(), auth.DecoyHash(), "made once")
	require.False(t, auth.CheckPassword(auth.DecoyHash(), ""))
}
