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
local literals, keys  -- the template split at its @KEY@ placeholders

-- The substitutions for delivery `n` of this thread.
local function values(n)
  local user = (n * 7 + thread_id) % users + 1
  local v = {
    USER = tostring(100000 + user),
    EMAIL = "u" .. user .. "@bench.invalid",
    PROJECT = tostring(n % 50 + 1),
    BEFORE = string.format("%08x%08x%08x%016x", run, thread_id, n, 0),
    AFTER = string.format("%08x%08x%08x%08x%08x", run, thread_id, n, 4, 52753),
    TS = os.date("!%Y-%m-%dT%H:%M:%SZ"),
  }
  for i = 0, 4 do
    v["SHA" .. i] = string.format("%08x%08x%08x%08x%08x", run, thread_id, n, i, 52753)
  end
  return v
end

-- The body by one gsub per placeholder (the reference the split template must match).
local function body_by_gsub(v)
  local body = template
  for _, key in ipairs({"USER", "EMAIL", "PROJECT", "SHA0", "SHA1", "SHA2", "SHA3", "SHA4",
                        "BEFORE", "AFTER", "TS"}) do
    body = body:gsub("@" .. key .. "@", (v[key]:gsub("%%", "%%%%")))
  end
  return body
end

-- The body from the split template: one concatenation, so that the client's own work
-- (14 gsubs over 3 KB per request took as much CPU as the server) does not starve the
-- server it measures on a 2-core machine.
local function body_of(v)
  local out = {}
  for i = 1, #keys do
    out[#out + 1] = literals[i]
    out[#out + 1] = v[keys[i]]
  end
  out[#out + 1] = literals[#keys + 1]
  return table.concat(out)
end

function init(args)
  local file = assert(io.open(os.getenv("BENCH_PAYLOAD"), "r"))
  template = file:read("*a")
  file:close()
  secret = os.getenv("BENCH_HOOK_SECRET")
  users = tonumber(os.getenv("BENCH_USERS") or "2000")
  run = tonumber(os.getenv("BENCH_RUN") or "1")
  counter = 0
  literals, keys = {}, {}
  local known = values(1)
  local pos, from = 1, 1
  while true do
    local s, e, key = template:find("@(%w+)@", from)
    if not s then
      break
    end
    if known[key] then
      literals[#literals + 1] = template:sub(pos, s - 1)
      keys[#keys + 1] = key
      pos = e + 1
      from = e + 1
    else
      from = s + 1  -- an "@" of the text itself
    end
  end
  literals[#literals + 1] = template:sub(pos)
  for n = 1, 3 do
    local v = values(n)
    assert(body_of(v) == body_by_gsub(v), "webhook.lua: the split template differs from gsub")
  end
end

function request()
  counter = counter + 1
  local n = counter
  local v = values(n)
  return wrk.format("POST", "/hooks/gitlab", {
    ["Content-Type"] = "application/json",
    ["X-Gitlab-Event"] = "Push Hook",
    ["X-Gitlab-Token"] = secret,
    ["X-Gitlab-Event-UUID"] = string.format("%08x-%04x-4000-8000-%012x", run, thread_id, n),
  }, body_of(v))
end

done = bench_done

-- BENCH_RATE (requests/s per wrk thread) or BENCH_DELAY_MS (pause per connection): the
-- soak's fixed rates (pace.lua).
require("pace")
delay = bench_pacer()
