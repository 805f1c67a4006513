// Package auth holds Conveyor's credentials: password hashes and API tokens.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"

	"github.com/conveyorhq/conveyor/limits"
)

// The OWASP minimum for argon2id (19 MiB, two passes, one lane): hashing
// stays in the tens of milliseconds, so a login is not a denial of service.
// Hashes record their own parameters, so raising these later leaves stored
// hashes checkable.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024 // KiB
	argonThreads = 1
	saltLen      = 16
	keyLen       = 32
)

// Limits on parameters read back from a hash: a corrupted or planted hash
// must not make one check allocate gigabytes or spin for minutes.
const (
	maxTime   = 16
	maxMemory = 1024 * 1024 // KiB, 1 GiB
	minSalt   = 8
	minKey    = 16
	maxKey    = 128
)

// PHC strings use unpadded standard base64; Strict refuses stray trailing
// bits, so one hash has one spelling.
var b64 = base64.RawStdEncoding.Strict()

// HashPassword hashes password with argon2id under a fresh random salt and
// encodes it as a PHC string:
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>
func HashPassword(password string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches encoded, a hash made by
// HashPassword, possibly with other parameters. Malformed hashes never match.
func CheckPassword(encoded, password string) bool {
	h, ok := parseHash(encoded)
	if !ok {
		return false
	}
	key := argon2.IDKey([]byte(password), h.salt, h.time, h.memory, h.threads, uint32(len(h.key)))
	return subtle.ConstantTimeCompare(key, h.key) == 1
}

type argonHash struct {
	time, memory uint32
	threads      uint8
	salt, key    []byte
}

func parseHash(encoded string) (argonHash, bool) {
	// "$argon2id$v=19$m=..,t=..,p=..$salt$hash" splits into six, the first empty.
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return argonHash{}, false
	}
	var h argonHash
	params := strings.Split(parts[3], ",")
	if len(params) != 3 {
		return argonHash{}, false
	}
	m, okM := param(params[0], "m=", 1, maxMemory)
	t, okT := param(params[1], "t=", 1, maxTime)
	p, okP := param(params[2], "p=", 1, 255)
	if !okM || !okT || !okP {
		return argonHash{}, false
	}
	h.memory, h.time, h.threads = m, t, uint8(p)
	var err error
	if h.salt, err = b64.DecodeString(parts[4]); err != nil || len(h.salt) < minSalt {
		return argonHash{}, false
	}
	if h.key, err = b64.DecodeString(parts[5]); err != nil || len(h.key) < minKey || len(h.key) > maxKey {
		return argonHash{}, false
	}
	return h, true
}

// param parses "name=value" with value a decimal in [lo, hi].
func param(s, name string, lo, hi uint64) (uint32, bool) {
	v, ok := strings.CutPrefix(s, name)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil || n < lo || n > hi {
		return 0, false
	}
	return uint32(n), true
}

// decoy is a hash of a random password nobody knows, made with the current
// parameters: checking a password against it costs what checking against a
// real user's hash costs.
var decoy = sync.OnceValue(func() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	h, err := HashPassword(b64.EncodeToString(b[:]))
	if err != nil {
		panic(err) // the system's random source failed
	}
	return h
})

// DecoyHash is what a sign-in checks the password against when the login is
// unknown, so that an unknown login takes the same work (and time) as a
// known one and its answer does not tell which logins exist.
func DecoyHash() string { return decoy() }

// CheckNewPassword applies the rules for a password being set for login:
// the bounds of limits.NewPassword at path, and not the login itself
// (whatever the case), the first thing a guesser tries.
func CheckNewPassword(path, login, password string) *limits.Violation {
	if v := limits.NewPassword.Check(path, password); v != nil {
		return v
	}
	if strings.EqualFold(password, login) {
		return &limits.Violation{Path: path, Reason: limits.SameAsLogin}
	}
	return nil
}
