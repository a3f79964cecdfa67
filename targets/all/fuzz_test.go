package all_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"release-gen.dev/release-gen/compiler"
	"release-gen.dev/release-gen/compiler/diag"
	"release-gen.dev/release-gen/targets"
	"release-gen.dev/release-gen/targets/all"
)

// FuzzRender fuzzes every renderer over models the compiler accepts. The
// input drives a decoder that writes a release.json spec: services with
// names mapped onto the name pattern, languages, dependsOn edges (mostly
// to earlier services, sometimes to any), test splits, canaries,
// retention rules, environments, supply-chain settings and a subset of
// targets, with every free-text field (commands, descriptions, load-test
// commands, keys, schedules, versions, globs, channels) taken verbatim
// from the input. Invariants: no panic and no hang; an invalid spec yields
// diagnostics that each carry a position; a valid one renders the same
// bytes twice, every output parses back in its format, no free-text value
// reaches a CI script, GitHub never evaluates one as an expression, and the
// Jenkinsfile keeps each one inside a closed single-quoted string.
func FuzzRender(f *testing.F) {
	// The smallest spec; byte 95 takes every optional part (95 is one less
	// than a multiple of each oneIn divisor), in a strict and a loose spec;
	// then quoting hazards as raw text. testdata/fuzz/FuzzRender has more.
	f.Add([]byte{})
	f.Add(append([]byte{0}, bytes.Repeat([]byte{95}, 4000)...))
	f.Add(bytes.Repeat([]byte{95}, 4000))
	f.Add(bytes.Repeat([]byte{1}, 600))
	f.Add(bytes.Repeat([]byte("\x05\x07'\"$({`\\u0027\n#: "), 60))
	hostile, err := os.ReadFile(filepath.Join("..", "..", "testdata", "hostile", "release.cue"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(hostile)
	f.Fuzz(func(t *testing.T, data []byte) {
		spec := decodeSpec(data)
		dir := t.TempDir()
		done := make(chan error, 1)
		go func() { done <- compileAndRender(dir, spec) }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("%v\nspec: %s", err, spec)
			}
		case <-time.After(renderHangLimit):
			t.Fatalf("compiling and rendering took longer than %s\nspec: %s", renderHangLimit, spec)
		}
	})
}

// renderHangLimit is how long one input may take before it counts as a hang.
const renderHangLimit = 10 * time.Second

// freeTextMark is written into the middle of some free-text values, so
// that the checks can find such a value in any output whatever a renderer
// did to the characters around it. It is plain ASCII, which no renderer
// escapes.
const freeTextMark = "FREETEXTMARK"

// compileAndRender writes spec as dir/release.json, compiles it and checks
// the invariants FuzzRender documents. Rendering may fail with an error
// only when it says why: a message that is neither empty nor an internal
// error (a broken invariant of the renderers).
func compileAndRender(dir string, spec []byte) error {
	if err := os.WriteFile(filepath.Join(dir, "release.json"), spec, 0o644); err != nil {
		return err
	}
	res, err := compiler.Compile(compiler.Config{Dir: dir})
	var specErr *compiler.SpecError
	switch {
	case errors.As(err, &specErr):
		if len(specErr.Diagnostics) == 0 {
			return errors.New("SpecError without diagnostics")
		}
		return positioned(specErr.Diagnostics)
	case err != nil:
		return fmt.Errorf("Compile: unexpected error %T: %v", err, err)
	}
	first, diags, err := all.Render(res.Release)
	if err != nil {
		if msg := err.Error(); strings.TrimSpace(msg) == "" || strings.HasPrefix(msg, "internal error") {
			return fmt.Errorf("render: %q", msg)
		}
		return nil
	}
	if diags.HasErrors(false) {
		return positioned(diags)
	}
	second, _, err := all.Render(res.Release)
	if err != nil {
		return fmt.Errorf("the second render failed: %v", err)
	}
	if len(first) != len(second) {
		return errors.New("rendering twice gave different file sets")
	}
	for i, f := range first {
		if f.Path != second[i].Path || !bytes.Equal(f.Data, second[i].Data) {
			return fmt.Errorf("%s is not deterministic", f.Path)
		}
		if err := parsesBack(f); err != nil {
			return fmt.Errorf("%s: %v", f.Path, err)
		}
	}
	return nil
}

// positioned returns an error naming the first diagnostic without a
// position.
func positioned(diags diag.List) error {
	for _, d := range diags {
		if !d.Pos.IsValid() {
			return fmt.Errorf("diagnostic without a position: %s", d.Error())
		}
	}
	return nil
}

// scriptKeys are the mapping keys whose values CI platforms run as shell
// when they are a string or a list: GitHub's run, GitLab's script,
// before_script and after_script, CircleCI's run and command. (CircleCI's
// run may also be a mapping, whose command is the script.) Spec data
// reaches scripts only through variables.
var scriptKeys = map[string]bool{"run": true, "script": true, "before_script": true, "after_script": true, "command": true}

// parsesBack parses a generated file in its format and checks that no
// marked free-text value escaped into code.
func parsesBack(f targets.File) error {
	switch ext := path.Ext(f.Path); {
	case ext == ".yml" || ext == ".yaml":
		dec := yaml.NewDecoder(bytes.NewReader(f.Data))
		for {
			var doc yaml.Node
			err := dec.Decode(&doc)
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			if err := freeTextStaysData(&doc, f.Target == "github"); err != nil {
				return err
			}
		}
	case ext == ".json":
		var v any
		return json.Unmarshal(f.Data, &v)
	case f.Path == "Jenkinsfile":
		code, err := groovyCode(string(f.Data))
		if err != nil {
			return err
		}
		if strings.Contains(code, freeTextMark) {
			return errors.New("a free-text value is outside a string literal")
		}
		return nil
	}
	return errors.New("the fuzz test has no parser for this file")
}

// freeTextStaysData walks a YAML document and reports a marked
// free-text value in a script. With github, it also reports one holding a
// "${{" that is not neutralised as ${{ '${{' }}, which GitHub would
// evaluate.
func freeTextStaysData(n *yaml.Node, github bool) error {
	if n.Kind == yaml.ScalarNode && github && strings.Contains(n.Value, freeTextMark) &&
		strings.Contains(strings.ReplaceAll(n.Value, "${{ '${{' }}", ""), "${{") {
		return fmt.Errorf("line %d: a free-text value holds a GitHub expression: %q", n.Line, n.Value)
	}
	for i, c := range n.Content {
		if n.Kind == yaml.MappingNode && i%2 == 1 && scriptKeys[n.Content[i-1].Value] && c.Kind != yaml.MappingNode && holds(c, freeTextMark) {
			return fmt.Errorf("line %d: a free-text value is inside a %s script", c.Line, n.Content[i-1].Value)
		}
		if err := freeTextStaysData(c, github); err != nil {
			return err
		}
	}
	return nil
}

// holds reports whether any scalar under n contains s.
func holds(n *yaml.Node, s string) bool {
	if n.Kind == yaml.ScalarNode {
		return strings.Contains(n.Value, s)
	}
	for _, c := range n.Content {
		if holds(c, s) {
			return true
		}
	}
	return false
}

// groovyCode reads a Jenkinsfile as Groovy's lexer would, for the subset
// the Jenkinsfile may use, and returns its code with every string literal
// and comment left out. It first decodes \uXXXX escapes as Groovy does
// before lexing (only after an odd number of backslashes). It fails when a
// string literal or comment is not closed, a plain single-quoted literal
// spans a line, or a double-quoted (interpolating) literal appears.
func groovyCode(src string) (string, error) {
	rs := []rune(unicodeEscapes(src))
	var code strings.Builder
	line := 1
	for i := 0; i < len(rs); i++ {
		rest := string(rs[i:min(i+3, len(rs))])
		switch {
		case strings.HasPrefix(rest, "//"):
			for i+1 < len(rs) && rs[i+1] != '\n' {
				i++
			}
		case strings.HasPrefix(rest, "/*"):
			end := strings.Index(string(rs[i+2:]), "*/")
			if end < 0 {
				return "", fmt.Errorf("line %d: a comment is not closed", line)
			}
			comment := []rune(string(rs[i+2:])[:end])
			line += strings.Count(string(comment), "\n")
			i += 2 + len(comment) + 1
		case rest[0] == '"':
			return "", fmt.Errorf("line %d: a double-quoted string, which Groovy interpolates", line)
		case rest[0] == '\'':
			quote := "'"
			if rest == "'''" {
				quote = rest
			}
			end, lines, err := groovyStringEnd(rs[i+len(quote):], quote)
			if err != nil {
				return "", fmt.Errorf("line %d: %v", line, err)
			}
			line += lines
			i += len(quote) + end - 1
			code.WriteString("''")
		default:
			if rs[i] == '\n' {
				line++
			}
			code.WriteRune(rs[i])
		}
	}
	return code.String(), nil
}

// groovyStringEnd scans the inside of a string literal that opened with
// quote (one or three single quotes) and returns how many runes of rs the
// rest of the literal takes, closing quote included, and how many line
// breaks it holds.
func groovyStringEnd(rs []rune, quote string) (end, lines int, err error) {
	for i := 0; i < len(rs); i++ {
		switch {
		case rs[i] == '\\':
			i++ // the escaped character, whatever it is
			if i < len(rs) && rs[i] == '\n' {
				lines++
			}
		case rs[i] == '\n' || rs[i] == '\r':
			if quote == "'" {
				return 0, 0, errors.New("a single-quoted string spans a line")
			}
			if rs[i] == '\n' {
				lines++
			}
		case strings.HasPrefix(string(rs[i:min(i+len(quote), len(rs))]), quote):
			return i + len(quote), lines, nil
		}
	}
	return 0, 0, errors.New("a string is not closed")
}

// unicodeEscapes does what Groovy's reader does before lexing: a backslash
// followed by one or more 'u' and four hex digits becomes that character,
// unless the backslash is itself escaped (backslashes pair up from the
// left). A malformed escape is left as it is; the lexer then sees a
// backslash.
func unicodeEscapes(src string) string {
	var b strings.Builder
	rs := []rune(src)
	for i := 0; i < len(rs); i++ {
		if rs[i] != '\\' {
			b.WriteRune(rs[i])
			continue
		}
		if i+1 < len(rs) && rs[i+1] == '\\' {
			b.WriteString(`\\`)
			i++
			continue
		}
		j := i + 1
		for j < len(rs) && rs[j] == 'u' {
			j++
		}
		var v rune
		if j == i+1 || j+4 > len(rs) || !hexRunes(rs[j:j+4], &v) {
			b.WriteRune('\\')
			continue
		}
		b.WriteRune(v)
		i = j + 3
	}
	return b.String()
}

// hexRunes parses four hex digits into v.
func hexRunes(digits []rune, v *rune) bool {
	*v = 0
	for _, d := range digits {
		switch {
		case d >= '0' && d <= '9':
			*v = *v<<4 | (d - '0')
		case d >= 'a' && d <= 'f':
			*v = *v<<4 | (d - 'a' + 10)
		case d >= 'A' && d <= 'F':
			*v = *v<<4 | (d - 'A' + 10)
		default:
			return false
		}
	}
	return true
}

// specDecoder turns fuzz input into the choices of a spec. Each read takes
// bytes from the front of the input; once the input is used up, reads
// return zero, so that every input decodes to a spec and short inputs to
// small ones.
//
// Fields the spec restricts (names, paths, versions, weights, ...) get
// valid values, except in a loose spec (one input in four), where one in
// eight of them is raw input instead, so that most specs compile and
// render while the others exercise the compiler's diagnostics.
type specDecoder struct {
	data  []byte
	loose bool
}

func (d *specDecoder) byte() byte {
	if len(d.data) == 0 {
		return 0
	}
	b := d.data[0]
	d.data = d.data[1:]
	return b
}

// intn returns a number in [0, n), n at most 256.
func (d *specDecoder) intn(n int) int { return int(d.byte()) % n }

// oneIn is true for one in n inputs, and false once the input is used up.
func (d *specDecoder) oneIn(n int) bool { return d.intn(n) == n-1 }

// pick returns one of options.
func (d *specDecoder) pick(options ...string) string { return options[d.intn(len(options))] }

// text returns up to 47 bytes of the input, verbatim.
func (d *specDecoder) text() string {
	n := min(d.intn(48), len(d.data))
	s := string(d.data[:n])
	d.data = d.data[n:]
	return s
}

// restricted returns valid, or in a loose spec sometimes raw input.
func (d *specDecoder) restricted(valid string) string {
	if d.oneIn(8) && d.loose {
		return d.text()
	}
	return valid
}

// restrictedInt returns valid, or in a loose spec sometimes any number
// below 256.
func (d *specDecoder) restrictedInt(valid int) int {
	if d.oneIn(8) && d.loose {
		return d.intn(256)
	}
	return valid
}

// freeText is a value for a field the spec does not restrict: raw input
// (without NUL bytes, which the compiler rejects, except in a loose spec),
// and for half the inputs raw input around freeTextMark, which the checks
// then look for in the outputs.
func (d *specDecoder) freeText() string {
	s := d.text()
	if d.intn(2) == 1 {
		s += freeTextMark + d.text()
	}
	if !d.loose {
		s = strings.ReplaceAll(s, "\x00", " ")
	}
	return s
}

// word returns 1 to 12 characters of alphabet.
func (d *specDecoder) word(alphabet string) string {
	b := make([]byte, 1+d.intn(12))
	for i := range b {
		b[i] = alphabet[d.intn(len(alphabet))]
	}
	return string(b)
}

// name returns a name of the name pattern.
func (d *specDecoder) name() string {
	name := strings.Trim(d.word("abcdefghijklmnopqrstuvwxyz0123456789-"), "-")
	if name == "" {
		name = "x"
	}
	return d.restricted(name)
}

// names returns n distinct names.
func (d *specDecoder) names(n int) []string {
	out := make([]string, 0, n)
	for i := range n {
		name := d.name()
		if slices.Contains(out, name) {
			name = fmt.Sprintf("%s%d", name, i)
		}
		out = append(out, name)
	}
	return out
}

// relPath returns a clean path under dir, one or two levels deep.
func (d *specDecoder) relPath(dir string) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-_"
	p := dir + "/" + d.word(alphabet)
	if d.oneIn(2) {
		p += "/" + d.word(alphabet) + d.pick("", ".js", "_test.go", "*", "**/*.py")
	}
	return d.restricted(p)
}

// version returns a toolchain version.
func (d *specDecoder) version() string {
	return d.restricted(fmt.Sprintf("%d.%d", d.intn(30), d.intn(10)))
}

// list returns 1 to 3 values made by value.
func list[T any](d *specDecoder, value func() T) []T {
	out := make([]T, 1+d.intn(3))
	for i := range out {
		out[i] = value()
	}
	return out
}

// object is a JSON object that keeps its keys in the order they were set:
// the order of environments is their promotion order.
type object []member

type member struct {
	key   string
	value any
}

func (o *object) set(key string, value any) { *o = append(*o, member{key, value}) }

// MarshalJSON writes the members in order.
func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		key, _ := json.Marshal(m.key)
		value, err := json.Marshal(m.value)
		if err != nil {
			return nil, err
		}
		b.Write(key)
		b.WriteByte(':')
		b.Write(value)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

var (
	specTargets = []string{"github", "gitlab", "jenkins", "circleci", "ecr", "flagger", "renovate"}
	languages   = []string{"node", "go", "python", "java", "generic"}
	providers   = []string{"kubernetes", "istio", "linkerd", "nginx", "contour", "appmesh:v1beta2"}
)

// decodeSpec decodes fuzz input into a release.json spec.
func decodeSpec(data []byte) []byte {
	d := &specDecoder{data: data}
	d.loose = d.oneIn(4)
	var spec object
	spec.set("name", d.name())
	spec.set("registry", d.restricted(d.pick("123456789012.dkr.ecr.us-east-1.amazonaws.com", "ghcr.io/acme", "registry.example.com/team")))
	if d.oneIn(4) {
		spec.set("branch", d.restricted(d.pick("release", "release/1.x", "trunk")))
	}
	if mask := d.byte(); mask&0x80 != 0 {
		selected := []string{}
		for i, t := range specTargets {
			if mask&(1<<i) != 0 {
				selected = append(selected, t)
			}
		}
		spec.set("targets", selected)
	}
	matrix := object{}
	// matrix.versions applies to services of one language, which a
	// loose spec may break.
	language := d.pick(languages...)
	if d.oneIn(3) {
		matrix.set("versions", list(d, d.version))
	}
	if d.oneIn(3) {
		matrix.set("platforms", list(d, func() string { return d.restricted(d.pick("linux/amd64", "linux/arm64")) }))
	}
	spec.set("matrix", matrix)
	names := d.names(1 + d.intn(12))
	var services object
	for i, name := range names {
		if len(matrix) == 0 || d.loose {
			language = d.pick(languages...)
		}
		services.set(name, d.service(i, names, language))
	}
	spec.set("services", services)
	if d.oneIn(4) {
		spec.set("caches", object{{"dependencies", d.oneIn(2)}, {"docker", d.oneIn(2)}, {"paths", list(d, func() string { return d.relPath("cache") })}})
	}
	if d.oneIn(2) {
		spec.set("retention", d.retention())
	}
	if d.oneIn(2) {
		spec.set("canary", d.canary(false))
	}
	if d.oneIn(2) {
		spec.set("environments", d.environments())
	}
	if d.oneIn(2) {
		spec.set("security", d.security())
	}
	if d.oneIn(3) {
		spec.set("renovate", object{
			{"schedule", list(d, d.freeText)},
			{"automerge", []string{d.pick("major", "minor", "patch", "pin", "digest")}},
			{"prConcurrentLimit", d.intn(20)},
		})
	}
	if d.oneIn(3) {
		slack := object{{"channel", d.restricted("#" + d.name())}, {"on", []string{d.pick("failure", "success")}}}
		spec.set("notify", object{{"slack", slack}})
	}
	if d.oneIn(8) {
		spec.set("secrets", object{{"kubeConfig", "KUBE_" + strings.ToUpper(strings.ReplaceAll(d.name(), "-", "_"))}})
	}
	out, err := json.MarshalIndent(spec, "", "\t")
	if err != nil {
		panic(err) // every value is a string, number, bool, list or object
	}
	return out
}

// service decodes the i-th of the services called names. It depends on
// earlier services, so that the graph is acyclic, except in a loose spec,
// where it may depend on any service or an unknown one.
func (d *specDecoder) service(i int, names []string, language string) object {
	var s object
	if d.oneIn(2) {
		s.set("language", language)
	}
	switch d.intn(6) {
	case 1:
		s.set("path", ".")
	case 2:
		s.set("path", d.relPath("svc"))
	}
	if d.oneIn(8) {
		s.set("port", d.restrictedInt(1024+d.intn(256)))
	}
	if d.oneIn(8) {
		s.set("health", d.restricted("/"+d.word("abcdefghijklmnopqrstuvwxyz0123456789-_/")))
	}
	if d.oneIn(2) {
		s.set("test", d.freeText())
	}
	if d.oneIn(2) {
		s.set("build", d.freeText())
	}
	if d.oneIn(4) {
		s.set("versions", list(d, d.version))
	}
	if d.oneIn(4) {
		s.set("testSplit", object{{"glob", d.relPath("test")}, {"parallelism", d.restrictedInt(2 + d.intn(20))}})
	}
	var deps []string
	for range d.intn(4) {
		switch {
		case d.oneIn(8) && d.loose:
			deps = append(deps, d.pick(d.name(), names[d.intn(len(names))]))
		case i > 0:
			deps = append(deps, names[d.intn(i)])
		}
	}
	if len(deps) > 0 {
		s.set("dependsOn", deps)
	}
	switch d.intn(6) {
	case 1:
		s.set("canary", false)
	case 2:
		s.set("canary", true)
	case 3:
		s.set("canary", d.canary(true))
	}
	if d.oneIn(6) {
		s.set("retention", d.retention())
	}
	return s
}

// canary decodes a top-level canary, or a service's override of it.
func (d *specDecoder) canary(override bool) object {
	var c object
	if d.oneIn(2) {
		c.set("provider", d.pick(providers...))
	}
	if d.oneIn(8) && d.loose {
		c.set("provider", d.pick("gatewayapi:v1", "knative", "appmesh"))
	}
	if d.oneIn(2) {
		c.set("maxWeight", d.restrictedInt([]int{30, 50, 60, 100}[d.intn(4)]))
		c.set("stepWeight", d.restrictedInt([]int{5, 10}[d.intn(2)]))
	}
	if d.oneIn(3) {
		c.set("threshold", d.restrictedInt(1+d.intn(10)))
	}
	if d.oneIn(3) {
		c.set("successRate", float64(d.intn(201))/2)
	}
	if d.oneIn(3) {
		c.set("maxLatency", d.restrictedInt(1+d.intn(255)))
	}
	if !override || d.oneIn(4) {
		if d.oneIn(2) {
			c.set("interval", d.restricted(d.pick("1m", "2m")))
			loadTest := object{{"url", "http://lt.test/" + d.restricted(d.word("abcdefghijklmnopqrstuvwxyz0123456789-_./?&={}"))}, {"cmd", d.freeText()}}
			loadTest.set("timeout", d.restricted(fmt.Sprintf("%ds", 1+d.intn(59))))
			c.set("loadTest", loadTest)
		}
	}
	return c
}

// retention decodes a retention list that ECR accepts: rules by tag
// prefix or pattern, then at most one rule for untagged images, then at
// most one for any image. A loose spec may add a second selector to a rule
// or put the rules out of order.
func (d *specDecoder) retention() []object {
	rules := []object{}
	for i := range d.intn(4) {
		tag := d.pick("prod-", "staging-", "v", "release-") + fmt.Sprint(i) + d.word("abcdefghijklmnopqrstuvwxyz0123456789-._")
		if d.oneIn(2) {
			rules = append(rules, object{{"tagPrefixes", []string{d.restricted(tag)}}})
		} else {
			rules = append(rules, object{{"tagPatterns", []string{d.restricted(tag + "*")}}})
		}
		rules[len(rules)-1].set("keep", d.restrictedInt(1+d.intn(100)))
	}
	if d.oneIn(2) {
		rules = append(rules, object{{"untagged", true}, {"expireAfterDays", d.restrictedInt(1 + d.intn(30))}})
	}
	if d.oneIn(3) {
		rules = append(rules, object{{"any", true}, {"expireAfterDays", d.restrictedInt(365 + d.intn(100))}})
	}
	for i := range rules {
		if d.oneIn(2) {
			rules[i].set("description", d.freeText())
		}
		if d.oneIn(8) && d.loose {
			rules[i].set("untagged", true)
		}
	}
	if len(rules) > 1 && d.oneIn(8) && d.loose {
		rules[0], rules[len(rules)-1] = rules[len(rules)-1], rules[0]
	}
	return rules
}

// environments decodes one to three environments in promotion order.
func (d *specDecoder) environments() object {
	var envs object
	for _, name := range d.names(1 + d.intn(3)) {
		var e object
		if d.oneIn(2) {
			e.set("approval", d.oneIn(2))
		}
		if d.oneIn(4) {
			e.set("url", "https://"+name+".test/"+d.restricted(d.word("abcdefghijklmnopqrstuvwxyz0123456789-_./?&=")))
		}
		if d.oneIn(4) {
			e.set("tagPrefix", d.restricted(name+"-"))
		}
		if d.oneIn(6) {
			e.set("namespace", d.name())
		}
		envs.set(name, e)
	}
	return envs
}

// security decodes the supply-chain policy.
func (d *specDecoder) security() object {
	var s object
	switch d.intn(3) {
	case 1:
		s.set("scan", false)
	case 2:
		severities := list(d, func() string { return d.pick("LOW", "MEDIUM", "HIGH", "CRITICAL") })
		s.set("scan", object{{"severity", severities}, {"failBuild", d.oneIn(2)}})
	}
	s.set("sbom", d.oneIn(2))
	switch d.intn(4) {
	case 1:
		s.set("sign", false)
	case 2:
		s.set("sign", object{{"key", "awskms:///" + d.freeText()}})
	}
	if d.oneIn(4) {
		s.set("licenses", object{{"deny", list(d, func() string { return d.restricted(d.pick("GPL-3.0-only", "AGPL-3.0-or-later", "SSPL-1.0")) })}})
	}
	return s
}

// TestRenderChecksCatchEscapes feeds FuzzRender's output checks files in
// which a free-text value escaped, so that a fuzzing run that finds
// nothing means the renderers hold, not that the checks are blind.
func TestRenderChecksCatchEscapes(t *testing.T) {
	const v = "x" + freeTextMark + "y"
	escaped := []targets.File{
		{Path: ".github/workflows/release.yml", Target: "github", Data: []byte("jobs:\n  a:\n    steps:\n      - run: echo " + v + "\n")},
		{Path: ".github/workflows/release.yml", Target: "github", Data: []byte("jobs:\n  a:\n    env:\n      T: '${{ github.token }}" + v + "'\n")},
		{Path: ".gitlab-ci.yml", Target: "gitlab", Data: []byte("a:\n  script:\n    - echo '" + v + "'\n")},
		{Path: ".circleci/config.yml", Target: "circleci", Data: []byte("jobs:\n  a:\n    steps:\n      - run:\n          command: " + v + "\n")},
		{Path: ".circleci/config.yml", Target: "circleci", Data: []byte("jobs:\n  a:\n    steps:\n      - run: " + v + "\n")},
		{Path: "deploy/flagger/a.yaml", Target: "flagger", Data: []byte("a: [b\n")},
		{Path: "renovate.json", Target: "renovate", Data: []byte(`{"a": 1,}`)},
		{Path: "Jenkinsfile", Target: "jenkins", Data: []byte("sh('echo '" + v + "')\n")},
		{Path: "Jenkinsfile", Target: "jenkins", Data: []byte("sh('echo \\u0027" + v + "')\n")},
		{Path: "Jenkinsfile", Target: "jenkins", Data: []byte("sh('''echo\n" + v + "')\n")},
		{Path: "Jenkinsfile", Target: "jenkins", Data: []byte("sh('echo\n" + v + "')\n")},
		{Path: "Jenkinsfile", Target: "jenkins", Data: []byte("sh(\"echo ${" + v + "}\")\n")},
		{Path: "Jenkinsfile", Target: "jenkins", Data: []byte("// comment \\u000a" + v + "\n")},
		{Path: "Jenkinsfile", Target: "jenkins", Data: []byte("/* comment " + v + "\n")},
		{Path: "deploy/other.txt", Target: "other", Data: []byte(v)},
	}
	for _, f := range escaped {
		if err := parsesBack(f); err == nil {
			t.Errorf("%s: the checks found nothing wrong in\n%s", f.Path, f.Data)
		}
	}
	kept := []targets.File{
		{Path: ".github/workflows/release.yml", Target: "github", Data: []byte("jobs:\n  a:\n    steps:\n      - run: bash -c \"$T\"\n        env:\n          T: \"${{ '${{' }} " + v + "\"\n")},
		{Path: ".circleci/config.yml", Target: "circleci", Data: []byte("jobs:\n  a:\n    steps:\n      - run:\n          command: bash -c \"$T\"\n          environment:\n            T: " + v + "\n")},
		{Path: "Jenkinsfile", Target: "jenkins", Data: []byte("// a comment's quote\nwithEnv(['T=it\\'s \\\\u0027 \"" + v + "']) {\n  sh('''echo '$T' \\'''')\n}\n")},
	}
	for _, f := range kept {
		if err := parsesBack(f); err != nil {
			t.Errorf("%s: %v in\n%s", f.Path, err, f.Data)
		}
	}
}
