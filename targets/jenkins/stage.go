package jenkins

import (
	"strconv"
	"strings"
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
// scripts; it reads every value from the environment.
type sh struct{ label, script string }

func (s sh) write(w *writer) {
	w.line("sh(label: " + quote(s.label) + ", script: " + quoteScript(s.script) + ")")
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
	b      strings.Builder
	indent int
}

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
