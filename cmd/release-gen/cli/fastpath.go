package cli

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/literal"
	"cuelang.org/go/cue/parser"

	"release-gen.dev/release-gen/compiler"
	"release-gen.dev/release-gen/compiler/diag"
	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/stdlib"
	"release-gen.dev/release-gen/targets/all"
	"release-gen.dev/release-gen/targets/fileset"
)

// The fast path of check and build: outputs are a pure function of the
// spec's inputs, their place in the repository and the generator version,
// so when the manifest shows that a build of every target from exactly
// these inputs wrote every output, and no output changed since, check can
// say "no drift", and build that it has nothing to write, without
// compiling the spec.
//
// The spec hash recorded in the manifest covers every input: the spec's
// files, every .cue file the package can import or inherit from the user's
// repository, and where the spec and the outputs lie relative to the
// repository root (the generated drift job names both). The embedded
// schema and stdlib are part of the generator, named by its version.

// upToDate reports whether check and build may skip compiling, and where
// the outputs are: nothing asks for more than the verdict (--target
// narrows the build, --strict needs the warnings, a bad --format is a
// usage error to report), the inputs can all be named, and
// fileset.Current confirms the outputs. Whenever it answers false, the
// command compiles as usual, and that reports whatever is wrong.
func (c *command) upToDate(args []string, f *compileFlags) (out string, ok bool) {
	if len(f.targets) > 0 || f.strict {
		return "", false
	}
	if _, err := diag.ParseFormat(diagFormat(f.format)); err != nil {
		return "", false // the full path reports the bad usage
	}
	in, err := compiler.FindInputs(c.dirArg(args))
	if err != nil {
		return "", false
	}
	out = in.Dir
	if f.out != "" {
		out = c.abs(f.out)
	}
	hash, exact, err := specHash(in, predictLayout(in, out))
	if err != nil || !exact {
		return "", false
	}
	return out, fileset.Current(out, compiler.Version, hash, all.Names(), hashCacheDir())
}

// hashCacheDir is where the fast path keeps its cache of output hashes:
// $RELEASE_GEN_CACHE, or release-gen/ in the user's cache directory
// ($XDG_CACHE_HOME or ~/.cache on Linux, ~/Library/Caches on macOS).
// RELEASE_GEN_CACHE=off turns the cache off; so does a machine without a
// cache directory.
func hashCacheDir() string {
	switch dir := os.Getenv("RELEASE_GEN_CACHE"); dir {
	case "off":
		return ""
	case "":
		base, err := os.UserCacheDir()
		if err != nil {
			return ""
		}
		return filepath.Join(base, "release-gen")
	default:
		return dir
	}
}

// specHash returns the spec hash the manifest records for the spec in, laid
// out as layout says (see layoutOf). exact is false when the inputs cannot
// all be named without evaluating CUE; the fast path is then off.
func specHash(in *compiler.Inputs, layout string) (hash string, exact bool, err error) {
	h := &hasher{in: in, files: map[string][]byte{layoutKey: []byte(layout)}, exact: true, dirs: map[string]bool{}}
	for _, name := range in.Files {
		data, err := os.ReadFile(name)
		if err != nil {
			return "", false, err
		}
		// Spec files are named by their base name, as they always were.
		h.files[filepath.Base(name)] = data
		if in.Kind == compiler.SpecCUE {
			h.scan(data)
		}
	}
	if in.Kind == compiler.SpecCUE {
		if err := h.cue(); err != nil {
			return "", false, err
		}
	}
	return fileset.SpecHash(h.files), h.exact, nil
}

// layoutKey names the layout among the hashed files; no input file has
// this name, since they all end in .cue, .yaml, .yml or .json.
const layoutKey = ":layout"

// layoutOf is the part of the compiled release that depends on where the
// spec and the outputs lie: the paths the generated headers and drift job
// name.
func layoutOf(m *model.Release) string {
	return m.SpecFile + "\n" + m.Drift.Dir + "\n" + m.Drift.Out + "\n"
}

// predictLayout computes layoutOf without compiling, from the same
// placement the compiler uses. TestPredictLayout holds the two together.
func predictLayout(in *compiler.Inputs, out string) string {
	l := compiler.PlaceInRepo(in, out)
	return l.SpecFile + "\n" + l.Dir + "\n" + l.Out + "\n"
}

// A hasher collects the files a CUE spec is made of.
type hasher struct {
	in *compiler.Inputs
	// files are the contents by name: spec files by base name, others by
	// their slash-separated path relative to the spec directory.
	files map[string][]byte
	// pending are contents whose imports are still to be followed.
	pending [][]byte
	// dirs are the directories already added.
	dirs map[string]bool
	// root is the module root, module its path without a major version.
	root, module string
	exact        bool
}

// cue adds what a CUE package can read besides its own directory:
//
//   - with a cue.mod above the spec directory, the .cue files of every
//     directory between the two, which CUE merges into the package when
//     they declare the same package;
//   - every .cue file under the module's cue.mod (module.cue, which pins
//     registry dependencies, and the gen, pkg and usr trees);
//   - for each import of a package of the module itself, the .cue files of
//     its directory and of the directories above it up to the module root,
//     and the cue.mod/module.cue of any nested module between them; imports
//     are followed transitively.
//
// A file that embeds other files (@extern) or cannot be parsed, a symbolic
// link under cue.mod and a module path that cannot be read make the hash
// inexact.
func (h *hasher) cue() error {
	root, haveModule := compiler.ModuleRoot(h.in.Dir)
	h.root, h.module = root, "release-gen.local/spec"
	if haveModule {
		data, err := os.ReadFile(filepath.Join(root, "cue.mod", "module.cue"))
		if err != nil {
			return err
		}
		h.module = modulePath(data)
		if h.module == "" {
			h.exact = false
		}
	}
	// The spec directory's own files are in already, as FindInputs lists them.
	h.dirs[h.in.Dir] = true
	if haveModule && root != h.in.Dir {
		for d := filepath.Dir(h.in.Dir); ; d = filepath.Dir(d) {
			if err := h.addDir(d); err != nil {
				return err
			}
			if d == root || d == filepath.Dir(d) {
				break
			}
		}
	}
	if err := h.addModFiles(filepath.Join(root, "cue.mod")); err != nil {
		return err
	}
	for len(h.pending) > 0 {
		data := h.pending[0]
		h.pending = h.pending[1:]
		if err := h.follow(data); err != nil {
			return err
		}
	}
	return nil
}

// modulePath returns the module path of a cue.mod/module.cue without its
// major version, or "" when it cannot be read.
func modulePath(data []byte) string {
	f, err := parser.ParseFile("module.cue", data)
	if err != nil {
		return ""
	}
	for _, d := range f.Decls {
		field, ok := d.(*ast.Field)
		if !ok {
			continue
		}
		if name, _, _ := ast.LabelName(field.Label); name != "module" {
			continue
		}
		lit, ok := field.Value.(*ast.BasicLit)
		if !ok {
			return ""
		}
		s, err := literal.Unquote(lit.Value)
		if err != nil {
			return ""
		}
		return ast.ParseImportPath(s).Path
	}
	return ""
}

// add records one file's contents under its path relative to the spec
// directory, and queues its imports.
func (h *hasher) add(name string, data []byte) {
	rel, err := filepath.Rel(h.in.Dir, name)
	if err != nil {
		h.exact = false
		return
	}
	h.files[filepath.ToSlash(rel)] = data
	h.scan(data)
}

// scan queues a CUE file's imports to be followed.
func (h *hasher) scan(data []byte) {
	if bytes.Contains(data, []byte("@extern(")) {
		// The file embeds other files, which CUE reads as it evaluates.
		h.exact = false
	}
	h.pending = append(h.pending, data)
}

// addDir adds the .cue files directly in dir, once. A missing directory
// adds nothing: creating it later changes the hash.
func (h *hasher) addDir(dir string) error {
	if h.dirs[dir] {
		return nil
	}
	h.dirs[dir] = true
	if info, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) || err == nil && !info.IsDir() {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".cue") {
			continue
		}
		name := filepath.Join(dir, e.Name())
		data, err := os.ReadFile(name)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				// A dangling symbolic link: CUE would fail on it too.
				h.exact = false
				continue
			}
			return err
		}
		h.add(name, data)
	}
	return nil
}

// addModFiles adds every .cue file under the cue.mod directory dir.
func (h *hasher) addModFiles(dir string) error {
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.Type()&fs.ModeSymlink != 0:
			// CUE follows it; this walk does not.
			h.exact = false
			return nil
		case d.IsDir() || !strings.HasSuffix(p, ".cue"):
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		h.add(p, data)
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// follow adds the packages of the module itself that a file imports.
func (h *hasher) follow(data []byte) error {
	f, err := parser.ParseFile("", data, parser.ImportsOnly)
	if err != nil {
		h.exact = false
		return nil
	}
	for spec := range f.ImportSpecs() {
		path, err := literal.Unquote(spec.Path.Value)
		if err != nil {
			h.exact = false
			continue
		}
		ip := ast.ParseImportPath(path).Path
		first, _, _ := strings.Cut(ip, "/")
		switch {
		case !strings.Contains(first, "."):
			// CUE's standard library.
		case ip == stdlib.ImportPrefix || strings.HasPrefix(ip, stdlib.ImportPrefix+"/"):
			// Embedded in release-gen.
		case h.module != "" && (ip == h.module || strings.HasPrefix(ip, h.module+"/")):
			if err := h.addPackage(filepath.Join(h.root, filepath.FromSlash(strings.TrimPrefix(ip, h.module)))); err != nil {
				return err
			}
		}
		// Anything else resolves under cue.mod, all of which is hashed, or
		// in a registry module whose version cue.mod/module.cue pins.
	}
	return nil
}

// addPackage adds a package of the module: its directory, the directories
// above it up to the module root (CUE merges their files of the same
// package), and any nested module marker on the way, which would make the
// import fail.
func (h *hasher) addPackage(dir string) error {
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if rel, err := filepath.Rel(h.root, d); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			h.exact = false
			return nil
		}
		if err := h.addDir(d); err != nil {
			return err
		}
		if d == h.root {
			return nil
		}
		marker := filepath.Join(d, "cue.mod", "module.cue")
		if data, err := os.ReadFile(marker); err == nil {
			h.add(marker, data)
		}
	}
}
