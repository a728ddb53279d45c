package http

import (
	"fmt"
	"testing"

	"fanclub"
	"fanclub/internal/teststores"
)

// TestFollowAndExitReceipts follows a creator, logs in from a device,
// leaves a wechat-channels club (follow removed, devices erased) and
// reads the receipts; every body matches its OpenAPI schema.
func TestFollowAndExitReceipts(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, open teststores.Open) {
		t.Parallel()
		a := newTestAPI(t, open)
		cr, crTok := a.newCreator("maker")
		club := a.newClub(crTok, "Luna", "wechat-channels")
		fan, tok := a.newFan("wren")
		follow := fmt.Sprintf("/v1/creators/%d/follow", cr.ID)
		r := a.must(200, "PUT", follow, tok, nil)
		checkSchema(t, "Follow", r.Body)
		a.must(200, "PUT", follow, tok, nil)
		a.must(201, "PUT", fmt.Sprintf("/v1/clubs/%d/membership", club.ID), tok, nil)
		a.must(201, "POST", "/v1/sessions", "", map[string]string{"handle": "wren", "password": "pw-wren-secret", "device_id": "phone-1"})
		if d, err := a.Engine.PersonalDataIn(t.Context(), fan.ID, club.ID); err != nil || len(d.Devices) != 1 || !d.Following {
			t.Fatalf("before exit: %+v, %v", d, err)
		}
		var req exitRequest
		a.must(201, "POST", fmt.Sprintf("/v1/clubs/%d/exit-requests", club.ID), tok, map[string]any{}).JSON(t, &req)
		if s, ok := req.Impact.Data.Step(fanclub.DataFollow); !ok || s.Action != fanclub.DataErase {
			t.Fatalf("preview follow step: %+v", req.Impact.Data)
		}
		a.must(200, "POST", "/v1/exit-requests/"+req.ID+"/confirm", tok, map[string]any{"confirm": true})
		r = a.must(200, "GET", "/v1/me/receipts", tok, nil)
		checkSchema(t, "ReceiptList", r.Body)
		var list struct{ Items []fanclub.DeletionReceipt }
		r.JSON(t, &list)
		if len(list.Items) != 2 || list.Items[0].Category != fanclub.DataDeviceIDs || list.Items[0].Count != 1 || list.Items[1].Count != 1 {
			t.Fatalf("receipts: %+v", list.Items)
		}
		a.must(204, "DELETE", follow, tok, nil)
		a.must(404, "PUT", "/v1/creators/999/follow", tok, nil)
		a.must(400, "POST", "/v1/sessions", "", map[string]string{"handle": "wren", "password": "pw-wren-secret", "device_id": string(make([]byte, 129))})
	})
}

// TestEraseAccountRoutes previews and confirms an erasure through the fan
// route and the admin route: the preview changes nothing, the erasure
// ends the fan's sessions, and only an admin may erase another fan.
func TestEraseAccountRoutes(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, open teststores.Open) {
		t.Parallel()
		a := newTestAPI(t, open)
		_, crTok := a.newCreator("maker")
		club := a.newClub(crTok, "Luna", "fair")
		_, tok := a.newFan("wren")
		other, otherTok := a.newFan("yuki")
		a.must(201, "PUT", fmt.Sprintf("/v1/clubs/%d/membership", club.ID), tok, nil)
		r := a.must(200, "POST", "/v1/me/erasure", tok, nil)
		checkSchema(t, "Erasure", r.Body)
		var er fanclub.Erasure
		r.JSON(t, &er)
		if er.Confirmed || len(er.Exits) != 1 {
			t.Fatalf("preview: %+v", er)
		}
		a.must(200, "GET", "/v1/me", tok, nil)
		a.must(400, "POST", "/v1/me/erasure", tok, map[string]any{"confirm": "yes"})
		r = a.must(200, "POST", "/v1/me/erasure", tok, map[string]any{"confirm": true})
		checkSchema(t, "Erasure", r.Body)
		a.must(401, "GET", "/v1/me", tok, nil)
		a.must(403, "POST", fmt.Sprintf("/v1/admin/fans/%d/erasure", other.ID), otherTok, map[string]any{"confirm": true})
		a.must(200, "POST", fmt.Sprintf("/v1/admin/fans/%d/erasure", other.ID), a.Admin, map[string]any{"confirm": true})
		a.must(401, "GET", "/v1/me", otherTok, nil)
		a.must(404, "POST", "/v1/admin/fans/999/erasure", a.Admin, nil)
	})
}
