package server

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestRetryAfterIsWholeSecondsRoundedUp(t *testing.T) {
	for d, want := range map[time.Duration]int{
		0:                1,
		time.Millisecond: 1,
		time.Second:      1,
		time.Second + 1:  2,
		14*time.Minute + 59*time.Second + 500*time.Millisecond: 900,
	} {
		require.Equal(t, want, retryAfter(d), "%v", d)
	}
}
