package simulate

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"fanclub"
	"fanclub/argon2id"
	vclock "fanclub/clock"
	"fanclub/payments/sandbox"
	"fanclub/sqlite"
	vsandbox "fanclub/verify/sandbox"
)

// creatorHandle owns every club of a journey.
const creatorHandle = "journey_creator"

// FanPassword is the password the simulator gives a fan; it answers
// password challenges with it.
func FanPassword(fan string) string { return "journey-password-" + fan }

// runner holds one journey run's engine, store and the ids it created.
type runner struct {
	j       *Journey
	eng     *fanclub.Engine
	store   fanclub.Store
	clk     *vclock.Manual
	out     clock
	creator int64
	fans    map[string]int64
	clubs   map[string]int64
	names   map[int64]string // club id → journey name
	policy  map[string]string
	sandbox *sandbox.Provider
	// verifier is the sandbox identity verifier (face checks fail on demand).
	verifier *vsandbox.Verifier
}

// Run executes a journey against a fresh in-memory SQLite store and writes
// one JSON line per step to out. Policies are resolved in policies (a
// policyfile.Registry). Steps the engine refuses print ok:false and do not
// stop the run. Run returns an EINVALID error naming the field for a
// journey naming an unknown policy (before any output), and an EINTERNAL
// error if a confirmed exit did not do what its preview showed.
func Run(ctx context.Context, j *Journey, policies fanclub.PolicySource, out io.Writer) error {
	var db *sqlite.DB
	defer func() {
		if db != nil {
			_ = db.Close()
		}
	}()
	return RunOn(ctx, func(ctx context.Context, now func() time.Time) (fanclub.Store, error) {
		var err error
		db, err = sqlite.Open(ctx, ":memory:", sqlite.Options{Now: now, Logger: slog.New(slog.DiscardHandler)})
		return db, err
	}, j, policies, out)
}

// OpenStore opens the empty store a journey runs on, whose transactions
// read their time from now (the journey's clock).
type OpenStore func(ctx context.Context, now func() time.Time) (fanclub.Store, error)

// RunOn is Run on the store open returns, of any kind; the caller closes
// it. The output does not depend on the store.
func RunOn(ctx context.Context, open OpenStore, j *Journey, policies fanclub.PolicySource, out io.Writer) error {
	clubPolicy, err := checkPolicies(j, policies)
	if err != nil {
		return err
	}
	clk := vclock.NewManual(j.Start)
	db, err := open(ctx, clk.Now)
	if err != nil {
		return fmt.Errorf("open simulation store: %w", err)
	}
	random := rand.NewChaCha8(seedBytes(j.Seed))
	saltRandom := rand.NewChaCha8(seedBytes(j.Seed + 1))
	sbx := sandbox.New(db, sandbox.Options{})
	vfy := vsandbox.New(db)
	r := &runner{
		j: j, store: db, clk: clk, out: clock{loc: j.Start.Location()},
		eng: fanclub.NewEngine(fanclub.EngineConfig{
			Store: db, Policies: policies, Random: random, Payments: sbx, Verifier: vfy,
			Minors: fanclub.MinorsConfig{Policy: j.Policy, AgeGate: j.AgeGate},
			// Simulation-only cost parameters: fast, and never used for real accounts.
			Passwords: argon2id.NewWithRandom(argon2id.TestParams, saltRandom),
		}),
		fans: map[string]int64{}, clubs: map[string]int64{}, names: map[int64]string{}, policy: clubPolicy, sandbox: sbx, verifier: vfy,
	}
	c, err := r.eng.CreateCreator(ctx, creatorHandle)
	if err != nil {
		return fmt.Errorf("create journey creator: %w", err)
	}
	r.creator = c.ID
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	for i, st := range j.Steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		line, err := r.step(ctx, i, st)
		if err != nil {
			return fmt.Errorf("steps[%d]: %w", i, err)
		}
		if err := enc.Encode(line); err != nil {
			return fmt.Errorf("write steps[%d]: %w", i, err)
		}
	}
	return nil
}

// seedBytes expands a seed into a ChaCha8 key.
func seedBytes(seed uint64) [32]byte {
	var b [32]byte
	for i := range 8 {
		b[i] = byte(seed >> (8 * i))
	}
	return b
}

// checkPolicies resolves every club's policy and returns them by club.
func checkPolicies(j *Journey, policies fanclub.PolicySource) (map[string]string, error) {
	var errs []fanclub.FieldError
	check := func(path, name string) {
		if _, err := policies.Policy(name); err != nil {
			errs = append(errs, fanclub.FieldError{Path: path, Found: fmt.Sprintf("%q", name), Message: fanclub.ErrorMessage(err)})
		}
	}
	check("policy", j.Policy)
	byClub := map[string]string{}
	for i, st := range j.Steps {
		if _, ok := byClub[st.Club]; ok {
			continue
		}
		if st.Policy == "" {
			byClub[st.Club] = j.Policy
			continue
		}
		byClub[st.Club] = st.Policy
		check(fmt.Sprintf("steps[%d].policy", i), st.Policy)
	}
	if len(errs) > 0 {
		return nil, invalid(errs...)
	}
	return byClub, nil
}

// step runs one step and returns its output line. Engine refusals are part
// of the line; the error is for failures of the simulation itself.
func (r *runner) step(ctx context.Context, i int, st Step) (*Line, error) {
	if err := r.runJobsUntil(ctx, st.At); err != nil {
		return nil, err
	}
	r.clk.Set(st.At)
	fanID, err := r.fan(ctx, st.Fan)
	if err != nil {
		return nil, err
	}
	clubID, err := r.club(ctx, st.Club)
	if err != nil {
		return nil, err
	}
	line := &Line{Step: i, At: r.out.format(st.At), Do: st.Do, Club: st.Club, Choices: st.Choices, Note: st.Note, OK: true}
	var stepErr error
	switch st.Do {
	case DoJoin:
		_, stepErr = r.eng.Join(ctx, fanID, clubID)
	case DoInteract:
		line.Action, line.Amount = string(st.Action), st.Amount
		var res *fanclub.EventResult
		_, res, stepErr = r.eng.Interact(ctx, fanID, clubID, st.Action, st.Amount)
		if stepErr == nil && res != nil {
			p := res.Points
			line.Points = &p
		}
	case DoReport:
		line.Action, line.Amount, line.DeviceID = string(st.Action), st.Amount, st.DeviceID
		var p int64
		p, stepErr = r.report(ctx, i, fanID, clubID, st)
		if stepErr == nil {
			line.Points = &p
		}
	case DoExit, DoExitRequest:
		stepErr = r.exit(ctx, line, fanID, clubID, st)
	case DoBuyCoins:
		line.Coins = st.Coins
		_, stepErr = r.eng.BuyCoins(ctx, fanID, st.Coins, stepKey(i))
	case DoGift:
		line.Coins = st.Coins
		var g *fanclub.GiftResult
		if g, stepErr = r.eng.SendGift(ctx, fanID, clubID, st.Coins, stepKey(i)); stepErr == nil {
			p := g.Gift.Points
			line.Points = &p
		}
	case DoSubscribe:
		line.Tier, line.Plan, line.AutoRenew = st.Tier, string(st.Plan), st.AutoRenew
		_, stepErr = r.eng.Subscribe(ctx, fanID, clubID, st.Tier, st.Plan, st.AutoRenew, stepKey(i))
	case DoCancelRenewal:
		_, stepErr = r.eng.CancelRenewal(ctx, fanID, clubID)
	case DoRevokeAgreement:
		stepErr = r.revokeAgreement(ctx, fanID, clubID)
	case DoDeclinePayments, DoAcceptPayments:
		stepErr = r.sandbox.DeclineFan(ctx, fanID, st.Do == DoDeclinePayments)
	case DoSetAge, DoLinkGuardian, DoUnlinkGuardian, DoGuardianExit, DoGuardianRefund, DoApproveRefund, DoFailFaceChecks, DoPassFaceChecks:
		stepErr = r.minorsStep(ctx, i, line, fanID, clubID, st)
	case DoExport:
		stepErr = r.export(ctx, line, fanID, st.Format)
	case DoLogin:
		line.DeviceID = st.DeviceID
		stepErr = r.login(ctx, st.Fan, st.DeviceID)
	case DoFollow:
		_, stepErr = r.eng.Follow(ctx, fanID, r.creator)
	case DoUnfollow:
		stepErr = r.eng.Unfollow(ctx, fanID, r.creator)
	case DoSettle, DoReleaseHold, DoVoidHold, DoCloseReview:
		stepErr = r.revenueStep(ctx, st.Do, clubID, st.At)
	case DoInspect:
	default:
		return nil, fanclub.Errorf(fanclub.EINVALID, "unknown step kind %q", st.Do)
	}
	if stepErr != nil {
		if !refusal(stepErr) {
			return nil, stepErr
		}
		line.OK = false
		line.Error = r.lineError(stepErr)
	}
	if err := r.state(ctx, line, fanID, clubID, st.Fan); err != nil {
		return nil, err
	}
	return line, nil
}

// revokeAgreement revokes the agreement of the fan's subscription in the
// club; a subscription without one is a refusal.
func (r *runner) revokeAgreement(ctx context.Context, fanID, clubID int64) error {
	s, err := r.eng.SubscriptionOf(ctx, fanID, clubID)
	if err != nil {
		return err
	}
	if s.AgreementID == "" {
		// Only a policy whose renewals stop by revoking the agreement
		// (kuaishou) makes one; elsewhere renewal stops by a cancel.
		return fanclub.InvalidFields("The subscription renews without a payment agreement: stop its renewal with cancel_renewal.",
			[]fanclub.FieldError{{Path: "do", Message: "no payment agreement to revoke", Found: "revoke_agreement", Allowed: "cancel_renewal"}})
	}
	_, err = r.eng.RevokeAgreement(ctx, fanID, s.AgreementID)
	return err
}

// stepKey is the idempotency key of step i's money-moving request.
func stepKey(i int) string { return fmt.Sprintf("journey-step-%d", i) }

// runJobsUntil runs every job due at or before at, each at its due time
// on the journey's clock, in due order: renewals, reminders and retries
// happen between steps as they would on a running instance.
func (r *runner) runJobsUntil(ctx context.Context, at time.Time) error {
	for {
		next, ok, err := r.eng.NextJobDue(ctx)
		if err != nil {
			return fmt.Errorf("next job: %w", err)
		}
		if !ok || next.After(at) {
			return nil
		}
		if next.After(r.clk.Now()) {
			r.clk.Set(next)
		}
		if _, err := r.eng.RunDueJobs(ctx); err != nil {
			return fmt.Errorf("run jobs due at %s: %w", next.Format(time.RFC3339), err)
		}
	}
}

// report has the platform's service report the step's interaction through
// the batch ingest (one event, id "journey-step-<i>") and returns the
// points it earned; a rejected event is the step's refusal.
func (r *runner) report(ctx context.Context, i int, fanID, clubID int64, st Step) (int64, error) {
	res, err := r.eng.Ingest(ctx, fanclub.Batch{Events: []fanclub.EventInput{
		{ID: fmt.Sprintf("journey-step-%d", i), FanID: fanID, ClubID: clubID, Action: st.Action, Amount: st.Amount, DeviceID: st.DeviceID},
	}})
	if err != nil {
		return 0, err
	}
	ev := res.Results[0]
	if ev.Status == fanclub.EventRejected {
		return 0, fanclub.Errorf(ev.Code, "The reported %s was rejected (%s).", st.Action, ev.Code)
	}
	return ev.Points, nil
}

// refusal reports whether err is the engine refusing a step (a domain
// error other than an internal one), as opposed to a broken simulation.
func refusal(err error) bool {
	code := fanclub.ErrorCode(err)
	return code != "" && code != fanclub.EINTERNAL
}

// lineError renders a refusal; field details are folded into the message.
func (r *runner) lineError(err error) *LineError {
	le := &LineError{Code: fanclub.ErrorCode(err), Message: fanclub.ErrorMessage(err)}
	for _, f := range fanclub.ErrorFields(err) {
		if strings.Contains(le.Message, f.Path+": "+f.Message) {
			continue // the message says it already
		}
		le.Message += " " + f.String() + "."
	}
	var de *fanclub.Error
	if asError(err, &de) && de.Until != "" {
		le.Until = r.out.utcText(de.Until)
	}
	return le
}

// fan returns a fan's id, creating the fan with its known password on
// first mention.
func (r *runner) fan(ctx context.Context, name string) (int64, error) {
	if id, ok := r.fans[name]; ok {
		return id, nil
	}
	f, err := r.eng.CreateFan(ctx, name, FanPassword(name))
	if err != nil {
		return 0, fmt.Errorf("create fan %q: %w", name, err)
	}
	r.fans[name] = f.ID
	return f.ID, nil
}

// club returns a club's id, creating it under its policy on first mention.
func (r *runner) club(ctx context.Context, name string) (int64, error) {
	if id, ok := r.clubs[name]; ok {
		return id, nil
	}
	c, err := r.eng.CreateClub(ctx, r.creator, name, r.policy[name])
	if err != nil {
		return 0, fmt.Errorf("create club %q: %w", name, err)
	}
	r.clubs[name] = c.ID
	r.names[c.ID] = name
	return c.ID, nil
}

// clubName maps a club id back to its journey name.
func (r *runner) clubName(id int64) string {
	if n, ok := r.names[id]; ok {
		return n
	}
	return fmt.Sprintf("#%d", id)
}

// state fills the line's membership, fan and effects at the step's time.
func (r *runner) state(ctx context.Context, line *Line, fanID, clubID int64, fanName string) error {
	ms := MembershipState{Status: fanclub.StatusNone}
	v, err := r.eng.Membership(ctx, fanID, clubID)
	switch {
	case fanclub.ErrorCode(err) == fanclub.ENOTFOUND:
	case err != nil:
		return fmt.Errorf("read membership: %w", err)
	default:
		ms = MembershipState{Status: v.Status, Lit: v.Lit, Level: v.Level, LevelPoints: v.LevelPoints,
			RetainedPoints: v.RetainedPoints, CooldownUntil: r.out.ptr(v.CooldownUntil),
			LastInteraction: r.out.ptr(&v.LastInteractionAt)}
	}
	fv, err := r.eng.FanView(ctx, fanID)
	if err != nil {
		return fmt.Errorf("read fan: %w", err)
	}
	effs := append([]fanclub.Effect(nil), fv.Effects...)
	sort.SliceStable(effs, func(a, b int) bool {
		if effs[a].Start.Equal(effs[b].Start) {
			return effs[a].Kind < effs[b].Kind
		}
		return effs[a].Start.Before(effs[b].Start)
	})
	line.Membership = ms
	line.Fan = FanState{Name: fanName, GeneralPoints: fv.GeneralPoints, RecommendationWeight: fv.RecommendationWeight}
	line.Effects = r.out.effects(effs, r.clubName)
	if err := r.minorsState(ctx, line, fanID); err != nil {
		return err
	}
	if err := r.data(ctx, line, fanID, clubID); err != nil {
		return err
	}
	if err := r.revenueState(ctx, line, fanID, clubID); err != nil {
		return err
	}
	return r.money(ctx, line, fanID, clubID)
}

// money fills the line's wallet, subscription, charges and notifications.
func (r *runner) money(ctx context.Context, line *Line, fanID, clubID int64) error {
	w, err := r.eng.Wallet(ctx, fanID)
	if err != nil {
		return fmt.Errorf("read wallet: %w", err)
	}
	line.Wallet = WalletState{Coins: w.Coins}
	ps, err := r.eng.ListPayments(ctx, fanID)
	if err != nil {
		return fmt.Errorf("read payments: %w", err)
	}
	line.Charges = []ChargeState{}
	for _, p := range ps {
		if p.SettledAt == nil {
			continue
		}
		line.Charges = append(line.Charges, ChargeState{At: r.out.format(*p.SettledAt), Kind: p.Kind, Amount: p.Amount,
			Currency: p.Currency, Reason: p.Purpose, Status: p.Status})
	}
	sub, err := r.eng.SubscriptionOf(ctx, fanID, clubID)
	switch {
	case fanclub.ErrorCode(err) == fanclub.ENOTFOUND:
	case err != nil:
		return fmt.Errorf("read subscription: %w", err)
	default:
		line.Subscription = &SubscriptionState{Tier: sub.Tier, Plan: sub.Plan, Status: sub.Status, AutoRenew: sub.AutoRenew,
			PeriodStart: r.out.format(sub.PeriodStart), PeriodEnd: r.out.format(sub.PeriodEnd),
			BenefitsUntil: r.out.format(sub.BenefitsUntil), BenefitsActive: sub.BenefitsActive}
	}
	line.Notifications = []NotificationState{}
	for after := int64(0); ; {
		ns, more, err := r.eng.NotificationsPage(ctx, fanclub.FanRecipient(fanID), after, 100)
		if err != nil {
			return fmt.Errorf("read notifications: %w", err)
		}
		for _, n := range ns {
			line.Notifications = append(line.Notifications, NotificationState{At: r.out.format(n.At), Kind: n.Kind})
			after = n.Seq
		}
		if !more {
			return nil
		}
	}
}
