package http

import (
	"fmt"
	"testing"

	"fanclub"
	"fanclub/internal/teststores"
)

func TestMinorsAndGuardians(t *testing.T) {
	t.Parallel()
	eachStore(t, testMinorsAndGuardians)
}

// testMinorsAndGuardians: under fair (CN) a minor's age, the refusal of
// its coins, a guardian link both consent to, the guardian's view,
// refund and remote exit, and the link's removal, through the API.
func testMinorsAndGuardians(t *testing.T, open teststores.Open) {
	t.Parallel()
	a := newTestAPI(t, open)
	_, creator := a.newCreator("minors_creator")
	club := a.newClub(creator, "Minors", "fair")
	kidFan, kid := a.newFan("minors_kid")
	_, parent := a.newFan("minors_parent")
	a.must(201, "PUT", fmt.Sprintf("/v1/clubs/%d/membership", club.ID), kid, nil)

	if p := a.doKeyed("PUT", "/v1/me/age", kid, `{"birth_date": "2011-13-01", "method": "identity"}`).Problem(t); p.Status != 400 || p.Errors[0].Path != "birth_date" {
		t.Fatalf("bad date: %+v", p)
	}
	age := a.doKeyed("PUT", "/v1/me/age", kid, `{"birth_date": "2011-01-01", "method": "identity"}`)
	if age.Status != 200 {
		t.Fatalf("age: %d %s", age.Status, age.Body)
	}
	checkSchema(t, "AgeView", age.Body)
	checkSchema(t, "AgeView", a.must(200, "GET", "/v1/me/age", kid, nil).Body)
	if p := a.doKeyed("POST", "/v1/me/coins", kid, `{"coins": 10}`, "c1").Problem(t); p.Status != 403 || p.Code != fanclub.EMINOR {
		t.Fatalf("a minor's coins: %+v", p)
	}
	a.must(204, "PUT", fmt.Sprintf("/v1/admin/sandbox/failures/face/%d", kidFan.ID), a.Admin, nil)
	face := a.doKeyed("POST", "/v1/me/face-checks", kid, ``, "f1")
	checkSchema(t, "FaceCheckResult", face.Body)
	var fr struct{ Passed bool }
	face.JSON(t, &fr)
	if face.Status != 200 || fr.Passed {
		t.Fatalf("face check: %d %s", face.Status, face.Body)
	}

	link := a.doKeyed("POST", "/v1/me/guardian-links", parent, fmt.Sprintf(`{"minor_id": %d}`, kidFan.ID))
	if link.Status != 201 {
		t.Fatalf("link: %d %s", link.Status, link.Body)
	}
	checkSchema(t, "GuardianLink", link.Body)
	var l fanclub.GuardianLink
	link.JSON(t, &l)
	if p := a.doKeyed("POST", fmt.Sprintf("/v1/me/guardian-links/%d/accept", l.ID), parent, ``).Problem(t); p.Status != 403 {
		t.Fatalf("the guardian accepts for the minor: %+v", p)
	}
	a.must(200, "POST", fmt.Sprintf("/v1/me/guardian-links/%d/accept", l.ID), kid, nil)
	checkSchema(t, "GuardianLinkList", a.must(200, "GET", "/v1/me/guardian-links", parent, nil).Body)

	sub := a.doKeyed("POST", fmt.Sprintf("/v1/clubs/%d/subscription", club.ID), kid, `{"tier": "vip", "plan": "monthly"}`, "s1")
	if sub.Status != 200 {
		t.Fatalf("subscribe: %d %s", sub.Status, sub.Body)
	}
	checkSchema(t, "Consumption", a.must(200, "GET", fmt.Sprintf("/v1/me/minors/%d/consumption", kidFan.ID), parent, nil).Body)
	if p := a.doKeyed("GET", fmt.Sprintf("/v1/me/minors/%d/consumption", kidFan.ID), kid, ``).Problem(t); p.Status != 403 {
		t.Fatalf("the minor is not its own guardian: %+v", p)
	}
	refund := a.doKeyed("POST", fmt.Sprintf("/v1/me/minors/%d/refund-requests", kidFan.ID), parent, `{}`, "r1")
	if refund.Status != 200 {
		t.Fatalf("refund: %d %s", refund.Status, refund.Body)
	}
	checkSchema(t, "GuardianRefund", refund.Body)
	var rf fanclub.GuardianRefundResult
	refund.JSON(t, &rf)
	if rf.Status != fanclub.RefundRefunded || rf.Amount != 1500 || len(rf.Refunds) != 1 {
		t.Fatalf("refund: %s", refund.Body)
	}
	queue := a.must(200, "GET", "/v1/admin/guardian-refunds?status=refunded", a.Admin, nil)
	checkSchema(t, "GuardianRefundList", queue.Body)
	if p := a.doKeyed("POST", fmt.Sprintf("/v1/admin/guardian-refunds/%d/decision", rf.ID), a.Admin, `{"approve": true}`).Problem(t); p.Status != 409 {
		t.Fatalf("decided twice: %+v", p)
	}

	preview := a.doKeyed("POST", fmt.Sprintf("/v1/me/minors/%d/exit-requests", kidFan.ID), parent, fmt.Sprintf(`{"club_id": %d}`, club.ID))
	if preview.Status != 201 {
		t.Fatalf("exit preview: %d %s", preview.Status, preview.Body)
	}
	checkSchema(t, "GuardianExit", preview.Body)
	var g fanclub.GuardianExit
	preview.JSON(t, &g)
	done := a.doKeyed("POST", fmt.Sprintf("/v1/me/minors/%d/exit-requests/%s/confirm", kidFan.ID, g.Preview.ID), parent, ``)
	if done.Status != 200 {
		t.Fatalf("exit confirm: %d %s", done.Status, done.Body)
	}
	checkSchema(t, "GuardianExit", done.Body)

	if p := a.doKeyed("DELETE", fmt.Sprintf("/v1/me/guardian-links/%d", l.ID), kid, ``).Problem(t); p.Status != 403 || p.Code != fanclub.EGUARDIAN {
		t.Fatalf("one side alone: %+v", p)
	}
	a.must(200, "DELETE", fmt.Sprintf("/v1/admin/guardian-links/%d", l.ID), a.Admin, nil)
}
