// Package wire holds what crosses Temporal between the process workflow and
// its activities: their inputs and outputs, and the work item the
// workflow's answers carry. These are payloads written into workflow
// histories, so they are their own types, never the store's rows or the
// API's bodies: a change to either cannot change a history. Their JSON is
// the history's format; testdata/ pins it.
package wire

import (
	"encoding/json"
	"time"

	"github.com/conveyorhq/conveyor/definitions"
)

// Names under which the activities are registered and called.
const (
	ApplyStep     = "ApplyStep"
	MarkOverdue   = "MarkOverdue"
	CancelProcess = "CancelProcess"
	FailProcess   = "FailProcess"
	Reassign      = "Reassign"
	ReadProcess   = "ReadProcess"
	NeedAttention = "NeedAttention"
)

// Process states, as the read model and the workflow's answers name them.
const (
	Running   = "running"
	Completed = "completed"
	Cancelled = "cancelled"
)

// WorkItem is a work item as the workflow's answers carry it.
type WorkItem struct {
	ID            string          `json:"id"`
	ProcessID     string          `json:"processId"`
	Seq           int             `json:"seq"`
	Definition    string          `json:"definition"`
	Stage         string          `json:"stage"`
	Title         string          `json:"title"`
	Assignee      string          `json:"assignee"`
	State         string          `json:"state"`
	PlannedStart  time.Time       `json:"plannedStart"`
	Due           *time.Time      `json:"due,omitempty"`
	Overdue       bool            `json:"overdue"`
	CreatedAt     time.Time       `json:"createdAt"`
	StartedAt     *time.Time      `json:"startedAt,omitempty"`
	CompletedAt   *time.Time      `json:"completedAt,omitempty"`
	CompletedBy   string          `json:"completedBy,omitempty"`
	Data          json.RawMessage `json:"data,omitempty"`
	DelegatedFrom string          `json:"delegatedFrom,omitempty"`
	ClientName    string          `json:"clientName,omitempty"`
}

// Step is one move of a process, applied in one transaction: close the
// completed item, open the next one (or reach an end), update the process.
type Step struct {
	ProcessID string
	Close     *CloseItem // nil when the process starts
	Open      *OpenItem  // nil when the process reaches an end
	End       string
	// Progress after the step; nil keeps the process's progress.
	Progress *int
	// UpdateID is the Update the step is applied for ("" for the first
	// item): its mark lets a lost Update be found.
	UpdateID string
}

type CloseItem struct {
	ItemID string
	Data   json.RawMessage
	By     string
}

type OpenItem struct {
	ItemID       string
	Seq          int
	Stage, Title string
	Rule         definitions.Assignee // AssignUser, AssignTeam, AssignChoose or AssignSame
	Chosen       string               // the completer's pick for AssignChoose (or to override a team pick)
	PlannedStart time.Time
	Due          *time.Time
}

// StepOutput is the step's closed item and the item it opened (nil at an
// end or at the start).
type StepOutput struct {
	Closed *WorkItem
	Next   *WorkItem
}

type OverdueInput struct{ ItemID string }

type OverdueOutput struct{ Escalated bool }

type ProcessInput struct {
	ProcessID string
	Reason    string
	By        string // who acts; empty: the workflow itself
	UpdateID  string // the Update the change is made for, if any
}

type ReassignInput struct {
	ItemID, To, By string
	UpdateID       string
	Note           string `json:",omitempty"` // what the one handing over says
}

// SyncView is what the read model holds of a process, for the workflow to
// adopt a step whose Update was lost.
type SyncView struct {
	State string
	End   string
	// Open is the open work item, Closed the last one done.
	Open, Closed *WorkItem
	// UpdateID names the Update of the last marked change.
	UpdateID  string
	Attention string
}
