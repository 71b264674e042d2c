# git-hours comparison (label integration): `worklog estimate --git-hours-compatible` must
# give the npm tool git-hours@1.5.0's per-author totals exactly (DESIGN.md §3.4). Uses the
# real 3,211-commit history when ../shared/data is beside the clone, else a committed
# 800-commit window of it. git-hours is installed once into a cache outside the clone
# (tests/git-hours/install.sh; ~10 minutes the first time, for nodegit's native build).
set(worklog_git_hours_history "${PROJECT_SOURCE_DIR}/../shared/data/history-3211.tsv")
if(NOT EXISTS "${worklog_git_hours_history}")
  set(worklog_git_hours_history "${PROJECT_SOURCE_DIR}/tests/git-hours/history-sample.tsv")
endif()
add_test(NAME git_hours_comparison
         COMMAND "${PROJECT_SOURCE_DIR}/tests/git-hours/compare.sh" "$<TARGET_FILE:worklog>"
                 "${worklog_git_hours_history}" "${CMAKE_CURRENT_BINARY_DIR}/git-hours-comparison")
set_tests_properties(git_hours_comparison PROPERTIES LABELS integration TIMEOUT 1800
                                                     SKIP_RETURN_CODE 77)

# `worklog estimate` on a small scripted history with hand-computed hours (both modes).
add_test(NAME estimate_cli
         COMMAND "${PROJECT_SOURCE_DIR}/tests/git-hours/estimate-cli.sh" "$<TARGET_FILE:worklog>"
                 "${CMAKE_CURRENT_BINARY_DIR}/estimate-cli")
set_tests_properties(estimate_cli PROPERTIES LABELS integration TIMEOUT 120)
