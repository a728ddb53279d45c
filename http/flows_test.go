package http

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"math"
	"testing"
	"time"

	"fanclub"
	"fanclub/captcha"
	"fanclub/internal/teststores"
)

// TestResponsesMatchTheOpenAPISchemas walks every route's success answer
// (and a problem) through the documented schemas.
func TestResponsesMatchTheOpenAPISchemas(t *testing.T) {
	t.Parallel()
	eachStore(t, testResponsesMatchTheOpenAPISchemas)
}

func testResponsesMatchTheOpenAPISchemas(t *testing.T, open teststores.Open) {
	t.Parallel()
	a := newTestAPI(t, open)
	checkSchema(t, "Health", a.must(200, "GET", "/healthz", "", nil).Body)
	checkSchema(t, "PolicyList", a.must(200, "GET", "/v1/policies", "", nil).Body)
	checkSchema(t, "Policy", a.must(200, "GET", "/v1/policies/douyin", "", nil).Body)
	checkSchema(t, "Fan", a.must(201, "POST", "/v1/fans", a.Admin, map[string]string{"handle": "erin", "password": "erin-secret"}).Body)
	checkSchema(t, "Session", a.must(201, "POST", "/v1/sessions", "", map[string]string{"handle": "erin", "password": "erin-secret"}).Body)
	var cr fanclub.Creator
	res := a.must(201, "POST", "/v1/creators", a.Admin, map[string]string{"handle": "maker"})
	checkSchema(t, "Creator", res.Body)
	res.JSON(t, &cr)
	tokRes := a.must(201, "POST", "/v1/tokens", a.Admin, map[string]any{"role": "creator", "subject_id": cr.ID})
	checkSchema(t, "IssuedToken", tokRes.Body)
	var tok struct{ Token string }
	tokRes.JSON(t, &tok)
	clubRes := a.must(201, "POST", "/v1/clubs", a.Admin, map[string]any{"name": "Kept", "policy": "fair", "creator_id": cr.ID})
	checkSchema(t, "Club", clubRes.Body)
	var club fanclub.Club
	clubRes.JSON(t, &club)
	checkSchema(t, "ClubList", a.must(200, "GET", "/v1/clubs?creator_id="+fmt.Sprint(cr.ID), tok.Token, nil).Body)
	checkSchema(t, "ClubView", a.must(200, "GET", fmt.Sprintf("/v1/clubs/%d", club.ID), tok.Token, nil).Body)

	fan, fanTok := a.newFan("frank")
	base := fmt.Sprintf("/v1/clubs/%d", club.ID)
	checkSchema(t, "Membership", a.must(201, "PUT", base+"/membership", fanTok, nil).Body)
	checkSchema(t, "Membership", a.must(200, "PUT", base+"/membership", fanTok, nil).Body)
	checkSchema(t, "InteractionResult", a.must(200, "POST", base+"/interactions", fanTok, map[string]any{"action": "comment", "amount": 2}).Body)
	checkSchema(t, "BatchResult", a.must(200, "POST", "/v1/events:batch", a.Admin, fanclub.Batch{Producer: "app", Seq: 1, Events: []fanclub.EventInput{
		{ID: "a", FanID: fan.ID, ClubID: club.ID, Action: fanclub.ActionLike},
		{ID: "b", FanID: fan.ID, ClubID: club.ID + 99, Action: fanclub.ActionLike},
	}}).Body)
	checkSchema(t, "MembershipList", a.must(200, "GET", base+"/members", tok.Token, nil).Body)
	checkSchema(t, "Membership", a.must(200, "GET", base+"/membership", fanTok, nil).Body)
	exitRes := a.must(201, "POST", base+"/exit-requests", fanTok, map[string]any{"choices": map[string]string{"progress": "keep"}})
	checkSchema(t, "ExitRequest", exitRes.Body)
	var req exitRequest
	exitRes.JSON(t, &req)
	if req.Links.Captcha != "" || req.Links.Confirm != "/v1/exit-requests/"+req.ID+"/confirm" {
		t.Errorf("links = %+v", req.Links)
	}
	checkSchema(t, "ExitOutcome", a.must(200, "POST", req.Links.Confirm, fanTok, map[string]bool{"confirm": true}).Body)
	checkSchema(t, "FanView", a.must(200, "GET", "/v1/me", fanTok, nil).Body)
	checkSchema(t, "MembershipList", a.must(200, "GET", "/v1/me/memberships", fanTok, nil).Body)
	checkSchema(t, "Problem", a.must(400, "POST", base+"/interactions", fanTok, `{"action":"like","amont":2}`).Body)
}

func TestRejoinDuringCooldownIs409WithUntil(t *testing.T) {
	t.Parallel()
	eachStore(t, testRejoinDuringCooldownIs409WithUntil)
}

func testRejoinDuringCooldownIs409WithUntil(t *testing.T, open teststores.Open) {
	t.Parallel()
	a := newTestAPI(t, open)
	_, creator := a.newCreator("wx_creator")
	club := a.newClub(creator, "Channels", "wechat-channels")
	_, fan := a.newFan("gina")
	base := fmt.Sprintf("/v1/clubs/%d", club.ID)
	a.must(201, "PUT", base+"/membership", fan, nil)
	var req exitRequest
	a.must(201, "POST", base+"/exit-requests", fan, nil).JSON(t, &req)
	a.must(200, "POST", req.Links.Confirm, fan, map[string]bool{"confirm": true})
	a.Clock.Advance(time.Hour)
	res := a.must(409, "PUT", base+"/membership", fan, nil)
	p := res.Problem(t)
	until, err := time.Parse(time.RFC3339, p.Until)
	if p.Code != fanclub.ECOOLDOWN || err != nil {
		t.Fatalf("problem = %+v (%v)", p, err)
	}
	if want := a.Clock.Now().Add(71 * time.Hour); !until.Equal(want) {
		t.Errorf("until = %s, want %s (72h after the exit)", until, want)
	}
	if res.Header.Get("Retry-After") == "" {
		t.Error("cooldown without Retry-After")
	}
	a.must(409, "POST", base+"/interactions", fan, map[string]string{"action": "like"})
	a.Clock.Advance(71 * time.Hour)
	a.must(201, "PUT", base+"/membership", fan, nil)
}

func TestCaptchaExitFlow(t *testing.T) {
	t.Parallel()
	eachStore(t, testCaptchaExitFlow)
}

func testCaptchaExitFlow(t *testing.T, open teststores.Open) {
	t.Parallel()
	a := newTestAPI(t, open)
	_, creator := a.newCreator("ks_creator")
	club := a.newClub(creator, "Kuai", "kuaishou")
	fan, fanTok := a.newFan("hugo")
	_, otherTok := a.newFan("ivy")
	base := fmt.Sprintf("/v1/clubs/%d", club.ID)
	a.must(201, "PUT", base+"/membership", fanTok, nil)

	var req exitRequest
	a.must(201, "POST", base+"/exit-requests", fanTok, map[string]any{}).JSON(t, &req)
	if req.Links.Captcha != "/v1/exit-requests/"+req.ID+"/captcha.png" {
		t.Fatalf("captcha link = %q", req.Links.Captcha)
	}
	img := a.must(200, "GET", req.Links.Captcha, fanTok, nil)
	if img.Header.Get("Content-Type") != "image/png" || img.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("captcha headers = %v", img.Header)
	}
	if _, err := png.Decode(bytes.NewReader(img.Body)); err != nil {
		t.Fatalf("captcha is not a PNG: %v", err)
	}
	a.must(404, "GET", req.Links.Captcha, otherTok, nil)
	a.must(404, "POST", req.Links.Confirm, otherTok, map[string]string{"captcha": "000000"})

	code, err := a.Engine.ExitCaptcha(context.Background(), fan.ID, req.ID)
	if err != nil {
		t.Fatal(err)
	}
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	for i := 0; i < 3; i++ {
		p := a.must(422, "POST", req.Links.Confirm, fanTok, map[string]string{"captcha": wrong}).Problem(t)
		if p.Code != fanclub.ECHALLENGE || len(p.Errors) != 1 || p.Errors[0].Path != "answers.captcha" {
			t.Fatalf("attempt %d: problem = %+v", i+1, p)
		}
	}
	a.must(409, "POST", req.Links.Confirm, fanTok, map[string]string{"captcha": code})
	a.must(409, "GET", req.Links.Captcha, fanTok, nil)

	a.must(201, "POST", base+"/exit-requests", fanTok, nil).JSON(t, &req)
	a.Clock.Advance(time.Hour)
	code, err = a.Engine.ExitCaptcha(context.Background(), fan.ID, req.ID)
	if err != nil {
		t.Fatal(err)
	}
	a.must(410, "POST", req.Links.Confirm, fanTok, map[string]string{"captcha": code}).Problem(t)

	a.must(201, "POST", base+"/exit-requests", fanTok, nil).JSON(t, &req)
	code, _ = a.Engine.ExitCaptcha(context.Background(), fan.ID, req.ID)
	a.must(200, "POST", req.Links.Confirm, fanTok, map[string]string{"captcha": code})
	a.must(409, "POST", base+"/exit-requests", fanTok, nil)
}

func TestRestrictedInteractionIs403WithUntil(t *testing.T) {
	t.Parallel()
	eachStore(t, testRestrictedInteractionIs403WithUntil)
}

func testRestrictedInteractionIs403WithUntil(t *testing.T, open teststores.Open) {
	t.Parallel()
	a := newTestAPI(t, open)
	_, creator := a.newCreator("dy_creator")
	douyin := a.newClub(creator, "Dou", "douyin")
	fair := a.newClub(creator, "Fair", "fair")
	_, fan := a.newFan("jay")
	a.must(201, "PUT", fmt.Sprintf("/v1/clubs/%d/membership", douyin.ID), fan, nil)
	a.must(201, "PUT", fmt.Sprintf("/v1/clubs/%d/membership", fair.ID), fan, nil)
	var req exitRequest
	a.must(201, "POST", fmt.Sprintf("/v1/clubs/%d/exit-requests", douyin.ID), fan, nil).JSON(t, &req)
	if req.SliderW == 0 || req.SliderTol != 6 {
		t.Errorf("slider geometry = width %d tolerance %d", req.SliderW, req.SliderTol)
	}
	slider := a.sliderTarget(req.ID)
	a.must(422, "POST", req.Links.Confirm, fan, map[string]any{"slider": slider, "password": "wrong password"})
	a.must(200, "POST", req.Links.Confirm, fan, map[string]any{"slider": slider + 6, "password": "pw-jay-secret"})
	p := a.must(403, "POST", fmt.Sprintf("/v1/clubs/%d/interactions", fair.ID), fan, map[string]string{"action": "comment"}).Problem(t)
	if p.Code != fanclub.ERESTRICTED || p.Until != a.Clock.Now().Add(24*time.Hour).Format(time.RFC3339) {
		t.Fatalf("problem = %+v", p)
	}
	var me fanclub.FanView
	a.must(200, "GET", "/v1/me", fan, nil).JSON(t, &me)
	if len(me.Effects) == 0 {
		t.Fatalf("no active effects after a douyin exit: %+v", me)
	}
	a.Clock.Advance(24 * time.Hour)
	a.must(200, "POST", fmt.Sprintf("/v1/clubs/%d/interactions", fair.ID), fan, map[string]string{"action": "comment"})
}

// TestSliderExitFlowFromTheImage answers a douyin slider from the served
// image alone: the darkest gap-wide column band is where the piece goes.
func TestSliderExitFlowFromTheImage(t *testing.T) {
	t.Parallel()
	eachStore(t, testSliderExitFlowFromTheImage)
}

func testSliderExitFlowFromTheImage(t *testing.T, open teststores.Open) {
	t.Parallel()
	a := newTestAPI(t, open)
	_, creator := a.newCreator("dy_maker")
	club := a.newClub(creator, "Dou", "douyin")
	_, fanTok := a.newFan("kim")
	_, otherTok := a.newFan("lea")
	base := fmt.Sprintf("/v1/clubs/%d", club.ID)
	a.must(201, "PUT", base+"/membership", fanTok, nil)

	var req exitRequest
	a.must(201, "POST", base+"/exit-requests", fanTok, nil).JSON(t, &req)
	if req.Links.Slider != "/v1/exit-requests/"+req.ID+"/slider.png" || req.Links.Captcha != "" {
		t.Fatalf("links = %+v", req.Links)
	}
	res := a.must(200, "GET", req.Links.Slider, fanTok, nil)
	if res.Header.Get("Content-Type") != "image/png" || res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("slider headers = %v", res.Header)
	}
	img, err := png.Decode(bytes.NewReader(res.Body))
	if err != nil {
		t.Fatalf("slider is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != req.SliderW {
		t.Fatalf("slider image is %d wide, slider_width is %d", b.Dx(), req.SliderW)
	}
	a.must(404, "GET", req.Links.Slider, otherTok, nil)

	pos := darkestBand(img, captcha.SliderGap-2) // the gap inside its light outline
	a.must(200, "POST", req.Links.Confirm, fanTok, map[string]any{"slider": pos, "password": "pw-kim-secret"})
	a.must(409, "GET", req.Links.Slider, fanTok, nil)
}

// darkestBand is the centre of the darkest band of the given width of
// whole columns (the light piece at the left edge never wins).
func darkestBand(img image.Image, band int) int {
	b := img.Bounds()
	col := make([]float64, b.Dx())
	for x := range col {
		for y := b.Min.Y; y < b.Max.Y; y++ {
			r, g, bl, _ := img.At(b.Min.X+x, y).RGBA()
			col[x] += float64(r + g + bl)
		}
	}
	best, bestSum := 0, math.Inf(1)
	for x := 0; x+band <= len(col); x++ {
		var sum float64
		for _, c := range col[x : x+band] {
			sum += c
		}
		if sum < bestSum {
			best, bestSum = x+band/2, sum
		}
	}
	return best
}

// TestExitRequestCanBeReadAgain checks GET /v1/exit-requests/{id}: the
// Location of a new request, attempts counting up after a wrong answer,
// the links, and a pending request past its expiry reading as void.
func TestExitRequestCanBeReadAgain(t *testing.T) {
	t.Parallel()
	eachStore(t, testExitRequestCanBeReadAgain)
}

func testExitRequestCanBeReadAgain(t *testing.T, open teststores.Open) {
	t.Parallel()
	a := newTestAPI(t, open)
	_, creator := a.newCreator("ks_reader")
	club := a.newClub(creator, "Kuai", "kuaishou")
	_, fanTok := a.newFan("jade")
	_, otherTok := a.newFan("kim")
	base := fmt.Sprintf("/v1/clubs/%d", club.ID)
	a.must(201, "PUT", base+"/membership", fanTok, nil)

	var created exitRequest
	res := a.must(201, "POST", base+"/exit-requests", fanTok, map[string]any{})
	res.JSON(t, &created)
	loc := res.Header.Get("Location")
	if loc != "/v1/exit-requests/"+created.ID {
		t.Fatalf("Location = %q", loc)
	}
	a.must(404, "GET", loc, otherTok, nil)
	a.must(422, "POST", created.Links.Confirm, fanTok, map[string]string{"captcha": "x"})

	var got struct {
		exitRequest
		Status   fanclub.ExitRequestStatus `json:"status"`
		Attempts int                       `json:"attempts"`
	}
	a.must(200, "GET", loc, fanTok, nil).JSON(t, &got)
	if got.ID != created.ID || got.Status != fanclub.ExitPending || got.Attempts != 1 ||
		got.Links != created.Links || got.Impact.LevelBefore != created.Impact.LevelBefore {
		t.Fatalf("read again: %+v; created %+v", got, created)
	}
	a.Clock.Advance(time.Hour)
	a.must(200, "GET", loc, fanTok, nil).JSON(t, &got)
	if got.Status != fanclub.ExitVoid {
		t.Fatalf("status after expiry = %q, want void", got.Status)
	}
}

// TestExitEffectsAreExecuted checks that dimension 4 changes what the API
// shows: a wechat-channels leaver no longer sees the club's member count
// (others do) until rejoining, and a kuaishou leaver's recommendation
// weight is 0.5 until 00:00 Shanghai of the fourth day after the exit.
func TestExitEffectsAreExecuted(t *testing.T) {
	t.Parallel()
	eachStore(t, testExitEffectsAreExecuted)
}

func testExitEffectsAreExecuted(t *testing.T, open teststores.Open) {
	t.Parallel()
	a := newTestAPI(t, open) // the clock starts at 2026-11-20 12:00 in Shanghai
	_, creator := a.newCreator("fx_creator")
	wx := a.newClub(creator, "Channels", "wechat-channels")
	ks := a.newClub(creator, "Kuai", "kuaishou")
	fan, fanTok := a.newFan("lena")
	_, otherTok := a.newFan("milo")
	wxBase, ksBase := fmt.Sprintf("/v1/clubs/%d", wx.ID), fmt.Sprintf("/v1/clubs/%d", ks.ID)
	for _, tok := range []string{fanTok, otherTok} {
		a.must(201, "PUT", wxBase+"/membership", tok, nil)
	}
	a.must(201, "PUT", ksBase+"/membership", fanTok, nil)

	type clubView struct {
		MemberCount       *int `json:"member_count"`
		MemberCountHidden bool `json:"member_count_hidden"`
	}
	count := func(tok string) clubView {
		var v clubView
		a.must(200, "GET", wxBase, tok, nil).JSON(t, &v)
		return v
	}
	if v := count(fanTok); v.MemberCount == nil || *v.MemberCount != 2 || v.MemberCountHidden {
		t.Fatalf("before the exit: %+v, want a count of 2", v)
	}
	var req exitRequest
	a.must(201, "POST", wxBase+"/exit-requests", fanTok, nil).JSON(t, &req)
	a.must(200, "POST", req.Links.Confirm, fanTok, map[string]bool{"confirm": true})
	if v := count(fanTok); v.MemberCount != nil || !v.MemberCountHidden {
		t.Fatalf("leaver after the exit: %+v, want the count hidden", v)
	}
	if v := count(otherTok); v.MemberCount == nil || *v.MemberCount != 1 {
		t.Fatalf("another fan after the exit: %+v, want a count of 1", v)
	}

	weight := func() float64 {
		var me struct {
			Weight float64 `json:"recommendation_weight"`
		}
		a.must(200, "GET", "/v1/me", fanTok, nil).JSON(t, &me)
		return me.Weight
	}
	if w := weight(); w != 1 {
		t.Fatalf("weight before the kuaishou exit = %g, want 1", w)
	}
	a.must(201, "POST", ksBase+"/exit-requests", fanTok, nil).JSON(t, &req)
	code, err := a.Engine.ExitCaptcha(context.Background(), fan.ID, req.ID)
	if err != nil {
		t.Fatal(err)
	}
	a.must(200, "POST", req.Links.Confirm, fanTok, map[string]string{"captcha": code})
	if w := weight(); w != 0.5 {
		t.Fatalf("weight after the kuaishou exit = %g, want 0.5", w)
	}
	end := time.Date(2026, 11, 24, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	a.Clock.Set(end.Add(-time.Second))
	if w := weight(); w != 0.5 {
		t.Fatalf("weight 1 s before the 4th day = %g, want 0.5", w)
	}
	a.Clock.Set(end)
	if w := weight(); w != 1 {
		t.Fatalf("weight at 00:00 of the 4th day = %g, want 1", w)
	}

	a.must(201, "PUT", wxBase+"/membership", fanTok, nil) // 72 h have passed
	if v := count(fanTok); v.MemberCount == nil || *v.MemberCount != 2 || v.MemberCountHidden {
		t.Fatalf("after rejoining: %+v, want a count of 2", v)
	}
}

// TestBatchSeqReusedIs409 checks that a retried batch answers its stored
// result while a (producer, seq) reused for other events is a conflict.
func TestBatchSeqReusedIs409(t *testing.T) {
	t.Parallel()
	eachStore(t, testBatchSeqReusedIs409)
}

func testBatchSeqReusedIs409(t *testing.T, open teststores.Open) {
	t.Parallel()
	a := newTestAPI(t, open)
	_, creator := a.newCreator("batch_creator")
	club := a.newClub(creator, "Batch", "fair")
	fan, fanTok := a.newFan("nora")
	a.must(201, "PUT", fmt.Sprintf("/v1/clubs/%d/membership", club.ID), fanTok, nil)
	batch := func(id string) map[string]any {
		return map[string]any{"producer": "edge", "seq": 7, "events": []map[string]any{
			{"id": id, "fan_id": fan.ID, "club_id": club.ID, "action": "share"},
		}}
	}
	var first, retry fanclub.BatchResult
	a.must(200, "POST", "/v1/events:batch", a.Admin, batch("ev-1")).JSON(t, &first)
	a.must(200, "POST", "/v1/events:batch", a.Admin, batch("ev-1")).JSON(t, &retry)
	if first.Accepted != 1 || retry.Accepted != 1 || retry.Results[0].Points != first.Results[0].Points {
		t.Fatalf("first %+v, retry %+v: a retry answers the stored result", first, retry)
	}
	if p := a.must(409, "POST", "/v1/events:batch", a.Admin, batch("ev-2")).Problem(t); p.Code != fanclub.ECONFLICT {
		t.Fatalf("reused seq: %+v", p)
	}
}
