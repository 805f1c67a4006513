package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"
)

// TokenPrefix marks Conveyor API tokens, so a leaked one is recognisable to
// secret scanners and to people.
const TokenPrefix = "cvy_"

// NewToken makes a random API token and the hash to store for it. Only the
// hash is kept: a database leak then yields no usable tokens. A plain SHA-256
// suffices (no argon2) because the token has 256 bits of entropy.
func NewToken() (token string, hash []byte, err error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", nil, fmt.Errorf("new token: %w", err)
	}
	token = TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	return token, HashToken(token), nil
}

// HashToken is the stored form of token, to look it up by.
func HashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// ErrBadCredentials is a wrong login or password: the two look the same
// from outside.
var ErrBadCredentials = errors.New("wrong login or password")

// LimitedError is a sign-in refused by the rate limits before the password
// was looked at.
type LimitedError struct {
	Wait   time.Duration
	Reason string
	// Login: the failures of this login from this address, not the
	// address's attempts, reached their limit; a page words the two apart.
	Login bool
}

func (e *LimitedError) Error() string { return e.Reason }
