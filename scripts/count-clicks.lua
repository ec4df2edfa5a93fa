-- wrk script for the click-count check in scripts/bench: counts, over all threads, the redirect requests sent
-- and the answers seen by status. For its last two seconds it asks for /healthz instead, so that when wrk stops
-- (and drops whatever is in flight) no redirect is left unanswered: every click written must then be one of
-- the 302s wrk saw. Usage: wrk -t2 -c64 -d8s -s scripts/count-clicks.lua http://127.0.0.1:PORT/r/demo -- 8
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("number", #threads)
end

function init(args)
  local seconds = tonumber(args[1]) or 8
  switch_at = os.time() + seconds - 2
  redirect_request = wrk.format()
  health_request = wrk.format("GET", "/healthz")
  sent, found, ok, other = 0, 0, 0, 0
  -- wrk calls request() once on its first thread to check the script; that request is never sent.
  if number == 1 then sent = -1 end
end

function request()
  if os.time() < switch_at then
    sent = sent + 1
    return redirect_request
  end
  return health_request
end

function response(status, headers, body)
  if status == 302 then found = found + 1 elseif status == 200 then ok = ok + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local s, f, o, x = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    s = s + thread:get("sent"); f = f + thread:get("found"); o = o + thread:get("ok"); x = x + thread:get("other")
  end
  io.write(string.format("redirect requests sent %d, 302s seen %d, 200s seen %d, other answers %d\n", s, f, o, x))
end
