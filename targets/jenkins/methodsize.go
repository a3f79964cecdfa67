package jenkins

import (
	"release-gen.dev/release-gen/compiler/diag"
	"release-gen.dev/release-gen/compiler/model"
)

// Unless the controller enables script splitting, Declarative Pipeline
// turns the pipeline block into one expression that builds its model (a
// Root, a Stage per stage, with every steps closure inline), and the CPS
// transform compiles that expression into one JVM method, which may hold
// at most 65,535 bytes of bytecode ("Method too large"). The figures below
// estimate what each construct the Jenkinsfile uses adds to that method.
// They were measured by compiling Jenkinsfiles that repeat one construct
// 1 and 21 times through a rebuild of both transforms (from
// pipeline-model-definition's RuntimeASTTransformer and workflow-cps's
// CpsTransformer) on Groovy 2.4, and reading the method's size from the
// class file. Summed over a Jenkinsfile they come 1 to 2.5% below what
// the same rebuild measures for the whole file, for both examples, the
// hostile spec, a GHCR spec with four languages and Slack, and fleets of
// 10 and 30 services (TestMethodEstimate). A rebuild is not the plugins
// themselves, so the limit is applied with a margin of 15%
// (methodMargin).
//
// Each node of the model becomes one call on the CPS builder: about 15
// bytes for a string or a constant, 45 and its arguments for a step call,
// 72 and its body for a closure. A matrix's inner stages are built once,
// in a method of their own, and not counted here; every cell adds a Stage
// of its own with copies of the matrix's agent.
const (
	// costPipeline is `pipeline { agent none; stages { } }` and the
	// options block with its six options.
	costPipeline = 520 + 530
	// costPost is a post block, and costPostCondition one condition in
	// it with its Slack notification.
	costPost          = 80
	costPostCondition = 700
	// costStage is a stage whose steps block holds no steps, and
	// costContainer one holding stages, parallel stages or a matrix.
	costStage     = 273
	costContainer = 200
	costAgent     = 135
	// costOptions is an options block with a timeout, costOption each
	// further option.
	costOptions = 110
	costOption  = 60
	// costWhen is a when block with beforeAgent or beforeInput and a
	// branch condition; costWhenTag the anyOf around it with the tag
	// condition.
	costWhen    = 255
	costWhenTag = 180
	costInput   = 85
	// costCredential is one entry of an environment block, which costs
	// costEnvironment more for the first.
	costEnvironment = 70
	costCredential  = 120
	// costPostAlways is post { always { } } without its steps.
	costPostAlways = 140
	// costMatrixCell is one cell of a matrix with its agent,
	// costMatrixAxis each axis value it binds.
	costMatrixCell = 320 + costAgent
	costMatrixAxis = 123
	// Steps: costWrapper is a step with a list argument and a body
	// (withEnv, withCredentials), costListEntry each string in the list;
	// costCredentialEntry is withCredentials' string(credentialsId:,
	// variable:); costSh is sh(label:, script: field); costStep1 and
	// costStep2 a step with one positional argument or two named ones.
	costWrapper         = 140
	costListEntry       = 16
	costCredentialEntry = 110
	costSh              = 127
	costStep1           = 60
	costStep2           = 110
)

// checkMethodSize reports a pipeline block too large for one method: its
// estimate, with the margin, is over methodLimit and the controller does
// not split scripts. It needs no rendering, so vet reports it too.
func checkMethodSize(m *model.Release) diag.List {
	if m.Jenkins.ScriptSplitting || m.Plan == nil {
		return nil
	}
	g := newGen(m)
	stages, err := g.stages()
	if err != nil {
		return nil // an internal error, which Render reports
	}
	if d := g.methodSizeError(stages); d != nil {
		return diag.List{*d}
	}
	return nil
}

// methodSizeError is the output-size error for a pipeline block of stages
// over methodLimit, or nil when it fits or the controller splits scripts.
func (g *gen) methodSizeError(stages []*stage) *diag.Diagnostic {
	if g.m.Jenkins.ScriptSplitting {
		return nil
	}
	size := g.pipelineBytecode(stages) * (100 + methodMargin) / 100
	if size <= methodLimit.Bytes {
		return nil
	}
	d := diag.Errorf(g.m.Fields.Of("services", g.m.Pos), "output-size", "%s",
		methodLimit.Refusal("jenkins", Path, size, len(g.m.Services)))
	return &d
}

// pipelineBytecode estimates the size of the method the pipeline block
// with stages compiles into without script splitting, in bytes.
func (g *gen) pipelineBytecode(stages []*stage) int {
	n := costPipeline + stagesBytecode(stages)
	if conditions := g.postConditions(); conditions > 0 {
		n += costPost + conditions*costPostCondition
	}
	return n
}

func stagesBytecode(stages []*stage) int {
	n := 0
	for _, s := range stages {
		n += s.bytecode()
	}
	return n
}

func (s *stage) bytecode() int {
	n := 0
	if s.when != nil {
		n += costWhen
		if s.when.releaseTags {
			n += costWhenTag
		}
	}
	if s.agent {
		n += costAgent
	}
	if s.timeout.time > 0 || s.skipCheckout {
		n += costOptions
		if s.timeout.time > 0 && s.skipCheckout {
			n += costOption
		}
	}
	if s.input != nil {
		n += costInput
	}
	if len(s.env) > 0 {
		n += costEnvironment + len(s.env)*costCredential
	}
	switch {
	case s.matrix != nil:
		cells, axes := 1, len(s.matrix.axes)
		for _, a := range s.matrix.axes {
			cells *= len(a.values)
		}
		n += costContainer + cells*(costMatrixCell+axes*costMatrixAxis)
	case len(s.parallel) > 0:
		n += costContainer + stagesBytecode(s.parallel)
	case len(s.stages) > 0:
		n += costContainer + stagesBytecode(s.stages)
	default:
		n += costStage + stepsBytecode(s.steps)
	}
	if len(s.always) > 0 {
		n += costPostAlways + stepsBytecode(s.always)
	}
	return n
}

func stepsBytecode(steps []step) int {
	n := 0
	for _, s := range steps {
		n += s.bytecode()
	}
	return n
}

func (sh) bytecode() int               { return costSh }
func (call) bytecode() int             { return costStep1 }
func (unstash) bytecode() int          { return costStep1 }
func (stash) bytecode() int            { return costStep2 }
func (archiveArtifacts) bytecode() int { return costStep2 }
func (junit) bytecode() int            { return costStep2 }

func (e withEnv) bytecode() int {
	if len(e.vars) == 0 {
		return stepsBytecode(e.body)
	}
	return costWrapper + len(e.vars)*costListEntry + stepsBytecode(e.body)
}

func (c withCredentials) bytecode() int {
	return costWrapper + len(c.creds)*costCredentialEntry + stepsBytecode(c.body)
}
