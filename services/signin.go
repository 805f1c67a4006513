package services

import (
	"context"
	"errors"
	"time"

	"github.com/conveyorhq/conveyor/auth"
	"github.com/conveyorhq/conveyor/limits"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/store"
)

// DefaultTokenTTL is how long a session lasts when Services.TokenTTL is not
// set: conveyor's default (CONVEYOR_TOKEN_TTL).
const DefaultTokenTTL = 24 * time.Hour

// SignIn checks a login and password from address (the client's, as the
// adapter tells it) and starts a session, for the API's token endpoint and
// the web UI's sign-in alike. A login or password out of its bounds is
// refused before anything else, as invalid: it is written nowhere, not even
// to the audit log. Over the sign-in limits it is a *auth.LimitedError; a
// wrong login or password is auth.ErrBadCredentials. Every other sign-in
// and failed sign-in is audited.
func (s *Services) SignIn(ctx context.Context, login, password, address string) (token string, expires time.Time, err error) {
	var bad limits.Checks
	bad.Add(limits.Login, "/login", &login)
	bad.Add(limits.Password, "/password", &password)
	if len(bad) > 0 {
		return "", time.Time{}, invalid("some fields are invalid", bad[:1])
	}
	if err := s.checkPassword(ctx, login, password, address); err != nil {
		return "", time.Time{}, err
	}
	token, tokenHash, err := auth.NewToken()
	if err != nil {
		return "", time.Time{}, err
	}
	ttl := s.TokenTTL
	if ttl <= 0 {
		ttl = DefaultTokenTTL
	}
	expires = time.Now().Add(ttl).UTC().Truncate(time.Second)
	if err := s.Store.StartSession(ctx, tokenHash, login, expires, address); err != nil {
		return "", time.Time{}, err
	}
	return token, expires, nil
}

// SignOut revokes the session of token: from then on it is refused like an
// unknown one.
func (s *Services) SignOut(ctx context.Context, token string) error {
	return s.Store.DeleteToken(ctx, auth.HashToken(token))
}

// Session is the user a token is the session of; an unknown, expired or
// revoked token is not found.
func (s *Services) Session(ctx context.Context, token string) (store.User, error) {
	return s.Store.UserByToken(ctx, auth.HashToken(token))
}

// checkPassword tells whether password is login's, under the sign-in
// limits (see ratelimit.go): an attempt over them is a *auth.LimitedError,
// refused before the password is looked at, so it costs no hashing; a wrong
// password is auth.ErrBadCredentials, recorded in the audit log. An unknown
// or inactive login costs the same hash as a known one, so the time of the
// answer does not tell which logins exist. A right password clears the
// failures of login from this address and is not counted against it.
func (s *Services) checkPassword(ctx context.Context, login, password, address string) error {
	l := s.signIns()
	if wait, ok := l.addresses.take(address); !ok {
		return &auth.LimitedError{Wait: wait, Reason: "too many sign-in attempts from this address"}
	}
	// The attempt counts as a failure from the start, so that concurrent
	// guesses cannot all pass before the first of them fails.
	pair := pairKey(login, address)
	if wait, ok := l.failures.fail(pair); !ok {
		return &auth.LimitedError{Wait: wait, Reason: "too many failed sign-ins for this login from this address", Login: true}
	}
	hash, active, err := s.Store.PasswordHash(ctx, login)
	known := err == nil
	if err != nil && !errors.Is(err, refusal.ErrNotFound) {
		return err
	}
	if !known {
		hash = auth.DecoyHash()
	}
	// The hash is checked whatever else is wrong: skipping it would answer
	// faster.
	if !l.check(hash, password) || !known || !active {
		if err := s.Store.RecordFailedLogin(ctx, login, address); err != nil {
			return err
		}
		return auth.ErrBadCredentials
	}
	l.failures.reset(pair)
	l.addresses.refund(address)
	return nil
}

// signIns are s's sign-in limits, made at the first sign-in unless
// LimitSignIns set them.
func (s *Services) signIns() *loginLimits {
	s.signInOnce.Do(func() {
		if s.signInLimits == nil {
			s.signInLimits = newLoginLimits(time.Now)
		}
	})
	return s.signInLimits
}

// LimitSignIns gives s sign-in limits on the clock now whose password check
// is check: tests count hashes and step time with it.
func (s *Services) LimitSignIns(now func() time.Time, check func(encoded, password string) bool) {
	l := newLoginLimits(now)
	l.check = check
	s.signInLimits = l
}

// SignInWait is how long login must still wait before a sign-in may be
// tried again from the address that waits longest (0: none waits), for
// admins to see who is locked out. The limits live in memory: this is
// what this replica counts.
func (s *Services) SignInWait(by store.User, login string) (time.Duration, error) {
	if err := needRole(by); err != nil {
		return 0, err
	}
	return s.signIns().failures.waiting(pairKey(login, "")), nil
}

// UnlockSignIns: an admin forgets login's failed sign-ins from every
// address, so that someone locked out (by their own mistyping or by a
// guesser's, from the same address) may sign in at once. It is audited.
func (s *Services) UnlockSignIns(ctx context.Context, by store.User, login string) error {
	if err := needRole(by); err != nil {
		return err
	}
	if _, err := s.Store.User(ctx, login); err != nil {
		return err
	}
	s.signIns().failures.resetPrefix(pairKey(login, ""))
	return s.Store.RecordUnlock(ctx, login)
}
