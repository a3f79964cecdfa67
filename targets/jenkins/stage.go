package jenkins

import (
	"bytes"
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

// step is a step in a steps block.
type step interface{ write(w *writer) }

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
	w.line("sh(label: " + quote(s.label) + ", script: " + w.scriptName(name, s.script) + ")")
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
		sep := ","
		if i == len(e.vars)-1 {
			sep = ""
		}
		w.line(quote(v.name+"="+v.value) + sep)
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

// writer writes indented Groovy.
type writer struct {
	b      bytes.Buffer
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
	w.b.WriteString(scriptsComment)
	for _, s := range w.scriptOrder {
		w.b.WriteString("\n@Field final String " + s.name + " = " + quoteScript(s.text) + "\n")
	}
}

// scriptsComment introduces the shared scripts. It is constant, like every
// comment in the file.
const scriptsComment = `
// The shell scripts the stages run, each written once. A stage sets what
// a script works on (service, image, environment) with withEnv.
`

func (w *writer) line(s string) {
	w.b.WriteString(strings.Repeat("    ", w.indent))
	w.b.WriteString(s)
	w.b.WriteByte('\n')
}

// open writes `s {` and indents.
func (w *writer) open(s string) {
	w.line(s + " {")
	w.indent++
}

// close dedents and writes `}`.
func (w *writer) close() {
	w.indent--
	w.line("}")
}

func (s *stage) write(w *writer) {
	w.open("stage(" + quote(s.name) + ")")
	if s.when != nil {
		s.when.write(w)
	}
	if s.agent {
		w.line("agent { label " + quote(agentLabel) + " }")
	}
	s.writeOptions(w)
	if in := s.input; in != nil {
		w.open("input")
		w.line("message " + quote(in.message))
		w.line("ok " + quote(in.ok))
		w.close()
	}
	if len(s.env) > 0 {
		w.open("environment")
		for _, b := range s.env {
			w.line(b.name + " = credentials(" + quote(b.credential) + ")")
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
	var opts []string
	if s.timeout.time > 0 {
		opts = append(opts, "timeout(time: "+strconv.Itoa(s.timeout.time)+", unit: "+quote(s.timeout.unit)+")")
	}
	if s.skipCheckout {
		opts = append(opts, "skipDefaultCheckout()")
	}
	if len(opts) == 0 {
		return
	}
	w.open("options")
	for _, o := range opts {
		w.line(o)
	}
	w.close()
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
	branch := "branch comparator: 'EQUALS', pattern: " + quote(c.branch)
	if c.releaseTags {
		w.open("anyOf")
		w.line(branch)
		w.line("tag comparator: 'REGEXP', pattern: " + quote(releaseTagPattern))
		w.close()
	} else {
		w.line(branch)
	}
	w.close()
}

func (m *matrix) write(w *writer) {
	w.open("matrix")
	w.open("axes")
	for _, a := range m.axes {
		w.open("axis")
		w.line("name " + quote(a.name))
		w.line("values " + quoteList(a.values))
		w.close()
	}
	w.close()
	w.line("agent { label " + quote(agentLabel) + " }")
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
	if len(c.creds) == 0 {
		for _, s := range c.body {
			s.write(w)
		}
		return
	}
	w.line("withCredentials([")
	w.indent++
	for i, b := range c.creds {
		sep := ","
		if i == len(c.creds)-1 {
			sep = ""
		}
		w.line("string(credentialsId: " + quote(b.credential) + ", variable: " + quote(b.name) + ")" + sep)
	}
	w.indent--
	w.open("])")
	for _, s := range c.body {
		s.write(w)
	}
	w.close()
}
