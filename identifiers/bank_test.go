package identifiers

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestBIK(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr string
	}{
		{name: "Sberbank's BIK is valid", in: "044525225"},
		{name: "a Bank of Russia division BIK is valid", in: "044525000"},
		{name: "an empty BIK is rejected", in: "", wantErr: `BIK is empty`},
		{name: "an eight-digit BIK is too short", in: "04452522", wantErr: `BIK "04452522": must be 9 digits, got 8`},
		{name: "a ten-digit BIK is too long", in: "0445252250", wantErr: `BIK "0445252250": must be 9 digits, got 10`},
		{name: "a BIK with another country code is rejected", in: "144525225", wantErr: `BIK "144525225": must start with country code "04" (Russian Federation), got "14"`},
		{name: "a BIK with a letter is rejected", in: "04452522S", wantErr: `BIK "04452522S": must contain only digits, found 'S' at position 9`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := BIK(tt.in)
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.EqualError(t, err, tt.wantErr)
		})
	}
}

// withControlKey brute-forces the control key (9th digit) of account for
// the given BIK using the reference implementation, and checks that exactly
// one key digit works.
func withControlKey(t *testing.T, bik, account string) string {
	t.Helper()
	var found []string
	for d := range 10 {
		candidate := withDigit(account, accountKeyIndex, d)
		if refAccount(bik, candidate) {
			found = append(found, candidate)
		}
	}
	require.Len(t, found, 1, "exactly one control key must satisfy the checksum")
	return found[0]
}

func TestAccountPublishedPairs(t *testing.T) {
	tests := []struct {
		name, bik, account string
	}{
		{"Sberbank's correspondent account matches its BIK", "044525225", "30101810400000000225"},
		{"Alfa-Bank's correspondent account matches its BIK", "044525593", "30101810200000000593"},
		{"T-Bank's correspondent account matches its BIK", "044525974", "30101810145250000974"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.True(t, refAccount(tt.bik, tt.account), "reference implementation disagrees")
			require.NoError(t, Account(tt.bik, tt.account))
		})
	}
}

func TestAccountComputedPairs(t *testing.T) {
	tests := []struct {
		name, bik, account string
	}{
		{"a company settlement account at Sberbank", "044525225", "40702810000000000001"},
		{"an individual's current account at T-Bank", "044525974", "40817810000001234567"},
		{"a settlement account at a bank whose number is 003 (not a Bank of Russia division)", "044525003", "40702810000000012345"},
		{"an account in a Bank of Russia division with number 000", "044525000", "40102810045370000003"},
		{"an account in a Bank of Russia division with number 001", "044030001", "40101810200000010001"},
		{"an account in a Bank of Russia division with number 002", "044030002", "40302810000000000002"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is valid with its computed control key and invalid with any other", func(t *testing.T) {
			valid := withControlKey(t, tt.bik, tt.account)
			require.NoError(t, Account(tt.bik, valid))
			correct := int(valid[accountKeyIndex] - '0')
			for d := range 10 {
				if d == correct {
					continue
				}
				in := withDigit(valid, accountKeyIndex, d)
				want := fmt.Sprintf("account %q: control key (9th digit) is %d, expected %d for BIK %s", in, d, correct, tt.bik)
				require.EqualError(t, Account(tt.bik, in), want)
			}
		})
	}
}

func TestAccountUsesTheRightPartOfTheBIK(t *testing.T) {
	t.Run("a settlement account depends on the last three BIK digits", func(t *testing.T) {
		valid := withControlKey(t, "044525225", "40702810000000000001")
		// 974 instead of 225 changes the sum by 7*7+5*1+(-1)*3 = 51, not a multiple of 10.
		require.ErrorContains(t, Account("044525974", valid), "control key (9th digit)")
		// Changing only digits 5-6 of the BIK does not matter for such an account.
		require.NoError(t, Account("044599225", valid))
	})
	t.Run("a correspondent account depends on BIK digits 5-6, not the last three", func(t *testing.T) {
		require.NoError(t, Account("044525225", "30101810400000000225"))
		require.NoError(t, Account("044525999", "30101810400000000225"))
		require.ErrorContains(t, Account("044535225", "30101810400000000225"), "control key (9th digit)")
	})
	t.Run("an account in a Bank of Russia division depends on BIK digits 5-6", func(t *testing.T) {
		valid := withControlKey(t, "044525000", "40102810045370000003")
		require.NoError(t, Account("044525001", valid))
		require.NoError(t, Account("044525002", valid))
	})
}

func TestAccountRejectsMalformedInput(t *testing.T) {
	const sberBIK = "044525225"
	tests := []struct {
		name, bik, account, wantErr string
	}{
		{"an empty account is rejected", sberBIK, "", `account is empty`},
		{"a nineteen-digit account is too short", sberBIK, "4070281040000000000", `account "4070281040000000000": must be 20 digits, got 19`},
		{"a twenty-one-digit account is too long", sberBIK, "407028104000000000011", `account "407028104000000000011": must be 20 digits, got 21`},
		{"an account with a letter is rejected", sberBIK, "4070281040000000000l", `account "4070281040000000000l": must contain only digits, found 'l' at position 20`},
		{"an account with spaces is rejected", sberBIK, "40702 810 4 0000 0000001", `account "40702 810 4 0000 0000001": must contain only digits, found ' ' at position 6`},
		{"an account with an empty BIK is rejected", "", "30101810400000000225", `account "30101810400000000225": invalid bank: BIK is empty`},
		{"an account with a short BIK is rejected", "04452522", "30101810400000000225", `account "30101810400000000225": invalid bank: BIK "04452522": must be 9 digits, got 8`},
		{"an account with a foreign BIK is rejected", "144525225", "30101810400000000225", `account "30101810400000000225": invalid bank: BIK "144525225": must start with country code "04" (Russian Federation), got "14"`},
		{"an empty account with an invalid BIK reports the BIK", "1", "", `account "": invalid bank: BIK "1": must be 9 digits, got 1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.EqualError(t, Account(tt.bik, tt.account), tt.wantErr)
		})
	}
}
