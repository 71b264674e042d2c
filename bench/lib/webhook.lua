-- wrk script: POST /hooks/gitlab with a push of 5 commits (the template from
-- `worklog_bench_tool payload`), every request a new delivery (unique X-Gitlab-Event-UUID,
-- unique commit SHAs), spread over BENCH_USERS users and 50 projects.
-- Environment: BENCH_PAYLOAD (template file), BENCH_HOOK_SECRET, BENCH_USERS, BENCH_RUN.
package.path = os.getenv("BENCH_LIB") .. "/?.lua;" .. package.path
require("report")

local threads = {}
local next_id = 0
function setup(thread)
  next_id = next_id + 1
  thread:set("thread_id", next_id)
  table.insert(threads, thread)
end

local template, secret, users, run, counter
function init(args)
  local file = assert(io.open(os.getenv("BENCH_PAYLOAD"), "r"))
  template = file:read("*a")
  file:close()
  secret = os.getenv("BENCH_HOOK_SECRET")
  users = tonumber(os.getenv("BENCH_USERS") or "2000")
  run = tonumber(os.getenv("BENCH_RUN") or "1")
  counter = 0
end

function request()
  counter = counter + 1
  local n = counter
  local user = (n * 7 + thread_id) % users + 1
  local project = n % 50 + 1
  local body = template:gsub("@USER@", tostring(100000 + user))
  body = body:gsub("@EMAIL@", "u" .. user .. "@bench.invalid")
  body = body:gsub("@PROJECT@", tostring(project))
  for i = 0, 4 do
    body = body:gsub("@SHA" .. i .. "@", string.format("%08x%08x%08x%08x%08x", run, thread_id, n, i, 52753))
  end
  body = body:gsub("@BEFORE@", string.format("%08x%08x%08x%016x", run, thread_id, n, 0))
  body = body:gsub("@AFTER@", string.format("%08x%08x%08x%08x%08x", run, thread_id, n, 4, 52753))
  body = body:gsub("@TS@", os.date("!%Y-%m-%dT%H:%M:%SZ"))
  return wrk.format("POST", "/hooks/gitlab", {
    ["Content-Type"] = "application/json",
    ["X-Gitlab-Event"] = "Push Hook",
    ["X-Gitlab-Token"] = secret,
    ["X-Gitlab-Event-UUID"] = string.format("%08x-%04x-4000-8000-%012x", run, thread_id, n),
  }, body)
end

done = bench_done

-- BENCH_DELAY_MS: pause per connection between requests (the soak's fixed rate).
local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
if pause > 0 then
  function delay() return pause end
end
