# Browser tests of the UI (label e2e): playwright-core drives Debian's /usr/bin/chromium (never a
# downloaded browser), axe-core checks each page. They need `npm ci` in tests/e2e/ (done by
# scripts/install-deps --test) and the built UI in web/dist (`make web`); `make test` does both.
#   e2e.pages  every page against an in-memory DESIGN §5 API (tests/e2e/support/fake-api.mjs)
#   e2e.serve  the real `worklog serve` on SQLite, signed in with the generated admin password
#   e2e.seed   the seed flow: serve + gitlab-sim --seed demo, OAuth consent in the browser
#   e2e.demo   `worklog demo`: the sign-ins it prints, connected organization and staff, feed
# Screenshots go to <build>/e2e-screenshots.
find_program(WORKLOG_NODE node)
if(NOT WORKLOG_NODE)
  message(STATUS "e2e tests: node not found, not registered")
  return()
endif()

set(_e2e_dir "${PROJECT_SOURCE_DIR}/tests/e2e")
set(_e2e_env
    "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1"
    "WORKLOG_WEB_DIST=${PROJECT_SOURCE_DIR}/web/dist"
    "WORKLOG_E2E_SCREENSHOTS=${CMAKE_BINARY_DIR}/e2e-screenshots")

add_test(NAME e2e.pages
         COMMAND "${WORKLOG_NODE}" --test --test-reporter=spec "${_e2e_dir}/tests/pages.test.mjs"
         WORKING_DIRECTORY "${_e2e_dir}")
set_tests_properties(e2e.pages PROPERTIES LABELS e2e TIMEOUT 600 ENVIRONMENT "${_e2e_env}")

add_test(NAME e2e.serve
         COMMAND "${WORKLOG_NODE}" --test --test-reporter=spec "${_e2e_dir}/tests/serve.test.mjs"
         WORKING_DIRECTORY "${_e2e_dir}")
set_tests_properties(e2e.serve PROPERTIES LABELS e2e TIMEOUT 600
                     ENVIRONMENT "${_e2e_env};WORKLOG_BINARY=$<TARGET_FILE:worklog>")

# The seed flow: worklog serve + worklog gitlab-sim --seed demo, OAuth consent in the browser.
add_test(NAME e2e.seed
         COMMAND "${WORKLOG_NODE}" --test --test-reporter=spec "${_e2e_dir}/tests/seed.test.mjs"
         WORKING_DIRECTORY "${_e2e_dir}")
set_tests_properties(e2e.seed PROPERTIES LABELS e2e TIMEOUT 600
                     ENVIRONMENT "${_e2e_env};WORKLOG_BINARY=$<TARGET_FILE:worklog>")

# `worklog demo` (what `make demo` runs): its printed sign-ins work and show a connected
# organization, connected staff and a filled Activity Feed.
add_test(NAME e2e.demo
         COMMAND "${WORKLOG_NODE}" --test --test-reporter=spec "${_e2e_dir}/tests/demo.test.mjs"
         WORKING_DIRECTORY "${_e2e_dir}")
set_tests_properties(e2e.demo PROPERTIES LABELS e2e TIMEOUT 600
                     ENVIRONMENT "${_e2e_env};WORKLOG_BINARY=$<TARGET_FILE:worklog>")
