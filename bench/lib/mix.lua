-- wrk script: the soak's mix in fixed proportions, closed loop (the peak of the mix itself).
-- BENCH_MIX="W:F:L" (default 5:2:2): per cycle of W+F+L requests on each wrk thread, W webhook
-- deliveries (webhook.lua), F Activity Feed month reads (feed.lua) and L feed-logging
-- requests (log.lua: GET of the week, or POST .../log of the suggestion the last GET
-- showed), interleaved evenly. The three scripts are loaded as they are; their settings:
-- webhook.lua's, BENCH_FROM / BENCH_TO (the month) for the feed reads and BENCH_LOG_FROM /
-- BENCH_LOG_TO (the week) for logging. Prints the usual BENCH line plus
--   MIX webhooks=N feed=N log=N (requests sent per kind, all threads).
package.path = os.getenv("BENCH_LIB") .. "/?.lua;" .. package.path
require("report")

local lib = os.getenv("BENCH_LIB")
local getenv = os.getenv
local overrides = {}
os.getenv = function(name)
  if overrides[name] ~= nil then return overrides[name] end
  return getenv(name)
end

-- Each script's globals, taken before the next one replaces them.
local function load_script(file)
  dofile(lib .. "/" .. file)
  return { init = init, request = request, response = response }
end
local kinds = {
  { name = "webhooks", script = load_script("webhook.lua"), env = {} },
  { name = "feed", script = load_script("feed.lua"), env = {} },
  { name = "log", script = load_script("log.lua"),
    env = { BENCH_FROM = getenv("BENCH_LOG_FROM"), BENCH_TO = getenv("BENCH_LOG_TO") } },
}
local log_response = kinds[3].script.response

local threads = {}
local next_id = 0
function setup(thread)
  next_id = next_id + 1
  thread:set("thread_id", next_id)
  table.insert(threads, thread)
end

local cycle, position
sent = nil  -- per kind, global: done() reads it with thread:get
function init(args)
  for _, kind in ipairs(kinds) do
    overrides = kind.env
    kind.script.init(args)
  end
  overrides = {}
  -- The cycle: smooth weighted round robin over the three weights.
  local weights = {}
  for w in string.gmatch(getenv("BENCH_MIX") or "5:2:2", "%d+") do
    weights[#weights + 1] = tonumber(w)
  end
  assert(#weights == 3, "mix.lua: BENCH_MIX is W:F:L")
  local total, current = 0, { 0, 0, 0 }
  for i = 1, 3 do total = total + weights[i] end
  cycle = {}
  for _ = 1, total do
    local best = 1
    for i = 1, 3 do
      current[i] = current[i] + weights[i]
      if current[i] > current[best] then best = i end
    end
    current[best] = current[best] - total
    cycle[#cycle + 1] = best
  end
  position = (thread_id * 3) % total  -- threads start at different places of the cycle
  sent = { 0, 0, 0 }
end

function request()
  position = position % #cycle + 1
  local kind = cycle[position]
  sent[kind] = sent[kind] + 1
  return kinds[kind].script.request()
end

function response(status, headers, body)
  -- Only a feed-logging GET (not gzipped) shows a suggestion log.lua can take: the other
  -- kinds' answers must not clear the one it holds.
  if status == 200 and body and body:find('"issue_key"', 1, true) then
    log_response(status, headers, body)
  end
end

function done(summary, latency, requests)
  bench_done(summary, latency, requests)
  local totals = { 0, 0, 0 }
  for _, thread in ipairs(threads) do
    local counts = thread:get("sent")
    for i = 1, 3 do totals[i] = totals[i] + counts[i] end
  end
  io.write(string.format("MIX webhooks=%d feed=%d log=%d\n", totals[1], totals[2], totals[3]))
end

-- No pause: the peak is closed loop.
delay = nil
