package fanclub

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// TaskView is a club's team task for one week: the goal, the level
// points its members earned so far, and whether the goal is met.
type TaskView struct {
	ClubID int64 `json:"club_id"`
	// Week is the week's start (Monday 00:00 in the policy's time zone).
	Week     time.Time `json:"week"`
	Goal     int64     `json:"goal"`
	Progress int64     `json:"progress"`
	Met      bool      `json:"met"`
	// Reward is the general points each member who took part gets when
	// the goal is met at settlement.
	Reward int64 `json:"reward"`
	// Settled is true once the week's settlement paid the task.
	Settled bool `json:"settled"`
}

// TeamTask returns the team task of the club's week holding at (the
// current week when at is zero), as its members and creator see it.
func (e *Engine) TeamTask(ctx context.Context, clubID int64, at time.Time) (*TaskView, error) {
	var v *TaskView
	err := e.inTx(ctx, false, func(tx Tx) error {
		cp, err := e.loadClub(ctx, tx, clubID)
		if err != nil {
			return err
		}
		if at.IsZero() {
			at = tx.Now()
		}
		week := WeekStart(at, cp.loc)
		if s, err := tx.FindSettlement(ctx, clubID, week); err == nil && s.State == SettlementSettled {
			t := cp.policy.Revenue.TeamTask
			v = &TaskView{ClubID: clubID, Week: week, Goal: s.TaskGoal, Progress: s.TaskProgress, Met: s.TaskMet, Reward: t.RewardPoints, Settled: true}
			return nil
		} else if err != nil && !isNotFound(err) {
			return fmt.Errorf("find settlement: %w", err)
		}
		_, total, err := weekPoints(ctx, tx, cp, week)
		if err != nil {
			return err
		}
		t := cp.policy.Revenue.TeamTask
		v = &TaskView{ClubID: clubID, Week: week, Goal: t.WeeklyGoal, Progress: total, Met: t.WeeklyGoal > 0 && total >= t.WeeklyGoal, Reward: t.RewardPoints}
		return nil
	})
	return v, err
}

// weekPoints returns the level points each active member of the club
// earned in the week starting at week (from the daily counters of the
// policy's actions) and their sum: the team task's progress. A leaver's
// points leave the progress with them.
func weekPoints(ctx context.Context, tx Tx, cp *clubPolicy, week time.Time) (map[int64]int64, int64, error) {
	ms, err := tx.ListMemberships(ctx, 0, cp.club.ID)
	if err != nil {
		return nil, 0, fmt.Errorf("members: %w", err)
	}
	var days []string
	for d := week; d.Before(WeekEnd(week, cp.loc)); d = d.Add(24 * time.Hour) {
		days = append(days, DayKey(d, cp.loc))
	}
	var keys []CounterKey
	for _, m := range ms {
		if m.Status != StatusActive {
			continue
		}
		for _, d := range days {
			for _, a := range cp.policy.Engagement.Actions {
				keys = append(keys, CounterKey{FanID: m.FanID, ClubID: cp.club.ID, Day: d, Action: a.Action})
			}
		}
	}
	byFan := map[int64]int64{}
	if len(keys) == 0 {
		return byFan, 0, nil
	}
	cs, err := tx.DailyPoints(ctx, keys)
	if err != nil {
		return nil, 0, fmt.Errorf("daily points: %w", err)
	}
	var total int64
	for k, v := range cs {
		if v > 0 {
			byFan[k.FanID] = AddPoints(byFan[k.FanID], v)
			total = AddPoints(total, v)
		}
	}
	return byFan, total, nil
}

// leaverWeekPoints returns the level points fan earned in the club in
// the week starting at week, whatever their membership is now.
func leaverWeekPoints(ctx context.Context, tx Tx, cp *clubPolicy, fanID int64, week time.Time) (int64, error) {
	var keys []CounterKey
	for d := week; d.Before(WeekEnd(week, cp.loc)); d = d.Add(24 * time.Hour) {
		for _, a := range cp.policy.Engagement.Actions {
			keys = append(keys, CounterKey{FanID: fanID, ClubID: cp.club.ID, Day: DayKey(d, cp.loc), Action: a.Action})
		}
	}
	cs, err := tx.DailyPoints(ctx, keys)
	if err != nil {
		return 0, fmt.Errorf("daily points: %w", err)
	}
	var total int64
	for _, v := range cs {
		total = AddPoints(total, max(v, 0))
	}
	return total, nil
}

// settleTask settles s's team task: the progress and, when the goal is
// met, the reward in general points to every member who earned a point
// that week and is neither barred at the week's end nor forfeiting the
// week (exits). When it is not met, a wechat-channels leaver whose points
// of the week would have met it forfeits and is charged the policy's
// penalty in general points (general points are not money: the balance
// may go below zero).
func (e *Engine) settleTask(ctx context.Context, tx Tx, cp *clubPolicy, s *Settlement, exits []*RevenueExit) error {
	t := cp.policy.Revenue.TeamTask
	byFan, total, err := weekPoints(ctx, tx, cp, s.Week)
	if err != nil {
		return err
	}
	s.TaskGoal, s.TaskProgress = t.WeeklyGoal, total
	s.TaskMet = t.WeeklyGoal > 0 && total >= t.WeeklyGoal
	base := "task/" + strconv.FormatInt(s.ClubID, 10) + "/" + strconv.FormatInt(s.Week.Unix(), 10)
	end := WeekEnd(s.Week, cp.loc)
	if !s.TaskMet {
		return e.chargeTaskPenalties(ctx, tx, cp, s, exits, base)
	}
	if t.RewardPoints <= 0 {
		return nil
	}
	for fan, pts := range byFan {
		if pts < 1 {
			continue
		}
		barred, err := taskBarred(ctx, tx, fan, s.ClubID, s.Week, end)
		if err != nil {
			return err
		}
		if barred {
			continue
		}
		if err := tx.AddGeneralPoints(ctx, fan, t.RewardPoints, "team_task_reward", base+"/reward/"+strconv.FormatInt(fan, 10)); err != nil {
			return fmt.Errorf("task reward: %w", err)
		}
	}
	return nil
}

// chargeTaskPenalties charges, for a failed task, the leavers of the
// week under forfeit_if_failed whose points would have met the goal.
func (e *Engine) chargeTaskPenalties(ctx context.Context, tx Tx, cp *clubPolicy, s *Settlement, exits []*RevenueExit, base string) error {
	rule := cp.policy.Revenue
	if rule.TaskPenalty != TaskPenaltyIfTaskFails || rule.PenaltyPoints <= 0 || s.TaskGoal <= 0 {
		return nil
	}
	var fans []int64
	byFan := map[int64][]*RevenueExit{}
	for _, x := range exits {
		if _, ok := byFan[x.FanID]; !ok {
			fans = append(fans, x.FanID)
		}
		byFan[x.FanID] = append(byFan[x.FanID], x)
	}
	for _, fan := range fans {
		lost, err := leaverLostPoints(ctx, tx, cp, fan, s.Week, byFan[fan])
		if err != nil {
			return err
		}
		if AddPoints(s.TaskProgress, lost) < s.TaskGoal {
			continue // the task would have failed anyway
		}
		if err := tx.AddGeneralPoints(ctx, fan, -rule.PenaltyPoints, "team_task_penalty", base+"/penalty/"+strconv.FormatInt(fan, 10)); err != nil {
			return fmt.Errorf("task penalty: %w", err)
		}
		if err := e.notifyPenalty(ctx, tx, cp, fan, s.Week, rule.PenaltyPoints); err != nil {
			return err
		}
	}
	return nil
}

// leaverLostPoints returns the level points of the week that fan earned
// in the club and that the task's progress no longer counts because they
// left: what the week's exits (exits, oldest first) recorded and then
// erased with the fan's history, each exit its own part (the counters
// start again after an erasure), plus the fan's points still counted
// when the fan is not an active member at settlement. Points an active
// member still holds are in the progress already.
func leaverLostPoints(ctx context.Context, tx Tx, cp *clubPolicy, fanID int64, week time.Time, exits []*RevenueExit) (int64, error) {
	var lost int64
	for _, x := range exits {
		r, err := tx.FindExitRequest(ctx, x.Key)
		if err != nil && !isNotFound(err) {
			return 0, fmt.Errorf("exit request %s: %w", x.Key, err)
		}
		if err == nil && r.Impact.HistoryDeleted {
			lost = AddPoints(lost, x.WeekPoints)
		}
	}
	m, err := tx.FindMembership(ctx, fanID, cp.club.ID)
	if err != nil && !isNotFound(err) {
		return 0, fmt.Errorf("membership: %w", err)
	}
	if err == nil && m.Status == StatusActive {
		return lost, nil
	}
	now, err := leaverWeekPoints(ctx, tx, cp, fanID, week)
	if err != nil {
		return 0, err
	}
	return AddPoints(lost, now), nil
}

// taskBarred reports whether fan is barred from the club's task rewards
// of the week [week, end): an exit that week forfeits it, and a bar that
// runs past the week's end (or for ever) excludes it.
func taskBarred(ctx context.Context, tx Tx, fanID, clubID int64, week, end time.Time) (bool, error) {
	xs, err := tx.ListRevenueExits(ctx, fanID, clubID, time.Time{})
	if err != nil {
		return false, fmt.Errorf("revenue exits: %w", err)
	}
	for _, x := range xs {
		switch {
		case x.BarForever:
			return true, nil
		case x.BarUntil != nil && x.BarUntil.After(end):
			return true, nil
		case x.ForfeitWeek && x.Week.Equal(week):
			return true, nil
		}
	}
	return false, nil
}

// TaskBar returns how long fan is barred from the club's task rewards
// now: until a time, for ever, or not at all (nil, false).
func (e *Engine) TaskBar(ctx context.Context, fanID, clubID int64) (*time.Time, bool, error) {
	var until *time.Time
	var forever bool
	err := e.inTx(ctx, false, func(tx Tx) error {
		xs, err := tx.ListRevenueExits(ctx, fanID, clubID, time.Time{})
		if err != nil {
			return fmt.Errorf("revenue exits: %w", err)
		}
		now := tx.Now()
		until, forever = nil, false
		for _, x := range xs {
			switch {
			case x.BarForever:
				forever = true
			case x.BarUntil != nil && x.BarUntil.After(now) && (until == nil || x.BarUntil.After(*until)):
				u := *x.BarUntil
				until = &u
			}
		}
		if forever {
			until = nil
		}
		return nil
	})
	return until, forever, err
}
