package compiler

import (
	"fmt"
	"regexp"
	"strings"

	"release-gen.dev/release-gen/compiler/model"
)

var (
	registryPattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?(/[a-z0-9]+([._-][a-z0-9]+)*)*$`)
	ecrHost         = regexp.MustCompile(`^[0-9]{12}\.dkr\.ecr(-fips)?\.([a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9])\.amazonaws\.com(\.cn)?$`)
)

// parseRegistry classifies an image repository prefix.
func parseRegistry(host string) (model.Registry, error) {
	r := model.Registry{Host: host, Kind: model.RegistryOther}
	if !registryPattern.MatchString(host) {
		return r, fmt.Errorf("registry %q is not an image repository prefix: write a host and optional path in lower case, such as \"123456789012.dkr.ecr.us-east-1.amazonaws.com\" or \"ghcr.io/acme\"", host)
	}
	server, _, _ := strings.Cut(host, "/")
	r.Server = server
	switch {
	case ecrHost.MatchString(server):
		r.Kind = model.RegistryECR
		r.Region = ecrHost.FindStringSubmatch(server)[2]
	case server == "ghcr.io":
		r.Kind = model.RegistryGHCR
	}
	return r, nil
}
