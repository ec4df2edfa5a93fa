-- wrk script for scripts/bench-engine: POST /api/v1/conversions with a unique external_id per request.
-- Arguments: the program's secret key, a link code to credit.
local counter = 0
created = 0
local threads = {}
local id = 0

function setup(thread)
  id = id + 1
  thread:set("tid", id)
  table.insert(threads, thread)
end

local stamp = os.time()

function init(args)
  key = args[1]
  code = args[2]
  math.randomseed(os.time() + (tid or 0) * 7919)
  prefix = string.format("%d-%d", stamp, math.random(1, 1000000000))
end

function request()
  counter = counter + 1
  local body = string.format('{"external_id":"bench-%s-%d","type":"sale","amount":%d,"link_code":"%s"}',
    prefix, counter, 1000 + counter % 5000, code)
  return wrk.format("POST", "/api/v1/conversions",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key}, body)
end

function response(status)
  if status == 201 then created = created + 1 end
end

function done()
  for _, thread in ipairs(threads) do
    io.write(string.format("created %d\n", thread:get("created")))
  end
end
