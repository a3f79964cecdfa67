package compiler

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/build"
	"cuelang.org/go/cue/cuecontext"
	cueerrors "cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/load"
	"cuelang.org/go/cue/token"
	cuejson "cuelang.org/go/encoding/json"
	cueyaml "cuelang.org/go/encoding/yaml"

	"release-gen.dev/release-gen/compiler/diag"
	"release-gen.dev/release-gen/schema"
	"release-gen.dev/release-gen/stdlib"
)

// SpecKind is the language a spec is written in.
type SpecKind string

// Spec languages.
const (
	SpecCUE  SpecKind = "cue"
	SpecYAML SpecKind = "yaml"
	SpecJSON SpecKind = "json"
)

// Inputs are the files that make up a spec, found by FindInputs.
type Inputs struct {
	// Dir is the absolute spec directory.
	Dir  string
	Kind SpecKind
	// Files are absolute paths, sorted: the .cue files of the directory,
	// or the one YAML or JSON file.
	Files []string
}

// Main returns the spec's main file relative to Dir: release.cue when it
// exists, otherwise the first file.
func (in *Inputs) Main() string {
	for _, f := range in.Files {
		if filepath.Base(f) == "release.cue" {
			return "release.cue"
		}
	}
	return filepath.Base(in.Files[0])
}

var dataSpecNames = []string{"release.yaml", "release.yml", "release.json"}

// FindInputs lists the spec files in dir. A directory holds either a CUE
// package (one or more .cue files) or exactly one of release.yaml,
// release.yml and release.json.
func FindInputs(dir string) (*Inputs, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(abs)
	if err != nil {
		return nil, fmt.Errorf("cannot read spec directory: %w", err)
	}
	in := &Inputs{Dir: abs}
	var data []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
			continue
		}
		switch {
		case strings.HasSuffix(name, ".cue") && !strings.HasSuffix(name, "_tool.cue"):
			in.Files = append(in.Files, filepath.Join(abs, name))
		case slices.Contains(dataSpecNames, name):
			data = append(data, filepath.Join(abs, name))
		}
	}
	switch {
	case len(in.Files) > 0 && len(data) > 0:
		return nil, &UsageError{Msg: fmt.Sprintf("%s holds both .cue files and %s: keep one spec", abs, filepath.Base(data[0]))}
	case len(data) > 1:
		return nil, &UsageError{Msg: fmt.Sprintf("%s holds %d data specs (%s): keep one", abs, len(data), baseNames(data))}
	case len(data) == 1:
		in.Files = data
		in.Kind = SpecYAML
		if strings.HasSuffix(data[0], ".json") {
			in.Kind = SpecJSON
		}
	case len(in.Files) == 0:
		return nil, &UsageError{Msg: fmt.Sprintf("no release spec in %s: write release.cue (or release.yaml), or run `release-gen init`", abs)}
	default:
		in.Kind = SpecCUE
	}
	slices.Sort(in.Files)
	return in, nil
}

func baseNames(paths []string) string {
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = filepath.Base(p)
	}
	return strings.Join(names, ", ")
}

// UsageError reports a problem with how release-gen was invoked (exit code 3).
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// ModuleRoot returns the directory holding cue.mod/module.cue at or above
// dir, and whether the user's repository has one. Without one, the spec
// directory itself becomes the root of a synthetic module.
func ModuleRoot(dir string) (string, bool) {
	for d := dir; ; {
		if fi, err := os.Stat(filepath.Join(d, "cue.mod", "module.cue")); err == nil && !fi.IsDir() {
			return d, true
		}
		parent := filepath.Dir(d)
		if parent == d {
			return dir, false
		}
		d = parent
	}
}

// overlay places the embedded schema and stdlib under root/cue.mod/gen,
// where CUE resolves imports that no module dependency covers.
func overlay(root string, haveModule bool) (map[string]load.Source, error) {
	ov := map[string]load.Source{}
	if !haveModule {
		ov[filepath.Join(root, "cue.mod", "module.cue")] = load.FromString("module: \"release-gen.local/spec\"\nlanguage: version: \"v0.12.0\"\n")
	}
	add := func(fsys fs.FS, prefix string) error {
		return fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".cue") {
				return err
			}
			b, err := fs.ReadFile(fsys, p)
			if err != nil {
				return err
			}
			ov[filepath.Join(root, "cue.mod", "gen", filepath.FromSlash(path.Join(prefix, p)))] = load.FromBytes(b)
			return nil
		})
	}
	if err := add(schema.FS, schema.ImportPath); err != nil {
		return nil, err
	}
	if err := add(stdlib.FS, stdlib.ImportPrefix); err != nil {
		return nil, err
	}
	return ov, nil
}

// evaluated is the result of loading: the spec unified with #Release, and
// the schema instance (for preset lookups).
type evaluated struct {
	// ctx is the context the spec was built in.
	ctx    *cue.Context
	spec   cue.Value
	user   cue.Value
	def    cue.Value
	schema cue.Value
	// genDir is the directory the embedded packages are overlaid at; positions
	// inside it belong to release-gen, not to the user.
	genDir string
	// services is set when the services were read in Go (see
	// openServices): spec is then unified with #ReleaseOpenServices and
	// valid, and these are its services, checked and defaulted in Go.
	services []*serviceValue
}

// evaluate loads the spec and unifies it with #Release, or with
// #ReleaseOpenServices when its services can be read in Go. Problems in the
// spec's own syntax or imports come back as diagnostics; a failure of the
// embedded schema itself is an internal error.
func evaluate(in *Inputs) (*evaluated, diag.List, error) {
	root, haveModule := ModuleRoot(in.Dir)
	ov, err := overlay(root, haveModule)
	if err != nil {
		return nil, nil, fmt.Errorf("internal error: %w", err)
	}
	cfg := &load.Config{Dir: in.Dir, Overlay: ov}
	ctx := cuecontext.New()

	// Loading (finding and parsing files) needs no context: the spec's
	// package loads on a goroutine of its own while the schema is loaded
	// and built.
	var specInsts []*build.Instance
	specLoaded := make(chan struct{})
	if in.Kind == SpecCUE {
		specCfg := *cfg
		go func() {
			defer close(specLoaded)
			specInsts = load.Instances([]string{"."}, &specCfg)
		}()
	} else {
		close(specLoaded)
	}

	schemaInsts := load.Instances([]string{schema.ImportPath}, cfg)
	if len(schemaInsts) != 1 || schemaInsts[0].Err != nil {
		if ambiguous(schemaInsts) {
			return nil, nil, &UsageError{Msg: fmt.Sprintf("%s/cue.mod/gen/%s exists: release-gen supplies its schema itself, remove that copy", root, schema.ImportPath)}
		}
		return nil, nil, fmt.Errorf("internal error: loading the embedded schema: %v", instErr(schemaInsts))
	}
	if err := addOpenServices(schemaInsts[0]); err != nil {
		return nil, nil, fmt.Errorf("internal error: %w", err)
	}
	sv := ctx.BuildInstance(schemaInsts[0])
	if sv.Err() != nil {
		return nil, nil, fmt.Errorf("internal error: building the embedded schema: %v", sv.Err())
	}
	def := sv.LookupPath(cue.ParsePath(schema.Definition))

	var user cue.Value
	// refs is whether the spec's own expressions may read its services.
	refs := false
	switch in.Kind {
	case SpecCUE:
		<-specLoaded
		insts := specInsts
		if len(insts) != 1 {
			return nil, nil, fmt.Errorf("internal error: %d instances for %s", len(insts), in.Dir)
		}
		if err := insts[0].Err; err != nil {
			return nil, fromCUE(err, ""), nil
		}
		if insts[0].PkgName != "release" {
			return nil, diag.List{diag.Errorf(filePos(insts[0]), "package", "the spec's package is %q: write `package release`", insts[0].PkgName)}, nil
		}
		user = ctx.BuildInstance(insts[0])
		refs = readsServices(insts[0].Files)
	case SpecYAML, SpecJSON:
		data, err := os.ReadFile(in.Files[0])
		if err != nil {
			return nil, nil, err
		}
		var expr ast.Expr
		if in.Kind == SpecYAML {
			f, yerr := cueyaml.Extract(in.Files[0], data)
			if yerr != nil {
				return nil, fromCUE(yerr, ""), nil
			}
			user = ctx.BuildFile(f)
		} else {
			expr, err = cuejson.Extract(in.Files[0], data)
			if err != nil {
				return nil, fromCUE(err, ""), nil
			}
			user = ctx.BuildExpr(expr)
		}
	}
	if err := user.Err(); err != nil {
		return nil, fromCUE(err, ""), nil
	}
	if envs := cue.ParsePath("environments"); !user.LookupPath(envs).Exists() {
		// The default is data: fill it in open, so that the schema's
		// pattern constraints apply to it as to any spec's environments.
		data, err := sv.LookupPath(cue.ParsePath("#DefaultEnvironments")).MarshalJSON()
		if err != nil {
			return nil, nil, fmt.Errorf("internal error: default environments: %w", err)
		}
		user = user.FillPath(envs, ctx.CompileBytes(data))
	}
	ev := &evaluated{ctx: ctx, user: user, def: def, schema: sv, genDir: filepath.Join(root, "cue.mod", "gen") + string(filepath.Separator)}
	if !refs && ev.openServices() {
		return ev, nil, nil
	}
	ev.spec = user.Unify(def)
	return ev, nil, nil
}

// openServicesDef is #Release with services left unconstrained, which
// addOpenServices adds to the schema package.
const openServicesDef = "#ReleaseOpenServices"

// addOpenServices adds openServicesDef to the loaded schema package: a copy
// of the #Release declaration whose services field is an open struct,
// {...}, instead of a #Service per entry. Every other field, default and
// constraint is the same syntax, so it unifies with a spec exactly as
// #Release does outside services.
func addOpenServices(inst *build.Instance) error {
	for _, f := range inst.Files {
		for _, d := range f.Decls {
			field, ok := d.(*ast.Field)
			if !ok {
				continue
			}
			if name, _, _ := ast.LabelName(field.Label); name != schema.Definition {
				continue
			}
			body, ok := field.Value.(*ast.StructLit)
			if !ok {
				return fmt.Errorf("%s is not a struct literal", schema.Definition)
			}
			elts := slices.Clone(body.Elts)
			replaced := false
			for i, e := range elts {
				if sf, ok := e.(*ast.Field); ok {
					if name, _, _ := ast.LabelName(sf.Label); name == "services" {
						elts[i] = &ast.Field{Label: ast.NewIdent("services"), Value: &ast.StructLit{Elts: []ast.Decl{&ast.Ellipsis{}}}}
						replaced = true
					}
				}
			}
			if !replaced {
				return fmt.Errorf("%s has no services field", schema.Definition)
			}
			f.Decls = append(f.Decls, &ast.Field{Label: ast.NewIdent(openServicesDef), Value: &ast.StructLit{Elts: elts}})
			return nil
		}
	}
	return fmt.Errorf("the schema declares no %s", schema.Definition)
}

func ambiguous(insts []*build.Instance) bool {
	for _, i := range insts {
		if i.Err != nil && strings.Contains(i.Err.Error(), "ambiguous") {
			return true
		}
	}
	return false
}

func instErr(insts []*build.Instance) error {
	for _, i := range insts {
		if i.Err != nil {
			return i.Err
		}
	}
	return errors.New("no instance")
}

func filePos(inst *build.Instance) token.Pos {
	for _, f := range inst.Files {
		if pkg := f.PackageName(); pkg != "" {
			for _, d := range f.Decls {
				if p, ok := d.(*ast.Package); ok {
					return p.Name.Pos()
				}
			}
		}
	}
	return token.NoPos
}

// fromCUE converts errors from loading (syntax, imports) into diagnostics.
func fromCUE(err error, genDir string) diag.List {
	return cueErrors(err, genDir, cue.Value{}, cue.Value{}, "")
}

func userPos(e cueerrors.Error, genDir string) token.Pos {
	candidates := append([]token.Pos{e.Position()}, e.InputPositions()...)
	for _, p := range candidates {
		if p.IsValid() && !isGenerated(p, genDir) {
			return p
		}
	}
	return token.NoPos
}

func isGenerated(p token.Pos, genDir string) bool {
	return genDir != "" && strings.HasPrefix(p.Filename(), genDir)
}

// schemaHint rewrites CUE's wording for the most common mistakes into
// advice a spec author can act on.
func schemaHint(msg string) string {
	if strings.Contains(msg, "field not allowed") {
		return msg + " (not a field of the release spec: check the spelling against `release-gen schema`)"
	}
	return msg
}

// Read returns the contents of the spec files, keyed by their names
// relative to Dir; fileset.SpecHash turns them into the manifest's hash.
func (in *Inputs) Read() (map[string][]byte, error) {
	out := make(map[string][]byte, len(in.Files))
	for _, p := range in.Files {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		out[filepath.Base(p)] = b
	}
	return out, nil
}
