package definitions

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// Plan is a compiled, valid definition: a plain value the runtime interprets
// and every workflow carries, so nothing at run time reads YAML again. Maps
// marshal with sorted keys, so equal plans give equal JSON and equal hashes.
type Plan struct {
	ID        string               `json:"id"`
	Title     string               `json:"title"`
	Titles    map[string]string    `json:"titles,omitempty"` // Title by language, when written so
	Subject   string               `json:"subject,omitempty"`
	Variables json.RawMessage      `json:"variables,omitempty"`
	Start     string               `json:"start"`
	Stages    map[string]StagePlan `json:"stages"`
	Ends      map[string]EndPlan   `json:"ends"`
	// Hash is "sha256:" and the hex digest of the plan's JSON without it:
	// the content's identity, used to publish a changed definition only once.
	Hash string `json:"hash"`
	// Warnings are what compiles but is likely not meant (a condition that
	// reads a field the form may leave out), for the editor and the API to
	// show when it is checked; they are not stored.
	Warnings Problems `json:"-"`
}

type StagePlan struct {
	Title    string            `json:"title"`
	Titles   map[string]string `json:"titles,omitempty"`
	Assignee Assignee          `json:"assignee"`
	// PlannedStart is an expression giving a time; empty means on entry.
	PlannedStart string   `json:"plannedStart,omitempty"`
	Due          Duration `json:"due,omitempty"`
	// Progress is the process's percent complete once this stage is done;
	// nil leaves it as it was.
	Progress    *int             `json:"progress,omitempty"`
	Form        json.RawMessage  `json:"form,omitempty"`
	Transitions []TransitionPlan `json:"transitions"`
}

type TransitionPlan struct {
	When         string    `json:"when,omitempty"` // empty: always
	To           string    `json:"to"`
	ToEnd        bool      `json:"toEnd,omitempty"`
	Assignee     *Assignee `json:"assignee,omitempty"` // nil: the target stage's rule
	PlannedStart string    `json:"plannedStart,omitempty"`
	Due          Duration  `json:"due,omitempty"`
}

// Assignee kinds.
const (
	AssignUser   = "user"   // a named login
	AssignTeam   = "team"   // a member of a team, picked by Pick
	AssignChoose = "choose" // the completer names a member of Team
	AssignExpr   = "expr"   // an expression giving a login
	AssignSame   = "same"   // whoever worked the completed stage
)

// Pick strategies for AssignTeam.
const (
	PickRoundRobin  = "round_robin"
	PickLeastLoaded = "least_loaded"
)

type Assignee struct {
	Kind string `json:"kind"`
	User string `json:"user,omitempty"`
	Team string `json:"team,omitempty"`
	Pick string `json:"pick,omitempty"`
	Expr string `json:"expr,omitempty"`
}

type EndPlan struct {
	Title  string            `json:"title"`
	Titles map[string]string `json:"titles,omitempty"`
}

// seal computes and sets the hash.
func (p *Plan) seal() {
	p.Hash = ""
	b, err := json.Marshal(p)
	if err != nil {
		panic("definitions: plan does not marshal: " + err.Error()) // plain data: cannot happen
	}
	sum := sha256.Sum256(b)
	p.Hash = "sha256:" + hex.EncodeToString(sum[:])
}
