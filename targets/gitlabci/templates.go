package gitlabci

import (
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"release-gen.dev/release-gen/targets/internal/yamlenc"
)

// templatePrefix starts the name of every template: a hidden job (GitLab
// runs no job whose name starts with a dot) that jobs extend.
const templatePrefix = ".release-"

// templates collects the hidden template jobs of a pipeline. Each job's
// shared part (job.parts) becomes a template, or reuses the template of
// an earlier job whose shared part is the same: templates are told apart
// by content alone. The first template of a kind of job is
// .release-<kind>, the next distinct ones .release-<kind>-2, -3, ... in
// the order the jobs come, so that names depend only on the plan.
type templates struct {
	byContent map[string]string // fingerprint -> template name
	perKind   map[string]int    // templates of each kind so far
	nodes     []any             // name, node, ... in order of first use
}

func newTemplates() *templates {
	return &templates{byContent: map[string]string{}, perKind: map[string]int{}}
}

// use returns the name of the template holding shared for a job of the
// given kind, adding the template when it is new.
func (ts *templates) use(kind string, shared *yaml.Node) string {
	var b strings.Builder
	b.WriteString(kind)
	fingerprint(&b, shared)
	key := b.String()
	if name, ok := ts.byContent[key]; ok {
		return name
	}
	ts.perKind[kind]++
	name := templatePrefix + kind
	if n := ts.perKind[kind]; n > 1 {
		name += "-" + strconv.Itoa(n)
	}
	ts.byContent[key] = name
	ts.nodes = append(ts.nodes, name, shared)
	return name
}

// extend returns the job that extends template and adds own's keys.
func extend(template string, own *yaml.Node) *yaml.Node {
	n := yamlenc.Map("extends", template)
	n.Content = append(n.Content, own.Content...)
	return n
}

// fingerprint writes n's content to b so that two nodes are written alike
// exactly when they would be encoded alike: kind, style, tag, value and
// comments of every node, lengths first so that no two differ only in
// where one value ends.
func fingerprint(b *strings.Builder, n *yaml.Node) {
	for _, s := range []string{n.Tag, n.Value, n.HeadComment, n.LineComment, n.FootComment} {
		b.WriteString(strconv.Itoa(len(s)))
		b.WriteByte(':')
		b.WriteString(s)
	}
	b.WriteString(strconv.Itoa(int(n.Kind)))
	b.WriteByte(',')
	b.WriteString(strconv.Itoa(int(n.Style)))
	b.WriteByte('[')
	b.WriteString(strconv.Itoa(len(n.Content)))
	for _, c := range n.Content {
		b.WriteByte(' ')
		fingerprint(b, c)
	}
	b.WriteByte(']')
}
