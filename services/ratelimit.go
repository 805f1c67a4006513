package services

import (
	"sync"
	"time"

	"github.com/conveyorhq/conveyor/auth"
)

// Login attempts are limited twice over, before any password is checked:
//
//   - per login and client address, failures, with a growing wait: after
//     5 failures one more try waits 1 second, then 2, 4 and so on, doubling
//     up to 15 minutes. An online guesser gets some 100 tries at one account
//     a day from one address, while a person who mistypes a few times waits
//     seconds. Counting per address too means an attacker elsewhere cannot
//     lock the real owner out: their failures are their own. Failures are
//     forgotten a day after the last one, or at a successful login.
//   - per client address, failed attempts: one address trying many logins
//     (password spraying) slips past the per-login limit, and every attempt
//     costs an argon2id hash of CPU and memory. An attempt counts from its
//     start, so that concurrent guesses cannot all pass, and a right
//     password takes it back: a team behind one NAT signing in at nine
//     o'clock is not refused. 20 failures a minute is more than people
//     mistype.
//
// The address is the adapter's to tell (the API's behind trusted proxies,
// see server.ParseTrustedProxies).
//
// The counts live in memory, so they are per server replica: with n replicas
// behind a balancer an attacker gets up to n times the limits. A shared limit
// would have to live in the database; that is a known limit of this one.
const (
	loginFreeFailures   = 5
	loginFirstWait      = time.Second
	loginMaxWait        = 15 * time.Minute
	loginFailureMemory  = 24 * time.Hour
	addressFailureLimit = 20
	addressFailureWin   = time.Minute

	// limiterMaxKeys bounds the keys a limiter remembers: past it, keys idle
	// for a whole window are pruned, and if that is not enough the longest
	// idle one goes. At most 20 times in a key, that is a few MiB at worst.
	limiterMaxKeys = 10_000
	// limiterMaxKeyLen cuts keys: no login is longer (the users table
	// allows 63 characters), and a long made-up login must not cost memory.
	limiterMaxKeyLen = 64
)

// limiter is a sliding-window log: per key, the times of at most limit
// events in the last window. Safe for concurrent use.
type limiter struct {
	limit   int
	window  time.Duration
	maxKeys int
	now     func() time.Time // time.Now but in tests

	mu   sync.Mutex
	keys map[string][]time.Time // oldest first, all within window of the last take
}

func newLimiter(limit int, window time.Duration, maxKeys int, now func() time.Time) *limiter {
	return &limiter{limit: limit, window: window, maxKeys: maxKeys, now: now, keys: map[string][]time.Time{}}
}

// take counts an event for key and reports true if key is under its limit.
// Over it, nothing is counted and retry says how long until the oldest
// counted event leaves the window and take can succeed again.
func (l *limiter) take(key string) (retry time.Duration, ok bool) {
	if len(key) > limiterMaxKeyLen {
		key = key[:limiterMaxKeyLen]
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	times, known := l.keys[key]
	times = inWindow(times, now.Add(-l.window))
	if len(times) >= l.limit {
		l.keys[key] = times
		return times[0].Add(l.window).Sub(now), false
	}
	if !known && len(l.keys) >= l.maxKeys {
		l.prune(now)
	}
	l.keys[key] = append(times, now)
	return 0, true
}

// refund takes back one event of key, counted by a take that turned out
// not to be one to limit.
func (l *limiter) refund(key string) {
	if len(key) > limiterMaxKeyLen {
		key = key[:limiterMaxKeyLen]
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if times := l.keys[key]; len(times) > 0 {
		l.keys[key] = times[:len(times)-1]
	}
}

// reset forgets key's events.
func (l *limiter) reset(key string) {
	if len(key) > limiterMaxKeyLen {
		key = key[:limiterMaxKeyLen]
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.keys, key)
}

// size is how many keys l remembers.
func (l *limiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.keys)
}

// prune drops keys with no event in the window; if none is that old (a flood
// of fresh keys), it drops the one idle longest, so that memory stays bounded
// at the price of forgetting a count early.
func (l *limiter) prune(now time.Time) {
	since := now.Add(-l.window)
	var oldest string
	var oldestAt time.Time
	for k, times := range l.keys {
		last := times[len(times)-1]
		if !last.After(since) {
			delete(l.keys, k)
			continue
		}
		if oldestAt.IsZero() || last.Before(oldestAt) {
			oldest, oldestAt = k, last
		}
	}
	if len(l.keys) >= l.maxKeys {
		delete(l.keys, oldest)
	}
}

// inWindow drops the times at or before since from the front of times.
func inWindow(times []time.Time, since time.Time) []time.Time {
	i := 0
	for i < len(times) && !times[i].After(since) {
		i++
	}
	if i == len(times) {
		return nil
	}
	return times[i:]
}

// loginLimits are the sign-in defences of one Services: the limits and the
// password check, a field so that tests can count the hashes a sign-in
// costs.
type loginLimits struct {
	addresses *limiter
	failures  *backoff
	check     func(encoded, password string) bool
}

func newLoginLimits(now func() time.Time) *loginLimits {
	auth.DecoyHash() // made now, so that the first unknown login is not slower
	return &loginLimits{
		addresses: newLimiter(addressFailureLimit, addressFailureWin, limiterMaxKeys, now),
		failures:  newBackoff(loginFreeFailures, loginFirstWait, loginMaxWait, loginFailureMemory, limiterMaxKeys, now),
		check:     auth.CheckPassword,
	}
}

// pairKey is the failure count's key of a login from an address. A space
// cannot be in either, so no two pairs share a key.
func pairKey(login, address string) string {
	if len(login) > limiterMaxKeyLen {
		login = login[:limiterMaxKeyLen]
	}
	return login + " " + address
}
