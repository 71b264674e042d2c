-- wrk script: a user at work in the Activity Feed. Each connection alternates GET of the
-- last week's feed and POST .../{id}/log of the first keyed suggestion it showed (a worklog);
-- users rotate over BENCH_TOKENS. BENCH_FROM / BENCH_TO: the week; BENCH_DELAY_MS: pause.
-- The state is per wrk thread: run it with one connection per thread (-tN -cN).
package.path = os.getenv("BENCH_LIB") .. "/?.lua;" .. package.path
require("report")

local next_id = 0
function setup(thread)
  next_id = next_id + 1
  thread:set("thread_id", next_id)
end

local tokens, path, counter, pending, token
function init(args)
  tokens = {}
  for line in io.lines(os.getenv("BENCH_TOKENS")) do
    if #line > 0 then table.insert(tokens, line) end
  end
  path = "/api/v1/me/activity-feed?from=" .. os.getenv("BENCH_FROM") .. "&to=" .. os.getenv("BENCH_TO")
  counter = thread_id * 104729
  pending = nil
end

function request()
  if pending then
    local id = pending
    pending = nil
    return wrk.format("POST", "/api/v1/me/activity-feed/" .. id .. "/log",
      { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, "")
  end
  counter = counter + 1
  token = tokens[counter % #tokens + 1]
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
end

function response(status, headers, body)
  if status == 200 and body then
    -- The first suggestion with an issue key (one without cannot be logged as it is);
    -- nlohmann writes a suggestion's fields in name order: ..., "id", "issue_key", ...
    pending = body:match('"id"%s*:%s*"([^"]+)"%s*,%s*"issue_key"%s*:%s*"')
  end
end

-- BENCH_RATE (requests/s per wrk thread) or BENCH_DELAY_MS (pause per connection): the
-- soak's fixed rates (pace.lua).
require("pace")
delay = bench_pacer()

done = bench_done
