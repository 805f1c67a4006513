package definitions

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

var durationUnits = map[byte]time.Duration{
	'm': time.Minute,
	'h': time.Hour,
	'd': 24 * time.Hour,
	'w': 7 * 24 * time.Hour,
}

// ParseDuration reads the DSL's durations: one or more whole numbers each
// followed by m, h, d or w ("30m", "4h", "2d", "1w", "1d12h"). Days are 24
// hours; a conveyor's deadlines are calendar deadlines.
func ParseDuration(s string) (time.Duration, error) {
	bad := fmt.Errorf("invalid duration %q: use whole numbers with a unit m, h, d or w, like 30m, 4h, 2d or 1w", s)
	if s == "" {
		return 0, bad
	}
	var total time.Duration
	for rest := s; rest != ""; {
		i := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
		if i <= 0 {
			return 0, bad
		}
		n, err := strconv.ParseInt(rest[:i], 10, 32)
		unit, ok := durationUnits[rest[i]]
		if err != nil || !ok {
			return 0, bad
		}
		total += time.Duration(n) * unit
		rest = rest[i+1:]
	}
	if total <= 0 {
		return 0, fmt.Errorf("invalid duration %q: must be longer than zero", s)
	}
	return total, nil
}

// Duration is a time.Duration that reads and writes as text in plans.
type Duration time.Duration

func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	*d = Duration(v)
	return err
}
