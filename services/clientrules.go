package services

import (
	"slices"

	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/store"
)

// Who changes what of a client. Its owner, segments and product groups
// decide who sees it, so only those responsible for it change them: the
// owner, the supervisors above the owner, and admins; otherwise a manager
// who sees a client through a grant could widen (or narrow) who else sees
// it. Its name and legal identifiers are facts about the company that
// anyone working with it may correct, as they may its card; every change
// is audited. A new owner must be active, and the one who sets it or
// someone below them (admins: anyone), so nobody hands a client to a
// stranger or out of their own subtree. The store reads the facts these
// rules decide on in the transaction of the change (store.Stewardship).

// The rules an *OwnerRule names.
const (
	RuleOwnerScope    = "owner-scope"
	RuleOwnerInactive = "owner-inactive"
	RuleDecide        = "decide"
)

var ruleText = map[string]string{
	RuleOwnerScope:    "the owner must be you or someone below you",
	RuleOwnerInactive: "the owner must be an active user",
	RuleDecide:        "only the client's owner, a supervisor above the owner or an admin changes its owner, segments and product groups",
}

// OwnerRule is a change to a client that its maker may not make, at Field
// (owner, segments or productGroups). It is refusal.ErrForbidden, or
// refusal.ErrInvalid for an owner who is not an active user.
type OwnerRule struct {
	Field, Rule string
}

func (e *OwnerRule) Error() string { return e.Field + ": " + e.Reason() }

// Reason is what the rule says, without the field.
func (e *OwnerRule) Reason() string { return ruleText[e.Rule] }

func (e *OwnerRule) Unwrap() error {
	if e.Rule == RuleOwnerInactive {
		return refusal.ErrInvalid
	}
	return refusal.ErrForbidden
}

// refused is r as a refusal of the field it names.
func (e *OwnerRule) refused() error {
	return &refusal.Error{Kind: refusal.KindOf(e), Message: e.Error(),
		Fields: []refusal.FieldError{{Path: "/" + e.Field, Message: e.Reason(), Cause: e}}}
}

// mayOwn refuses the owner st asks for, if any.
func mayOwn(st store.Stewardship) error {
	switch {
	case st.NewOwner == "":
		return nil
	case !st.NewOwnerActive:
		return (&OwnerRule{Field: "owner", Rule: RuleOwnerInactive}).refused()
	case !st.NewOwnerBelow:
		return (&OwnerRule{Field: "owner", Rule: RuleOwnerScope}).refused()
	}
	return nil
}

// mayChange refuses p where it changes who sees the client (its owner,
// segments or product groups) and st says its maker does not decide that;
// a patch that sets them as they are changes nothing and passes.
func mayChange(p store.ClientPatch) store.StewardshipCheck {
	return func(st store.Stewardship) error {
		var changed string
		switch {
		case st.NewOwner != "":
			changed = "owner"
		case p.Segments != nil && !sameSet(*p.Segments, st.Segments):
			changed = "segments"
		case p.ProductGroups != nil && !sameSet(*p.ProductGroups, st.ProductGroups):
			changed = "productGroups"
		default:
			return nil
		}
		if !st.Decides {
			return (&OwnerRule{Field: changed, Rule: RuleDecide}).refused()
		}
		return mayOwn(st)
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}
