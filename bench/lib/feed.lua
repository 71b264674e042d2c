-- wrk script: GET /api/v1/me/activity-feed for one month, each request as another user
-- (Bearer tokens from BENCH_TOKENS, one per line). BENCH_FROM / BENCH_TO: the month.
-- Accepts gzip, as every browser does (serve answers it with the stored gzipped body).
package.path = os.getenv("BENCH_LIB") .. "/?.lua;" .. package.path
require("report")

local threads = {}
local next_id = 0
function setup(thread)
  next_id = next_id + 1
  thread:set("thread_id", next_id)
end

local tokens, path, counter
function init(args)
  tokens = {}
  for line in io.lines(os.getenv("BENCH_TOKENS")) do
    if #line > 0 then table.insert(tokens, line) end
  end
  path = "/api/v1/me/activity-feed?from=" .. os.getenv("BENCH_FROM") .. "&to=" .. os.getenv("BENCH_TO")
  counter = thread_id * 7919
end

function request()
  counter = counter + 1
  local token = tokens[counter % #tokens + 1]
  return wrk.format("GET", path, {
    ["Authorization"] = "Bearer " .. token,
    ["Accept-Encoding"] = "gzip, deflate, br",
  })
end

done = bench_done

-- BENCH_RATE (requests/s per wrk thread) or BENCH_DELAY_MS (pause per connection): the
-- soak's fixed rates (pace.lua).
require("pace")
delay = bench_pacer()
