package web

import (
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/services"
)

// The forms of the card's tabs: each reads what was typed, calls one
// service, and goes back to its tab, saved or with the refusal beside the
// fields.

// cardRefused shows tab again with the refusal of err, or fails.
func (u *UI) cardRefused(c *gin.Context, tab string, err error, values map[string]string, duplicate string, names map[string]string) {
	bad := fieldErrors{}
	general, ok := formRefusal(language(c), err, bad, duplicate, names)
	if !ok {
		u.fail(c, err)
		return
	}
	u.refuseCard(c, tab, values, bad, general, nil)
}

func (u *UI) addressPost(c *gin.Context) {
	values := map[string]string{"kind": c.PostForm("kind"), "text": c.PostForm("text"), "primary": c.PostForm("primary")}
	primary := values["primary"] != ""
	_, err := u.Services.CreateAddress(c.Request.Context(), me(c), c.Param("id"),
		services.AddressInput{Kind: ptr(values["kind"]), Text: ptr(values["text"]), IsPrimary: &primary})
	if err == nil {
		saved(c, "addresses")
		return
	}
	bad := fieldErrors{}
	general, ok := formRefusal(language(c), err, bad, "text", nil)
	if !ok {
		u.fail(c, err)
		return
	}
	if bad["kind"] != "" {
		bad["kind"] = translate(language(c), "cl.e.kind") // a select: choosing is the remedy
	}
	u.refuseCard(c, "addresses", values, bad, general, nil)
}

func (u *UI) bankAccountPost(c *gin.Context) {
	values := map[string]string{"bik": c.PostForm("bik"), "account": c.PostForm("account"),
		"bankName": c.PostForm("bankName"), "accPrimary": c.PostForm("accPrimary")}
	_, err := u.Services.CreateBankAccount(c.Request.Context(), me(c), c.Param("id"), services.BankAccountInput{
		BIK: values["bik"], Account: values["account"], BankName: values["bankName"], IsPrimary: values["accPrimary"] != ""})
	if err == nil {
		saved(c, "accounts")
		return
	}
	u.cardRefused(c, "accounts", err, values, "account", nil)
}

func (u *UI) contactPost(c *gin.Context) {
	values := map[string]string{}
	for _, f := range []string{"cname", "position", "phone", "email", "note"} {
		values[f] = c.PostForm(f)
	}
	_, err := u.Services.CreateContact(c.Request.Context(), me(c), c.Param("id"), services.ContactInput{Name: ptr(values["cname"]),
		Position: ptr(values["position"]), Phone: ptr(values["phone"]), Email: ptr(values["email"]), Note: ptr(values["note"])})
	if err == nil {
		saved(c, "contacts")
		return
	}
	u.cardRefused(c, "contacts", err, values, "cname", map[string]string{"name": "cname"})
}

// characteristicPost sets one value, typed as text (see
// services.SetCharacteristicText).
func (u *UI) characteristicPost(c *gin.Context) {
	id, text := c.PostForm("characteristic"), strings.TrimSpace(c.PostForm("value"))
	err := u.Services.SetCharacteristicText(c.Request.Context(), me(c), c.Param("id"), id, text)
	if err == nil {
		saved(c, "characteristics")
		return
	}
	field := "char." + id
	bad := fieldErrors{}
	general, ok := formRefusal(language(c), err, bad, field, map[string]string{"value": field})
	if !ok {
		u.fail(c, err)
		return
	}
	u.refuseCard(c, "characteristics", nil, bad, general, func(p *clientCardPage) {
		for i := range p.Chars {
			if p.Chars[i].ID == id {
				p.Chars[i].Value, p.Chars[i].Error = text, bad[field]
			}
		}
	})
}
