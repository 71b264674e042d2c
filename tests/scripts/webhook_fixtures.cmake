# Webhook fidelity (label integration): every webhook fixture of Debian's
# golang-github-xanzy-go-gitlab-dev and our own tests/fixtures/webhooks/ through
# `worklog parse-webhook`, checked value by value. Fails when the package is missing
# (scripts/install-deps --test installs it).
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND)
  add_test(NAME webhook_fixtures
           COMMAND Python3::Interpreter
                   "${PROJECT_SOURCE_DIR}/tests/fixtures-check/check_webhook_fixtures.py"
                   "$<TARGET_FILE:worklog>" "${PROJECT_SOURCE_DIR}/tests/fixtures/webhooks")
  set_tests_properties(webhook_fixtures PROPERTIES LABELS integration TIMEOUT 300)
else()
  add_test(NAME webhook_fixtures COMMAND "${CMAKE_COMMAND}" -E false)
  set_tests_properties(webhook_fixtures PROPERTIES LABELS integration)
  message(WARNING "python3 not found: the webhook_fixtures test will fail")
endif()
