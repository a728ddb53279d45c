package fanclub

import "time"

// Validate returns every problem of the policy, each with its field path.
func (p *Policy) Validate() []FieldError {
	return nil
}

// Location loads the policy's time zone.
func (p *Policy) Location() (*time.Location, error) {
	return time.LoadLocation(p.Metadata.TimeZone)
}
