package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"release-gen.dev/release-gen/compiler"
)

// The fast path must never say "no drift" where a full check finds some.
// Each test below builds a tree, changes one input, and asserts both that
// the fast path is off and that the full check sees the change; or, for
// changes that change nothing (a CRLF checkout), that the fast path stays
// on and the full check agrees.

const fastSpec = `package release

name:     "shop"
registry: "123456789012.dkr.ecr.us-east-1.amazonaws.com"
services: {
	auth: {language: "node"}
	api: {language: "go", dependsOn: ["auth"], canary: {maxWeight: 30}}
}
canary: {provider: "istio", maxWeight: 50, stepWeight: 10}
retention: [{description: "Keep last 10 prod images", tagPrefixes: ["prod-"], keep: 10}]
`

// tree is a spec directory inside a git repository.
type tree struct {
	t    *testing.T
	repo string
	spec string
}

func newTree(t *testing.T, files map[string]string) *tree {
	t.Helper()
	// The fast path's cache of verified outputs, kept out of the user's.
	t.Setenv("RELEASE_GEN_CACHE", t.TempDir())
	repo := t.TempDir()
	tr := &tree{t: t, repo: repo, spec: filepath.Join(repo, "deploy")}
	tr.write(".git/HEAD", "ref: refs/heads/main\n")
	for name, data := range files {
		tr.write(name, data)
	}
	return tr
}

func (tr *tree) path(name string) string { return filepath.Join(tr.repo, filepath.FromSlash(name)) }

func (tr *tree) write(name, data string) {
	tr.t.Helper()
	p := tr.path(name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		tr.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		tr.t.Fatal(err)
	}
}

func (tr *tree) read(name string) string {
	tr.t.Helper()
	b, err := os.ReadFile(tr.path(name))
	if err != nil {
		tr.t.Fatal(err)
	}
	return string(b)
}

// run runs release-gen in the repository root and returns the exit code
// and stderr.
func (tr *tree) run(args ...string) (int, string) {
	var stdout, stderr bytes.Buffer
	code := Run(args, &stdout, &stderr, tr.repo)
	return code, stderr.String()
}

func (tr *tree) build(args ...string) {
	tr.t.Helper()
	if code, stderr := tr.run(append([]string{"build"}, args...)...); code != 0 {
		tr.t.Fatalf("build %v: exit %d\n%s", args, code, stderr)
	}
}

// fast reports whether check takes the fast path for these check args.
func (tr *tree) fast(args ...string) bool {
	tr.t.Helper()
	c := &command{wd: tr.repo}
	cmd := c.newCheckCmd()
	if err := cmd.ParseFlags(args); err != nil {
		tr.t.Fatal(err)
	}
	var f compileFlags
	f.out, _ = cmd.Flags().GetString("out")
	f.targets, _ = cmd.Flags().GetStringArray("target")
	f.strict, _ = cmd.Flags().GetBool("strict")
	f.format, _ = cmd.Flags().GetString("format")
	_, ok := c.upToDate(cmd.Flags().Args(), &f)
	return ok
}

// expect asserts the fast path's answer and that the full check agrees
// with it: no drift exactly when the fast path is taken.
func (tr *tree) expect(fast bool, args ...string) {
	tr.t.Helper()
	if got := tr.fast(args...); got != fast {
		tr.t.Fatalf("fast path taken: %v, want %v", got, fast)
	}
	code, stderr := tr.run(append([]string{"check", "--full"}, args...)...)
	switch {
	case fast && code != 0:
		tr.t.Fatalf("the fast path says no drift, but the full check exits %d:\n%s", code, stderr)
	case !fast && code == 0:
		tr.t.Fatalf("the full check finds no drift, but the fast path is off: the test changes nothing")
	}
	if code, stderr := tr.run(append([]string{"check"}, args...)...); (code == 0) != fast {
		tr.t.Fatalf("check exits %d:\n%s", code, stderr)
	}
}

func shopTree(t *testing.T) *tree {
	tr := newTree(t, map[string]string{"deploy/release.cue": fastSpec})
	tr.build("deploy")
	tr.expect(true, "deploy")
	return tr
}

func TestFastPathSpecEdit(t *testing.T) {
	tr := shopTree(t)
	tr.write("deploy/release.cue", strings.Replace(fastSpec, "maxWeight: 30", "maxWeight: 20", 1))
	tr.expect(false, "deploy")
	tr.build("deploy")
	tr.expect(true, "deploy")
	// A comment changes no output, but the manifest's hash.
	tr.write("deploy/release.cue", fastSpec+"// a comment\n")
	tr.expect(false, "deploy")
}

// TestFastPathCache: once the outputs are older than the cache's settling
// time, check records them and answers from their statuses; a change to
// an output or to the spec still turns the fast path off.
func TestFastPathCache(t *testing.T) {
	tr := shopTree(t)
	cache := os.Getenv("RELEASE_GEN_CACHE")
	time.Sleep(2100 * time.Millisecond) // the outputs settle: see fileset.settleTime
	tr.expect(true, "deploy")
	recorded, err := filepath.Glob(filepath.Join(cache, "outputs-*"))
	if err != nil || len(recorded) != 1 {
		t.Fatalf("cache files %v, %v; want one", recorded, err)
	}
	data, err := os.ReadFile(recorded[0])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), ".gitlab-ci.yml\n") || strings.Contains(string(data), "\nmanifest 0 ") {
		t.Fatalf("the cache does not record the verified tree:\n%s", data)
	}
	tr.expect(true, "deploy")

	// A hand edit that keeps the file's size.
	ci := tr.read("deploy/.gitlab-ci.yml")
	tr.write("deploy/.gitlab-ci.yml", strings.Replace(ci, "stages:", "stagez:", 1))
	tr.expect(false, "deploy")
	tr.write("deploy/.gitlab-ci.yml", ci)
	tr.expect(true, "deploy")
	tr.write("deploy/release.cue", fastSpec+"// a comment\n")
	tr.expect(false, "deploy")
}

// TestHashCacheDir: RELEASE_GEN_CACHE names the cache directory or turns
// the cache off; by default it is in the user's cache directory.
func TestHashCacheDir(t *testing.T) {
	t.Setenv("RELEASE_GEN_CACHE", "off")
	if got := hashCacheDir(); got != "" {
		t.Errorf("RELEASE_GEN_CACHE=off: cache in %q", got)
	}
	t.Setenv("RELEASE_GEN_CACHE", "/some/dir")
	if got := hashCacheDir(); got != "/some/dir" {
		t.Errorf("RELEASE_GEN_CACHE=/some/dir: cache in %q", got)
	}
	t.Setenv("RELEASE_GEN_CACHE", "")
	t.Setenv("XDG_CACHE_HOME", "/xdg")
	t.Setenv("HOME", "/home/u")
	base, err := os.UserCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := hashCacheDir(), filepath.Join(base, "release-gen"); got != want {
		t.Errorf("default cache in %q, want %q", got, want)
	}
}

func TestFastPathNewFile(t *testing.T) {
	tr := shopTree(t)
	tr.write("deploy/more.cue", "package release\n\nservices: worker: dependsOn: [\"api\"]\n")
	tr.expect(false, "deploy")
}

func TestFastPathGeneratorVersion(t *testing.T) {
	tr := shopTree(t)
	defer func(v string) { compiler.Version = v }(compiler.Version)
	compiler.Version = "0.0.1-test"
	tr.expect(false, "deploy")
}

func TestFastPathHandEdit(t *testing.T) {
	tr := shopTree(t)
	tr.write("deploy/deploy/ecr/api.json", strings.Replace(tr.read("deploy/deploy/ecr/api.json"), "10", "11", 1))
	tr.expect(false, "deploy")
}

func TestFastPathDeletedOutput(t *testing.T) {
	tr := shopTree(t)
	if err := os.Remove(tr.path("deploy/deploy/flagger/api.yaml")); err != nil {
		t.Fatal(err)
	}
	tr.expect(false, "deploy")
}

func TestFastPathManifestEdit(t *testing.T) {
	tr := shopTree(t)
	tr.write("deploy/.release-gen/manifest.json", strings.Replace(tr.read("deploy/.release-gen/manifest.json"), "  ", "   ", 1))
	tr.expect(false, "deploy")
}

func TestFastPathGitAttributes(t *testing.T) {
	tr := shopTree(t)
	attrs := tr.read("deploy/.gitattributes")
	tr.write("deploy/.gitattributes", strings.Replace(attrs, "/renovate.json linguist-generated gitlab-generated\n", "", 1))
	tr.expect(false, "deploy")
	if err := os.Remove(tr.path("deploy/.gitattributes")); err != nil {
		t.Fatal(err)
	}
	tr.expect(false, "deploy")
}

// TestFastPathCRLF: a checkout with CRLF line endings in every text file
// still takes the fast path, and the full check agrees there is no drift.
func TestFastPathCRLF(t *testing.T) {
	tr := shopTree(t)
	err := filepath.WalkDir(tr.spec, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, "lock") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(p, bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n")), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	tr.expect(true, "deploy")
}

// TestFastPathPartialBuilds: build --target writes only its target's
// files, so the others may come from an older spec or be missing.
func TestFastPathPartialBuilds(t *testing.T) {
	tr := shopTree(t)
	tr.write("deploy/release.cue", strings.Replace(fastSpec, "maxWeight: 30", "maxWeight: 20", 1))
	tr.build("deploy", "--target", "github")
	tr.expect(false, "deploy") // flagger's api.yaml is stale
	tr.build("deploy")
	tr.expect(true, "deploy")
	tr.build("deploy", "--target", "github")
	tr.expect(true, "deploy")

	fresh := newTree(t, map[string]string{"deploy/release.cue": fastSpec})
	fresh.build("deploy", "--target", "github")
	fresh.expect(false, "deploy") // the other targets' files were never written
}

func TestFastPathFlags(t *testing.T) {
	tr := shopTree(t)
	for _, args := range [][]string{{"--strict", "deploy"}, {"--target", "github", "deploy"}, {"--format", "yaml", "deploy"}} {
		if tr.fast(args...) {
			t.Errorf("check %v takes the fast path", args)
		}
	}
	if code, _ := tr.run("check", "--format", "yaml", "deploy"); code != ExitUsage {
		t.Errorf("check --format yaml exits %d, want %d", code, ExitUsage)
	}
}

// TestFastPathLayout: the outputs name the spec's and the outputs' places
// in the repository, so moving either invalidates the fast path.
func TestFastPathLayout(t *testing.T) {
	tr := shopTree(t)
	if err := os.Rename(tr.path("deploy"), tr.path("release")); err != nil {
		t.Fatal(err)
	}
	tr.expect(false, "release")

	// The same outputs checked in another output directory.
	tr = newTree(t, map[string]string{"deploy/release.cue": fastSpec})
	tr.build("deploy", "--out", "out")
	tr.expect(true, "deploy", "--out", "out")
	if err := os.Rename(tr.path("out"), tr.path("elsewhere")); err != nil {
		t.Fatal(err)
	}
	tr.expect(false, "deploy", "--out", "elsewhere")

	// Without .git, the root is where spec and outputs meet.
	tr = newTree(t, map[string]string{"deploy/release.cue": fastSpec})
	if err := os.RemoveAll(tr.path(".git")); err != nil {
		t.Fatal(err)
	}
	tr.build("deploy")
	tr.expect(true, "deploy")
	tr.write(".git/HEAD", "ref: refs/heads/main\n")
	tr.expect(false, "deploy")
}

// moduleFiles is a spec in a CUE module that imports a package of the
// module, a package from cue.mod, and inherits a file from the directory
// above it.
var moduleFiles = map[string]string{
	"cue.mod/module.cue":                        "module: \"example.com/rel@v0\"\nlanguage: version: \"v0.12.0\"\n",
	"cue.mod/usr/example.org/shared/shared.cue": "package shared\n\nlang: \"node\"\n",
	"lib/lib.cue":                               "package lib\n\nweight: 30\n",
	"release.cue":                               "package release\n\nbranch: \"main\"\n",
	"deploy/release.cue": `package release

import (
	"example.com/rel/lib"
	"example.org/shared"
)

name:     "shop"
registry: "123456789012.dkr.ecr.us-east-1.amazonaws.com"
services: {
	auth: {language: shared.lang}
	api: {language: "go", dependsOn: ["auth"], canary: {maxWeight: lib.weight}}
}
canary: {provider: "istio", maxWeight: 50, stepWeight: 10}
retention: [{description: "Keep last 10 prod images", tagPrefixes: ["prod-"], keep: 10}]
`,
}

func moduleTree(t *testing.T) *tree {
	tr := newTree(t, moduleFiles)
	tr.build("deploy")
	tr.expect(true, "deploy")
	return tr
}

func TestFastPathModule(t *testing.T) {
	for name, change := range map[string]func(tr *tree){
		"module package edited": func(tr *tree) { tr.write("lib/lib.cue", "package lib\n\nweight: 20\n") },
		"module package grows":  func(tr *tree) { tr.write("lib/more.cue", "package lib\n\nextra: 1\n") },
		"cue.mod package edited": func(tr *tree) {
			tr.write("cue.mod/usr/example.org/shared/shared.cue", "package shared\n\nlang: \"python\"\n")
		},
		"cue.mod file added": func(tr *tree) { tr.write("cue.mod/pkg/example.org/other/o.cue", "package other\n") },
		"module.cue edited":  func(tr *tree) { tr.write("cue.mod/module.cue", moduleFiles["cue.mod/module.cue"]+"// deps\n") },
		"inherited file": func(tr *tree) {
			tr.write("release.cue", "package release\n\nbranch: \"trunk\"\n")
			if _, stderr := tr.run("check", "--full", "deploy"); !strings.Contains(stderr, "(stale)") {
				tr.t.Fatalf("the inherited file is not part of the spec:\n%s", stderr)
			}
		},
		"inherited file new":  func(tr *tree) { tr.write("more.cue", "package release\n\nbranch: \"main\"\n") },
		"nested module above": func(tr *tree) { tr.write("lib/cue.mod/module.cue", "module: \"example.com/lib@v0\"\n") },
	} {
		t.Run(name, func(t *testing.T) {
			tr := moduleTree(t)
			change(tr)
			tr.expect(false, "deploy")
		})
	}
	// Files the spec cannot read change nothing.
	tr := moduleTree(t)
	tr.write("unrelated/x.cue", "package x\n")
	tr.write("deploy/notes.txt", "notes\n")
	tr.expect(true, "deploy")
}

// TestFastPathEmbed: a spec that embeds files is not hashed exactly.
func TestFastPathEmbed(t *testing.T) {
	files := map[string]string{}
	for k, v := range moduleFiles {
		files[k] = v
	}
	files["deploy/release.cue"] = "@extern(embed)\n\n" + files["deploy/release.cue"] + "\n_notes: _ @embed(file=notes.json)\n"
	files["deploy/notes.json"] = "{}\n"
	tr := newTree(t, files)
	if code, stderr := tr.run("build", "deploy"); code != 0 {
		t.Skipf("this CUE cannot embed: %s", stderr)
	}
	if tr.fast("deploy") {
		t.Fatal("a spec that embeds files takes the fast path")
	}
}

// TestPredictLayout holds predictLayout to what the compiler records.
func TestPredictLayout(t *testing.T) {
	for _, c := range []struct {
		name string
		git  string // directory holding .git, "" for none
		dir  string
		out  string
	}{
		{"spec at the root", ".", ".", "."},
		{"spec below the root", ".", "deploy/release", "deploy/release"},
		{"outputs elsewhere", ".", "deploy", "."},
		{"outputs below", "a", "a/b", "a/b/c"},
		{"no repository", "", "a/b", "a/b"},
		{"no repository, outputs aside", "", "a/b", "a/c"},
	} {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			if c.git != "" {
				if err := os.MkdirAll(filepath.Join(root, c.git, ".git"), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			dir := filepath.Join(root, c.dir)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "release.cue"), []byte(fastSpec), 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(root, c.out)
			res, err := compiler.Compile(compiler.Config{Dir: dir, Out: out})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := predictLayout(res.Inputs, out), layoutOf(res.Release); got != want {
				t.Errorf("predictLayout = %q, the compiler records %q", got, want)
			}
		})
	}
}

func TestFastPathYAML(t *testing.T) {
	const spec = "name: shop\nregistry: ghcr.io/acme\nservices:\n  api:\n    language: go\n"
	tr := newTree(t, map[string]string{"deploy/release.yaml": spec})
	tr.build("deploy")
	tr.expect(true, "deploy")
	tr.write("deploy/release.yaml", spec+"  web:\n    language: node\n")
	tr.expect(false, "deploy")
	tr.write("deploy/release.yaml", spec)
	tr.expect(true, "deploy")
	tr.write("deploy/extra.cue", "package release\n")
	tr.expect(false, "deploy") // both a CUE and a YAML spec: an error
}
