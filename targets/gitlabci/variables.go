package gitlabci

import (
	"strings"

	"gopkg.in/yaml.v3"

	"release-gen.dev/release-gen/targets/internal/yamlenc"
)

// variable is one entry of a job's variables:. GitLab Runner expands
// "$NAME" and "${NAME}" in every variable value (os.Expand, "$$" for "$")
// unless the variable is raw, that is written as {value: ..., expand:
// false}.
type variable struct {
	name  string
	value string
	// ref marks a value that refers to other variables on purpose
	// ("$CI_PROJECT_DIR/.cache/npm", "${MY_KUBE_CONFIG}"): it is written as
	// it is and GitLab expands it. Any other value is data, and a data
	// value that holds a "$" is written raw, so that it arrives unchanged.
	ref bool
	// own marks a value that is the job's own (its service's, its
	// environment's): the job writes it, not its template.
	own bool
}

// variables are a job's variables, in the order they are written.
type variables []variable

// data returns variables holding data values, from alternating names and
// values.
func data(kv ...string) variables {
	if len(kv)%2 != 0 {
		panic("gitlabci.data: odd number of arguments")
	}
	var vs variables
	for i := 0; i < len(kv); i += 2 {
		vs = append(vs, variable{name: kv[i], value: kv[i+1]})
	}
	return vs
}

// own returns variables holding data values that are the job's own, from
// alternating names and values.
func own(kv ...string) variables {
	vs := data(kv...)
	for i := range vs {
		vs[i].own = true
	}
	return vs
}

// ref returns a variable whose value refers to other variables.
func ref(name, value string) variable { return variable{name: name, value: value, ref: true} }

// node writes the variables as a mapping, or returns nil when there are none.
func (vs variables) node() *yaml.Node {
	if len(vs) == 0 {
		return nil
	}
	n := yamlenc.Map()
	for _, v := range vs {
		yamlenc.Set(n, v.name, varValue(v))
	}
	return n
}

// varValue is the value node of one variable: a plain string, or
// {value, expand: false} for data that GitLab would otherwise expand.
func varValue(v variable) *yaml.Node {
	if v.ref || !strings.Contains(v.value, "$") {
		return yamlenc.Str(v.value)
	}
	return yamlenc.Map("value", yamlenc.Str(v.value), "expand", false)
}
