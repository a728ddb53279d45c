package simulate

import (
	"context"
	"fmt"

	"fanclub"
)

// DataState is what the engine holds of the fan's personal data in the
// step's club (dimension 5), after the step.
type DataState struct {
	// Events is how many of the fan's events in the club are stored.
	Events int `json:"events"`
	// Devices are the device ids recorded for the fan in the club.
	Devices []DeviceState `json:"devices"`
	// Following is true while the fan follows the club's creator.
	Following bool `json:"following"`
	// Receipts are the fan's deletion receipts so far, oldest first.
	Receipts []ReceiptState `json:"receipts"`
}

// DeviceState is one recorded device id and when it was last seen.
type DeviceState struct {
	ID       string `json:"id"`
	LastSeen string `json:"last_seen"`
}

// ReceiptState is one deletion receipt: when, which category, the action
// (erase, hold, anonymise), how many records, how many the policy kept
// (absent when none), the rule, and the club whose policy applied (absent
// for the whole account).
type ReceiptState struct {
	At       string               `json:"at"`
	Club     string               `json:"club,omitempty"`
	Category fanclub.DataCategory `json:"category"`
	Action   string               `json:"action"`
	Count    int64                `json:"count"`
	Kept     int64                `json:"kept,omitempty"`
	Rule     string               `json:"rule"`
}

// DataStepState is one step of an exit's data plan: what happens to a
// category and when (absent when never), and the actions whose events an
// erasure of the behaviour log keeps (absent when none).
type DataStepState struct {
	Category fanclub.DataCategory `json:"category"`
	Action   string               `json:"action"`
	At       *string              `json:"at"`
	Rule     string               `json:"rule"`
	Keep     []fanclub.Action     `json:"keep,omitempty"`
}

// dataSteps renders an exit's data plan.
func (c clock) dataSteps(d *fanclub.DataExitPlan) []DataStepState {
	if d == nil {
		return nil
	}
	out := make([]DataStepState, 0, len(d.Steps))
	for _, s := range d.Steps {
		out = append(out, DataStepState{Category: s.Category, Action: s.Action, At: c.ptr(s.At), Rule: s.Rule, Keep: s.Keep})
	}
	return out
}

// data fills the line's personal data in the step's club.
func (r *runner) data(ctx context.Context, line *Line, fanID, clubID int64) error {
	d, err := r.eng.PersonalDataIn(ctx, fanID, clubID)
	if err != nil {
		return fmt.Errorf("read personal data: %w", err)
	}
	st := &DataState{Events: d.Events, Following: d.Following, Devices: []DeviceState{}, Receipts: []ReceiptState{}}
	for _, dv := range d.Devices {
		st.Devices = append(st.Devices, DeviceState{ID: dv.DeviceID, LastSeen: r.out.format(dv.LastSeen)})
	}
	for _, rc := range d.Receipts {
		rs := ReceiptState{At: r.out.format(rc.At), Category: rc.Category, Action: rc.Action, Count: rc.Count, Kept: rc.Kept, Rule: rc.Rule}
		if rc.ClubID != 0 {
			rs.Club = r.clubName(rc.ClubID)
		}
		st.Receipts = append(st.Receipts, rs)
	}
	line.Data = st
	return nil
}

// login logs the fan in with the step's device id, as POST /v1/sessions does.
func (r *runner) login(ctx context.Context, fan, deviceID string) error {
	_, _, err := r.eng.LoginFanDevice(ctx, fan, FanPassword(fan), "", deviceID)
	return err
}
