package compiler

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"cuelang.org/go/cue/token"

	"release-gen.dev/release-gen/compiler/diag"
	"release-gen.dev/release-gen/compiler/model"
)

// Version is the generator version, recorded in the manifest and used by
// the drift job to run the same release-gen. Release builds set it with
// -ldflags "-X release-gen.dev/release-gen/compiler.Version=...".
var Version = "0.1.0"

// InstallPath is the module path of the release-gen command, for `go run`.
const InstallPath = "release-gen.dev/release-gen/cmd/release-gen"

// Config says what to compile.
type Config struct {
	// Dir is the spec directory.
	Dir string
	// Out is the output directory; it defaults to Dir.
	Out string
	// Targets narrows the spec's targets (--target); empty keeps them all.
	Targets []string
}

// Result is a compiled spec.
type Result struct {
	Release *model.Release
	Inputs  *Inputs
	// Warnings are diagnostics that do not fail the spec unless --strict.
	Warnings diag.List
}

// SpecError reports a spec that failed the schema or a semantic check.
type SpecError struct{ Diagnostics diag.List }

func (e *SpecError) Error() string {
	return fmt.Sprintf("the spec has %d problem(s)", len(e.Diagnostics))
}

// Compile loads, validates and lowers the spec in cfg.Dir. It returns a
// *SpecError listing every problem at once when the spec is invalid, a
// *UsageError for bad invocations, and other errors for I/O failures.
func Compile(cfg Config) (*Result, error) {
	in, err := FindInputs(cfg.Dir)
	if err != nil {
		return nil, err
	}
	ev, diags, err := evaluate(in)
	if err != nil {
		return nil, err
	}
	if ev == nil {
		return nil, &SpecError{Diagnostics: positioned(diags, in).Sort()}
	}
	return compile(cfg, in, ev)
}

// compile validates, lowers and checks an evaluated spec.
func compile(cfg Config, in *Inputs, ev *evaluated) (*Result, error) {
	var diags diag.List
	l := newLowerer(ev, in.Dir)
	unknown := unknownFields(ev)
	diags = append(diags, withoutUnknown(l.schemaErrors(), unknown)...)
	diags = append(diags, unknown...)
	m := l.lower()
	for _, c := range checks {
		diags = append(diags, c.Run(m, l.failed)...)
	}
	var errs, warns diag.List
	for _, d := range diags {
		if d.Severity == diag.Warning {
			warns = append(warns, d)
		} else {
			errs = append(errs, d)
		}
	}
	if len(errs) > 0 {
		return nil, &SpecError{Diagnostics: positioned(append(errs, warns...), in).Sort()}
	}
	warns = append(warns, resolve(m, in, cfg)...)
	m.SpecTargets = slices.Clone(m.Targets)
	if err := narrow(m, cfg.Targets); err != nil {
		return nil, err
	}
	return &Result{Release: m, Inputs: in, Warnings: warns.Sort()}, nil
}

// resolve fills in what the model derives from validated values: the
// registry's kind, deploy order, the plan and the drift job's settings.
func resolve(m *model.Release, in *Inputs, cfg Config) diag.List {
	var warns diag.List
	m.Registry, _ = parseRegistry(m.Registry.Host)
	m.Registry.Pos = m.Fields.Of("registry", m.Pos)
	if m.Registry.Kind != model.RegistryECR && slices.Contains(m.Targets, "ecr") {
		warns = append(warns, diag.Warnf(m.Fields.Of("targets", m.Registry.Pos), "ecr-registry",
			"the ecr target is skipped: registry %q is not an ECR host (<account>.dkr.ecr.<region>.amazonaws.com); remove \"ecr\" from targets to silence this", m.Registry.Host))
		m.Targets = slices.DeleteFunc(slices.Clone(m.Targets), func(t string) bool { return t == "ecr" })
	}
	ws := waves(m.Services)
	m.Services = slices.Concat(ws...)
	m.Plan = buildPlan(m, ws)
	m.Generator = Version

	out := cfg.Out
	if out == "" {
		out = in.Dir
	}
	absOut, _ := filepath.Abs(out)
	l := PlaceInRepo(in, absOut)
	m.SpecFile = l.SpecFile
	m.Drift = model.Drift{Install: InstallPath + "@v" + Version, Dir: l.Dir, Out: l.Out}
	return warns
}

// narrow keeps only the targets named on the command line, which must be
// among the spec's targets.
func narrow(m *model.Release, only []string) error {
	if len(only) == 0 {
		return nil
	}
	for _, t := range only {
		if !slices.Contains(m.Targets, t) {
			return &UsageError{Msg: fmt.Sprintf("--target %s: the spec's targets are %s", t, strings.Join(m.Targets, ", "))}
		}
	}
	m.Targets = slices.DeleteFunc(slices.Clone(m.Targets), func(t string) bool { return !slices.Contains(only, t) })
	return nil
}

// Placement is where a spec and its outputs lie in the repository, as the
// generated headers and drift jobs name them: slash-separated paths
// relative to the repository root.
type Placement struct {
	SpecFile, Dir, Out string
}

// PlaceInRepo places the spec in and the absolute output directory out in
// their repository, without compiling anything.
func PlaceInRepo(in *Inputs, out string) Placement {
	root := repoRoot(in.Dir, out)
	return Placement{
		SpecFile: relSlash(root, filepath.Join(in.Dir, in.Main())),
		Dir:      relSlash(root, in.Dir),
		Out:      relSlash(root, out),
	}
}

// repoRoot is the nearest directory at or above dir holding .git. Outside
// a git repository it is the deepest directory holding both dir and out,
// so that the paths the drift job uses stay relative and inside it.
func repoRoot(dir, out string) string {
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	root := dir
	for {
		if rel, err := filepath.Rel(root, out); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return root
		}
		parent := filepath.Dir(root)
		if parent == root {
			return root
		}
		root = parent
	}
}

func relSlash(root, p string) string {
	rel, err := filepath.Rel(root, p)
	if err != nil {
		return filepath.ToSlash(p)
	}
	return filepath.ToSlash(rel)
}

// positioned gives every diagnostic a position: one that CUE could not
// place (a required field that is missing, an error in no particular
// place) points at the start of the spec's main file.
func positioned(l diag.List, in *Inputs) diag.List {
	start := token.NewFile(filepath.Join(in.Dir, in.Main()), -1, 1).Pos(0, token.NoRelPos)
	out := make(diag.List, len(l))
	for i, d := range l {
		if !d.Pos.IsValid() {
			d.Pos = start
		}
		out[i] = d
	}
	return out
}

// withoutUnknown drops CUE's "field not allowed" errors for the top-level
// fields that unknown already reports, with a suggestion, at the same place.
func withoutUnknown(schemaErrs, unknown diag.List) diag.List {
	if len(unknown) == 0 {
		return schemaErrs
	}
	var out diag.List
	for _, d := range schemaErrs {
		dup := slices.ContainsFunc(unknown, func(u diag.Diagnostic) bool {
			name, _, _ := strings.Cut(u.Message, ":")
			return u.Pos == d.Pos && strings.HasPrefix(d.Message, name+": field not allowed")
		})
		if !dup {
			out = append(out, d)
		}
	}
	return out
}
