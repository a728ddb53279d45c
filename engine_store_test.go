package fanclub_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"fanclub"
	"fanclub/internal/teststores"
)

func TestAccountsAndTokens(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testAccountsAndTokens)
}

func testAccountsAndTokens(t *testing.T, open teststores.Open) {
	t.Parallel()
	e, _, _ := engineOn(t, open)
	ctx := context.Background()
	_, err := e.CreateFan(ctx, "No", "short")
	if fanclub.ErrorCode(err) != fanclub.EINVALID || len(fanclub.ErrorFields(err)) != 2 {
		t.Fatalf("bad fan: %v", err)
	}
	f, err := e.CreateFan(ctx, "lin_99", "password1")
	if err != nil {
		t.Fatalf("create fan: %v", err)
	}
	if _, err := e.CreateFan(ctx, "lin_99", "password2"); fanclub.ErrorCode(err) != fanclub.ECONFLICT {
		t.Fatalf("taken handle: %v", err)
	}
	tok, got, err := e.LoginFan(ctx, "lin_99", "password1", "")
	if err != nil || got.ID != f.ID || !strings.HasPrefix(tok.Token, fanclub.TokenPrefix) {
		t.Fatalf("login: %v %v %+v", err, got, tok)
	}
	p, err := e.Authenticate(ctx, tok.Token)
	if err != nil || p != (fanclub.Principal{Role: fanclub.RoleFan, ID: f.ID, TokenID: tok.TokenID}) {
		t.Fatalf("authenticate: %v %+v", err, p)
	}
	_, _, errWrong := e.LoginFan(ctx, "lin_99", "password2", "")
	_, _, errUnknown := e.LoginFan(ctx, "nobody", "password1", "")
	if fanclub.ErrorCode(errWrong) != fanclub.EUNAUTHORIZED || fanclub.ErrorMessage(errWrong) != fanclub.ErrorMessage(errUnknown) {
		t.Fatalf("wrong password %v, unknown handle %v", errWrong, errUnknown)
	}
	if _, err := e.Authenticate(ctx, tok.Token+"x"); fanclub.ErrorCode(err) != fanclub.EUNAUTHORIZED {
		t.Fatalf("unknown token: %v", err)
	}
	cr, _ := e.CreateCreator(ctx, "maker")
	if _, err := e.CreateClub(ctx, cr.ID, "", "nope"); fanclub.ErrorCode(err) != fanclub.EINVALID || len(fanclub.ErrorFields(err)) != 2 {
		t.Fatalf("bad club: %v", err)
	}
	if _, err := e.CreateClub(ctx, cr.ID+100, "club", "fair"); fanclub.ErrorCode(err) != fanclub.ENOTFOUND {
		t.Fatalf("club of unknown creator: %v", err)
	}
}

func TestInteractCapsAndDayBoundary(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testInteractCapsAndDayBoundary)
}

func testInteractCapsAndDayBoundary(t *testing.T, open teststores.Open) {
	t.Parallel()
	e, clock, _ := engineOn(t, open)
	ctx := context.Background()
	w := worldWithClubs(t, e, 1)
	fan, club := w.fans[0], w.clubs["fair"]
	if _, _, err := e.Interact(ctx, fan, club, fanclub.ActionLike, 1); fanclub.ErrorCode(err) != fanclub.ENOTMEMBER {
		t.Fatalf("non-member interact: %v", err)
	}
	v, err := e.Join(ctx, fan, club)
	if err != nil || v.Level != 1 || v.LevelPoints != 0 || !v.Lit {
		t.Fatalf("join: %v %+v", err, v)
	}
	if _, err := e.Join(ctx, fan, club); fanclub.ErrorCode(err) != fanclub.EALREADYMEMBER {
		t.Fatalf("second join: %v", err)
	}
	// 15:50 UTC is 23:50 in Shanghai: the like cap (30) is reached today.
	clock.Set(time.Date(2026, 3, 10, 15, 50, 0, 0, time.UTC))
	_, r, err := e.Interact(ctx, fan, club, fanclub.ActionLike, 25)
	if err != nil || r.Points != 25 {
		t.Fatalf("likes: %v %+v", err, r)
	}
	v, r, err = e.Interact(ctx, fan, club, fanclub.ActionLike, 25)
	if err != nil || r.Points != 5 || r.Status != fanclub.EventAccepted || v.LevelPoints != 30 {
		t.Fatalf("capped likes: %v %+v %+v", err, r, v)
	}
	_, r, _ = e.Interact(ctx, fan, club, fanclub.ActionLike, 1)
	if r.Points != 0 || r.Status != fanclub.EventAccepted {
		t.Fatalf("over cap: %+v", r)
	}
	clock.Advance(10 * time.Minute) // 00:00 in Shanghai: a new day
	if _, _, err := e.Interact(ctx, fan, club, fanclub.ActionGift, 12); fanclub.ErrorCode(err) != fanclub.EINVALID {
		t.Fatalf("a fan's own gift: %v, want invalid", err)
	}
	if r := reportGift(t, e, fan, club, 12); r.Points != 120 {
		t.Fatalf("gift: %+v", r)
	}
	if v, _ = e.Membership(ctx, fan, club); v.Level != 2 {
		t.Fatalf("after the gift: %+v", v)
	}
	_, r, _ = e.Interact(ctx, fan, club, fanclub.ActionLike, 40)
	if r.Points != 30 {
		t.Fatalf("likes next day: %+v", r)
	}
	clock.Advance(7 * 24 * time.Hour)
	v, _ = e.Membership(ctx, fan, club)
	if v.Lit || v.LevelPoints != 180 || v.Level != 2 {
		t.Fatalf("dark keeps points: %+v", v)
	}
}

func TestIngestBatch(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testIngestBatch)
}

func testIngestBatch(t *testing.T, open teststores.Open) {
	t.Parallel()
	e, clock, _ := engineOn(t, open)
	ctx := context.Background()
	w := worldWithClubs(t, e, 2)
	club := w.clubs["douyin"]
	if _, err := e.Join(ctx, w.fans[0], club); err != nil {
		t.Fatal(err)
	}
	future := clock.Now().Add(time.Hour)
	_, err := e.Ingest(ctx, fanclub.Batch{Events: []fanclub.EventInput{
		{ID: "a", FanID: w.fans[0], ClubID: club, Action: fanclub.ActionLike},
		{ID: "b", FanID: w.fans[0], ClubID: club, Action: "dance"},
		{ID: "c", FanID: w.fans[0], ClubID: club, Action: fanclub.ActionLike, At: &future},
	}})
	fields := fanclub.ErrorFields(err)
	if fanclub.ErrorCode(err) != fanclub.EINVALID || len(fields) != 1 || fields[0].Path != "events[1].action" {
		t.Fatalf("malformed batch: %v", err)
	}
	b := fanclub.Batch{Producer: "edge-1", Seq: 1, Events: []fanclub.EventInput{
		{ID: "e1", FanID: w.fans[0], ClubID: club, Action: fanclub.ActionComment, Amount: 2},
		{ID: "e1", FanID: w.fans[0], ClubID: club, Action: fanclub.ActionComment, Amount: 2},
		{ID: "e2", FanID: w.fans[1], ClubID: club, Action: fanclub.ActionLike},
		{ID: "e3", FanID: w.fans[0], ClubID: club + 1000, Action: fanclub.ActionLike},
		{ID: "e4", FanID: w.fans[0], ClubID: club, Action: fanclub.ActionShare},
	}}
	res, err := e.Ingest(ctx, b)
	if err != nil {
		t.Fatalf("ingest: %v", err)
	}
	want := []string{"accepted/", "duplicate/", "rejected/not_member", "rejected/not_found", "accepted/"}
	for i, r := range res.Results {
		if got := r.Status + "/" + r.Code; got != want[i] {
			t.Errorf("event %d: %s, want %s", i, got, want[i])
		}
	}
	if res.Accepted != 2 || res.Duplicates != 1 || res.Rejected != 2 {
		t.Errorf("counts %+v", res)
	}
	again, err := e.Ingest(ctx, b)
	if err != nil || again.Accepted != 2 || again.Duplicates != 1 {
		t.Fatalf("retried batch: %v %+v", err, again)
	}
	reused := fanclub.Batch{Producer: "edge-1", Seq: 1, Events: []fanclub.EventInput{
		{ID: "e9", FanID: w.fans[0], ClubID: club, Action: fanclub.ActionShare},
	}}
	if _, err := e.Ingest(ctx, reused); fanclub.ErrorCode(err) != fanclub.ECONFLICT {
		t.Fatalf("seq reused for other events: %v, want conflict", err)
	}
	b.Seq = 2
	third, _ := e.Ingest(ctx, b)
	if third.Accepted != 0 || third.Duplicates != 3 {
		t.Fatalf("same events, new seq: %+v", third)
	}
	v, _ := e.Membership(ctx, w.fans[0], club)
	if v.LevelPoints != 20 {
		t.Fatalf("points %d, want 20", v.LevelPoints)
	}
}

func TestDouyinExitRestrictsEverywhere(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testDouyinExitRestrictsEverywhere)
}

func testDouyinExitRestrictsEverywhere(t *testing.T, open teststores.Open) {
	t.Parallel()
	e, clock, db := engineOn(t, open)
	ctx := context.Background()
	w := worldWithClubs(t, e, 1)
	fan := w.fans[0]
	for _, c := range []string{"douyin", "fair"} {
		if _, err := e.Join(ctx, fan, w.clubs[c]); err != nil {
			t.Fatal(err)
		}
	}
	reportGift(t, e, fan, w.clubs["douyin"], 70)
	req, err := e.RequestExit(ctx, fan, w.clubs["douyin"], nil)
	if err != nil {
		t.Fatalf("request exit: %v", err)
	}
	if _, err := e.ConfirmExit(ctx, fan, req.ID, wrongAnswers(t, db, req.ID)); fanclub.ErrorCode(err) != fanclub.ECHALLENGE {
		t.Fatalf("wrong slider: %v", err)
	}
	if r := requestFromStore(t, db, req.ID); r.Attempts != 1 || r.Status != fanclub.ExitPending {
		t.Fatalf("after wrong answer: %+v", r)
	}
	out, err := e.ConfirmExit(ctx, fan, req.ID, rightAnswers(t, db, req.ID))
	if err != nil {
		t.Fatalf("confirm: %v", err)
	}
	if out.Impact.PointsRetained != 700 || out.Membership.RetainedPoints != 700 {
		t.Fatalf("outcome %+v", out.Impact)
	}
	_, _, err = e.Interact(ctx, fan, w.clubs["fair"], fanclub.ActionLike, 1)
	if de, ok := err.(*fanclub.Error); !ok || de.Code != fanclub.ERESTRICTED || de.Until == "" {
		t.Fatalf("like after douyin exit: %v", err)
	}
	if _, _, err := e.Interact(ctx, fan, w.clubs["fair"], fanclub.ActionShare, 1); err != nil {
		t.Fatalf("share is not restricted: %v", err)
	}
	clock.Advance(24*time.Hour + 2*time.Hour)
	if _, _, err := e.Interact(ctx, fan, w.clubs["fair"], fanclub.ActionLike, 1); err != nil {
		t.Fatalf("like after 24h: %v", err)
	}
	v, err := e.Join(ctx, fan, w.clubs["douyin"])
	if err != nil || v.LevelPoints != 600 || v.Level != 4 {
		t.Fatalf("rejoin after one day: %v %+v", err, v)
	}
}

func TestWechatCooldownAndKuaishouConversion(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testWechatCooldownAndKuaishouConversion)
}

func testWechatCooldownAndKuaishouConversion(t *testing.T, open teststores.Open) {
	t.Parallel()
	e, clock, db := engineOn(t, open)
	ctx := context.Background()
	w := worldWithClubs(t, e, 1)
	fan := w.fans[0]
	for _, c := range []string{"wechat-channels", "kuaishou"} {
		if _, err := e.Join(ctx, fan, w.clubs[c]); err != nil {
			t.Fatal(err)
		}
		reportGift(t, e, fan, w.clubs[c], 35)
		req, err := e.RequestExit(ctx, fan, w.clubs[c], nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.ConfirmExit(ctx, fan, req.ID, rightAnswers(t, db, req.ID)); err != nil {
			t.Fatalf("%s confirm: %v", c, err)
		}
	}
	_, err := e.Join(ctx, fan, w.clubs["wechat-channels"])
	if de, ok := err.(*fanclub.Error); !ok || de.Code != fanclub.ECOOLDOWN || de.Until == "" {
		t.Fatalf("rejoin in cooldown: %v", err)
	}
	fv, err := e.FanView(ctx, fan)
	if err != nil || fv.GeneralPoints != 350 || len(fv.Effects) != 2 {
		t.Fatalf("fan view: %v %+v", err, fv)
	}
	v, err := e.Join(ctx, fan, w.clubs["kuaishou"])
	if err != nil || v.Level != 3 || v.LevelPoints != 300 {
		t.Fatalf("kuaishou rejoin: %v %+v", err, v)
	}
	clock.Advance(72 * time.Hour)
	v, err = e.Join(ctx, fan, w.clubs["wechat-channels"])
	if err != nil || v.Level != 1 || v.LevelPoints != 0 {
		t.Fatalf("wechat rejoin: %v %+v", err, v)
	}
	fv, _ = e.FanView(ctx, fan)
	if len(fv.Effects) != 1 || fv.Effects[0].Kind != fanclub.EffectRecommendationWeight {
		t.Fatalf("effects after rejoin: %+v", fv.Effects)
	}
	// The exit was at 10:00 on 03-10 in Shanghai: the weight ends 00:00 on 03-14.
	clock.Advance(14*time.Hour - time.Second)
	if fv, _ = e.FanView(ctx, fan); len(fv.Effects) != 1 {
		t.Fatalf("weight ended early: %+v", fv.Effects)
	}
	clock.Advance(time.Second)
	if fv, _ = e.FanView(ctx, fan); len(fv.Effects) != 0 {
		t.Fatalf("effects after three calendar days: %+v", fv.Effects)
	}
}

func TestConfirmExitRefusals(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testConfirmExitRefusals)
}

func testConfirmExitRefusals(t *testing.T, open teststores.Open) {
	t.Parallel()
	e, clock, db := engineOn(t, open)
	ctx := context.Background()
	w := worldWithClubs(t, e, 2)
	fan, other, club := w.fans[0], w.fans[1], w.clubs["kuaishou"]
	if _, err := e.Join(ctx, fan, club); err != nil {
		t.Fatal(err)
	}
	if _, err := e.RequestExit(ctx, other, club, nil); fanclub.ErrorCode(err) != fanclub.ENOTMEMBER {
		t.Fatalf("exit of a non-member: %v", err)
	}
	if _, err := e.RequestExit(ctx, fan, club, map[string]string{"progress": "keep"}); fanclub.ErrorCode(err) != fanclub.EINVALID {
		t.Fatalf("unknown option: %v", err)
	}
	req, err := e.RequestExit(ctx, fan, club, nil)
	if err != nil {
		t.Fatal(err)
	}
	code, err := e.ExitCaptcha(ctx, fan, req.ID)
	if err != nil || len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		t.Fatalf("captcha %q: %v", code, err)
	}
	if _, err := e.ExitCaptcha(ctx, other, req.ID); fanclub.ErrorCode(err) != fanclub.ENOTFOUND {
		t.Fatalf("captcha of another fan's request: %v", err)
	}
	if _, err := e.ConfirmExit(ctx, other, req.ID, rightAnswers(t, db, req.ID)); fanclub.ErrorCode(err) != fanclub.ENOTFOUND {
		t.Fatalf("confirm of another fan's request: %v", err)
	}
	for i := 1; i <= 3; i++ {
		_, err := e.ConfirmExit(ctx, fan, req.ID, fanclub.ExitAnswers{Captcha: "000000x"})
		if fanclub.ErrorCode(err) != fanclub.ECHALLENGE || fanclub.ErrorFields(err)[0].Path != "answers.captcha" {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	if r := requestFromStore(t, db, req.ID); r.Status != fanclub.ExitVoid || r.Attempts != 3 {
		t.Fatalf("after max attempts: %+v", r)
	}
	if _, err := e.ConfirmExit(ctx, fan, req.ID, rightAnswers(t, db, req.ID)); fanclub.ErrorCode(err) != fanclub.ECONFLICT {
		t.Fatalf("confirm of a void request: %v", err)
	}
	req, _ = e.RequestExit(ctx, fan, club, nil)
	clock.Advance(5 * time.Minute)
	if _, err := e.ConfirmExit(ctx, fan, req.ID, rightAnswers(t, db, req.ID)); fanclub.ErrorCode(err) != fanclub.EEXPIRED {
		t.Fatalf("expired request: %v", err)
	}
	if r := requestFromStore(t, db, req.ID); r.Status != fanclub.ExitVoid {
		t.Fatalf("expired request status %s", r.Status)
	}
	v, _ := e.Membership(ctx, fan, club)
	if v.Status != fanclub.StatusActive || v.Exits != 0 {
		t.Fatalf("refused exits changed the membership: %+v", v)
	}
	req, _ = e.RequestExit(ctx, fan, club, nil)
	answers := rightAnswers(t, db, req.ID)
	answers.Captcha = " " + strings.ToUpper(answers.Captcha) + " "
	if _, err := e.ConfirmExit(ctx, fan, req.ID, answers); err != nil {
		t.Fatalf("confirm: %v", err)
	}
}

// TestInteractReportsEveryProblem checks that a malformed interaction names
// each bad field with its own path and changes nothing.
func TestInteractReportsEveryProblem(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testInteractReportsEveryProblem)
}

func testInteractReportsEveryProblem(t *testing.T, open teststores.Open) {
	t.Parallel()
	e, _, _ := engineOn(t, open)
	ctx := context.Background()
	fan, club := memberOf(t, e, "fair")
	for _, tc := range []struct {
		action fanclub.Action
		amount int64
		paths  []string
	}{
		{"dance", -2, []string{"action", "amount"}},
		{"dance", 1, []string{"action"}},
		{fanclub.ActionLike, 0, []string{"amount"}},
	} {
		_, _, err := e.Interact(ctx, fan, club, tc.action, tc.amount)
		var got []string
		for _, f := range fanclub.ErrorFields(err) {
			got = append(got, f.Path)
		}
		if fanclub.ErrorCode(err) != fanclub.EINVALID || strings.Join(got, ",") != strings.Join(tc.paths, ",") {
			t.Errorf("Interact(%q, %d): code %q, paths %v; want invalid with %v", tc.action, tc.amount, fanclub.ErrorCode(err), got, tc.paths)
		}
	}
	v, err := e.Membership(ctx, fan, club)
	if err != nil || v.LevelPoints != 0 || v.Version != 1 {
		t.Fatalf("membership changed by rejected interactions: %v %+v", err, v)
	}
}
