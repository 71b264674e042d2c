-- Shared by the wrk scripts: a fixed request rate per wrk thread, whatever the answers'
-- latency. BENCH_RATE (requests/s of this thread): delay() gives each request the next
-- slot of the thread's schedule, one every 1/BENCH_RATE s, and never less than no wait
-- (a thread that fell behind does not send a burst to catch up: the rate achieved is then
-- lower, and printed). Connections wait for their slot, so a slow answer holds only its
-- own connection: give the thread a few more connections than rate x latency.
-- Without BENCH_RATE, BENCH_DELAY_MS: the same pause after every answer; else no pause.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock, bench_timespec* ts);
]]
local now_ts = ffi.new("bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, now_ts) -- CLOCK_MONOTONIC
  return tonumber(now_ts.tv_sec) * 1000 + tonumber(now_ts.tv_nsec) / 1e6
end

function bench_pacer()
  local rate = tonumber(os.getenv("BENCH_RATE") or "0")
  if rate > 0 then
    local interval = 1000 / rate
    local slot = nil
    return function()
      local now = now_ms()
      slot = slot and math.max(slot + interval, now) or now
      return math.floor(slot - now + 0.5)
    end
  end
  local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
  if pause > 0 then
    return function() return pause end
  end
  return nil
end
