package policyfile

import (
	"reflect"

	"fanclub"
)

// enumType is a domain enum: a named string type and its allowed values.
type enumType struct {
	typ    reflect.Type
	values []string
}

// enums returns every enum type a policy uses, with the domain's lists of
// allowed values.
func enums() []enumType {
	return []enumType{
		enumOf(fanclub.Jurisdictions),
		enumOf(fanclub.Actions),
		enumOf(fanclub.Surfaces),
		enumOf(fanclub.Challenges),
		enumOf(fanclub.Decays),
		enumOf(fanclub.Restores),
		enumOf(fanclub.Plans),
		enumOf(fanclub.RenewalStops),
		enumOf(fanclub.RefundMethods),
		enumOf(fanclub.RefundTriggers),
		enumOf(fanclub.BenefitsEnds),
		enumOf(fanclub.EffectKinds),
		enumOf(fanclub.Scopes),
		enumOf(fanclub.DeviceHandlings),
		enumOf(fanclub.FollowHandlings),
		enumOf(fanclub.PendingShareHandlings),
		enumOf(fanclub.TipReturns),
		enumOf(fanclub.TaskPenalties),
		enumOf(fanclub.AgeVerifications),
		enumOf(fanclub.ConsumptionAudits),
		enumOf(fanclub.ExportFormats),
	}
}

// enumOf builds an enumType from a domain value list.
func enumOf[T ~string](values []T) enumType {
	e := enumType{typ: reflect.TypeFor[T]()}
	for _, v := range values {
		e.values = append(e.values, string(v))
	}
	return e
}
