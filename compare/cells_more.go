package compare

import (
	"fanclub"
)

// dataRow renders dimension 5: behaviour logs, device data, social ties.
func dataRow(c *catalogue, p *fanclub.Policy) ([]string, map[string]any) {
	d := p.Data
	var logs string
	switch ret := d.BehaviourLogRetention; {
	case ret.Forever:
		logs = c.t("logs.forever")
	case ret.IsZero():
		logs = c.t("logs.erased")
	case shortRetention(ret):
		logs = c.t("logs.buffer", "span", c.span(ret))
	default:
		logs = c.t("logs.kept", "span", c.span(ret))
	}
	if d.ErasedWithProgress && progressKept(p) {
		logs = c.t("logs.with_progress", "text", logs)
	}
	parts := []string{logs}
	if len(d.LegalHolds) > 0 {
		parts = append(parts, c.t("logs.legal_holds"))
	}
	if d.DeletionReceipts {
		parts = append(parts, c.t("logs.receipts"))
	}
	device := c.value("data.deviceIds", "device.", string(d.DeviceIDs))
	var social string
	switch {
	case d.KeepInteractionRecords && d.Follow == fanclub.FollowKeep:
		social = c.t("follow.records_kept")
	case d.KeepInteractionRecords:
		social = c.join("clause.sep", []string{c.value("data.follow", "follow.", string(d.Follow)), c.t("follow.records_kept")})
	default:
		social = c.value("data.follow", "follow.", string(d.Follow))
	}
	values := map[string]any{"behaviourLogRetention": d.BehaviourLogRetention,
		"erasedWithProgress": d.ErasedWithProgress, "deviceIds": d.DeviceIDs, "follow": d.Follow,
		"keepInteractionRecords": d.KeepInteractionRecords, "legalHolds": d.LegalHolds,
		"deletionReceipts": d.DeletionReceipts}
	return []string{c.join("clause.sep", parts), device, social}, values
}

// shortRetention reports whether a log retention is short enough, 30 days
// or less, to read as a buffer before the purge rather than as storage.
func shortRetention(s fanclub.Span) bool {
	d, ok := s.WholeDays()
	if s.IsCalendar() {
		d, ok = s.CalendarDays, true
	}
	return !s.Forever && (!ok || d <= 30)
}

// progressKept reports whether any progress option keeps progress after exit.
func progressKept(p *fanclub.Policy) bool {
	for _, o := range p.Progress.Options {
		if !o.Retention.IsZero() {
			return true
		}
	}
	return false
}

// revenueRow renders dimension 6: gift share, gift refunds, task rewards.
func revenueRow(c *catalogue, p *fanclub.Policy) ([]string, map[string]any) {
	r := p.Revenue
	var tip string
	switch {
	case r.TipReturn == fanclub.TipReturnRatio && r.TipReturnRatio >= 1:
		tip = c.t("tip.ratio_full")
	case r.TipReturn == fanclub.TipReturnRatio:
		tip = c.t("tip.ratio", "pct", pct(r.TipReturnRatio))
	default:
		tip = c.value("revenue.tipReturn", "tip.", string(r.TipReturn))
	}
	values := map[string]any{"creatorShare": r.CreatorShare, "pendingShare": r.PendingShare,
		"tipReturn": r.TipReturn, "tipReturnRatio": r.TipReturnRatio, "taskPenalty": r.TaskPenalty,
		"penaltyPoints": r.PenaltyPoints, "penaltySteps": r.PenaltySteps}
	return []string{c.value("revenue.pendingShare", "pending.", string(r.PendingShare)), tip,
		c.value("revenue.taskPenalty", "task.", string(r.TaskPenalty))}, values
}

// minorsRow renders dimension 7: identity check, spending audit, guardian.
func minorsRow(c *catalogue, p *fanclub.Policy) ([]string, map[string]any) {
	m := p.Minors
	verify := string(m.Verification)
	if !m.VerifyBeforePaid && (m.Verification == fanclub.VerifyBankCard || m.Verification == fanclub.VerifyIDCheck) {
		verify += "_optional"
	}
	var audit []string
	switch {
	case m.ConsumptionAudit == fanclub.AuditNone && m.RefundOnlyIfDeclared:
		audit = append(audit, c.t("audit.declared_refund"))
	default:
		audit = append(audit, c.value("minors.consumptionAudit", "audit.", string(m.ConsumptionAudit)))
	}
	if m.NoTipping {
		audit = append(audit, c.t("audit.no_tipping"))
	}
	if len(m.SpendingCaps) > 0 {
		audit = append(audit, c.t("audit.caps"))
	}
	g := m.Guardian
	var guardian []string
	switch {
	case g.NotarizedProof:
		guardian = append(guardian, c.t("guardian.notarized"))
	case g.RemoteExit:
		guardian = append(guardian, c.t("guardian.remote_exit"))
	}
	if g.OneStepRefund {
		guardian = append(guardian, c.t("guardian.one_step_refund"))
	}
	if g.Erasure {
		guardian = append(guardian, c.t("guardian.erasure"))
	}
	if !g.UnilateralUnlink {
		guardian = append(guardian, c.t("guardian.no_unilateral_unlink"))
	}
	guardianCell := c.join("clause.sep", guardian)
	if len(guardian) == 0 {
		guardianCell = c.t("none")
	}
	values := map[string]any{"adultAge": m.AdultAge, "verification": m.Verification,
		"verifyBeforePaid": m.VerifyBeforePaid, "consumptionAudit": m.ConsumptionAudit,
		"refundOnlyIfDeclared": m.RefundOnlyIfDeclared, "noTipping": m.NoTipping,
		"spendingCaps": m.SpendingCaps, "guardian": g}
	return []string{c.value("minors.verification", "verify.", verify), c.join("clause.sep", audit), guardianCell}, values
}

// portabilityRow renders dimension 8: what the fan can take with them.
func portabilityRow(c *catalogue, p *fanclub.Policy) ([]string, map[string]any) {
	r := p.Portability
	values := map[string]any{"export": r.Export, "inExitFlow": r.InExitFlow,
		"import": r.Import, "importedTenureCounts": r.ImportedTenureCounts}
	if len(r.Export) == 0 {
		return []string{c.t("export.none")}, values
	}
	formats := make([]string, len(r.Export))
	for i, f := range r.Export {
		formats[i] = c.value("portability.export", "format.", string(f))
	}
	parts := []string{c.t("export.formats", "formats", c.join("list.sep", formats))}
	if r.InExitFlow {
		parts = append(parts, c.t("export.in_exit_flow"))
	}
	if r.Import {
		parts = append(parts, c.t("export.import"))
	}
	return []string{c.join("clause.sep", parts)}, values
}
