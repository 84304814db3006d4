#!/usr/bin/env bash
# action-conform.sh: the conform step of action.yml. Runs oauthcompat
# conform with GitHub Actions output (step summary, annotations) and sets
# the step outputs verdict, exit-code and the report paths. The step fails
# when conform exits non-zero.
set -uo pipefail

modes=0
[[ -n ${INPUT_TARGET:-} ]] && modes=$((modes + 1))
[[ -n ${INPUT_TARGETS:-} ]] && modes=$((modes + 1))
[[ -n ${INPUT_CASSETTES:-} ]] && modes=$((modes + 1))
if ((modes != 1)); then
	echo "::error title=oauthcompat conform::give exactly one of the inputs target, targets and cassettes"
	echo "verdict=not-checked" >>"$GITHUB_OUTPUT"
	echo "exit-code=2" >>"$GITHUB_OUTPUT"
	exit 2
fi

dir=${INPUT_REPORT_DIR:-oauthcompat-report}
formats=${INPUT_FORMATS:-junit,json,md,html}
[[ ,$formats, == *,json,* ]] || formats+=,json
args=(conform --ci github --report "$dir" --format "$formats" --fail-on "${INPUT_FAIL_ON:-error}")
[[ -n ${INPUT_ONLY:-} ]] && args+=(--only "$INPUT_ONLY")
html=$dir/report.html
if [[ -n ${INPUT_TARGETS:-} ]]; then
	args+=(--targets "$INPUT_TARGETS" --parallel "${INPUT_PARALLEL:-4}")
	[[ -n ${INPUT_VERSION:-} ]] && args+=(--version "$INPUT_VERSION")
	html=$dir/index.html
elif [[ -n ${INPUT_TARGET:-} ]]; then
	args+=(--target "$INPUT_TARGET" --version "${INPUT_VERSION:-auto}")
else
	args+=(--cassettes "$INPUT_CASSETTES" --version "${INPUT_VERSION:-auto}")
fi

code=0
"$OAUTHCOMPAT_BIN" "${args[@]}" || code=$?

# The verdict is the report's: a run can be not conformant and still pass
# the step (fail-on never).
# A single server that exits 2 or 3 was not checked, whatever its report
# says; a fleet's report says whether every server was conformant.
json=$dir/report.json
verdict=not-checked
if [[ -f $json ]] && { ((code < 2)) || [[ -n ${INPUT_TARGETS:-} ]]; }; then
	if grep -qE '^  ("conformant": true|"verdict": "conformant")' "$json"; then
		verdict=conformant
	else
		verdict=not-conformant
	fi
fi
{
	echo "verdict=$verdict"
	echo "exit-code=$code"
	echo "report-dir=$dir"
	echo "report-json=$json"
	[[ ,$formats, == *,html,* ]] && echo "report-html=$html"
	[[ ,$formats, == *,junit,* || ,$formats, == *,xml,* ]] && echo "report-junit=$dir/report.xml"
	[[ ,$formats, == *,md,* || ,$formats, == *,markdown,* ]] && echo "report-markdown=$dir/report.md"
} >>"$GITHUB_OUTPUT"
exit "$code"
