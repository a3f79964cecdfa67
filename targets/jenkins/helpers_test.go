package jenkins

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets"
	"release-gen.dev/release-gen/targets/internal/targettest"
)

// fixture is a spec the tests render.
type fixture struct {
	name string
	m    func(t *testing.T) *model.Release
}

// fixtures are the example specs, the adversarial spec of testdata/hostile,
// and evilRelease, which puts hostile text where the compiler would not
// let a spec put it, to test the quoting beyond the compiler's checks.
var fixtures = []fixture{
	{"Shop", compiled("examples/shop")},
	{"Platform", compiled("examples/platform")},
	{"Hostile", compiled("testdata/hostile")},
	{"Evil", evilRelease},
}

// compiled returns a function that compiles the spec in dir, relative to
// the repository root. Each call
// compiles afresh, so that tests may change the model they get.
func compiled(dir string) func(t *testing.T) *model.Release {
	return func(t *testing.T) *model.Release {
		t.Helper()
		m := targettest.Compile(t, dir)
		// The spec file as the CLI names it, so that goldens do not depend
		// on the directory the test runs in.
		m.SpecFile = "release.cue"
		if !m.HasTarget("jenkins") {
			m.Targets = append(m.Targets, "jenkins")
		}
		return m
	}
}

// render renders m twice, requires byte-identical results, and checks the
// file contract: one file at Path, the jenkins target, the generated
// header, LF endings and a final newline.
func render(t *testing.T, m *model.Release) targets.File {
	t.Helper()
	files, err := Target{}.Render(m)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	again, err := Target{}.Render(m)
	if err != nil {
		t.Fatalf("second Render: %v", err)
	}
	if diff := cmp.Diff(files, again); diff != "" {
		t.Fatalf("two renders differ (-first +second):\n%s", diff)
	}
	if len(files) != 1 || files[0].Path != Path || files[0].Target != "jenkins" {
		t.Fatalf("Render returned %d files: %+v", len(files), files)
	}
	f := files[0]
	if !bytes.HasPrefix(f.Data, []byte(targets.Header("//", m))) {
		t.Errorf("%s: does not start with the generated header", f.Path)
	}
	if !bytes.HasSuffix(f.Data, []byte("\n")) || bytes.Contains(f.Data, []byte("\r")) {
		t.Errorf("%s: must use LF line endings and end in a newline", f.Path)
	}
	// After the header, which names the spec file as it is, the file is
	// printable ASCII: everything else is escaped.
	body := f.Data[bytes.IndexByte(f.Data, '\n')+1:]
	for i, c := range body {
		if c >= 0x80 || (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f {
			t.Errorf("%s: byte %d after the header is %#x: the Jenkinsfile must be printable ASCII", f.Path, i, c)
			break
		}
	}
	return f
}

// kitFailure reports a validate.sh failure: exit 3 (a tool is missing)
// makes the kit unavailable.
func kitFailure(t *testing.T, what string, err error, out []byte) {
	t.Helper()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 3 {
		targettest.Unavailable(t, "%s: a validator is not installed (run install.sh):\n%s", what, out)
	}
	t.Fatalf("%s: %v\n%s", what, err, out)
}

// groovyStrings returns every string literal Groovy sees in the file at
// path, in source order, from the kit's jenkins-strings dump. Results are
// cached per path and content, since each run starts a JVM.
func groovyStrings(t *testing.T, path string) []string {
	t.Helper()
	v := targettest.Kit(t)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	key := path + "\x00" + string(data)
	stringsCache.Lock()
	got, ok := stringsCache.m[key]
	stringsCache.Unlock()
	if ok {
		return got
	}
	cmd := exec.Command(v, "jenkins-strings", path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		kitFailure(t, "jenkins-strings "+path, err, append(out, stderr.Bytes()...))
	}
	got = []string{}
	for _, line := range strings.Split(string(out), "\n") {
		if line == "" {
			continue
		}
		var s string
		if err := json.Unmarshal([]byte(line), &s); err != nil {
			t.Fatalf("jenkins-strings line %q: %v", line, err)
		}
		got = append(got, s)
	}
	stringsCache.Lock()
	stringsCache.m[key] = got
	stringsCache.Unlock()
	return got
}

var stringsCache = struct {
	sync.Mutex
	m map[string][]string
}{m: map[string][]string{}}

// writeTemp writes data to a file in a new temporary directory.
func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// script returns the sh script a step made of parts runs (see gen.shell).
func script(parts ...string) string {
	return scriptHead + strings.Join(parts, "")
}
