# Runs examples/weekly_adoption_report as a user would and checks that it discloses nothing:
#   cmake -DEXAMPLE=<binary> -DDATA=<tests/privacy/data> -DWORK=<scratch dir> -P example_test.cmake
# 1. --demo prints the three weekly reports;
# 2. with the org chart, only its teams x workflows are listed, with its headcounts: the one-person
#    "layoff-planning" workflow (and its team) never appears, nor does any person id;
# 3. without an org chart (private selection) neither does it;
# 4. a second run on the same audit log is refused: the weeks are spent;
# 5. malformed input is an error naming file, line and field, never echoing the line.
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
set(failures "")

function(run name expect_ok)
  execute_process(COMMAND "${EXAMPLE}" ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  set(all "${out}${err}")
  if(expect_ok AND NOT rc EQUAL 0)
    message(SEND_ERROR "${name}: exit code ${rc}\n${all}")
  elseif(NOT expect_ok AND rc EQUAL 0)
    message(SEND_ERROR "${name}: expected a failure\n${all}")
  endif()
  # Nothing about a person, and no sanitizer report, in any run.
  foreach(bad "@corp.example" "member[0-9]" "ceo" "whistleblower" "layoff" "exec" "AddressSanitizer"
              "LeakSanitizer" "ThreadSanitizer" "runtime error")
    if(all MATCHES "${bad}")
      message(SEND_ERROR "${name}: the output matches '${bad}':\n${all}")
    endif()
  endforeach()
  set(out "${out}" PARENT_SCOPE)
  set(err "${err}" PARENT_SCOPE)
endfunction()

function(expect name text regex)
  if(NOT text MATCHES "${regex}")
    message(SEND_ERROR "${name}: expected to match '${regex}' in:\n${text}")
  endif()
endfunction()

run(demo TRUE --demo --audit-log "${WORK}/demo.jsonl")
foreach(week 2025-W15 2025-W16 2025-W17)
  expect(demo "${out}" "AI adoption report, period ${week}")
endforeach()

run(org_chart TRUE --audit-log "${WORK}/org.jsonl" --org-chart "${DATA}/org_chart.json" "${DATA}/events.jsonl")
expect(org_chart "${out}" "search +chat")
# legal has no events: its groups are listed (the org chart's groups, all of them), but whether its
# noisy count falls below k is up to the noise (count 0, so usually suppressed, not always).
expect(org_chart "${out}" "legal +chat +(suppressed|[0-9]+ \\[)")

run(org_chart_json TRUE --json --audit-log "${WORK}/org_json.jsonl" --org-chart "${DATA}/org_chart.json" "${DATA}/events.jsonl")
string(JSON groups LENGTH "${out}" groups)
if(NOT groups EQUAL 6)
  message(SEND_ERROR "org_chart_json: expected the 3 x 2 groups of the org chart, got ${groups}")
endif()
math(EXPR last "${groups} - 1")
foreach(i RANGE ${last})
  string(JSON team GET "${out}" groups ${i} group team)
  string(JSON suppressed GET "${out}" groups ${i} suppressed)
  if(NOT suppressed)
    # Headcounts are the org chart's, not the number of people seen in the events (30 + 18 + 1, 12).
    string(JSON headcount GET "${out}" groups ${i} adoption_share headcount)
    set(want_search 61)
    set(want_infra 14)
    set(want_legal 7)
    if(NOT headcount EQUAL want_${team})
      message(SEND_ERROR "org_chart_json: headcount of ${team} is ${headcount}, the org chart says ${want_${team}}")
    endif()
  endif()
endforeach()

run(private_selection TRUE --audit-log "${WORK}/private.jsonl" "${DATA}/events.jsonl")
expect(private_selection "${out}" "groups shown only if their noisy count reaches")

run(rerun FALSE --audit-log "${WORK}/org.jsonl" --org-chart "${DATA}/org_chart.json" "${DATA}/events.jsonl")
expect(rerun "${err}" "privacy budget exhausted for the period starting 2025-04-07")
if(out MATCHES "AI adoption report")
  message(SEND_ERROR "rerun: a report was printed although the week's budget is spent:\n${out}")
endif()

run(malformed FALSE --audit-log "${WORK}/bad.jsonl" "${DATA}/malformed.jsonl")
expect(malformed "${err}" "malformed.jsonl:4: not a JSON object")
run(wrong_type FALSE --audit-log "${WORK}/bad2.jsonl" "${DATA}/wrong_type.jsonl")
expect(wrong_type "${err}" "wrong_type.jsonl:1: tokens, requests, cost_micros and time must be integers")
run(no_log FALSE --demo)
expect(no_log "${err}" "--audit-log FILE is required")
