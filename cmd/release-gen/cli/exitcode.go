package cli

// Exit codes, as documented in the README and SPEC.md §3.
const (
	// ExitOK: success.
	ExitOK = 0
	// ExitSpec: the spec has errors (or warnings under --strict).
	ExitSpec = 1
	// ExitDrift: `check` found generated files that do not match the spec.
	ExitDrift = 2
	// ExitUsage: bad command line.
	ExitUsage = 3
	// ExitInternal: an I/O or internal error, or a refusal to overwrite a
	// file release-gen did not write.
	ExitInternal = 4
)
