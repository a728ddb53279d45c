// Package export writes a fan's data as a signed, machine-readable export
// (JSON, a zip of CSV files, or ActivityStreams 2.0) and reads a JSON
// export back for an import, checking its Ed25519 signature. The format
// is described in docs/export.md; the JSON form has a JSON Schema
// (SchemaJSON, served at /v1/schemas/export.json).
//
// Writers stream: the behaviour log is read a page at a time through a
// Source and each record is written as soon as it is read, so an export
// of millions of events costs bounded memory. The reader (Decode) streams
// too and keeps only the memberships and the counts.
package export
