// Package fanclub is the domain of the fan-club membership engine: policies,
// fans, clubs, memberships, interactions, exits and the rules that connect
// them. It imports only the standard library; storage, HTTP, captcha images
// and file formats live in adapter packages around it.
package fanclub
