package services

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)} }

func TestALimiterRefusesPastItsLimitUntilTheOldestEventLeavesTheWindow(t *testing.T) {
	clk := newFakeClock()
	l := newLimiter(3, time.Minute, 100, clk.now)
	for i := range 3 {
		_, ok := l.take("k")
		require.True(t, ok, "event %d", i+1)
		clk.advance(10 * time.Second)
	}
	// Events at 0s, 10s, 20s; now 30s.
	wait, ok := l.take("k")
	require.False(t, ok)
	require.Equal(t, 30*time.Second, wait, "until the event at 0s is a minute old")
	_, ok = l.take("other")
	require.True(t, ok, "keys are counted apart")

	clk.advance(wait - time.Nanosecond)
	_, ok = l.take("k")
	require.False(t, ok, "refusals are not counted, and the window has not moved yet")
	clk.advance(time.Nanosecond)
	_, ok = l.take("k")
	require.True(t, ok, "the oldest event left the window")
	wait, ok = l.take("k")
	require.False(t, ok)
	require.Equal(t, 10*time.Second, wait, "now until the event at 10s is a minute old")
}

func TestResetClearsAKeysCount(t *testing.T) {
	clk := newFakeClock()
	l := newLimiter(2, time.Minute, 100, clk.now)
	l.take("ivan")
	l.take("ivan")
	_, ok := l.take("ivan")
	require.False(t, ok)
	l.reset("ivan")
	_, ok = l.take("ivan")
	require.True(t, ok)
}

func TestLongKeysAreCut(t *testing.T) {
	clk := newFakeClock()
	l := newLimiter(1, time.Minute, 100, clk.now)
	long := string(make([]byte, 10_000))
	l.take(long)
	_, ok := l.take(long[:limiterMaxKeyLen] + "different tail")
	require.False(t, ok, "the same first 64 bytes are the same key")
	l.mu.Lock()
	for k := range l.keys {
		require.LessOrEqual(t, len(k), limiterMaxKeyLen)
	}
	l.mu.Unlock()
}

func TestPruningKeepsALimiterBounded(t *testing.T) {
	clk := newFakeClock()
	l := newLimiter(5, time.Minute, 10, clk.now)
	for i := range 10 {
		l.take(fmt.Sprint("idle", i))
	}
	require.Equal(t, 10, l.size())

	clk.advance(time.Minute)
	l.take("fresh")
	require.Equal(t, 1, l.size(), "keys idle for a window are pruned once the limiter is full")

	// A flood of fresh keys: the longest idle goes, and the size stays at
	// the bound.
	for i := range 1000 {
		clk.advance(time.Millisecond)
		l.take(fmt.Sprint("flood", i))
		require.LessOrEqual(t, l.size(), 10)
	}
	l.mu.Lock()
	_, kept := l.keys["flood999"]
	_, gone := l.keys["fresh"]
	l.mu.Unlock()
	require.True(t, kept)
	require.False(t, gone)

	// A known key over its limit stays limited while the limiter is full.
	for range 5 {
		l.take("flood999")
	}
	_, ok := l.take("flood999")
	require.False(t, ok)
	require.Equal(t, 10, l.size())
}

func TestLoginLimitsAreFiveFreeFailuresPerLoginAndAddressAndTwentyFailuresPerAddress(t *testing.T) {
	clk := newFakeClock()
	ll := newLoginLimits(clk.now)
	pair := pairKey("ivan", "192.0.2.1")
	for range loginFreeFailures {
		_, ok := ll.failures.fail(pair)
		require.True(t, ok)
	}
	wait, ok := ll.failures.fail(pair)
	require.False(t, ok)
	require.Equal(t, time.Second, wait)
	_, ok = ll.failures.fail(pairKey("ivan", "192.0.2.2"))
	require.True(t, ok, "the same login from another address is counted apart")

	for range addressFailureLimit {
		_, ok := ll.addresses.take("192.0.2.1")
		require.True(t, ok)
	}
	wait, ok = ll.addresses.take("192.0.2.1")
	require.False(t, ok)
	require.Equal(t, time.Minute, wait)
	ll.addresses.refund("192.0.2.1")
	_, ok = ll.addresses.take("192.0.2.1")
	require.True(t, ok, "an attempt taken back makes room for one more")
}

func TestBackoffDoublesUpToItsCapAndForgets(t *testing.T) {
	clk := newFakeClock()
	b := newBackoff(5, time.Second, 15*time.Minute, 24*time.Hour, 100, clk.now)
	var waits []time.Duration
	for range 20 {
		for {
			wait, ok := b.fail("k")
			if ok {
				break
			}
			waits = append(waits, wait)
			clk.advance(wait)
		}
	}
	want := []time.Duration{}
	for d := time.Second; d < 15*time.Minute; d *= 2 {
		want = append(want, d)
	}
	for len(want) < len(waits) {
		want = append(want, 15*time.Minute)
	}
	require.Equal(t, want, waits, "1s, 2s, 4s ... 512s, then 15 minutes each")

	clk.advance(24 * time.Hour)
	for range 5 {
		_, ok := b.fail("k")
		require.True(t, ok, "a day after the last failure the count is forgotten")
	}
}

func TestPruningKeepsABackoffBoundedAndSparesWaitingKeys(t *testing.T) {
	clk := newFakeClock()
	b := newBackoff(2, time.Minute, time.Hour, 24*time.Hour, 10, clk.now)
	b.fail("locked")
	b.fail("locked") // now waits a minute
	for i := range 1000 {
		clk.advance(time.Millisecond)
		b.fail(fmt.Sprint("flood", i))
		require.LessOrEqual(t, b.size(), 10)
	}
	_, ok := b.fail("locked")
	require.False(t, ok, "a flood of fresh keys does not free a waiting one")
}
