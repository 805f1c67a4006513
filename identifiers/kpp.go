package identifiers

const kppFormat = "must be 9 characters: 4 digits, 2 digits or capital Latin letters, 3 digits"

// KPP validates a tax registration reason code (КПП). A KPP has 9
// characters: a 4-digit tax office code, a 2-character reason code made of
// digits or capital Latin letters A-Z, and a 3-digit serial number. KPP has
// no check digit.
func KPP(s string) error {
	const kind = "KPP"
	if s == "" {
		return newError(kind, s, "")
	}
	pos := 0
	for _, r := range s {
		pos++
		var ok bool
		var part string
		switch {
		case pos <= 4:
			ok, part = isDigit(r), "characters 1-4 (tax office code) must be digits"
		case pos <= 6:
			ok, part = isDigit(r) || (r >= 'A' && r <= 'Z'), "characters 5-6 (reason code) must be digits or capital Latin letters A-Z"
		case pos <= 9:
			ok, part = isDigit(r), "characters 7-9 (serial number) must be digits"
		default:
			ok = true // too long; reported below
		}
		if !ok {
			return newError(kind, s, "%s, found %q at position %d", part, r, pos)
		}
	}
	if pos != 9 {
		return newError(kind, s, "%s; got %d characters", kppFormat, pos)
	}
	return nil
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }
