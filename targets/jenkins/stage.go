package jenkins

import (
	"strconv"
	"strings"
	"unicode"
)

// The types below model the part of the Declarative Pipeline syntax the
// Jenkinsfile uses. Each writes itself; every string from the model goes
// through quote or quoteScript on the way out.

// stage is one stage. It holds exactly one of steps, stages, parallel or
// matrix, as Declarative requires.
type stage struct {
	name string
	// job is the id of the plan job the stage runs, if any.
	job  string
	when *when
	// agent runs the stage on an agent with the pipeline's label; without
	// it the stage runs on no executor (approval) or on its parent's.
	agent        bool
	timeout      timeout
	skipCheckout bool
	input        *input
	// env binds credentials to environment variables for the stage.
	env []binding

	steps    []step
	stages   []*stage
	parallel []*stage
	matrix   *matrix

	// always are the steps of post { always { ... } }.
	always []step
}

// when gates a stage on the build's branch or tag (multibranch jobs).
type when struct {
	// branch is the release branch, compared for equality (no glob).
	branch string
	// releaseTags also admits builds of release tags (vX.Y.Z).
	releaseTags bool
	// beforeAgent and beforeInput evaluate the condition before an agent
	// is allocated or before the input prompt, so that a skipped stage
	// holds no executor and asks nobody.
	beforeAgent, beforeInput bool
}

// input pauses the stage until someone approves.
type input struct{ message, ok string }

// binding is `NAME = credentials('id')` in an environment block.
type binding struct{ name, credential string }

// timeout is a stage or pipeline time limit.
type timeout struct {
	time int
	unit string // MINUTES or HOURS
}

func minutes(n int) timeout { return timeout{n, "MINUTES"} }

// minutes returns the limit in minutes.
func (t timeout) minutes() int {
	if t.unit == "HOURS" {
		return t.time * 60
	}
	return t.time
}

// matrix runs its stages once per combination of the axes' values, each
// combination on its own agent.
type matrix struct {
	axes   []axis
	stages []*stage
}

type axis struct {
	name   string
	values []string
}

// step is a step in a steps block. bytecode estimates what it adds to
// the method the pipeline block compiles into (see methodsize.go).
type step interface {
	write(w *writer)
	bytecode() int
}

// sh runs a bash script. The script is constant text from the shared
// scripts; it reads every value from the environment. name, when set,
// names the script's shared definition instead of the label, for a label
// that holds data (an environment's name) while the script does not.
type sh struct{ label, script, name string }

// named returns s with its definition named after name.
func (s sh) named(name string) sh {
	s.name = name
	return s
}

// write runs the script by the name of its shared definition, which the
// writer keeps: stages of every service run the same few scripts with
// their own environment, so each script is written into the file once.
func (s sh) write(w *writer) {
	name := s.name
	if name == "" {
		name = s.label
	}
	w.start().raw("sh(label: ").quote(s.label).raw(", script: ").raw(w.scriptName(name, s.script)).raw(")").end()
}

// withEnv sets environment variables, verbatim, for the steps in body.
type withEnv struct {
	vars []envVar
	body []step
}

// envVar is one NAME=value entry of withEnv. Jenkins removes a variable
// whose value is empty, which the scripts treat like an empty one.
type envVar struct{ name, value string }

func (e withEnv) write(w *writer) {
	if len(e.vars) == 0 {
		for _, s := range e.body {
			s.write(w)
		}
		return
	}
	w.line("withEnv([")
	w.indent++
	for i, v := range e.vars {
		w.start().quoteVar(v.name, v.value)
		if i < len(e.vars)-1 {
			w.raw(",")
		}
		w.end()
	}
	w.indent--
	w.open("])")
	for _, s := range e.body {
		s.write(w)
	}
	w.close()
}

// call is a step written as Groovy text that was built with quote.
type call string

func (c call) write(w *writer) { w.line(string(c)) }

// stash keeps the files matching includes for later stages of the build,
// under name.
type stash struct{ name, includes string }

func (s stash) write(w *writer) {
	w.start().raw("stash(name: ").quote(s.name).raw(", includes: ").quote(s.includes).raw(")").end()
}

// unstash puts the files of the stash name into the workspace.
type unstash struct{ name string }

func (u unstash) write(w *writer) {
	w.start().raw("unstash(").quote(u.name).raw(")").end()
}

// archiveArtifacts keeps the files matching artifacts with the build,
// fingerprinted.
type archiveArtifacts struct{ artifacts string }

func (a archiveArtifacts) write(w *writer) {
	w.start().raw("archiveArtifacts(artifacts: ").quote(a.artifacts).raw(", fingerprint: true)").end()
}

// junit publishes the JUnit XML reports matching testResults, if any.
type junit struct{ testResults string }

func (j junit) write(w *writer) {
	w.start().raw("junit(allowEmptyResults: true, testResults: ").quote(j.testResults).raw(")").end()
}

// writer writes indented Groovy into b.
type writer struct {
	b      []byte
	indent int
	// scripts names the shell scripts written so far by their text, and
	// scriptOrder lists them in the order they were first used.
	scripts     map[string]string
	scriptOrder []sharedScript
}

// sharedScript is a shell script defined once, as a field of the
// Jenkinsfile's script class, and run by name.
type sharedScript struct{ name, text string }

// scriptName returns the name of the field holding script, defining it on
// first use. The name comes from the step's label in lowerCamelCase with
// the suffix Script, numbered from 2 when different scripts share a
// label; it is an identifier whatever the label holds.
func (w *writer) scriptName(label, script string) string {
	if name, ok := w.scripts[script]; ok {
		return name
	}
	if w.scripts == nil {
		w.scripts = make(map[string]string)
	}
	base := identifier(label) + "Script"
	name := base
	for n := 2; w.taken(name); n++ {
		name = base + strconv.Itoa(n)
	}
	w.scripts[script] = name
	w.scriptOrder = append(w.scriptOrder, sharedScript{name, script})
	return name
}

// taken reports whether a shared script already has name.
func (w *writer) taken(name string) bool {
	for _, s := range w.scriptOrder {
		if s.name == name {
			return true
		}
	}
	return false
}

// identifier turns label into a lowerCamelCase Groovy identifier of its
// ASCII letters and digits: "Build and push the image" becomes
// buildAndPushTheImage. It is "step" when nothing usable is left, and
// starts with a letter.
func identifier(label string) string {
	var b strings.Builder
	upper := false
	for _, r := range label {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			if b.Len() == 0 && r >= '0' && r <= '9' {
				b.WriteString("step")
				upper = true
			}
			switch {
			case b.Len() == 0:
				r = unicode.ToLower(r)
			case upper:
				r = unicode.ToUpper(r)
			}
			b.WriteRune(r)
			upper = false
		default:
			upper = b.Len() > 0
		}
		if b.Len() >= 48 {
			break
		}
	}
	if b.Len() == 0 {
		return "step"
	}
	return b.String()
}

// writeScripts writes the shared scripts, in the order of first use, as
// final fields of the script class: Declarative Pipeline resolves a name
// in a step's arguments to the field, and the strings stay out of the
// method the pipeline block compiles into.
func (w *writer) writeScripts() {
	if len(w.scriptOrder) == 0 {
		return
	}
	w.raw(scriptsComment)
	for _, s := range w.scriptOrder {
		w.raw("\n@Field final String ").raw(s.name).raw(" = ").raw(quoteScript(s.text)).end()
	}
}

// scriptsComment introduces the shared scripts. It is constant, like every
// comment in the file.
const scriptsComment = `
// The shell scripts the stages run, each written once. A stage sets what
// a script works on (service, image, environment) with withEnv.
`

// line writes s, Groovy text, as a line.
func (w *writer) line(s string) {
	w.start().raw(s).end()
}

// start begins a line at the current indentation, two spaces a level
// (with four, more than half of the bytes of a large Jenkinsfile were
// indentation). raw, quote, quoteVar and number add to it, and end or
// block end it.
func (w *writer) start() *writer {
	n := 2 * w.indent
	for n > len(spaces) {
		w.b = append(w.b, spaces...)
		n -= len(spaces)
	}
	w.b = append(w.b, spaces[:n]...)
	return w
}

// spaces indent the lines of all but the deepest blocks in one go.
const spaces = "                                                                "

// raw adds s, Groovy text, to the line.
func (w *writer) raw(s string) *writer {
	w.b = append(w.b, s...)
	return w
}

// quote adds s to the line as a single-quoted literal (see quote).
func (w *writer) quote(s string) *writer {
	w.b = appendQuote(w.b, s)
	return w
}

// quoteVar adds the withEnv entry name=value to the line as one
// single-quoted literal, as quote(name + "=" + value) would without
// building the string: appendEscaped escapes a single-line literal
// character by character, and '=' is a character of its own whatever
// surrounds it (UTF-8 never uses an ASCII byte inside another character),
// so escaping name and value apart is escaping name=value.
func (w *writer) quoteVar(name, value string) *writer {
	w.b = append(w.b, '\'')
	w.b = appendEscaped(w.b, name, false)
	w.b = append(w.b, '=')
	w.b = appendEscaped(w.b, value, false)
	w.b = append(w.b, '\'')
	return w
}

// number adds n to the line in decimal.
func (w *writer) number(n int) *writer {
	w.b = strconv.AppendInt(w.b, int64(n), 10)
	return w
}

// end ends the line.
func (w *writer) end() {
	w.b = append(w.b, '\n')
}

// block ends the line with ` {` and indents.
func (w *writer) block() {
	w.raw(" {").end()
	w.indent++
}

// open writes `s {` and indents.
func (w *writer) open(s string) {
	w.start().raw(s).block()
}

// close dedents and writes `}`.
func (w *writer) close() {
	w.indent--
	w.line("}")
}

func (s *stage) write(w *writer) {
	w.start().raw("stage(").quote(s.name).raw(")").block()
	if s.when != nil {
		s.when.write(w)
	}
	if s.agent {
		writeAgent(w)
	}
	s.writeOptions(w)
	if in := s.input; in != nil {
		w.open("input")
		w.start().raw("message ").quote(in.message).end()
		w.start().raw("ok ").quote(in.ok).end()
		w.close()
	}
	if len(s.env) > 0 {
		w.open("environment")
		for _, b := range s.env {
			w.start().raw(b.name).raw(" = credentials(").quote(b.credential).raw(")").end()
		}
		w.close()
	}
	switch {
	case s.matrix != nil:
		s.matrix.write(w)
	case len(s.parallel) > 0:
		writeStages(w, "parallel", s.parallel)
	case len(s.stages) > 0:
		writeStages(w, "stages", s.stages)
	default:
		w.open("steps")
		for _, st := range s.steps {
			st.write(w)
		}
		w.close()
	}
	if len(s.always) > 0 {
		w.open("post")
		w.open("always")
		for _, st := range s.always {
			st.write(w)
		}
		w.close()
		w.close()
	}
	w.close()
}

func (s *stage) writeOptions(w *writer) {
	if s.timeout.time == 0 && !s.skipCheckout {
		return
	}
	w.open("options")
	if s.timeout.time > 0 {
		w.start().raw("timeout(time: ").number(s.timeout.time).raw(", unit: ").quote(s.timeout.unit).raw(")").end()
	}
	if s.skipCheckout {
		w.line("skipDefaultCheckout()")
	}
	w.close()
}

// writeAgent writes the agent of a stage that runs on one.
func writeAgent(w *writer) {
	w.start().raw("agent { label ").quote(agentLabel).raw(" }").end()
}

func writeStages(w *writer, keyword string, stages []*stage) {
	w.open(keyword)
	for _, s := range stages {
		s.write(w)
	}
	w.close()
}

func (c *when) write(w *writer) {
	w.open("when")
	if c.beforeAgent {
		w.line("beforeAgent true")
	}
	if c.beforeInput {
		w.line("beforeInput true")
	}
	if c.releaseTags {
		w.open("anyOf")
		c.writeBranch(w)
		w.start().raw("tag comparator: 'REGEXP', pattern: ").quote(releaseTagPattern).end()
		w.close()
	} else {
		c.writeBranch(w)
	}
	w.close()
}

// writeBranch writes the condition on the release branch.
func (c *when) writeBranch(w *writer) {
	w.start().raw("branch comparator: 'EQUALS', pattern: ").quote(c.branch).end()
}

func (m *matrix) write(w *writer) {
	w.open("matrix")
	w.open("axes")
	for _, a := range m.axes {
		w.open("axis")
		w.start().raw("name ").quote(a.name).end()
		w.start().raw("values ").raw(quoteList(a.values)).end()
		w.close()
	}
	w.close()
	writeAgent(w)
	writeStages(w, "stages", m.stages)
	w.close()
}

// withCredentials binds secret text credentials to environment variables
// for the steps in body only.
type withCredentials struct {
	creds []binding
	body  []step
}

func (c withCredentials) write(w *writer) {
	w.line("withCredentials([")
	w.indent++
	for i, b := range c.creds {
		w.start().raw("string(credentialsId: ").quote(b.credential).raw(", variable: ").quote(b.name).raw(")")
		if i < len(c.creds)-1 {
			w.raw(",")
		}
		w.end()
	}
	w.indent--
	w.open("])")
	for _, s := range c.body {
		s.write(w)
	}
	w.close()
}
