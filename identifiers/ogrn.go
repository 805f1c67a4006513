package identifiers

// OGRN validates a primary state registration number: a 13-digit OGRN
// (ОГРН) of a legal entity or a 15-digit OGRNIP (ОГРНИП) of an individual
// entrepreneur.
//
// The last digit is a check digit. For an OGRN it equals the number formed by
// the first 12 digits, taken mod 11 and then mod 10; for an OGRNIP it is the
// number formed by the first 14 digits, mod 13 and then mod 10. Both
// prefixes fit comfortably in a uint64 (at most 14 digits < 10^14).
func OGRN(s string) error {
	kind := "OGRN"
	if len(s) == 15 {
		kind = "OGRNIP"
	}
	if s == "" {
		return newError(kind, s, "")
	}
	if err := checkDigits(kind, s); err != nil {
		return err
	}
	var mod uint64
	switch len(s) {
	case 13:
		mod = 11
	case 15:
		mod = 13
	default:
		return newError(kind, s, "must be 13 digits (OGRN of a legal entity) or 15 digits (OGRNIP of an individual entrepreneur), got %d", len(s))
	}
	last := len(s) - 1
	var n uint64
	for i := 0; i < last; i++ {
		n = n*10 + uint64(digit(s, i))
	}
	if got, want := digit(s, last), int(n%mod%10); got != want {
		return newError(kind, s, "check digit is %d, expected %d", got, want)
	}
	return nil
}
