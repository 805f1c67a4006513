package identifiers

import (
	"math/big"
	"strings"
)

// The functions in this file are deliberately independent re-implementations
// of the algorithms, written the "long way", used to cross-check the package
// in unit and fuzz tests.

func allASCIIDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// refINNCheck computes an INN check digit from the leading digits of s.
func refINNCheck(s string, weights ...int) int {
	total := 0
	for i, w := range weights {
		total += int(s[i]-'0') * w
	}
	return (total % 11) % 10
}

func refINN(s string) bool {
	if !allASCIIDigits(s) {
		return false
	}
	switch len(s) {
	case 10:
		return int(s[9]-'0') == refINNCheck(s, 2, 4, 10, 3, 5, 9, 4, 6, 8)
	case 12:
		return int(s[10]-'0') == refINNCheck(s, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8) &&
			int(s[11]-'0') == refINNCheck(s, 3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
	}
	return false
}

// refOGRNCheck uses arbitrary-precision arithmetic on purpose.
func refOGRNCheck(s string) int {
	body, ok := new(big.Int).SetString(s[:len(s)-1], 10)
	if !ok {
		panic("refOGRNCheck: not a number: " + s)
	}
	mod := big.NewInt(11)
	if len(s) == 15 {
		mod = big.NewInt(13)
	}
	r := new(big.Int).Mod(body, mod).Int64()
	return int(r % 10)
}

func refOGRN(s string) bool {
	if !allASCIIDigits(s) || (len(s) != 13 && len(s) != 15) {
		return false
	}
	return int(s[len(s)-1]-'0') == refOGRNCheck(s)
}

func refBIK(s string) bool {
	return len(s) == 9 && allASCIIDigits(s) && strings.HasPrefix(s, "04")
}

// refAccountSum follows the Bank of Russia wording literally: sum of the
// lowest digits of the products of the 23 digits and the weights 7,1,3,...
func refAccountSum(bik, account string) int {
	var prefix string
	if last := bik[6:]; last == "000" || last == "001" || last == "002" || strings.HasPrefix(account, "30101") {
		prefix = "0" + bik[4:6]
	} else {
		prefix = bik[6:]
	}
	weights := "71371371371371371371371"
	digits := prefix + account
	sum := 0
	for i := 0; i < 23; i++ {
		product := int(digits[i]-'0') * int(weights[i]-'0')
		sum += product % 10
	}
	return sum
}

func refAccount(bik, account string) bool {
	if !refBIK(bik) || len(account) != 20 || !allASCIIDigits(account) {
		return false
	}
	return refAccountSum(bik, account)%10 == 0
}
