package fanclub_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"pgregory.net/rapid"

	"fanclub"
	"fanclub/internal/teststores"
	"fanclub/policyfile"
)

// presetNames are the presets the property test draws clubs from.
var presetNames = []string{"wechat-channels", "douyin", "kuaishou", "fair"}

// TestExitExecutesItsPreview runs the exit property on the shipped preset
// files and on the presets built in Go.
func TestExitExecutesItsPreview(t *testing.T) {
	t.Parallel()
	reg, err := policyfile.NewRegistry()
	if err != nil {
		t.Fatalf("preset registry: %v", err)
	}
	teststores.Each(t, func(t *testing.T, open teststores.Open) {
		t.Parallel()
		t.Run("preset files", func(t *testing.T) { t.Parallel(); checkExitProperty(t, open, reg) })
		t.Run("go presets", func(t *testing.T) { t.Parallel(); checkExitProperty(t, open, presetSource{}) })
	})
}

// checkExitProperty drives random joins, interactions, time
// advances and exits through the engine on a store from open and checks that every
// confirmed exit does exactly what its preview said, that a wrong answer
// changes nothing but the attempt count, and that a rejoin restores what
// the membership view promised.
func checkExitProperty(t *testing.T, open teststores.Open, src fanclub.PolicySource) {
	open = teststores.Sequential(t, open)
	rapid.Check(t, func(rt *rapid.T) {
		ctx := context.Background()
		e, clock, db := engineWithPolicies(rt, open, src)
		w := worldWithClubs(rt, e, 2)
		pick := func() (int64, string, int64) {
			fan := rapid.SampledFrom(w.fans).Draw(rt, "fan")
			preset := rapid.SampledFrom(presetNames).Draw(rt, "preset")
			return fan, preset, w.clubs[preset]
		}
		member := func(fan, club int64) *fanclub.MembershipView {
			v, err := e.Membership(ctx, fan, club)
			if fanclub.ErrorCode(err) == fanclub.ENOTFOUND {
				return nil
			} else if err != nil {
				rt.Fatalf("membership: %v", err)
			}
			return v
		}
		fanView := func(fan int64) *fanclub.FanView {
			fv, err := e.FanView(ctx, fan)
			if err != nil {
				rt.Fatalf("fan view: %v", err)
			}
			return fv
		}
		rt.Repeat(map[string]func(*rapid.T){
			"advance": func(rt *rapid.T) {
				clock.Advance(rapid.SampledFrom([]time.Duration{time.Minute, time.Hour, 5 * time.Hour, 23 * time.Hour, 25 * time.Hour, 72 * time.Hour, 8 * 24 * time.Hour}).Draw(rt, "advance"))
			},
			"join": func(rt *rapid.T) {
				fan, preset, club := pick()
				before := member(fan, club)
				v, err := e.Join(ctx, fan, club)
				switch {
				case before == nil:
					if err != nil || v.Level != 1 || v.LevelPoints != 0 {
						rt.Fatalf("first join: %v %+v", err, v)
					}
				case before.Status == fanclub.StatusActive:
					if fanclub.ErrorCode(err) != fanclub.EALREADYMEMBER {
						rt.Fatalf("join while active: %v", err)
					}
				case before.CooldownUntil != nil:
					if fanclub.ErrorCode(err) != fanclub.ECOOLDOWN {
						rt.Fatalf("join in cooldown: %v", err)
					}
				default:
					levels := mustPolicy(rt, src, preset).Engagement.Levels
					lvl, pts := fanclub.RestoreAt(levels, before.Membership, clock.Now())
					if err != nil || v.Level != lvl || v.LevelPoints != pts || v.LevelPoints != before.RetainedPoints || v.Retained != nil {
						rt.Fatalf("rejoin: %v got L%d/%d want L%d/%d (view promised %d)", err, v.Level, v.LevelPoints, lvl, pts, before.RetainedPoints)
					}
				}
			},
			"interact": func(rt *rapid.T) {
				fan, preset, club := pick()
				action := rapid.SampledFrom(fanclub.Actions).Draw(rt, "action")
				amount := rapid.Int64Range(1, 40).Draw(rt, "amount")
				before := member(fan, club)
				v, r, err := e.Interact(ctx, fan, club, action, amount)
				switch code := fanclub.ErrorCode(err); {
				case action == fanclub.ActionGift: // fans cannot report gifts
					if code != fanclub.EINVALID {
						rt.Fatalf("a fan's gift: %v, want invalid", err)
					}
				case code == fanclub.ENOTMEMBER:
					if before != nil && before.Status == fanclub.StatusActive {
						rt.Fatalf("active member refused: %v", err)
					}
				case code == fanclub.ERESTRICTED:
					if action != fanclub.ActionLike && action != fanclub.ActionComment {
						rt.Fatalf("%s restricted", action)
					}
				case err != nil:
					rt.Fatalf("interact: %v", err)
				default:
					levels := mustPolicy(rt, src, preset).Engagement.Levels
					if v.LevelPoints != before.LevelPoints+r.Points || v.Level != fanclub.LevelFor(levels, v.LevelPoints) || !v.Lit {
						rt.Fatalf("interact: before %+v result %+v after %+v", before, r, v)
					}
				}
			},
			"exit": func(rt *rapid.T) {
				fan, preset, club := pick()
				p := mustPolicy(rt, src, preset)
				var choices map[string]string
				if preset == "fair" {
					choices = map[string]string{fanclub.ChoiceProgress: rapid.SampledFrom([]string{"erase", "keep"}).Draw(rt, "option")}
				}
				before := member(fan, club)
				req, err := e.RequestExit(ctx, fan, club, choices)
				if before == nil || before.Status != fanclub.StatusActive {
					if fanclub.ErrorCode(err) != fanclub.ENOTMEMBER {
						rt.Fatalf("exit of non-member: %v", err)
					}
					return
				}
				if err != nil {
					rt.Fatalf("request exit: %v", err)
				}
				gpBefore := fanView(fan).GeneralPoints
				switch rapid.IntRange(0, 2).Draw(rt, "mode") {
				case 1: // a wrong answer first
					if _, err := e.ConfirmExit(ctx, fan, req.ID, wrongAnswers(rt, db, req.ID)); fanclub.ErrorCode(err) != fanclub.ECHALLENGE {
						rt.Fatalf("wrong answer: %v", err)
					}
					if after := member(fan, club); !reflect.DeepEqual(after.Membership, before.Membership) {
						rt.Fatalf("wrong answer changed the membership: %+v -> %+v", before.Membership, after.Membership)
					}
					if r := requestFromStore(rt, db, req.ID); r.Attempts != 1 || r.Status != fanclub.ExitPending {
						rt.Fatalf("after a wrong answer: attempts %d status %s", r.Attempts, r.Status)
					}
					if gp := fanView(fan).GeneralPoints; gp != gpBefore {
						rt.Fatalf("wrong answer changed general points %d -> %d", gpBefore, gp)
					}
				case 2: // points earned meanwhile make the preview stale
					reportGift(rt, e, fan, club, 1)
					if _, err := e.ConfirmExit(ctx, fan, req.ID, rightAnswers(rt, db, req.ID)); fanclub.ErrorCode(err) != fanclub.ECONFLICT {
						rt.Fatalf("stale preview confirmed: %v", err)
					}
					return
				}
				now := clock.Now()
				loc, err := p.Location()
				if err != nil {
					rt.Fatalf("policy zone: %v", err)
				}
				plan, err := fanclub.PlanExit(p, loc, before.Membership, choices, now)
				if err != nil {
					rt.Fatalf("plan: %v", err)
				}
				out, err := e.ConfirmExit(ctx, fan, req.ID, rightAnswers(rt, db, req.ID))
				if err != nil {
					rt.Fatalf("confirm: %v", err)
				}
				// PlanExit is pure: the revenue part, read from the store, is
				// the engine's; the preview's must still equal the outcome's.
				planned := plan.Impact
				planned.Revenue = out.Impact.Revenue
				if !reflect.DeepEqual(out.Impact, req.Impact) || !reflect.DeepEqual(out.Impact, planned) {
					rt.Fatalf("outcome differs from preview:\n%+v\n%+v", out.Impact, req.Impact)
				}
				im := out.Impact
				after := member(fan, club)
				if after.Status != fanclub.StatusLeft || after.Level != im.LevelAfter || after.LevelPoints != im.LevelPointsAfter ||
					after.RetainedPoints != im.PointsRetained || after.Exits != before.Exits+1 || !after.LeftAt.Equal(now) {
					rt.Fatalf("membership after exit %+v, impact %+v", after, im)
				}
				if !reflect.DeepEqual(after.Membership, plan.Membership) {
					rt.Fatalf("stored membership %+v, planned %+v", after.Membership, plan.Membership)
				}
				if im.RejoinFrom.After(now) != (after.CooldownUntil != nil) || (after.CooldownUntil != nil && !after.CooldownUntil.Equal(im.RejoinFrom)) {
					rt.Fatalf("cooldown %v, rejoin from %v", after.CooldownUntil, im.RejoinFrom)
				}
				fv := fanView(fan)
				if fv.GeneralPoints != gpBefore+im.PointsConverted {
					rt.Fatalf("general points %d, want %d", fv.GeneralPoints, gpBefore+im.PointsConverted)
				}
				for _, ef := range im.Effects {
					found := false
					for _, got := range fv.Effects {
						found = found || (got.Kind == ef.Kind && got.ClubID == ef.ClubID && got.Start.Equal(ef.Start))
					}
					if !found {
						rt.Fatalf("effect %+v missing from %+v", ef, fv.Effects)
					}
				}
			},
		})
	})
}

// mustPolicy resolves a policy or fails the test.
func mustPolicy(t testingT, src fanclub.PolicySource, name string) *fanclub.Policy {
	t.Helper()
	p, err := src.Policy(name)
	if err != nil {
		t.Fatalf("policy %s: %v", name, err)
	}
	return p
}
