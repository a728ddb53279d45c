package compare

import (
	"math"

	"fanclub"
)

// Operator times of the exit-time estimate, in seconds. The estimate is a
// Keystroke-Level Model (Card, Moran & Newell 1980, "The Keystroke-Level
// Model for User Performance Time with Interactive Systems", CACM 23(7))
// with the touch-phone operators of Holleis, Otto, Hussmann & Schmidt 2007,
// "Keystroke-Level Model for Advanced Mobile Phone Interaction", CHI 2007.
const (
	// MentalAct is M, the mental preparation before an action: 1.35 s
	// (Card, Moran & Newell 1980).
	MentalAct = 1.35
	// Keystroke is K, one key press or tap on a phone: 0.39 s (Holleis et
	// al. 2007).
	Keystroke = 0.39
	// FingerMove is F, moving a finger to a target on the phone: 0.23 s
	// (Holleis et al. 2007).
	FingerMove = 0.23
	// Gesture is G, a drag or swipe gesture such as a slider: 0.80 s
	// (Holleis et al. 2007).
	Gesture = 0.80
	// SystemResponse is R, waiting for one screen or image to load. KLM
	// leaves R to the system; 1.0 s is this model's assumption for a
	// mobile app screen transition over a network.
	SystemResponse = 1.0
	// PasswordLength is the typed password length, in characters: 8, the
	// most common minimum length of password rules.
	PasswordLength = 8
	// CaptchaLength is the length of an image captcha code: 4 characters,
	// the usual length of digit captchas.
	CaptchaLength = 4
)

// ExitTimeModel names the operator times an estimate uses.
type ExitTimeModel struct {
	MentalAct      float64 `json:"mentalAct"`
	Keystroke      float64 `json:"keystroke"`
	FingerMove     float64 `json:"fingerMove"`
	Gesture        float64 `json:"gesture"`
	SystemResponse float64 `json:"systemResponse"`
	PasswordLength int     `json:"passwordLength"`
	CaptchaLength  int     `json:"captchaLength"`
}

// DefaultModel returns the model with the documented operator times.
func DefaultModel() ExitTimeModel {
	return ExitTimeModel{MentalAct: MentalAct, Keystroke: Keystroke, FingerMove: FingerMove,
		Gesture: Gesture, SystemResponse: SystemResponse,
		PasswordLength: PasswordLength, CaptchaLength: CaptchaLength}
}

// Estimate is an exit-time estimate: the total and its parts.
type Estimate struct {
	// Seconds is the total, rounded to 0.01 s.
	Seconds float64 `json:"seconds"`
	// Steps are the parts in order: one per path step, one per challenge,
	// and reading the impact preview when the policy shows it.
	Steps []EstimateStep `json:"steps"`
}

// EstimateStep is one part of an estimate.
type EstimateStep struct {
	// What is a path step's screen or button, a challenge, or "impact_preview".
	What string `json:"what"`
	// Operators is the KLM operator sequence, e.g. "M F K R".
	Operators string `json:"operators"`
	// Seconds is the part's time.
	Seconds float64 `json:"seconds"`
}

// tap is pointing a finger at a target and pressing it.
func (m ExitTimeModel) tap() float64 { return m.FingerMove + m.Keystroke }

// EstimateExit estimates how long an expert needs to leave a club under an
// exit rule:
//   - each path step: decide, tap, wait for the next screen (M F K R);
//   - confirm: decide, tap, wait (M F K R);
//   - slider: decide, drag, wait (M G R);
//   - password: decide, tap the field, type PasswordLength keys, tap
//     submit, wait (M F K nK F K R);
//   - captcha: wait for the image, read it, tap the field, type
//     CaptchaLength keys, tap submit, wait (R M F K nK F K R);
//   - a shown impact preview adds reading it (M).
func (m ExitTimeModel) EstimateExit(r fanclub.ExitRule) Estimate {
	var e Estimate
	add := func(what, ops string, s float64) {
		e.Steps = append(e.Steps, EstimateStep{What: what, Operators: ops, Seconds: round2(s)})
		e.Seconds += s
	}
	for _, step := range r.Path {
		add(step.In("en"), "M F K R", m.MentalAct+m.tap()+m.SystemResponse)
	}
	if r.ShowsImpact {
		add("impact_preview", "M", m.MentalAct)
	}
	for _, ch := range r.Challenges {
		switch ch {
		case fanclub.ChallengeConfirm:
			add(string(ch), "M F K R", m.MentalAct+m.tap()+m.SystemResponse)
		case fanclub.ChallengeSlider:
			add(string(ch), "M G R", m.MentalAct+m.Gesture+m.SystemResponse)
		case fanclub.ChallengePassword:
			add(string(ch), "M F K nK F K R", m.MentalAct+m.tap()+
				float64(m.PasswordLength)*m.Keystroke+m.tap()+m.SystemResponse)
		case fanclub.ChallengeCaptcha:
			add(string(ch), "R M F K nK F K R", m.SystemResponse+m.MentalAct+m.tap()+
				float64(m.CaptchaLength)*m.Keystroke+m.tap()+m.SystemResponse)
		}
	}
	e.Seconds = round2(e.Seconds)
	return e
}

// round2 rounds to hundredths, removing float noise from sums.
func round2(x float64) float64 { return math.Round(x*100) / 100 }
