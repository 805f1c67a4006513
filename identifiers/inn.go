package identifiers

var (
	innWeights10   = []int{2, 4, 10, 3, 5, 9, 4, 6, 8}
	innWeights12a  = []int{7, 2, 4, 10, 3, 5, 9, 4, 6, 8}
	innWeights12b  = []int{3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8}
	innLengthError = "must be 10 digits (legal entity) or 12 digits (individual or individual entrepreneur), got %d"
)

// INN validates a taxpayer identification number (ИНН).
//
// A legal entity has a 10-digit INN whose last digit is a check digit: the
// first nine digits are multiplied by 2,4,10,3,5,9,4,6,8, summed, and the sum
// taken mod 11 and then mod 10.
//
// An individual (including an individual entrepreneur) has a 12-digit INN
// with two check digits computed the same way: the 11th from the first ten
// digits with weights 7,2,4,10,3,5,9,4,6,8, the 12th from the first eleven
// digits with weights 3,7,2,4,10,3,5,9,4,6,8.
func INN(s string) error {
	const kind = "INN"
	if s == "" {
		return newError(kind, s, "")
	}
	if err := checkDigits(kind, s); err != nil {
		return err
	}
	switch len(s) {
	case 10:
		if got, want := digit(s, 9), innCheck(s, innWeights10); got != want {
			return newError(kind, s, "check digit is %d, expected %d", got, want)
		}
	case 12:
		if got, want := digit(s, 10), innCheck(s, innWeights12a); got != want {
			return newError(kind, s, "first check digit (11th digit) is %d, expected %d", got, want)
		}
		if got, want := digit(s, 11), innCheck(s, innWeights12b); got != want {
			return newError(kind, s, "second check digit (12th digit) is %d, expected %d", got, want)
		}
	default:
		return newError(kind, s, innLengthError, len(s))
	}
	return nil
}

func innCheck(s string, weights []int) int {
	return weightedSum(s, weights) % 11 % 10
}
