package activities

import (
	"github.com/conveyorhq/conveyor/store"
	"github.com/conveyorhq/conveyor/workflows/wire"
)

// The translations between the wire's payloads and the store's rows: the
// only place that knows both.

func storeStep(in wire.Step) store.Step {
	st := store.Step{ProcessID: in.ProcessID, End: in.End, Progress: in.Progress, UpdateID: in.UpdateID}
	if c := in.Close; c != nil {
		st.Close = &store.CloseItem{ItemID: c.ItemID, Data: c.Data, By: c.By}
	}
	if o := in.Open; o != nil {
		st.Open = &store.OpenItem{ItemID: o.ItemID, Seq: o.Seq, Stage: o.Stage, Title: o.Title, Rule: o.Rule,
			Chosen: o.Chosen, PlannedStart: o.PlannedStart, Due: o.Due}
	}
	return st
}

func wireItem(w *store.WorkItem) *wire.WorkItem {
	if w == nil {
		return nil
	}
	return &wire.WorkItem{
		ID: w.ID, ProcessID: w.ProcessID, Seq: w.Seq, Definition: w.Definition, Stage: w.Stage, Title: w.Title,
		Assignee: w.Assignee, State: w.State, PlannedStart: w.PlannedStart, Due: w.Due, Overdue: w.Overdue,
		CreatedAt: w.CreatedAt, StartedAt: w.StartedAt, CompletedAt: w.CompletedAt, CompletedBy: w.CompletedBy,
		Data: w.Data, DelegatedFrom: w.DelegatedFrom, ClientName: w.ClientName,
	}
}
