package identifiers

import (
	"strings"
	"testing"
)

// requireWellFormedError checks that a rejection names the identifier kind.
func requireWellFormedError(t *testing.T, err error, kinds ...string) {
	t.Helper()
	msg := err.Error()
	for _, k := range kinds {
		if strings.HasPrefix(msg, k+" ") {
			return
		}
	}
	t.Fatalf("error %q does not start with any of %q", msg, kinds)
}

func FuzzINN(f *testing.F) {
	for _, s := range []string{"7707083893", "7707083894", "500100732259", "500100732258", "", "7707 083 893", "٧707083893"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := INN(s)
		if want := refINN(s); (err == nil) != want {
			t.Fatalf("INN(%q) = %v, reference says valid=%v", s, err, want)
		}
		if err == nil {
			if (len(s) != 10 && len(s) != 12) || !allASCIIDigits(s) {
				t.Fatalf("INN(%q) accepted a value that is not 10 or 12 digits", s)
			}
			if Normalize(s) != s {
				t.Fatalf("Normalize changed valid INN %q", s)
			}
			return
		}
		requireWellFormedError(t, err, "INN")
		// Stripping separators never turns a valid value into an invalid one.
		if n := Normalize(s); refINN(n) && INN(n) != nil {
			t.Fatalf("INN(Normalize(%q)) rejected a valid value", s)
		}
	})
}

func FuzzOGRN(f *testing.F) {
	for _, s := range []string{"1027700132195", "1027700132194", "304500116000157", "999999999999998", "1000000000000", "", "10277001321x5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := OGRN(s)
		if want := refOGRN(s); (err == nil) != want {
			t.Fatalf("OGRN(%q) = %v, reference (math/big) says valid=%v", s, err, want)
		}
		if err == nil {
			if (len(s) != 13 && len(s) != 15) || !allASCIIDigits(s) {
				t.Fatalf("OGRN(%q) accepted a value that is not 13 or 15 digits", s)
			}
			return
		}
		requireWellFormedError(t, err, "OGRN", "OGRNIP")
	})
}

func FuzzAccount(f *testing.F) {
	seeds := [][2]string{
		{"044525225", "30101810400000000225"},
		{"044525974", "30101810145250000974"},
		{"044525225", "40702810000000000001"},
		{"044525000", "40102810045370000003"},
		{"144525225", "30101810400000000225"},
		{"", ""},
		{"0445252250", "3010181040000000022"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, bik, account string) {
		err := Account(bik, account)
		if want := refAccount(bik, account); (err == nil) != want {
			t.Fatalf("Account(%q, %q) = %v, reference says valid=%v", bik, account, err, want)
		}
		if (BIK(bik) == nil) != refBIK(bik) {
			t.Fatalf("BIK(%q) disagrees with reference", bik)
		}
		_ = KPP(bik) // must not panic on arbitrary input
		_ = KPP(account)
		if err == nil {
			return
		}
		requireWellFormedError(t, err, "account")
		// For a well-formed pair exactly one control key digit is valid.
		if refBIK(bik) && len(account) == 20 && allASCIIDigits(account) {
			valid := 0
			for d := range 10 {
				if Account(bik, withDigit(account, accountKeyIndex, d)) == nil {
					valid++
				}
			}
			if valid != 1 {
				t.Fatalf("Account(%q, %q): %d valid control keys, want exactly 1", bik, account, valid)
			}
		}
	})
}
