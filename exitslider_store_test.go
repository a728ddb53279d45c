package fanclub_test

import (
	"context"
	"testing"

	"fanclub"
	"fanclub/internal/teststores"
)

func TestExitSliderPuzzle(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testExitSliderPuzzle)
}

func testExitSliderPuzzle(t *testing.T, open teststores.Open) {
	t.Parallel()
	e, _, db := engineOn(t, open)
	ctx := context.Background()
	w := worldWithClubs(t, e, 2)
	fan, other := w.fans[0], w.fans[1]
	for _, c := range []string{"douyin", "kuaishou"} {
		if _, err := e.Join(ctx, fan, w.clubs[c]); err != nil {
			t.Fatal(err)
		}
	}
	req, err := e.RequestExit(ctx, fan, w.clubs["douyin"], nil)
	if err != nil {
		t.Fatalf("request exit: %v", err)
	}
	stored := requestFromStore(t, db, req.ID)
	got, err := e.ExitSlider(ctx, fan, req.ID)
	want := fanclub.SliderPuzzle{Width: stored.SliderWidth, Target: stored.SliderTarget, Tolerance: stored.SliderTolerance}
	if err != nil || got != want || got.Width != fanclub.SliderWidth || got.Target < fanclub.SliderMin || got.Target > fanclub.SliderMax || got.Tolerance <= 0 {
		t.Fatalf("slider = %+v, %v; want %+v", got, err, want)
	}
	if _, err := e.ExitSlider(ctx, other, req.ID); fanclub.ErrorCode(err) != fanclub.ENOTFOUND {
		t.Fatalf("slider of another fan's request: %v", err)
	}
	if _, err := e.ExitCaptcha(ctx, fan, req.ID); fanclub.ErrorCode(err) != fanclub.ENOTFOUND {
		t.Fatalf("captcha of a slider-only request: %v", err)
	}
	noSlider, err := e.RequestExit(ctx, fan, w.clubs["kuaishou"], nil)
	if err != nil {
		t.Fatalf("request kuaishou exit: %v", err)
	}
	if _, err := e.ExitSlider(ctx, fan, noSlider.ID); fanclub.ErrorCode(err) != fanclub.ENOTFOUND {
		t.Fatalf("slider of a captcha-only request: %v", err)
	}
	if _, err := e.ConfirmExit(ctx, fan, req.ID, rightAnswers(t, db, req.ID)); err != nil {
		t.Fatalf("confirm: %v", err)
	}
	if _, err := e.ExitSlider(ctx, fan, req.ID); fanclub.ErrorCode(err) != fanclub.ECONFLICT {
		t.Fatalf("slider of a confirmed request: %v", err)
	}
}
