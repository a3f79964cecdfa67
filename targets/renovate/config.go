package renovate

import (
	"bytes"
	"encoding/json"
	"strings"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets"
)

// SchemaURL is the JSON schema of Renovate's configuration.
const SchemaURL = "https://docs.renovatebot.com/renovate-schema.json"

// config is renovate.json; fields are written in this order.
type config struct {
	Schema            string          `json:"$schema"`
	Description       string          `json:"description"`
	Extends           []string        `json:"extends"`
	Timezone          string          `json:"timezone,omitempty"`
	Schedule          []string        `json:"schedule,omitempty"`
	PRConcurrentLimit int             `json:"prConcurrentLimit"`
	PackageRules      []packageRule   `json:"packageRules,omitempty"`
	CustomManagers    []customManager `json:"customManagers,omitempty"`
	IgnorePaths       []string        `json:"ignorePaths"`
}

type packageRule struct {
	Description      string            `json:"description"`
	MatchFileNames   []string          `json:"matchFileNames,omitempty"`
	MatchDepTypes    []string          `json:"matchDepTypes,omitempty"`
	MatchUpdateTypes []string          `json:"matchUpdateTypes,omitempty"`
	Automerge        bool              `json:"automerge,omitempty"`
	PostUpgradeTasks *postUpgradeTasks `json:"postUpgradeTasks,omitempty"`
}

type postUpgradeTasks struct {
	Commands      []string            `json:"commands"`
	FileFilters   []string            `json:"fileFilters"`
	ExecutionMode string              `json:"executionMode"`
	InstallTools  map[string]struct{} `json:"installTools"`
}

type customManager struct {
	Description               string   `json:"description"`
	CustomType                string   `json:"customType"`
	ManagerFilePatterns       []string `json:"managerFilePatterns"`
	MatchStringsStrategy      string   `json:"matchStringsStrategy"`
	MatchStrings              []string `json:"matchStrings"`
	AutoReplaceStringTemplate string   `json:"autoReplaceStringTemplate,omitempty"`
}

// build returns the configuration for m.
func build(m *model.Release) config {
	r := m.Renovate
	c := config{
		Schema:            SchemaURL,
		Description:       targets.GeneratedMarker + m.SpecFile + "; DO NOT EDIT.",
		Extends:           []string{"config:recommended"},
		Timezone:          r.Timezone,
		Schedule:          schedule(r.Schedule),
		PRConcurrentLimit: r.PRConcurrentLimit,
		CustomManagers:    customManagers(m),
	}
	if len(r.Automerge) > 0 {
		c.PackageRules = append(c.PackageRules, packageRule{
			Description:      "Automerge " + list(r.Automerge) + " updates",
			MatchUpdateTypes: r.Automerge,
			Automerge:        true,
		})
	}
	if r.AutomergeDevDependencies {
		c.PackageRules = append(c.PackageRules, packageRule{
			Description:   "Automerge updates of devDependencies",
			MatchDepTypes: []string{"devDependencies"},
			Automerge:     true,
		})
	}
	if c.CustomManagers != nil {
		if cmd, ok := regenerate(m); ok {
			c.PackageRules = append(c.PackageRules, packageRule{
				Description:    "After updating the release spec, regenerate release-gen's outputs in the same branch (self-hosted Renovate: allow the command in allowedCommands)",
				MatchFileNames: specPatterns(m),
				PostUpgradeTasks: &postUpgradeTasks{
					Commands:      []string{cmd},
					FileFilters:   generatedPaths(m),
					ExecutionMode: "branch",
					InstallTools:  map[string]struct{}{"golang": {}},
				},
			})
		}
	}
	c.IgnorePaths = ignorePaths(m, c.CustomManagers != nil)
	return c
}

// encode writes c as indented JSON with a final newline, leaving <, > and
// & as they are.
func encode(c config) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(c); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// list joins words as "a", "a and b" or "a, b and c".
func list(words []string) string {
	if len(words) == 1 {
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}
