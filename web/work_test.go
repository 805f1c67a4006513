package web

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/services"
)

// My work's day is the UI's time zone's: on Wednesday in Moscow an item
// whose deadline passed is overdue, one planned or due before midnight is
// today's, and a call back planned for Friday is later's, new or not.
func TestMyWorkSortsTheDayIntoOverdueTodayAndLater(t *testing.T) {
	msk, err := time.LoadLocation("Europe/Moscow")
	require.NoError(t, err)
	now := time.Date(2026, 12, 2, 22, 30, 0, 0, msk) // Wednesday evening; 19:30 UTC
	at := func(day, hour int) time.Time { return time.Date(2026, 12, day, hour, 0, 0, 0, msk) }
	ptr := func(t time.Time) *time.Time { return &t }
	items := []services.WorkItem{
		{ID: "late", ClientName: "Вектор", PlannedStart: at(1, 9), Due: ptr(at(2, 12)), State: "in_progress"},
		{ID: "flagged", ClientName: "Альфа", PlannedStart: at(2, 23), Due: ptr(at(9, 9)), Overdue: true, State: "in_progress"},
		{ID: "tonight", ClientName: "ёлка", PlannedStart: at(2, 23), Due: ptr(at(4, 23)), State: "attention"},
		{ID: "due-today", ClientName: "Берёза", PlannedStart: at(5, 9), Due: ptr(at(2, 23)), State: "in_progress"},
		// 00:30 Thursday in Moscow is still Wednesday in UTC: it is not today.
		{ID: "after-midnight", PlannedStart: at(3, 0).Add(30 * time.Minute), State: "attention"},
		{ID: "friday", ClientName: "Дуб", PlannedStart: at(4, 10), Due: ptr(at(6, 10)), State: "attention"},
	}
	groups := groupWork(items, now, msk, "planned", "ru")
	got := map[string][]string{}
	for _, g := range groups {
		for _, r := range g.Rows {
			got[g.Key] = append(got[g.Key], r.ID)
			require.Equal(t, g.Key == groupOverdue, r.Overdue, r.ID)
			require.Equal(t, r.State == "attention", r.New, r.ID)
		}
	}
	require.Equal(t, map[string][]string{
		groupOverdue: {"late", "flagged"},
		groupToday:   {"tonight", "due-today"},
		groupLater:   {"after-midnight", "friday"},
	}, got)
	require.Equal(t, []string{groupOverdue, groupToday, groupLater}, []string{groups[0].Key, groups[1].Key, groups[2].Key})
	require.Equal(t, 1, groups[1].New)
	require.Equal(t, 2, groups[2].New)

	byDue := groupWork(items, now, msk, "due", "ru")
	require.Equal(t, "due-today", byDue[1].Rows[0].ID, "tonight's deadline before Friday's")
	require.Equal(t, "friday", byDue[2].Rows[0].ID, "an item without a deadline comes last")
	byClient := groupWork(items, now, msk, "client", "ru")
	require.Equal(t, "flagged", byClient[0].Rows[0].ID, "Альфа before Вектор")
	require.Equal(t, []string{"due-today", "tonight"}, []string{byClient[1].Rows[0].ID, byClient[1].Rows[1].ID}, "Берёза before ёлка: ё sorts with е, whatever the case")
	require.Equal(t, "friday", byClient[2].Rows[0].ID, "an item without a client comes last")

	require.Empty(t, groupWork(nil, now, msk, "planned", "en"), "no groups without work")
}

func TestAPhoneIsDialledByItsDigits(t *testing.T) {
	for phone, want := range map[string]string{
		"+7 495 123-45-67":    "+74951234567",
		"8 (495) 123-45-67":   "84951234567",
		" +7 (812) 456 78 90": "+78124567890",
		"по запросу":          "",
	} {
		require.Equal(t, want, telAddress(phone), phone)
	}
}
