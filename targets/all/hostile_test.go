package all_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"release-gen.dev/release-gen/compiler"
	"release-gen.dev/release-gen/compiler/diag"
	"release-gen.dev/release-gen/targets"
	"release-gen.dev/release-gen/targets/all"
)

// payloads are injection attempts, one class per output language.
var payloads = []struct{ class, value string }{
	{"yaml", "- key: value # not a comment &anchor *alias !!str {a: 1} [b] | > ? @ `"},
	{"shell", "$(touch pwned) `id` ; rm -rf x && echo \"q\" 'q' * | cat > out"},
	{"github-expression", "${{ github.token }} ${{ secrets.AWS_ROLE_ARN }}"},
	{"gitlab-variable", "$CI_JOB_TOKEN ${CI_JOB_TOKEN} $$escaped"},
	{"groovy", "${env.HOME} \\u0027 ''' \"\"\" \\' \\\\ $/x/$"},
	{"json", "\"}, {\"x\": 1} </script> \u2028 end"},
}

// field is a free-text spec field: how a payload is set and which targets
// carry it.
type field struct {
	name    string
	set     func(v string) string // CUE lines setting the field to v
	targets []string              // targets whose output must carry v
	prefix  string                // what the field must start with, if anything
}

var ci = []string{"github", "gitlab", "jenkins", "circleci"}

var fields = []field{
	{"services.<name>.test", func(v string) string { return "services: api: test: " + q(v) }, ci, ""},
	{"services.<name>.build", func(v string) string { return "services: api: build: " + q(v) }, ci, ""},
	{"services.<name>.path", func(v string) string { return "services: api: path: " + q("svc/"+v) }, ci, "svc/"},
	{"retention[].description", func(v string) string {
		return "retention: [{description: " + q(v) + ", tagPrefixes: [\"prod-\"], keep: 10}]"
	}, []string{"ecr"}, ""},
	{"canary.loadTest.cmd", func(v string) string {
		return "canary: loadTest: {url: \"http://lt.test/\", cmd: " + q(v) + "}"
	}, []string{"flagger"}, ""},
	{"canary.loadTest.url", func(v string) string {
		return "canary: loadTest: {url: " + q("http://lt.test/?"+v) + ", cmd: \"hey\"}"
	}, []string{"flagger"}, "http://lt.test/?"},
	{"environments.<name>.url", func(v string) string {
		return "environments: {staging: url: " + q("https://s.test/?"+v) + ", production: approval: true}"
	}, []string{"github", "gitlab"}, "https://s.test/?"},
	{"security.sign.key", func(v string) string { return "security: sign: key: " + q("awskms:///"+v) }, ci, "awskms:///"},
	{"services.<name>.testSplit.glob", func(v string) string {
		return "services: api: testSplit: {glob: " + q("t/"+v) + ", parallelism: 2}"
	}, ci, "t/"},
	{"notify.slack.channel", func(v string) string { return "notify: slack: channel: " + q(v) }, ci, ""},
	{"renovate.schedule", func(v string) string { return "renovate: schedule: [" + q(v) + "]" }, []string{"renovate"}, ""},
	{"branch", func(v string) string { return "branch: " + q(v) }, ci, ""},
	{"registry", func(v string) string { return "registry: " + q(v) }, ci, ""},
}

// q quotes v as a CUE string.
func q(v string) string {
	b, _ := json.Marshal(v)
	return string(b)
}

const hostileBase = `package release

name: "hostile"
targets: ["github", "gitlab", "jenkins", "circleci", "ecr", "flagger", "renovate"]
`

// TestHostileValues sets every free-text field to every payload class and
// requires, per field and target, that the value either reaches the
// target's output literally (proved by parsing the output back: YAML and
// JSON with a parser, the Jenkinsfile with the Groovy compiler through the
// conformance kit) or is rejected by vet with a positioned error. The
// outcome table in docs/RELIABILITY.md is this test's output
// (RELEASE_GEN_UPDATE=1 rewrites it).
func TestHostileValues(t *testing.T) {
	registered := map[string]bool{}
	for _, n := range all.Names() {
		registered[n] = true
	}
	var table bytes.Buffer
	table.WriteString("| field | " + strings.Join(classNames(), " | ") + " |\n|---|" + strings.Repeat("---|", len(payloads)) + "\n")
	for _, f := range fields {
		row := []string{"`" + f.name + "`"}
		for _, p := range payloads {
			row = append(row, outcome(t, f, p.class, p.value, registered))
		}
		table.WriteString("| " + strings.Join(row, " | ") + " |\n")
	}
	doc := filepath.Join("..", "..", "docs", "RELIABILITY.md")
	const begin, end = "<!-- hostile-values:begin -->\n", "<!-- hostile-values:end -->"
	b, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	i, j := strings.Index(text, begin), strings.Index(text, end)
	if i < 0 || j < i {
		t.Fatalf("%s has no hostile-values markers", doc)
	}
	want := text[:i+len(begin)] + table.String() + text[j:]
	if os.Getenv("RELEASE_GEN_UPDATE") != "" {
		if err := os.WriteFile(doc, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want != text {
		t.Errorf("%s's hostile-values table is stale: run RELEASE_GEN_UPDATE=1 go test ./targets/all/\n%s", doc, table.String())
	}
}

func classNames() []string {
	var out []string
	for _, p := range payloads {
		out = append(out, p.class)
	}
	return out
}

// outcome compiles a spec with f set to value and returns "literal" or
// "rejected [check]"; a value that is neither fails the test.
func outcome(t *testing.T, f field, class, value string, registered map[string]bool) string {
	t.Helper()
	dir := t.TempDir()
	spec := hostileBase
	if f.name != "registry" {
		spec += "registry: \"123456789012.dkr.ecr.us-east-1.amazonaws.com\"\n"
	}
	if !strings.HasPrefix(f.name, "retention") {
		spec += "retention: [{untagged: true, expireAfterDays: 7}]\n"
	}
	if !strings.HasPrefix(f.name, "services.") {
		spec += "services: api: {}\n"
	}
	spec += f.set(value) + "\n"
	if err := os.WriteFile(filepath.Join(dir, "release.cue"), []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := compiler.Compile(compiler.Config{Dir: dir})
	if err != nil {
		var se *compiler.SpecError
		if !errorsAs(err, &se) {
			t.Fatalf("%s/%s: %v", f.name, class, err)
		}
		for _, d := range se.Diagnostics.Sort() {
			if d.Severity == diag.Error {
				return rejected(t, f, class, d.Check, d.Pos.IsValid())
			}
		}
		t.Fatalf("%s/%s: a SpecError without errors", f.name, class)
	}
	files, diags, err := all.Render(res.Release)
	if err != nil {
		t.Fatalf("%s/%s: render: %v", f.name, class, err)
	}
	if diags.HasErrors(false) {
		for _, d := range diags.Sort() {
			if d.Severity == diag.Error {
				return rejected(t, f, class, d.Check, d.Pos.IsValid())
			}
		}
	}
	want := f.prefix + value
	var missing []string
	for _, target := range f.targets {
		if !registered[target] {
			continue
		}
		if !carries(t, files, target, want) {
			missing = append(missing, target)
		}
	}
	if len(missing) > 0 {
		t.Errorf("%s = %s payload: not found literally in the output of %s", f.name, class, strings.Join(missing, ", "))
		return "**broken**"
	}
	return "literal"
}

func rejected(t *testing.T, f field, class, check string, positioned bool) string {
	t.Helper()
	if !positioned {
		t.Errorf("%s/%s: rejected without a position", f.name, class)
	}
	return "rejected `" + check + "`"
}

// carries reports whether some string in target's files, as the format's
// own parser reads it, contains want.
func carries(t *testing.T, files []targets.File, target, want string) bool {
	t.Helper()
	for _, f := range files {
		if f.Target != target {
			continue
		}
		for _, s := range strings_(t, f) {
			if target == "github" {
				s = strings.ReplaceAll(s, "${{ '${{' }}", "${{")
			}
			if strings.Contains(s, want) {
				return true
			}
		}
	}
	return false
}

// strings_ returns every string value in a generated file.
func strings_(t *testing.T, f targets.File) []string {
	t.Helper()
	if f.Target == "jenkins" {
		return groovyStrings(t, f.Data)
	}
	var out []string
	dec := yaml.NewDecoder(bytes.NewReader(f.Data))
	for {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			break
		}
		var walk func(*yaml.Node)
		walk = func(n *yaml.Node) {
			if n.Kind == yaml.ScalarNode {
				out = append(out, n.Value)
			}
			for _, c := range n.Content {
				walk(c)
			}
		}
		walk(&n)
	}
	return out
}

var kit = filepath.Join("..", "..", "..", "shared", "conformance", "validate.sh")

// groovyStrings asks the Groovy compiler (through the conformance kit) for
// every string literal in a Jenkinsfile.
func groovyStrings(t *testing.T, data []byte) []string {
	t.Helper()
	if _, err := os.Stat(kit); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the conformance kit is required in CI: %v", err)
		}
		t.Skip("the conformance kit is not beside the checkout")
	}
	file := filepath.Join(t.TempDir(), "Jenkinsfile")
	os.WriteFile(file, data, 0o644)
	out, err := exec.Command(kit, "jenkins-strings", file).Output()
	if err != nil {
		t.Fatalf("jenkins-strings: %v", err)
	}
	var strs []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var s string
		if json.Unmarshal(sc.Bytes(), &s) == nil {
			strs = append(strs, s)
		}
	}
	return strs
}

func errorsAs(err error, target **compiler.SpecError) bool {
	se, ok := err.(*compiler.SpecError)
	if ok {
		*target = se
	}
	return ok
}
