package identifiers

import "strings"

// BIK validates a Russian bank identification code (БИК): 9 digits, the
// first two of which are the country code "04" (Russian Federation). Digits
// 3-4 are the region, 5-6 the Bank of Russia division and 7-9 the bank's
// conditional number within that division. BIK has no check digit.
//
// Bank of Russia divisions themselves (cash settlement centres, RKC) use
// 000, 001 or 002 as digits 7-9. Treasury BIKs that do not start with "04"
// are rejected.
func BIK(s string) error {
	const kind = "BIK"
	if s == "" {
		return newError(kind, s, "")
	}
	if err := checkDigits(kind, s); err != nil {
		return err
	}
	if len(s) != 9 {
		return newError(kind, s, "must be 9 digits, got %d", len(s))
	}
	if s[:2] != "04" {
		return newError(kind, s, "must start with country code \"04\" (Russian Federation), got %q", s[:2])
	}
	return nil
}

// accountWeights are the Bank of Russia control key weights, repeated over
// the 23-digit string (3-digit bank number + 20-digit account).
var accountWeights = [3]int{7, 1, 3}

// accountKeyIndex is the position of the control key inside a 20-digit
// account number (the 9th digit).
const accountKeyIndex = 8

// Account validates a 20-digit bank account number together with the BIK of
// the bank that holds it, using the Bank of Russia control key (контрольный
// ключ, the 9th digit of the account).
//
// How the key works, in short:
//
//  1. Pick a 3-digit "conditional number" of the place where the account is
//     kept. For an ordinary account in a commercial bank this is digits 7-9
//     of the BIK. If the account is kept in a Bank of Russia division (RKC)
//     it is "0" followed by digits 5-6 of the BIK instead. That is the case
//     when the BIK itself belongs to a Bank of Russia division (digits 7-9
//     are 000, 001 or 002) and for a bank's correspondent account with the
//     Bank of Russia (account numbers starting with 30101), which is opened
//     in the RKC even though it is quoted together with the bank's own BIK.
//  2. Write those 3 digits in front of the 20-digit account: 23 digits.
//  3. Multiply the digits by the weights 7, 1, 3, 7, 1, 3, ... and add up the
//     last digit of each product.
//  4. The account is valid when that sum ends in 0. (Adding whole products
//     gives the same last digit, which is what the code does.)
//
// The key digit carries weight 3, which is coprime with 10, so for any other
// 22 digits exactly one key value makes the sum divisible by 10: with the
// key set to 0 and the sum's last digit s, the key is 3*s mod 10.
func Account(bik, account string) error {
	const kind = "account"
	if err := BIK(bik); err != nil {
		return newError(kind, account, "invalid bank: %v", err)
	}
	if account == "" {
		return newError(kind, account, "")
	}
	if err := checkDigits(kind, account); err != nil {
		return err
	}
	if len(account) != 20 {
		return newError(kind, account, "must be 20 digits, got %d", len(account))
	}
	prefix := accountPrefix(bik, account)
	full := prefix + account
	sum := 0
	for i := range len(full) {
		if i == len(prefix)+accountKeyIndex {
			continue // compute as if the key were 0
		}
		sum += digit(full, i) * accountWeights[i%3]
	}
	want := sum % 10 * 3 % 10
	if got := digit(account, accountKeyIndex); got != want {
		return newError(kind, account, "control key (9th digit) is %d, expected %d for BIK %s", got, want, bik)
	}
	return nil
}

// accountPrefix returns the conditional number used in the control key
// calculation; bik must already be valid and account 20 digits long.
func accountPrefix(bik, account string) string {
	switch {
	case isRKC(bik), strings.HasPrefix(account, "30101"):
		return "0" + bik[4:6]
	default:
		return bik[6:9]
	}
}

func isRKC(bik string) bool {
	switch bik[6:9] {
	case "000", "001", "002":
		return true
	}
	return false
}
