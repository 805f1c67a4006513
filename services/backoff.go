package services

import (
	"strings"
	"sync"
	"time"
)

// backoff counts failures per key and, past the free ones, makes each
// further try wait: first for first, doubling with every failure, up to
// most. A key's failures are forgotten memory after its last one. Safe for
// concurrent use.
type backoff struct {
	free        int
	first, most time.Duration
	memory      time.Duration
	maxKeys     int
	now         func() time.Time // time.Now but in tests
	mu          sync.Mutex
	keys        map[string]*strikes
}

type strikes struct {
	failures int
	last     time.Time // the last failure
	until    time.Time // no try before this
}

func newBackoff(free int, first, most, memory time.Duration, maxKeys int, now func() time.Time) *backoff {
	return &backoff{free: free, first: first, most: most, memory: memory, maxKeys: maxKeys, now: now,
		keys: map[string]*strikes{}}
}

// fail counts a failure for key, unless key must still wait: then nothing
// is counted and wait says how long until it may try again.
func (b *backoff) fail(key string) (wait time.Duration, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	s := b.keys[key]
	if s != nil && now.Sub(s.last) >= b.memory {
		s = nil
	}
	if s != nil && now.Before(s.until) {
		return s.until.Sub(now), false
	}
	if s == nil {
		if _, known := b.keys[key]; !known && len(b.keys) >= b.maxKeys {
			b.prune(now)
		}
		s = &strikes{}
		b.keys[key] = s
	}
	s.failures++
	s.last = now
	if s.failures >= b.free {
		s.until = now.Add(b.wait(s.failures - b.free))
	}
	return 0, true
}

// wait is the wait after the n-th failure past the free ones, from 0.
func (b *backoff) wait(n int) time.Duration {
	d := b.first
	for range n {
		if d >= b.most {
			break
		}
		d *= 2
	}
	return min(d, b.most)
}

// reset forgets key's failures.
func (b *backoff) reset(key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.keys, key)
}

// waiting is, of the keys that begin with prefix, the longest any must
// still wait (0: none waits).
func (b *backoff) waiting(prefix string) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	var most time.Duration
	for k, s := range b.keys {
		if strings.HasPrefix(k, prefix) && now.Before(s.until) {
			most = max(most, s.until.Sub(now))
		}
	}
	return most
}

// resetPrefix forgets the failures of every key that begins with prefix.
func (b *backoff) resetPrefix(prefix string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for k := range b.keys {
		if strings.HasPrefix(k, prefix) {
			delete(b.keys, k)
		}
	}
}

// prune drops the keys whose failures are forgotten; if none is (a flood
// of fresh keys), the one that failed longest ago among those not waiting,
// or else among all, so that memory stays bounded at the price of
// forgetting a count early.
func (b *backoff) prune(now time.Time) {
	var oldest string
	var oldestAt time.Time
	oldestWaits := true
	for k, s := range b.keys {
		if now.Sub(s.last) >= b.memory {
			delete(b.keys, k)
			continue
		}
		waits := now.Before(s.until)
		if oldest == "" || (oldestWaits && !waits) || (waits == oldestWaits && s.last.Before(oldestAt)) {
			oldest, oldestAt, oldestWaits = k, s.last, waits
		}
	}
	if len(b.keys) >= b.maxKeys {
		delete(b.keys, oldest)
	}
}

// size is how many keys b remembers.
func (b *backoff) size() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.keys)
}
