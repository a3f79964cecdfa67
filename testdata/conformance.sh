#!/usr/bin/env bash
# conformance.sh KIT: run the conformance kit's validators on every file
# release-gen generated in this repository (examples and golden outputs).
# Exits non-zero when any validator rejects a file.
set -uo pipefail
kit=${1:?usage: conformance.sh CONFORMANCE_KIT_DIR}
cd "$(dirname "$0")/.."

status=0
run() { # target, then the files found for it
  local target=$1; shift
  echo "== $target: $# file(s)"
  if ! "$kit/validate.sh" "$target" "$@"; then status=1; fi
}

list() { git ls-files -co --exclude-standard -- "$@" | sort; }

mapfile -t github < <(list '*.github/workflows/*.yml')
if [ ${#github[@]} -eq 0 ]; then echo "conformance: no generated GitHub workflows found" >&2; exit 1; fi
# release.yml calls the workflows next to it (uses: ./.github/workflows/...).
# actionlint checks such a call against the called workflow (inputs, secrets,
# outputs) only inside a git repository that has .github/workflows, so each
# set of workflows is validated in a copy laid out as a repository of its own.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/conformance-github.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
declare -A repo_of=()
copies=()
for f in "${github[@]}"; do
  dir=$(dirname "$f")
  if [ -z "${repo_of[$dir]:-}" ]; then
    repo_of[$dir]="$tmp/${#repo_of[@]}"
    mkdir -p "${repo_of[$dir]}/.git" "${repo_of[$dir]}/.github/workflows"
    echo "== github: $dir is validated as ${repo_of[$dir]}/.github/workflows"
  fi
  cp "$f" "${repo_of[$dir]}/.github/workflows/"
  copies+=("${repo_of[$dir]}/.github/workflows/$(basename "$f")")
done
run github "${copies[@]}"

for spec in gitlab:'*.gitlab-ci.yml' jenkins:'*Jenkinsfile' circleci:'*.circleci/config.yml' \
            ecr:'*deploy/ecr/*.json' flagger:'*deploy/flagger/*.yaml' renovate:'*renovate.json'; do
  target=${spec%%:*}; pattern=${spec#*:}
  mapfile -t files < <(list "$pattern")
  if [ ${#files[@]} -gt 0 ]; then run "$target" "${files[@]}"; fi
done
exit $status
